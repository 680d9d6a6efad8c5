package cpu

import (
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
)

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
