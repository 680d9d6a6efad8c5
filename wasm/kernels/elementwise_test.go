package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGeluNew: tolerance 2e-6·|x|, the conformance suite's; the kernel's
// x/(1 + e^(−2u)) with the polynomial exp errs by a few eps32 relative.
// Values reach ±30, where e^(−2u) over- or underflows the exp's range.
func TestGeluNew(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	d := newDevice(t, 1<<20, 1)
	r := newRef(t)
	for c := range 9 {
		d.reset()
		n := pick(rng, 1, 3, 4, 9, 1000)
		x := normal(rng, n, 0, []float64{1, 3, 12, 1e-4}[c%4])
		if c == 8 { // beyond the exp's range both ways, zeros, subnormals
			x = []float32{0, -0, 1e-40, -1e-40, 5, -5, 9, -9, 20, -20, 60, -60, 1e4, -1e4, 3e38, -3e38}
			n = len(x)
		}
		want := r.alloc(1, n)
		r.b.GeluNew(want, r.f32(1, n, x))
		tol := make([]float64, n)
		for i, v := range x {
			tol[i] = 2e-6 * math.Abs(float64(v))
		}
		xa, dst := d.putF32(x), d.alloc(4*n)
		for _, p := range cuts(rng, n) {
			d.call(0, GeluNew, dst, xa, uint32(p[0]), uint32(p[1]))
		}
		within(t, fmt.Sprint("gelu_new n=", n), d.f32s(dst, n), r.read(want), tol)
		d.call(0, GeluNew, xa, xa, 0, uint32(n))
		within(t, fmt.Sprint("gelu_new in place n=", n), d.f32s(xa, n), r.read(want), tol)
	}
}

// TestAdd: add and add3 round like the reference, so results are equal
// bit for bit, in pieces and in place.
func TestAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	d := newDevice(t, 1<<20, 1)
	r := newRef(t)
	for range 6 {
		d.reset()
		n := pick(rng, 1, 2, 5, 8, 1001)
		a, b, c := normal(rng, n, 0, 1e4), normal(rng, n, 0, 1), normal(rng, n, 0, 1e-3)
		want2, want3 := r.alloc(1, n), r.alloc(1, n)
		r.b.Add(want2, r.f32(1, n, a), r.f32(1, n, b))
		r.b.Add3(want3, r.f32(1, n, a), r.f32(1, n, b), r.f32(1, n, c))
		aa, ba, ca := d.putF32(a), d.putF32(b), d.putF32(c)
		d2, d3 := d.alloc(4*n), d.alloc(4*n)
		for _, p := range cuts(rng, n) {
			d.call(0, Add, d2, aa, ba, uint32(p[0]), uint32(p[1]))
			d.call(0, Add3, d3, aa, ba, ca, uint32(p[0]), uint32(p[1]))
		}
		same(t, fmt.Sprint("add n=", n), d.f32s(d2, n), r.read(want2))
		same(t, fmt.Sprint("add3 n=", n), d.f32s(d3, n), r.read(want3))
		d.call(0, Add3, ca, aa, ba, ca, 0, uint32(n))
		same(t, fmt.Sprint("add3 in place n=", n), d.f32s(ca, n), r.read(want3))
		d.call(0, Add, aa, aa, ba, 0, uint32(n))
		same(t, fmt.Sprint("add in place n=", n), d.f32s(aa, n), r.read(want2))
	}
}
