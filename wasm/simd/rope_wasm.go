package simd

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// Rope rotates, in place, the first rotDim values of every head of x
// ("rotate half"), rows split over the workers.
func (b *Backend) Rope(x, table backend.Tensor, pos0, headDim, rotDim int) {
	const op = "Rope"
	xh, th := b.get(op, x), b.get(op, table)
	backend.CheckRope(x, table, pos0, headDim, rotDim)
	if overlaps(xh, th) {
		fail(op, "x %q overlaps table %q", xh.label, th.label)
	}
	split(xh.rows, b.parts(xh.rows, xh.cols, minRowWork), 1, func(lo, hi int) {
		b.job(kernels.Rope, xh.addr(0), th.addr(0), int32(pos0), int32(xh.cols), int32(headDim), int32(rotDim), int32(lo), int32(hi))
	})
	b.submit(op)
}
