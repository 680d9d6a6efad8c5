package backendtest

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
)

// addends returns three value sets of very different magnitudes, so that
// the order of the additions shows in the rounded results.
func (e *env) addends(n int) (a, b, c []float32) {
	return e.normal(n, 0, 1e4), e.normal(n, 0, 1), e.normal(n, 0, 1e-3)
}

// add32 is the float32 sum of two float32 values, computed in float64.
func add32(a, b float64) float64 { return float64(float32(a + b)) }

// testAdd: float32 addition is correctly rounded, and the float64 sum of
// two float32 values rounded to float32 is the same value, so Add must match
// the reference exactly, also when dst is an operand.
func testAdd(e *env) {
	for c := range 24 {
		rows, cols := pick(e, 1, 2, 3, 17), pick(e, 1, 3, 16, 33, 80)
		n := rows * cols
		av, bv, _ := e.addends(n)
		a, b := e.f32("a", rows, cols, av), e.f32("b", rows, cols, bv)
		want, twice := make([]float64, n), make([]float64, n)
		for i := range want {
			want[i] = add32(float64(av[i]), float64(bv[i]))
			twice[i] = add32(float64(av[i]), float64(av[i]))
		}
		what := fmt.Sprintf("[%d %d]", rows, cols)
		switch c % 4 {
		case 0:
			dst := e.alloc("dst", rows, cols)
			e.b.Add(dst, a, b)
			e.expect(what, e.read(dst), want, nil)
		case 1:
			e.b.Add(a, a, b)
			e.expect(what+" dst=a", e.read(a), want, nil)
		case 2:
			e.b.Add(b, a, b)
			e.expect(what+" dst=b", e.read(b), want, nil)
		case 3:
			e.b.Add(a, a, a)
			e.expect(what+" dst=a=b", e.read(a), twice, nil)
		}
	}
}

// testAdd3: where the backend has Add3, it equals Add(dst, a, b) then
// Add(dst, dst, c) bit for bit, for every aliasing of dst.
func testAdd3(e *env) {
	fused, ok := e.b.(backend.Add3er)
	if !ok {
		e.Logf("%s has no Add3: nothing to check", e.b.Name())
		return
	}
	for c := range 24 {
		rows, cols := pick(e, 1, 2, 3, 17), pick(e, 1, 3, 16, 33, 80)
		n := rows * cols
		av, bv, cv := e.addends(n)
		want := make([]float64, n)
		for i := range want {
			want[i] = add32(add32(float64(av[i]), float64(bv[i])), float64(cv[i]))
		}
		a, b, cc := e.f32("a", rows, cols, av), e.f32("b", rows, cols, bv), e.f32("c", rows, cols, cv)
		twoAdds := e.alloc("two adds", rows, cols)
		e.b.Add(twoAdds, a, b)
		e.b.Add(twoAdds, twoAdds, cc)
		e.expect("two Adds", e.read(twoAdds), want, nil)

		dst := e.alloc("dst", rows, cols)
		alias := []string{"dst", "dst=a", "dst=b", "dst=c"}[c%4]
		switch c % 4 {
		case 1:
			dst = a
		case 2:
			dst = b
		case 3:
			dst = cc
		}
		fused.Add3(dst, a, b, cc)
		e.expect(fmt.Sprintf("[%d %d] %s", rows, cols, alias), e.read(dst), widen(e.read(twoAdds)), nil)
	}
}

// testGeluNew: tolerance 2e-6·|x|. The float32 rounding of the tanh argument
// and of 1+tanh leaves an error of a few eps32 relative to 1, scaled by
// 0.5·|x|; 2e-6 (≈ 17 eps32) leaves room for a GPU's tanh. The erf form of
// GELU differs by up to 1e-3·|x| and fails.
func testGeluNew(e *env) {
	for c := range 24 {
		rows, cols := pick(e, 1, 2, 3, 17), pick(e, 1, 3, 16, 33, 80)
		vals := e.normal(rows*cols, 0, pick(e, 1.0, 3.0, 1e-4))
		vals[0] = pick[float32](e, 0, -12, 12, 5, -5, 40)
		want, tol := make([]float64, len(vals)), make([]float64, len(vals))
		for i, v := range vals {
			want[i] = refGeluNew(float64(v))
			tol[i] = 2e-6 * math.Abs(float64(v))
		}
		x := e.f32("x", rows, cols, vals)
		what := fmt.Sprintf("[%d %d]", rows, cols)
		if c%2 == 0 {
			dst := e.alloc("dst", rows, cols)
			e.b.GeluNew(dst, x)
			e.expect(what, e.read(dst), want, tol)
			e.expect(what+" input after GeluNew", e.read(x), widen(vals), nil)
		} else {
			e.b.GeluNew(x, x)
			e.expect(what+" in place", e.read(x), want, tol)
		}
	}
}
