package backendtest

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// testAttention: prefill (pos0 = 0, several rows), decode (one row at
// pos0 = S) and chunked prefill (several rows at pos0 > 0), with head dims
// 16, 40, 80 and cache rows past the last position filled with large values
// that must stay unseen.
//
// Tolerance per output value: 1e-6·(sqrt(Dh)·A + R + sqrt(n) + 1)·Σ_i w_i·|v_i|,
// with A the largest Σ|q·k|·scale, R the spread of the scores and n the keys
// attended. Float32 scores err by about eps32·sqrt(Dh)·A, which perturbs the
// weights by that much relative; an exp on a GPU may err by a few ulp per
// unit of its argument (R); normalizing and summing n terms add
// eps32·sqrt(n). Attending one key too many or too few fails.
func testAttention(e *env) { attentionCases(e, tensor.F32) }

// testAttentionF16: the same cases with F16 caches, half of them uploaded
// and half allocated and filled by Copy from F32 rows. The reference uses
// k and v rounded to F16 (which the backend must widen exactly), with the
// tolerance of the F32 caches.
func testAttentionF16(e *env) { attentionCases(e, tensor.F16) }

// attentionCase is case c's shape: heads of headDim over a cache of
// capRows rows, rows queries from position pos0, by turns a prompt from 0
// ("prefill"), one step ("decode") or a prompt after others ("chunked").
func attentionCase(e *env, c int) (headDim, heads int, mode string, pos0, rows, capRows int) {
	headDim, heads = pick(e, 16, 40, 80), pick(e, 1, 2, 3)
	mode = []string{"prefill", "decode", "chunked"}[c%3]
	switch mode {
	case "prefill":
		pos0, rows = 0, pick(e, 1, 2, 5, 9)
	case "decode":
		pos0, rows = pick(e, 1, 4, 17, 33), 1
	case "chunked":
		pos0, rows = pick(e, 1, 3, 17), pick(e, 2, 3, 6)
	}
	return headDim, heads, mode, pos0, rows, pos0 + rows + pick(e, 0, 1, 4)
}

// attentionCases runs the Attention cases with caches of dt.
func attentionCases(e *env, dt tensor.DType) {
	for c := range 36 {
		headDim, heads, mode, pos0, rows, capRows := attentionCase(e, c)
		cols, keys := heads*headDim, pos0+rows
		kv := func() []float32 { return append(e.normal(keys*cols, 0, 1), e.normal((capRows-keys)*cols, 0, 50)...) }
		kVals, vVals, qVals := kv(), kv(), e.normal(rows*cols, 0, pick(e, 1.0, 3.0))
		scale := pick(e, float32(1/math.Sqrt(float64(headDim))), 0.3)

		q, dst := e.f32("q", rows, cols, qVals), e.f32("dst", rows, cols, e.normal(rows*cols, 9, 1))
		if c%4 == 1 { // q and dst as the last rows of larger tensors
			q = e.b.View(e.f32("q big", rows+1, cols, append(e.normal(cols, 0, 1), qVals...)), 1, rows)
			dst = e.b.View(e.alloc("dst big", rows+2, cols), 2, rows)
		}
		k, v := e.cache("k", dt, capRows, cols, kVals, c%2 == 0), e.cache("v", dt, capRows, cols, vVals, c%2 == 0)
		e.b.Attention(dst, q, k, v, pos0, headDim, scale)
		kVals, vVals = held(dt, kVals), held(dt, vVals)

		want, tol := make([]float64, rows*cols), make([]float64, rows*cols)
		for t := range rows {
			for j := range heads {
				lo, hi := j*headDim, (j+1)*headDim
				var ks, vs [][]float64
				for i := 0; i <= pos0+t; i++ {
					ks = append(ks, widen(kVals[i*cols+lo:i*cols+hi]))
					vs = append(vs, widen(vVals[i*cols+lo:i*cols+hi]))
				}
				out, absScore, spread, absOut := refAttendHead(widen(qVals[t*cols+lo:t*cols+hi]), ks, vs, float64(scale))
				copy(want[t*cols+lo:], out)
				for d := range out {
					f := math.Sqrt(float64(headDim))*absScore + spread + math.Sqrt(float64(len(ks))) + 1
					tol[t*cols+lo+d] = 1e-6 * f * absOut[d]
				}
			}
		}
		e.expect(fmt.Sprintf("%s %s caches: %d rows from position %d, %d heads of %d, cache %d rows, scale %g",
			dt, mode, rows, pos0, heads, headDim, capRows, scale), e.read(dst), want, tol)
	}
}

// cache makes a cache tensor of dt holding vals (rounded to dt): uploaded,
// or when viaCopy allocated and filled by Copy from an F32 tensor.
func (e *env) cache(label string, dt tensor.DType, rows, cols int, vals []float32, viaCopy bool) backend.Tensor {
	e.Helper()
	if !viaCopy {
		t, _ := e.upload(label, dt, rows, cols, vals)
		return t
	}
	t := e.allocType(label, dt, rows, cols)
	e.b.Copy(t, 0, e.f32(label+" f32", rows, cols, vals), 0, rows)
	return t
}

// held is vals as a dt tensor holds them.
func held(dt tensor.DType, vals []float32) []float32 {
	out := make([]float32, len(vals))
	tensor.DecodeF32(out, encode(dt, vals), dt)
	return out
}
