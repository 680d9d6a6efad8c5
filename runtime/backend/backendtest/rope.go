package backendtest

import (
	"fmt"
	"math"
)

// ropeTable builds rows 0..rows−1 of a rotary table as the model does:
// float32 angles p·inv_freq_i, cos and sin evaluated in float64 and rounded.
func ropeTable(rows, rotDim int) []float32 {
	h := rotDim / 2
	out := make([]float32, 0, rows*rotDim)
	for p := range rows {
		angles := make([]float64, h)
		for i := range h {
			inv := float32(1 / math.Pow(10000, float64(2*i)/float64(rotDim)))
			angles[i] = float64(float32(p) * inv)
		}
		for _, a := range angles {
			out = append(out, float32(math.Cos(a)))
		}
		for _, a := range angles {
			out = append(out, float32(math.Sin(a)))
		}
	}
	return out
}

// testRope: several rows at consecutive positions from pos0, several heads,
// head dims 16, 40, 80 with rotary dims 6, 16, 32, rotated in place.
//
// Tolerance for a rotated pair (a, b): each output is two float32 products
// and a sum, so at most about eps32·(|a|+|b|); allowed 2·eps32·(|a|+|b|).
// Dimensions past rotDim must come back unchanged. Interleaved pairing
// (i with i+1) or pairing across the whole head (i with i+headDim/2) fails.
func testRope(e *env) {
	for range 32 {
		headDim := pick(e, 16, 40, 80)
		rotDim := pick(e, 6, 16, 32)
		if rotDim > headDim {
			rotDim = pick(e, 6, 16)
		}
		heads, rows, pos0 := pick(e, 1, 2, 3), pick(e, 1, 2, 3, 5), pick(e, 0, 1, 7, 30)
		cols, tableRows := heads*headDim, pos0+rows+pick(e, 0, 3)
		tableVals := ropeTable(tableRows, rotDim)
		vals := e.normal(rows*cols, 0, pick(e, 1.0, 30.0))
		x := e.f32("x", rows, cols, vals)
		e.b.Rope(x, e.f32("table", tableRows, rotDim, tableVals), pos0, headDim, rotDim)

		want, tol := widen(vals), make([]float64, len(vals))
		h := rotDim / 2
		for t := range rows {
			cs := widen(tableVals[(pos0+t)*rotDim : (pos0+t+1)*rotDim])
			for j := range heads {
				head := want[t*cols+j*headDim : t*cols+(j+1)*headDim]
				tl := tol[t*cols+j*headDim:]
				for i := range h {
					tl[i] = 2 * eps32 * (math.Abs(head[i]) + math.Abs(head[i+h]))
					tl[i+h] = tl[i]
				}
				refRope(head[:rotDim], cs[:h], cs[h:])
			}
		}
		e.expect(fmt.Sprintf("%d rows from position %d, %d heads of %d, rotary %d", rows, pos0, heads, headDim, rotDim),
			e.read(x), want, tol)
	}
}
