package webgpu

import "github.com/phi2web/phi2web/runtime/tensor"

// span is rows [row0, row0+rows) of a matrix as one piece: the byte ranges
// of the matrix's storage that make it, in order.
type span struct {
	row0, rows int
	ranges     [][2]int64
}

// split cuts a [rows, cols] matrix of dt into pieces of at most limit
// bytes each: whole rows for F32 and F16, whole groups of 4 rows for Q8 and
// Q4, whose piece is the group range of the quants section followed by the
// same range of the scales section (itself a valid matrix of fewer rows).
func split(dt tensor.DType, rows, cols, limit int) []span {
	total := tensor.ByteSize(dt, rows, cols)
	if total <= int64(limit) || rows == 0 {
		return []span{{row0: 0, rows: rows, ranges: [][2]int64{{0, total}}}}
	}
	var out []span
	if !dt.Quantized() {
		rowBytes := int64(cols * dt.Size())
		per := max(1, int64(limit)/rowBytes)
		if per > 1 {
			per &^= 1 // F16 pieces then start on 4-byte boundaries
		}
		for r := int64(0); r < int64(rows); r += per {
			n := min(per, int64(rows)-r)
			out = append(out, span{row0: int(r), rows: int(n), ranges: [][2]int64{{r * rowBytes, (r + n) * rowBytes}}})
		}
		return out
	}
	l := tensor.Layout(dt, rows, cols)
	quants := int64(l.Blocks) * 4 * int64(l.BlockBytes) // per group
	scales := int64(l.Blocks) * 4 * 2
	groups := (int64(rows) + 3) / 4
	per := max(1, int64(limit)/(quants+scales))
	for g := int64(0); g < groups; g += per {
		n := min(per, groups-g)
		r0 := int(g * 4)
		out = append(out, span{row0: r0, rows: min(int(n*4), rows-r0), ranges: [][2]int64{
			{g * quants, (g + n) * quants},
			{l.ScalesAt + g*scales, l.ScalesAt + (g+n)*scales},
		}})
	}
	return out
}
