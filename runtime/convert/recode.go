package convert

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// chunkRows is how many rows are widened to float32 at a time, so a 51200-row
// matrix never exists in float32 all at once. A multiple of tensor.RowGroup.
const chunkRows = 256

// recoder re-encodes tensors, reusing its buffers across calls.
type recoder struct {
	rows []float32
	out  []byte
}

// recode returns data, stored as from, in the dtype to. A tensor already in
// the target type passes through untouched (a GGUF Q4_0 stays bit-exact).
// Values the target cannot hold (NaN, ±Inf, overflowing scales) are an error
// naming the row.
func (r *recoder) recode(from, to tensor.DType, rows, cols int, data []byte) ([]byte, error) {
	if from == to {
		return data, nil
	}
	size := tensor.ByteSize(to, rows, cols)
	if int64(cap(r.out)) < size {
		r.out = make([]byte, size)
	}
	out := r.out[:size]
	if n := min(rows, chunkRows) * cols; cap(r.rows) < n {
		r.rows = make([]float32, n)
	}
	for r0 := 0; r0 < rows; r0 += chunkRows {
		n := min(chunkRows, rows-r0)
		chunk := r.rows[:n*cols]
		for i := 0; i < n; i++ {
			tensor.DequantizeRow(chunk[i*cols:(i+1)*cols], data, from, rows, cols, r0+i)
		}
		if err := tensor.CheckQuantizable(to, chunk); err != nil {
			return nil, fmt.Errorf("rows %d..%d: %v", r0, r0+n-1, err)
		}
		q := tensor.Quantize(to, chunk, n, cols)
		place(out, q, to, rows, cols, r0, n)
	}
	return out, nil
}

// place copies the encoding of rows [r0, r0+n) (a whole number of row
// groups, or the last rows) into the encoding of the full matrix.
func place(out, part []byte, dt tensor.DType, rows, cols, r0, n int) {
	if !dt.Quantized() {
		row := cols * dt.Size()
		copy(out[r0*row:], part[:n*row])
		return
	}
	full, sub := tensor.Layout(dt, rows, cols), tensor.Layout(dt, n, cols)
	copy(out[full.QuantsAt(r0, 0):], part[:sub.ScalesAt])
	copy(out[full.ScaleAt(r0, 0):], part[sub.ScalesAt:])
}
