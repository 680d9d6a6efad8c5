package backendtest

import (
	"fmt"
	"math"
)

// testLayerNorm: rows with large offsets, tiny and large spreads, and a
// constant row (σ = 0, where eps alone sets the scale).
//
// Tolerance, with x̂ = (x−μ)/sqrt(σ²+eps) and s = sqrt(σ²+eps): float32
// sums over k columns err by about eps32·sqrt(k) relative, which moves x̂ by
// that much times (max|x|/s + |x̂| + 1); the final scale and shift round
// once more. So 1e-6·sqrt(k)·|γ|·(max|x|/s + |x̂| + 1) + 2·eps32·(|y|+|β|).
// The unbiased variance, a missing eps or eps outside the root all fail.
func testLayerNorm(e *env) {
	const eps = 1e-5
	for range 32 {
		rows, cols := pick(e, 1, 2, 3, 5), pick(e, 1, 3, 16, 17, 33, 80, 256)
		vals := e.normal(rows*cols, pick(e, 0.0, 3.0, -50.0), pick(e, 1.0, 1e-2, 20.0))
		if e.rng.IntN(4) == 0 {
			for i := range cols {
				vals[i] = 1.5
			}
		}
		gammaVals, betaVals := e.normal(cols, 1, 0.5), e.normal(cols, 0, 0.5)
		x, gamma, beta := e.f32("x", rows, cols, vals), e.f32("gamma", 1, cols, gammaVals), e.f32("beta", 1, cols, betaVals)
		g, bt := widen(gammaVals), widen(betaVals)
		var want, tol []float64
		for r := range rows {
			in := widen(vals[r*cols : (r+1)*cols])
			y, mean, std := refLayerNorm(in, g, bt, float64(float32(eps)))
			maxAbs := 0.0
			for _, v := range in {
				maxAbs = max(maxAbs, math.Abs(v))
			}
			for i := range y {
				xhat := math.Abs((in[i] - mean) / std)
				tol = append(tol, 1e-6*math.Sqrt(float64(cols))*math.Abs(g[i])*(maxAbs/std+xhat+1)+
					2*eps32*(math.Abs(y[i])+math.Abs(bt[i])))
			}
			want = append(want, y...)
		}
		dst := e.f32("dst", rows, cols, e.normal(rows*cols, 0, 1))
		e.b.LayerNorm(dst, x, gamma, beta, eps)
		e.expect(fmt.Sprintf("[%d %d]", rows, cols), e.read(dst), want, tol)
	}
}
