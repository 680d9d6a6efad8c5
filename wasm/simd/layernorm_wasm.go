package simd

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// LayerNorm normalizes each row (biased variance); rows are split over
// the workers. dst may be x.
func (b *Backend) LayerNorm(dst, x, gamma, beta backend.Tensor, eps float32) {
	const op = "LayerNorm"
	d, xh, g, be := b.get(op, dst), b.get(op, x), b.get(op, gamma), b.get(op, beta)
	backend.CheckLayerNorm(dst, x, gamma, beta)
	split(xh.rows, b.parts(xh.rows, xh.cols, minRowWork), 1, func(lo, hi int) {
		b.job(kernels.LayerNorm, d.addr(0), xh.addr(0), g.addr(0), be.addr(0), int32(xh.cols), f32bits(eps), int32(lo), int32(hi))
	})
	b.submit(op)
}
