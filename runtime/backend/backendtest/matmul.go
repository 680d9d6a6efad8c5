package backendtest

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// testMatMul: dst = x·wᵀ (+ bias) for every weight dtype the backend lists,
// with one and several rows of x, x and dst sometimes views, and dst holding
// old values that must not leak in. Views of w start at a multiple of 4
// rows, where a Q8 or Q4 matrix can be cut (docs/format.md).
//
// Tolerance 1e-6·(sqrt(k)·Σ|x_i·w_i| + |bias|): float32 accumulation errs
// like a random walk of k roundings of at most eps32/2 of the running sum;
// 1e-6 is about 8 eps32. A Q8 or Q4 kernel that sums each block and then
// scales it adds one rounding per 32 terms, well inside that. References use
// the weights as rounded or quantized to their dtype (Q8 and Q4 read back
// by refDequantize), so the dtype adds no error of its own.
//
// Q8 and Q4 also allow quantSlack: a backend may quantize x too, per block
// of 32 columns, as GGML does for its q8_0 products.
func testMatMul(e *env) {
	for _, dt := range e.b.WeightTypes() {
		for c := range 16 {
			n, k, m := pick(e, 1, 1, 2, 3, 5, 8), pick(e, 1, 3, 16, 17, 33, 64, 80), pick(e, 1, 3, 17, 33)
			withBias, asViews := c%2 == 0, c%3 == 1
			wVals := e.normal(m*k, 0, 0.5)
			w, wv := e.upload("w", dt, m, k, wVals)
			xv := e.normal(n*k, 0, 1)
			x := e.f32("x", n, k, xv)
			dst := e.f32("dst", n, m, e.normal(n*m, 7, 1))
			if asViews { // the same data placed into larger tensors
				big := e.f32("x big", n+2, k, append(append(e.normal(k, 0, 1), xv...), e.normal(k, 0, 1)...))
				x = e.b.View(big, 1, n)
				dst = e.b.View(e.f32("dst big", n+1, m, e.normal((n+1)*m, 7, 1)), 1, n)
				bigW, _ := e.upload("w big", dt, m+5, k, append(append(e.normal(4*k, 0, 0.5), wVals...), e.normal(k, 0, 0.5)...))
				w = e.b.View(bigW, 4, m)
			}
			var bias backend.Tensor
			bv := make([]float32, m)
			if withBias {
				bv = e.normal(m, 0, 1)
				bias = e.f32("bias", 1, m, bv)
			}
			e.b.MatMul(dst, x, w, bias)

			want, tol := make([]float64, 0, n*m), make([]float64, 0, n*m)
			for i := range n {
				xr := widen(xv[i*k : (i+1)*k])
				for j := range m {
					dot, abs := refDot(xr, wv[j*k:(j+1)*k])
					want = append(want, dot+float64(bv[j]))
					tol = append(tol, 1e-6*(math.Sqrt(float64(k))*abs+math.Abs(float64(bv[j])))+
						quantSlack(dt, xr, wv[j*k:(j+1)*k]))
				}
			}
			e.expect(fmt.Sprintf("%s x [%d %d] w [%d %d] bias=%v views=%v", dt, n, k, m, k, withBias, asViews),
				e.read(dst), want, tol)
		}
	}
}

// quantSlack bounds the error of a Q8 or Q4 product whose x is quantized
// per block of 32 columns: Σ_b e·max_{c∈b}|x_c|·Σ_{c∈b}|w_c|. The SIMD
// kernels (wasm/kernels) round x/s to integers with s = a/127 for Q4
// (int8) or a/32767 for Q8 (int16), a the block's largest |x|, which moves
// each x_c by at most a·(1/254 + 2^-22) or a·(1/65534 + 2^-22) (the
// 2^-22 covers float32 rounding of s and x/s while s is normal).
// e = 1/250 and 1/64000 bound those with a margin for the float32 rounding
// of the moved terms.
func quantSlack(dt tensor.DType, x, w []float64) float64 {
	var e float64
	switch dt {
	case tensor.Q4:
		e = 1.0 / 250
	case tensor.Q8:
		e = 1.0 / 64000
	default:
		return 0
	}
	var slack float64
	for b := 0; b < len(x); b += 32 {
		var amax, wabs float64
		for c := b; c < min(b+32, len(x)); c++ {
			amax = max(amax, math.Abs(x[c]))
			wabs += math.Abs(w[c])
		}
		slack += e * amax * wabs
	}
	return slack
}
