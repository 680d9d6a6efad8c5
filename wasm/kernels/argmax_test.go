package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestArgmax: the reference's rules (largest, lowest index on ties, NaN
// never wins, no number gives 0) on counts that are not multiples of 4.
func TestArgmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 1))
	d := newDevice(t, 1<<20, 1)
	r := newRef(t)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := [][]float32{
		{1}, {nan}, {nan, nan, nan, nan, nan}, {-inf, -inf, -inf}, {nan, -inf, nan},
		{3, 1, 3, 2}, {0, 5, 5, 5, 5, 5, 5}, {1, 2, 3, 4, 5, 6, 7, 7}, {-1, nan, -2, -1},
		{2, 1, 1, 1, 1, 1, 1, 1, 2}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 4},
	}
	for range 6 {
		v := normal(rng, pick(rng, 5, 64, 1003), 0, 1)
		for range rng.IntN(4) { // ties with the maximum
			v[rng.IntN(len(v))] = 5
		}
		cases = append(cases, v)
	}
	for _, v := range cases {
		d.reset()
		want, err := r.b.Argmax(r.f32(1, len(v), v), 0)
		if err != nil {
			t.Fatal(err)
		}
		out := d.alloc(4)
		d.call(0, Argmax, out, d.putF32(v), uint32(len(v)))
		b, _ := d.mem.ReadUint32Le(out)
		if int(int32(b)) != want {
			t.Errorf("argmax of %d values (%v…): %d, want %d", len(v), v[:min(len(v), 8)], int32(b), want)
		}
	}
	out := d.alloc(4)
	d.call(0, Argmax, out, d.alloc(0), 0)
	if b, _ := d.mem.ReadUint32Le(out); b != 0 {
		t.Errorf("argmax of nothing: %d, want 0", b)
	}
}
