package backendtest

import (
	"encoding/binary"
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

// randomBits returns n random 16-bit patterns of dt. BF16 patterns whose
// float32 value would be subnormal are made zero: a GPU may flush those, and
// no checkpoint depends on them. F16 subnormals widen to normal float32
// values and are kept.
func (e *env) randomBits(dt tensor.DType, n int) []byte {
	out := make([]byte, 2*n)
	for i := range n {
		h := uint16(e.rng.Uint32())
		if dt == tensor.BF16 && h&0x7f80 == 0 {
			h &= 0x8000
		}
		binary.LittleEndian.PutUint16(out[2*i:], h)
	}
	return out
}

// testEmbed: Embed widens table rows of every weight dtype exactly. F16 and
// BF16 tables hold random bit patterns (NaN, Inf and subnormals included),
// Q8 and Q4 tables random quants and scales, so this is also the Upload
// round trip for those dtypes. A Q8 or Q4 value q·d is exact in float32.
func testEmbed(e *env) {
	for _, dt := range e.b.WeightTypes() {
		for range 12 {
			vocab, cols, n := pick(e, 1, 3, 17, 40), pick(e, 1, 3, 16, 17, 33, 80), pick(e, 1, 2, 3, 7)
			var data []byte
			var all []float64
			switch {
			case dt.Quantized():
				data = e.randomQuant(dt, vocab, cols)
				all = refDequantize(dt, data, vocab, cols)
			case dt == tensor.F32:
				data = encode(dt, e.normal(vocab*cols, 0, 1))
			default:
				data = e.randomBits(dt, vocab*cols)
			}
			if all == nil {
				vals := make([]float32, vocab*cols)
				tensor.DecodeF32(vals, data, dt)
				all = widen(vals)
			}
			table := e.uploadRaw("table", dt, vocab, cols, data)
			ids := make([]int32, n)
			want := make([]float64, 0, n*cols)
			for i := range ids {
				ids[i] = int32(e.rng.IntN(vocab))
				want = append(want, all[int(ids[i])*cols:int(ids[i]+1)*cols]...)
			}
			dst := e.f32("dst", n, cols, e.normal(n*cols, 0, 1))
			e.b.Embed(dst, table, ids)
			e.expect(fmt.Sprintf("%s table [%d %d] ids %v", dt, vocab, cols, ids), e.read(dst), want, nil)
		}
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
