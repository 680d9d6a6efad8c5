package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestLayerNorm: rows in random pieces [r0, r1), widths not multiples of
// 4, out of place and in place. The kernel runs the reference's float32
// operations in its order; tolerance 2·eps32·(|y| + |β|) allows for a
// reference whose multiply-adds the compiler fuses.
func TestLayerNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	d := newDevice(t, 4<<20, 1)
	r := newRef(t)
	const eps = float32(1e-5)
	for c := range 12 {
		d.reset()
		rows, cols := pick(rng, 1, 3, 5), pick(rng, 1, 2, 4, 7, 64, 81, 2560)
		x := normal(rng, rows*cols, []float64{0, 3, -50}[c%3], []float64{1, 1e-2, 20}[c%3])
		g, b := normal(rng, cols, 1, 0.5), normal(rng, cols, 0, 0.5)
		want := r.alloc(rows, cols)
		r.b.LayerNorm(want, r.f32(rows, cols, x), r.f32(1, cols, g), r.f32(1, cols, b), eps)
		wv := r.read(want)
		tol := make([]float64, len(wv))
		for i, v := range wv {
			tol[i] = 2 * eps32 * (math.Abs(float64(v)) + math.Abs(float64(b[i%cols])))
		}
		xa, ga, ba := d.putF32(x), d.putF32(g), d.putF32(b)
		dst := d.alloc(4 * rows * cols)
		for _, p := range cuts(rng, rows) {
			d.call(0, LayerNorm, dst, xa, ga, ba, uint32(cols), bits(eps), uint32(p[0]), uint32(p[1]))
		}
		name := fmt.Sprintf("[%d %d]", rows, cols)
		within(t, name, d.f32s(dst, rows*cols), wv, tol)
		d.call(0, LayerNorm, xa, xa, ga, ba, uint32(cols), bits(eps), 0, uint32(rows))
		within(t, name+" in place", d.f32s(xa, rows*cols), wv, tol)
	}
}
