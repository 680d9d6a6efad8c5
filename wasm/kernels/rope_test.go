package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestRope: head and rotary sizes of Phi-2 (80, 32) and others whose half
// is not a multiple of 4, pos0 > 0, rows in pieces. Each output is two
// float32 products and a sum, as in the reference; tolerance
// eps32·(|a·cos| + |b·sin|) allows for fused multiply-adds there.
func TestRope(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	d := newDevice(t, 1<<20, 1)
	r := newRef(t)
	for _, hr := range [][2]int{{80, 32}, {16, 16}, {40, 10}, {8, 2}, {12, 6}} {
		d.reset()
		headDim, rotDim := hr[0], hr[1]
		heads, rows, pos0 := pick(rng, 1, 3), pick(rng, 1, 4, 7), pick(rng, 0, 5)
		cols, tabRows := heads*headDim, pos0+rows+2
		x := normal(rng, rows*cols, 0, 1)
		table := normal(rng, tabRows*rotDim, 0, 1)
		xt := r.f32(rows, cols, x)
		r.b.Rope(xt, r.f32(tabRows, rotDim, table), pos0, headDim, rotDim)
		tol := make([]float64, rows*cols)
		h := rotDim / 2
		for t := range rows {
			cs := table[(pos0+t)*rotDim:]
			for c := range cols {
				i := c % headDim
				if i >= rotDim {
					continue
				}
				j, other := i%h, c+h // pair index and partner column
				if i >= h {
					other = c - h
				}
				tol[t*cols+c] = eps32 * (math.Abs(float64(x[t*cols+c]*cs[j])) + math.Abs(float64(x[t*cols+other]*cs[h+j])))
			}
		}
		xa, ta := d.putF32(x), d.putF32(table)
		for _, p := range cuts(rng, rows) {
			d.call(0, Rope, xa, ta, uint32(pos0), uint32(cols), uint32(headDim), uint32(rotDim), uint32(p[0]), uint32(p[1]))
		}
		within(t, fmt.Sprintf("rope head %d rot %d", headDim, rotDim), d.f32s(xa, rows*cols), r.read(xt), tol)
	}
}
