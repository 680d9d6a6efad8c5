package simd

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// GeluNew applies the tanh form of GELU elementwise. dst may be x.
func (b *Backend) GeluNew(dst, x backend.Tensor) {
	const op = "GeluNew"
	d, xh := b.get(op, dst), b.get(op, x)
	backend.CheckGeluNew(dst, x)
	n := xh.rows * xh.cols
	split(n, b.parts(n, 1, minElements), 4, func(lo, hi int) {
		b.job(kernels.GeluNew, d.addr(0), xh.addr(0), int32(lo), int32(hi))
	})
	b.submit(op)
}

// Add computes dst = a + b; any operands may be the same tensor.
func (b *Backend) Add(dst, x, y backend.Tensor) {
	const op = "Add"
	d, xh, yh := b.get(op, dst), b.get(op, x), b.get(op, y)
	backend.CheckAdd(dst, x, y)
	n := d.rows * d.cols
	split(n, b.parts(n, 1, minElements), 4, func(lo, hi int) {
		b.job(kernels.Add, d.addr(0), xh.addr(0), yh.addr(0), int32(lo), int32(hi))
	})
	b.submit(op)
}

// Add3 computes dst = (a + b) + c, rounding after each addition.
func (b *Backend) Add3(dst, x, y, z backend.Tensor) {
	const op = "Add3"
	d, xh, yh, zh := b.get(op, dst), b.get(op, x), b.get(op, y), b.get(op, z)
	backend.CheckAdd3(dst, x, y, z)
	n := d.rows * d.cols
	split(n, b.parts(n, 1, minElements), 4, func(lo, hi int) {
		b.job(kernels.Add3, d.addr(0), xh.addr(0), yh.addr(0), zh.addr(0), int32(lo), int32(hi))
	})
	b.submit(op)
}
