package tensor

// Quantized matrices share one layout (docs/format.md): a row is cut into
// blocks of BlockSize values, each with an f16 scale; rows are stored in
// groups of RowGroup, block by block, so a kernel computing four rows reads
// one contiguous stream. All quant blocks come first, then all scales.
const (
	BlockSize = 32
	RowGroup  = 4
)

func blocksPerRow(cols int) int { return (cols + BlockSize - 1) / BlockSize }
func rowGroups(rows int) int    { return (rows + RowGroup - 1) / RowGroup }

// blockBytes is the size of one block's quants.
func blockBytes(d DType) int {
	switch d {
	case Q8:
		return BlockSize
	case Q4:
		return BlockSize / 2
	}
	panic("tensor: blockBytes of " + d.String())
}

// QuantLayout locates the blocks of a quantized [Rows, Cols] matrix.
type QuantLayout struct {
	DType      DType
	Rows, Cols int
	Blocks     int // blocks per row: ceil(Cols/32)
	BlockBytes int // bytes of one block's quants: 32 (Q8) or 16 (Q4)
	ScalesAt   int64
}

// Layout returns the layout of a quantized matrix.
func Layout(d DType, rows, cols int) QuantLayout {
	kb := blocksPerRow(cols)
	bb := blockBytes(d)
	return QuantLayout{DType: d, Rows: rows, Cols: cols, Blocks: kb, BlockBytes: bb,
		ScalesAt: int64(rowGroups(rows)) * int64(kb) * RowGroup * int64(bb)}
}

// slot is the index of block b of row r in storage order.
func (l QuantLayout) slot(r, b int) int64 {
	return (int64(r/RowGroup)*int64(l.Blocks)+int64(b))*RowGroup + int64(r%RowGroup)
}

// QuantsAt is the byte offset of the quants of block b of row r.
func (l QuantLayout) QuantsAt(r, b int) int64 { return l.slot(r, b) * int64(l.BlockBytes) }

// ScaleAt is the byte offset of the f16 scale of block b of row r.
func (l QuantLayout) ScaleAt(r, b int) int64 { return l.ScalesAt + 2*l.slot(r, b) }
