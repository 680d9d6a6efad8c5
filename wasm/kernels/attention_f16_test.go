package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestAttentionF16: attention_f16 over a binary16 cache gives the bits of
// attention over an f32 cache holding the widened values, for prefill,
// decode and chunked prefill, head sizes 16, 40, 52, 80 and 128, heads in random
// ranges, out of place and in place, with wide-ranged cache values
// (subnormal halves included), through its shortcut (flag clear) and its
// exact kernel (flag set); and where the shortcut does not hold: Inf and
// NaN in the cache with the flag set, and query rows with |q| ≥ 2^16
// (which it must send to the exact kernel by itself) or just under.
func TestAttentionF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	d := newDevice(t, 8<<20, 1)
	var cases []attCase
	for _, hd := range []int{16, 40, 52, 80, 128} {
		cases = append(cases,
			attCase{n: 5, pos0: 0, heads: 3, headDim: hd, capRows: 8},
			attCase{n: 1, pos0: 6, heads: 2, headDim: hd, capRows: 9, inPlace: true},
			attCase{n: 4, pos0: 9, heads: 4, headDim: hd, capRows: 16},
			attCase{n: 1, pos0: 130, heads: 1, headDim: hd, capRows: 131},
			attCase{n: 3, pos0: 2, heads: 2, headDim: hd, capRows: 5, inPlace: true},
		)
	}
	for i, c := range cases {
		cols := c.heads * c.headDim
		q := normal(rng, c.n*cols, 0, 2)
		k, v := normal(rng, c.capRows*cols, 0, 2), normal(rng, c.capRows*cols, 0, 1)
		for i := range k { // some values that round to f16 subnormals
			if i%17 == 0 {
				k[i] *= 1e-5
				v[i] *= 1e-6
			}
		}
		name := fmt.Sprintf("%+v", c)
		checkAttentionF16(t, d, rng, name, c, q, k, v, 0)
		checkAttentionF16(t, d, rng, name+" flag set", c, q, k, v, 1)
		if c.n > 1 && i%2 == 0 {
			q[rng.IntN(cols)] = 65535 // the largest |q| the shortcut takes
			q[cols+rng.IntN(cols)] = -65536
			checkAttentionF16(t, d, rng, name+" |q| up to 2^16", c, q, k, v, 0)
		}
		if i%3 == 0 {
			k[rng.IntN(len(k))], v[rng.IntN(len(v))] = float32(math.Inf(1)), float32(math.Inf(-1))
			k[rng.IntN(len(k))], v[rng.IntN(len(v))] = 70000, float32(math.NaN())
			checkAttentionF16(t, d, rng, name+" Inf and NaN", c, q, k, v, 1)
		}
	}
}

// checkAttentionF16 runs attention_f16 with the flag word holding flag
// over c's heads cut in random jobs, and attention over the widened cache,
// and compares their bits.
func checkAttentionF16(t *testing.T, d *device, rng *rand.Rand, name string, c attCase, q, k, v []float32, flag uint32) {
	t.Helper()
	d.reset()
	cols := c.heads * c.headDim
	scale := float32(1 / math.Sqrt(float64(c.headDim)))
	kh, vh := storage(tensor.F16, k, c.capRows, cols), storage(tensor.F16, v, c.capRows, cols)
	kw, vw := stored(tensor.F16, k, c.capRows, cols), stored(tensor.F16, v, c.capRows, cols)

	qa, ka, va := d.putF32(q), d.put(kh), d.put(vh)
	q32, k32, v32 := d.putF32(q), d.putF32(kw), d.putF32(vw)
	dst, want := d.alloc(4*c.n*cols), d.alloc(4*c.n*cols)
	if c.inPlace {
		dst, want = qa, q32
	}
	fa := d.alloc(4)
	d.mem.WriteUint32Le(fa, flag)
	for _, p := range cuts(rng, c.heads) {
		scratch := d.alloc(AttentionScratch(p[1]-p[0], c.pos0+c.n))
		d.call(0, AttentionF16, dst, qa, ka, va, uint32(c.pos0), uint32(c.n), uint32(cols), uint32(c.headDim),
			bits(scale), uint32(p[0]), uint32(p[1]), scratch, fa)
	}
	scratch := d.alloc(AttentionScratch(c.heads, c.pos0+c.n))
	d.call(0, Attention, want, q32, k32, v32, uint32(c.pos0), uint32(c.n), uint32(cols), uint32(c.headDim),
		bits(scale), 0, uint32(c.heads), scratch)
	same(t, name, d.f32s(dst, c.n*cols), d.f32s(want, c.n*cols))
}
