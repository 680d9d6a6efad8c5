package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// attCase is one attention call: n queries at positions pos0… over a
// cache of capRows rows, heads of headDim.
type attCase struct {
	n, pos0, heads, headDim, capRows int
	inPlace                          bool
}

// TestAttention: prefill (pos0 = 0, n > 1), decode (n = 1, pos0 > 0) and
// chunked prefill (pos0 > 0, n > 1) for head sizes 16, 40, 52, 80 and 128,
// heads computed in random ranges [h0, h1) (each with exactly the scratch
// AttentionScratch gives it), out of place and in place (dst = q).
//
// Scores use the reference's dot order, so only the exp and the order of
// the softmax sum differ: tolerance 2e-6·Σ_i w_i·|v_i| per output (the
// exp errs by under 3e-7 relative, the sum by a few eps32).
func TestAttention(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 1))
	d := newDevice(t, 8<<20, 1)
	r := newRef(t)
	var cases []attCase
	for _, hd := range []int{16, 40, 52, 80, 128} {
		cases = append(cases,
			attCase{n: 5, pos0: 0, heads: 3, headDim: hd, capRows: 8},
			attCase{n: 1, pos0: 6, heads: 2, headDim: hd, capRows: 9, inPlace: true},
			attCase{n: 4, pos0: 9, heads: 4, headDim: hd, capRows: 16},
			attCase{n: 1, pos0: 130, heads: 1, headDim: hd, capRows: 131},
			attCase{n: 3, pos0: 2, heads: 2, headDim: hd, capRows: 5, inPlace: true},
			attCase{n: 2, pos0: 18, heads: 6, headDim: hd, capRows: 20},
		)
	}
	for _, c := range cases {
		d.reset()
		cols := c.heads * c.headDim
		scale := float32(1 / math.Sqrt(float64(c.headDim)))
		q := normal(rng, c.n*cols, 0, 2)
		k, v := normal(rng, c.capRows*cols, 0, 2), normal(rng, c.capRows*cols, 0, 1)
		want := r.alloc(c.n, cols)
		r.b.Attention(want, r.f32(c.n, cols, q), r.f32(c.capRows, cols, k), r.f32(c.capRows, cols, v), c.pos0, c.headDim, scale)

		qa, ka, va := d.putF32(q), d.putF32(k), d.putF32(v)
		dst := d.alloc(4 * c.n * cols)
		if c.inPlace {
			dst = qa
		}
		for _, p := range cuts(rng, c.heads) {
			size := AttentionScratch(p[1]-p[0], c.pos0+c.n)
			scratch := d.alloc(size + 64) // the last 64 bytes guard its end
			d.call(0, Attention, dst, qa, ka, va, uint32(c.pos0), uint32(c.n), uint32(cols), uint32(c.headDim),
				bits(scale), uint32(p[0]), uint32(p[1]), scratch)
			d.untouched(fmt.Sprintf("%+v heads %v: scratch of %d bytes", c, p, size), scratch+uint32(size), scratch+uint32(size)+64)
		}
		within(t, fmt.Sprintf("%+v", c), d.f32s(dst, c.n*cols), r.read(want), attTolerance(c, q, k, v, scale))
	}
}

// attTolerance is 2e-6·Σ_i w_i·|v_i| per output, with the softmax weights
// w computed in float64.
func attTolerance(c attCase, q, k, v []float32, scale float32) []float64 {
	cols := c.heads * c.headDim
	tol := make([]float64, c.n*cols)
	for t := range c.n {
		for h := range c.heads {
			keys := c.pos0 + t + 1
			s := make([]float64, keys)
			best := math.Inf(-1)
			for i := range s {
				for j := range c.headDim {
					s[i] += float64(q[t*cols+h*c.headDim+j]) * float64(k[i*cols+h*c.headDim+j])
				}
				s[i] *= float64(scale)
				best = max(best, s[i])
			}
			var sum float64
			for i := range s {
				s[i] = math.Exp(s[i] - best)
				sum += s[i]
			}
			for j := range c.headDim {
				var a float64
				for i := range s {
					a += s[i] / sum * math.Abs(float64(v[i*cols+h*c.headDim+j]))
				}
				tol[t*cols+h*c.headDim+j] = 2e-6 * a
			}
		}
	}
	return tol
}

// TestAttentionChunks: decoding token by token and prefilling in chunks
// give the same bits as one prefill call.
func TestAttentionChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	d := newDevice(t, 4<<20, 1)
	const n, heads, hd = 9, 2, 40
	cols := heads * hd
	q, k, v := normal(rng, n*cols, 0, 2), normal(rng, n*cols, 0, 2), normal(rng, n*cols, 0, 1)
	qa, ka, va := d.putF32(q), d.putF32(k), d.putF32(v)
	scratch := d.alloc(AttentionScratch(heads, n))
	run := func(dst uint32, pos0, rows int) {
		off := uint32(4 * pos0 * cols)
		d.call(0, Attention, dst+off, qa+off, ka, va, uint32(pos0), uint32(rows), uint32(cols), hd,
			bits(0.125), 0, heads, scratch)
	}
	whole, chunked := d.alloc(4*n*cols), d.alloc(4*n*cols)
	run(whole, 0, n)
	for _, p := range [][2]int{{0, 4}, {4, 5}, {5, 6}, {6, 9}} {
		run(chunked, p[0], p[1]-p[0])
	}
	same(t, "chunked", d.f32s(chunked, n*cols), d.f32s(whole, n*cols))
}

// TestExp measures the softmax exp through attention: one query over keys
// whose scores are 0 and z_i ≤ 0 exactly (q = e_0, k_i = z_i·e_0, scale 1),
// and one-hot values, so output i / output 0 = e^(z_i) up to two float32
// roundings. Over z in [−70, 0] the relative error stays below 3e-7.
func TestExp(t *testing.T) {
	const keys = 1024 // = head_dim: value row i is one-hot at column i
	d := newDevice(t, 16<<20, 1)
	q := make([]float32, keys)
	q[0] = 1
	k, v := make([]float32, keys*keys), make([]float32, keys*keys)
	z := make([]float64, keys)
	for i := 1; i < keys; i++ {
		z[i] = -70 * float64(i) / keys
		if i%3 == 0 { // also small arguments
			z[i] = -float64(i) / (keys * 100)
		}
		k[i*keys] = float32(z[i])
		z[i] = float64(float32(z[i]))
	}
	for i := range keys {
		v[i*keys+i] = 1
	}
	dst, scratch := d.alloc(4*keys), d.alloc(AttentionScratch(1, keys))
	d.call(0, Attention, dst, d.putF32(q), d.putF32(k), d.putF32(v), keys-1, 1, keys, keys, bits(1), 0, 1, scratch)
	out := d.f32s(dst, keys)
	worst := 0.0
	for i := 1; i < keys; i++ {
		e := float64(out[i]) / float64(out[0])
		worst = max(worst, math.Abs(e-math.Exp(z[i]))/math.Exp(z[i]))
	}
	t.Logf("exp: max relative error %.3g over [-70, 0]", worst)
	if worst > 3e-7 {
		t.Errorf("exp: max relative error %.3g, want below 3e-7", worst)
	}
}
