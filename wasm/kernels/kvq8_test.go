package kernels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// kvq8Storage is the KVQ8 cache of positions rows holding the rows of vals
// (heads of headDim, the rows past them zero), quantized by
// tensor.QuantizeKVQ8: int8 values head by head, then the f32 scales.
func kvq8Storage(vals []float32, positions, heads, headDim int) []byte {
	cols := heads * headDim
	values, scales := tensor.KVQ8Bytes(positions, heads, headDim)
	out := make([]byte, values+scales)
	q := make([]int8, headDim)
	for p := range len(vals) / cols {
		for h := range heads {
			slot := h*positions + p
			d := tensor.QuantizeKVQ8(q, vals[p*cols+h*headDim:p*cols+(h+1)*headDim])
			for i, x := range q {
				out[slot*headDim+i] = byte(x)
			}
			binary.LittleEndian.PutUint32(out[values+int64(4*slot):], math.Float32bits(d))
		}
	}
	return out
}

// kvq8Scratch is attention_kvq8's scratch for a cache of positions rows.
func kvq8Scratch(positions, headDim int) int { return (4*positions+15)&^15 + 2*(headDim+4) }

// TestCopyKVQ8: copy_kvq8 writes the bytes of tensor.QuantizeKVQ8, bit for
// bit, for rows copied in two calls to a position offset: random heads,
// heads of exact halves (rounded away from zero), all-zero heads and heads
// whose largest value is tiny or huge.
func TestCopyKVQ8(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	d := newDevice(t, 4<<20, 1)
	for _, hd := range []int{4, 16, 52, 80, 128} {
		const heads, positions, n, row = 3, 9, 6, 2
		cols := heads * hd
		x := normal(rng, n*cols, 0, 1)
		for i := range hd { // head 0 of row 1: 127, then halves
			x[cols+i] = float32(i%254) - 126.5
		}
		x[cols] = 127
		clear(x[2*cols+hd : 2*cols+2*hd]) // head 1 of row 2: zeros
		for i := range hd {
			x[3*cols+i] *= 1e-30 // row 3: tiny and huge heads
			x[3*cols+hd+i] *= 1e30
		}
		want := kvq8Storage(append(make([]float32, row*cols), x...), positions, heads, hd)
		dst := d.alloc(len(want))
		d.mem.Write(dst, make([]byte, len(want)))
		src := d.putF32(x)
		cut := 1 + rng.IntN(n-1)
		d.call(0, CopyKVQ8, dst, src, positions, row, uint32(cut), uint32(cols), uint32(hd))
		d.call(0, CopyKVQ8, dst, src+uint32(4*cut*cols), positions, uint32(row+cut), uint32(n-cut), uint32(cols), uint32(hd))
		got, _ := d.mem.Read(dst, uint32(len(want)))
		if !bytes.Equal(got, want) {
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("head dim %d: byte %d of %d is %#x, want %#x", hd, i, len(want), got[i], want[i])
					break
				}
			}
		}
	}
}

// TestAttentionKVQ8: attention_kvq8 against the reference's Attention over
// the same KVQ8 caches (runtime/cpu, which attends the dequantized values),
// for the cases of TestAttention.
//
// Tolerance: attention's 2e-6·Σ_i w_i·|v_i| (exp and summation order)
// plus 2.2·δ·Σ_i w_i·|v_i| for the scores from q quantized to int16,
// δ = scale·max_i Σ_c|k_ic|·max|q|/65534 (each score moves by at most δ,
// each weight by a factor within e^(±2δ)).
func TestAttentionKVQ8(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 1))
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
		)
	}
	for _, c := range cases {
		d.reset()
		cols := c.heads * c.headDim
		scale := float32(1 / math.Sqrt(float64(c.headDim)))
		q := normal(rng, c.n*cols, 0, 2)
		k, v := normal(rng, c.capRows*cols, 0, 2), normal(rng, c.capRows*cols, 0, 1)
		rk, rv := r.kvq8(c.capRows, c.heads, c.headDim, k), r.kvq8(c.capRows, c.heads, c.headDim, v)
		want := r.alloc(c.n, cols)
		r.b.Attention(want, r.f32(c.n, cols, q), rk, rv, c.pos0, c.headDim, scale)

		qa := d.putF32(q)
		ka := d.put(kvq8Storage(k, c.capRows, c.heads, c.headDim))
		va := d.put(kvq8Storage(v, c.capRows, c.heads, c.headDim))
		dst := d.alloc(4 * c.n * cols)
		if c.inPlace {
			dst = qa
		}
		for _, p := range cuts(rng, c.heads) {
			scratch := d.alloc(kvq8Scratch(c.capRows, c.headDim))
			d.call(0, AttentionKVQ8, dst, qa, ka, va, uint32(c.pos0), uint32(c.n), uint32(cols), uint32(c.headDim),
				bits(scale), uint32(p[0]), uint32(p[1]), uint32(c.capRows), scratch)
		}
		within(t, fmt.Sprintf("%+v", c), d.f32s(dst, c.n*cols), r.read(want), kvq8Tolerance(c, q, dequantized(k, c.headDim), dequantized(v, c.headDim), scale))
	}
}

// kvq8Tolerance is attTolerance widened by 1 + 2.2·δ/2e-6 per query head.
func kvq8Tolerance(c attCase, q, k, v []float32, scale float32) []float64 {
	tol := attTolerance(c, q, k, v, scale)
	cols := c.heads * c.headDim
	for t := range c.n {
		for h := range c.heads {
			at := t*cols + h*c.headDim
			var qMax, kSum float64
			for j := range c.headDim {
				qMax = max(qMax, math.Abs(float64(q[at+j])))
			}
			for i := 0; i <= c.pos0+t; i++ {
				var s float64
				for j := range c.headDim {
					s += math.Abs(float64(k[i*cols+h*c.headDim+j]))
				}
				kSum = max(kSum, s)
			}
			delta := float64(scale) * kSum * qMax / 65534
			for j := range c.headDim {
				tol[at+j] *= 1 + 2.2*delta/2e-6
			}
		}
	}
	return tol
}

// dequantized is vals as a KVQ8 cache holds them.
func dequantized(vals []float32, headDim int) []float32 {
	out := make([]float32, len(vals))
	q := make([]int8, headDim)
	for at := 0; at < len(out); at += headDim {
		s := tensor.QuantizeKVQ8(q, vals[at:at+headDim])
		tensor.DequantizeKVQ8(out[at:at+headDim], q, s)
	}
	return out
}
