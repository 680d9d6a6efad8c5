package backendtest

import (
	"fmt"
	"math"
	"slices"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// testAttentionKVQ8: for a backend.KVAllocator, the Attention cases over
// KVQ8 caches made by AllocKV and filled by two Copy calls (rows from an
// offset of a larger source), the rows past the last position left zero or
// filled with large values that must stay unseen. The reference attends
// the dequantized caches (tensor.QuantizeKVQ8 per head and row, then
// tensor.DequantizeKVQ8).
//
// Tolerance: the F32 caches' tolerance plus 2.2·δ·Σ_i w_i·|v_i|, where
// δ = scale·max_i Σ_c|k_ic|·max|q|/65534 bounds how far the scores move
// when a backend computes them from q quantized to int16 per head (as the
// SIMD kernel does); a score error δ moves every weight by at most a factor
// e^(±2δ).
func testAttentionKVQ8(e *env) {
	kva, ok := e.b.(backend.KVAllocator)
	if !ok {
		e.Skipf("the %s backend has no 8-bit KV cache", e.b.Name())
	}
	for c := range 36 {
		headDim, heads, mode, pos0, rows, capRows := attentionCase(e, c)
		cols, keys := heads*headDim, pos0+rows
		filled := pick(e, keys, capRows) // rows past filled stay as AllocKV left them
		kv := func() []float32 {
			return append(e.normal(keys*cols, 0, pick(e, 1.0, 0.01)), e.normal((filled-keys)*cols, 0, 50)...)
		}
		kVals, vVals, qVals := kv(), kv(), e.normal(rows*cols, 0, pick(e, 1.0, 3.0))
		scale := pick(e, float32(1/math.Sqrt(float64(headDim))), 0.3)

		q, dst := e.f32("q", rows, cols, qVals), e.f32("dst", rows, cols, e.normal(rows*cols, 9, 1))
		k, v := e.kvq8(kva, "k", capRows, heads, headDim, kVals), e.kvq8(kva, "v", capRows, heads, headDim, vVals)
		e.b.Attention(dst, q, k, v, pos0, headDim, scale)
		kVals, vVals = dequantizedKVQ8(kVals, headDim), dequantizedKVQ8(vVals, headDim)

		want, tol := make([]float64, rows*cols), make([]float64, rows*cols)
		for t := range rows {
			for j := range heads {
				lo, hi := j*headDim, (j+1)*headDim
				var ks, vs [][]float64
				var kAbs float64
				for i := 0; i <= pos0+t; i++ {
					ks = append(ks, widen(kVals[i*cols+lo:i*cols+hi]))
					vs = append(vs, widen(vVals[i*cols+lo:i*cols+hi]))
					kAbs = max(kAbs, sumAbs(ks[i]))
				}
				qh := widen(qVals[t*cols+lo : t*cols+hi])
				delta := float64(scale) * kAbs * maxAbs(qh) / 65534
				out, absScore, spread, absOut := refAttendHead(qh, ks, vs, float64(scale))
				copy(want[t*cols+lo:], out)
				for d := range out {
					f := math.Sqrt(float64(headDim))*absScore + spread + math.Sqrt(float64(len(ks))) + 1
					tol[t*cols+lo+d] = (1e-6*f + 2.2*delta) * absOut[d]
				}
			}
		}
		e.expect(fmt.Sprintf("KVQ8 %s caches: %d rows from position %d, %d heads of %d, cache %d rows (%d filled), scale %g",
			mode, rows, pos0, heads, headDim, capRows, filled, scale), e.read(dst), want, tol)
	}
}

// kvq8 makes a KVQ8 cache of positions rows and fills its first
// len(vals)/cols rows with vals by two Copy calls.
func (e *env) kvq8(kva backend.KVAllocator, label string, positions, heads, headDim int, vals []float32) backend.Tensor {
	e.Helper()
	t, err := kva.AllocKV(label, tensor.KVQ8, positions, heads, headDim)
	if err != nil {
		e.Fatalf("AllocKV %q: %v", label, err)
	}
	cols := heads * headDim
	n := len(vals) / cols
	src := e.f32(label+" f32", n+1, cols, append(e.normal(cols, 0, 1), vals...))
	split := e.rng.IntN(n + 1)
	e.b.Copy(t, 0, src, 1, split)
	e.b.Copy(t, split, src, 1+split, n-split)
	return t
}

// dequantizedKVQ8 is vals (rows of heads of headDim) as a KVQ8 cache holds
// them.
func dequantizedKVQ8(vals []float32, headDim int) []float32 {
	out := slices.Clone(vals)
	q := make([]int8, headDim)
	for at := 0; at < len(out); at += headDim {
		d := tensor.QuantizeKVQ8(q, out[at:at+headDim])
		tensor.DequantizeKVQ8(out[at:at+headDim], q, d)
	}
	return out
}

func sumAbs(x []float64) (s float64) {
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}

func maxAbs(x []float64) (m float64) {
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}
