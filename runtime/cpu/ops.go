package cpu

import (
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// Embed sets dst row i to row ids[i] of table, widened exactly (Q8 and Q4
// rows as tensor.DequantizeRow gives them).
func (b *Backend) Embed(dst, table backend.Tensor, ids []int32) {
	const op = "Embed"
	d, th := b.get(op, dst), b.get(op, table)
	backend.CheckEmbed(dst, table, ids)
	for i, id := range ids {
		if th.dt.Quantized() {
			l := th.buf.layout
			tensor.DequantizeRow(d.row(i), th.buf.q, th.dt, l.Rows, l.Cols, th.firstRow()+int(id))
			continue
		}
		s := th.off + int(id)*th.cols
		if th.dt == tensor.F32 {
			copy(d.row(i), th.buf.f32[s:s+th.cols])
		} else {
			widen(d.row(i), th.buf.u16[s:s+th.cols], th.dt)
		}
	}
}

// LayerNorm normalizes each row in float32: μ and σ² are sums over the
// columns (element i into accumulator i mod 4) divided by the column count,
// σ² taken over the deviations x−μ. dst may be x.
func (b *Backend) LayerNorm(dst, x, gamma, beta backend.Tensor, eps float32) {
	const op = "LayerNorm"
	d, xh, g, be := b.get(op, dst), b.get(op, x), b.get(op, gamma), b.get(op, beta)
	backend.CheckLayerNorm(dst, x, gamma, beta)
	gs, bs := g.f32(), be.f32()
	k := float32(xh.cols)
	for r := range xh.rows {
		in, out := xh.row(r), d.row(r)
		mean := sum4(in) / k
		variance := sqDev4(in, mean) / k
		rstd := 1 / float32(math.Sqrt(float64(variance+eps)))
		for i, v := range in {
			out[i] = (v-mean)*rstd*gs[i] + bs[i]
		}
	}
}

// sum4 returns Σ x[i] with four accumulators.
func sum4(x []float32) float32 {
	var s [4]float32
	for i, v := range x {
		s[i&3] += v
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

// sqDev4 returns Σ (x[i]−c)² with four accumulators.
func sqDev4(x []float32, c float32) float32 {
	var s [4]float32
	for i, v := range x {
		s[i&3] += (v - c) * (v - c)
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

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

// Copy copies rows [srcRow, srcRow+n) of src to dst from dstRow on,
// rounding F32 values to F16 by tensor.F32ToF16 for an F16 dst.
// Overlapping ranges of one tensor are copied as if through a temporary.
func (b *Backend) Copy(dst backend.Tensor, dstRow int, src backend.Tensor, srcRow, n int) {
	const op = "Copy"
	d, s := b.get(op, dst), b.get(op, src)
	backend.CheckCopy(dst, dstRow, src, srcRow, n)
	lo, hi, from, to := dstRow*d.cols, (dstRow+n)*d.cols, srcRow*s.cols, (srcRow+n)*s.cols
	switch {
	case d.dt == tensor.F32:
		copy(d.f32()[lo:hi], s.f32()[from:to])
	case s.dt == tensor.F16:
		copy(d.u16()[lo:hi], s.u16()[from:to])
	default:
		out := d.u16()[lo:hi]
		for i, v := range s.f32()[from:to] {
			out[i] = tensor.F32ToF16(v)
		}
	}
}
