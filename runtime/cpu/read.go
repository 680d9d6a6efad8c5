package cpu

import (
	"github.com/phi2web/phi2web/runtime/backend"
)

// Read copies t (F32) into dst, which must hold at least Rows·Cols values.
// Ops run at once, so there is nothing to wait for.
func (b *Backend) Read(t backend.Tensor, dst []float32) error {
	if b.closed {
		return ErrClosed
	}
	h := b.get("Read", t)
	backend.CheckRead(t, dst)
	copy(dst, h.f32())
	return nil
}

// Argmax returns the column of the largest value of row `row` of t, the
// lowest on ties. NaN never wins; a row of only NaNs gives 0.
func (b *Backend) Argmax(t backend.Tensor, row int) (int, error) {
	if b.closed {
		return 0, ErrClosed
	}
	h := b.get("Argmax", t)
	backend.CheckArgmax(t, row)
	best, at := float32(0), -1
	for i, v := range h.row(row) {
		if v == v && (at < 0 || v > best) {
			best, at = v, i
		}
	}
	return max(at, 0), nil
}
