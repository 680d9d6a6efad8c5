package backendtest

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// Data movement is exact: every check here compares values for equality.

// testUploadRead: F32 values, including ±0, ±Inf, NaN and extremes, come
// back unchanged from Read.
func testUploadRead(e *env) {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32, 1.1754944e-38, 3.3e-7}
	for range 24 {
		rows, cols := pick(e, 1, 2, 3, 5, 17), pick(e, 1, 3, 16, 17, 33, 80)
		vals := e.normal(rows*cols, 0, pick(e, 1.0, 1e-3, 1e4))
		for range 3 {
			vals[e.rng.IntN(len(vals))] = pick(e, special...)
		}
		t, _ := e.upload("x", tensor.F32, rows, cols, vals)
		e.expect(fmt.Sprintf("F32 [%d %d]", rows, cols), e.read(t), widen(vals), nil)
	}
}

// testView: a view reads and writes its rows of the parent, and views of
// views compose.
func testView(e *env) {
	for range 24 {
		rows, cols := pick(e, 1, 3, 5, 17), pick(e, 1, 3, 16, 33)
		vals := e.normal(rows*cols, 0, 1)
		parent := e.f32("parent", rows, cols, vals)
		r0 := e.rng.IntN(rows)
		n := 1 + e.rng.IntN(rows-r0)
		v := e.b.View(parent, r0, n)
		if v.Rows() != n || v.Cols() != cols || v.DType() != tensor.F32 {
			e.Fatalf("View(%d, %d) of [%d %d] is [%d %d] %s", r0, n, rows, cols, v.Rows(), v.Cols(), v.DType())
		}
		what := fmt.Sprintf("view rows [%d, %d) of [%d %d]", r0, r0+n, rows, cols)
		e.expect(what, e.read(v), widen(vals[r0*cols:(r0+n)*cols]), nil)

		// Write through a view of the view: rows r0+r1.. of the parent double.
		r1 := e.rng.IntN(n)
		vv := e.b.View(v, r1, n-r1)
		e.b.Add(vv, vv, vv)
		want := widen(vals)
		for i := (r0 + r1) * cols; i < (r0+n)*cols; i++ {
			want[i] *= 2
		}
		e.expect(what+fmt.Sprintf(", doubled from view row %d", r1), e.read(parent), want, nil)
	}
}
