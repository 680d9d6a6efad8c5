package cpu

import (
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
)

// GeluNew applies the tanh form of GELU in float32 (tanh itself is
// evaluated in float64 and rounded). dst may be x.
func (b *Backend) GeluNew(dst, x backend.Tensor) {
	const op = "GeluNew"
	d, xh := b.get(op, dst), b.get(op, x)
	backend.CheckGeluNew(dst, x)
	const c = float32(0.7978845608028654) // √(2/π)
	out := d.f32()
	for i, v := range xh.f32() {
		u := c * (v + 0.044715*v*v*v)
		out[i] = 0.5 * v * (1 + float32(math.Tanh(float64(u))))
	}
}

// Add computes dst = a + b; any operands may be the same tensor.
func (b *Backend) Add(dst, x, y backend.Tensor) {
	const op = "Add"
	d, xh, yh := b.get(op, dst), b.get(op, x), b.get(op, y)
	backend.CheckAdd(dst, x, y)
	out, ys := d.f32(), yh.f32()
	for i, v := range xh.f32() {
		out[i] = v + ys[i]
	}
}

// Add3 computes dst = (a + b) + c, rounding after each addition exactly as
// two Adds do.
func (b *Backend) Add3(dst, x, y, z backend.Tensor) {
	const op = "Add3"
	d, xh, yh, zh := b.get(op, dst), b.get(op, x), b.get(op, y), b.get(op, z)
	backend.CheckAdd3(dst, x, y, z)
	out, ys, zs := d.f32(), yh.f32(), zh.f32()
	for i, v := range xh.f32() {
		out[i] = float32(v+ys[i]) + zs[i]
	}
}
