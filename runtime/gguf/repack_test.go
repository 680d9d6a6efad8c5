package gguf

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestPlanarLayout repacks random GGML blocks of a 6-row matrix (one and
// a half row groups) and checks every block's place, the padding rows,
// the values as tensor.Dequantize reads them, and the way back.
func TestPlanarLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dt := range []tensor.DType{tensor.Q8, tensor.Q4} {
		rows, cols := 6, 96
		gb := int(ggmlType(dt).blockBytes())
		src := make([]byte, rows*cols/32*gb)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		for i := 0; i < len(src); i += gb { // finite scales: below 2 in magnitude
			src[i+1] &= 0xbb
		}
		dst := bytes.Repeat([]byte{0xee}, int(tensor.ByteSize(dt, rows, cols)))
		toPlanar(dst, src, dt, rows, cols)
		l := tensor.Layout(dt, rows, cols)
		zero := byte(0)
		if dt == tensor.Q4 {
			zero = 0x88
		}
		for r := range 8 {
			for b := range 3 {
				q, s := dst[l.QuantsAt(r, b):][:l.BlockBytes], dst[l.ScaleAt(r, b):][:2]
				if r >= rows {
					if !bytes.Equal(s, []byte{0, 0}) || slices.ContainsFunc(q, func(v byte) bool { return v != zero }) {
						t.Fatalf("%v: padding row %d block %d: scale % x quants % x", dt, r, b, s, q)
					}
					continue
				}
				blk := src[(r*3+b)*gb:][:gb]
				if !bytes.Equal(s, blk[:2]) || !bytes.Equal(q, blk[2:]) {
					t.Fatalf("%v: row %d block %d misplaced", dt, r, b)
				}
			}
		}
		vals := make([]float32, rows*cols)
		tensor.Dequantize(vals, dst, dt, rows, cols)
		if want := ggmlValues(ggmlType(dt), src); !slices.Equal(vals, want) {
			t.Fatalf("%v: tensor.Dequantize disagrees with the GGML block definition", dt)
		}
		back := make([]byte, len(src))
		fromPlanar(back, dst, dt, rows, cols)
		if !bytes.Equal(back, src) {
			t.Fatalf("%v: fromPlanar(toPlanar(x)) != x", dt)
		}
	}
}
