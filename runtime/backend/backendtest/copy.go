package backendtest

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// Data movement is exact: every check here compares values for equality.

// testCopy: Copy moves whole rows between tensors and leaves the others.
func testCopy(e *env) {
	for range 24 {
		cols := pick(e, 1, 3, 16, 17, 80)
		srcRows, dstRows := pick(e, 1, 3, 8, 17), pick(e, 1, 4, 9, 33)
		n := 1 + e.rng.IntN(min(srcRows, dstRows))
		srcRow, dstRow := e.rng.IntN(srcRows-n+1), e.rng.IntN(dstRows-n+1)
		srcVals, dstVals := e.normal(srcRows*cols, 0, 1), e.normal(dstRows*cols, 5, 1)
		src, dst := e.f32("src", srcRows, cols, srcVals), e.f32("dst", dstRows, cols, dstVals)
		e.b.Copy(dst, dstRow, src, srcRow, n)
		want := widen(dstVals)
		copy(want[dstRow*cols:], widen(srcVals[srcRow*cols:(srcRow+n)*cols]))
		e.expect(fmt.Sprintf("rows [%d, %d) of [%d %d] to row %d of [%d %d]", srcRow, srcRow+n, srcRows, cols, dstRow, dstRows, cols),
			e.read(dst), want, nil)
		e.expect("source after Copy", e.read(src), widen(srcVals), nil)
	}
}

// readF16 returns the values of an F16 tensor, widened by Embed (F16 is a
// weight dtype of every backend that takes F16 caches).
func (e *env) readF16(t backend.Tensor) []float32 {
	e.Helper()
	ids := make([]int32, t.Rows())
	for i := range ids {
		ids[i] = int32(i)
	}
	dst := e.alloc("widened", t.Rows(), t.Cols())
	e.b.Embed(dst, t, ids)
	return e.read(dst)
}

// testCopyF16: Alloc of F16 is zeroed; Copy of F32 rows into an F16 tensor
// rounds every value as tensor.F32ToF16 does (nearest, ties to even:
// halfway values, overflow to Inf, subnormals, NaN); Copy between F16
// tensors moves the bits unchanged. All compared for equality.
func testCopyF16(e *env) {
	special := []float32{0, float32(math.Copysign(0, -1)), 65504, 65520, -65519.996, 1e6, float32(math.Inf(-1)),
		float32(math.NaN()), 1 + 1.0/2048, 1 + 3.0/2048, 6e-8, 2.98e-8, 3e-5, -1e-7, 0.1}
	for range 24 {
		cols := pick(e, 1, 3, 16, 17, 80)
		srcRows, dstRows := pick(e, 1, 3, 8, 17), pick(e, 1, 4, 9, 33)
		n := 1 + e.rng.IntN(min(srcRows, dstRows))
		srcRow, dstRow := e.rng.IntN(srcRows-n+1), e.rng.IntN(dstRows-n+1)
		srcVals := e.normal(srcRows*cols, 0, pick(e, 1.0, 1e-4, 1e4))
		for range 4 {
			srcVals[e.rng.IntN(len(srcVals))] = pick(e, special...)
		}
		dst := e.allocType("dst", tensor.F16, dstRows, cols)
		e.b.Copy(dst, dstRow, e.f32("src", srcRows, cols, srcVals), srcRow, n)
		want := make([]float64, dstRows*cols)
		for i, v := range srcVals[srcRow*cols : (srcRow+n)*cols] {
			want[dstRow*cols+i] = float64(tensor.F16ToF32(tensor.F32ToF16(v)))
		}
		what := fmt.Sprintf("F32 rows [%d, %d) of [%d %d] to row %d of F16 [%d %d]", srcRow, srcRow+n, srcRows, cols, dstRow, dstRows, cols)
		e.expect(what, e.readF16(dst), want, nil)

		// F16 to F16: rows of dst to the front of a fresh tensor.
		again := e.allocType("again", tensor.F16, dstRows, cols)
		e.b.Copy(again, 0, dst, dstRow, n)
		e.expect(what+", then to row 0 of another F16 tensor", e.readF16(again), append(want[dstRow*cols:(dstRow+n)*cols:(dstRow+n)*cols], make([]float64, (dstRows-n)*cols)...), nil)
	}
}
