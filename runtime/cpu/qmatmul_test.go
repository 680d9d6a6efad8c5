package cpu

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// quantized returns random weights stored as dt, with their storage.
func quantized(rng *rand.Rand, dt tensor.DType, rows, cols int) []byte {
	w := make([]float32, rows*cols)
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	return tensor.Quantize(dt, w, rows, cols)
}

// The quantized MatMul follows its documented order bit for bit: per block
// s = dot(q, x) over the block's columns, acc += d·s rounded, then + bias.
func TestQuantMatMulOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dt := range []tensor.DType{tensor.Q8, tensor.Q4} {
		const n, k, m = 3, 100, 6
		f := newFixture(t, WithWorkers(2))
		data := quantized(rng, dt, m, k)
		w, _ := f.b.Upload("w", dt, m, k, data)
		x, bias := f.random("x", tensor.F32, n, k), f.random("bias", tensor.F32, 1, m)
		dst, _ := f.b.Alloc("dst", tensor.F32, n, m)
		f.b.MatMul(dst, x, w, bias)
		got, xs, bs := f.read(dst), f.read(x), f.read(bias)

		l := tensor.Layout(dt, m, k)
		for i := range n {
			for r := range m {
				var acc float32
				for b := range l.Blocks {
					c0, c1 := 32*b, min(32*b+32, k)
					d := tensor.F16ToF32(binary.LittleEndian.Uint16(data[l.ScaleAt(r, b):]))
					quants := data[l.QuantsAt(r, b):]
					q := make([]float32, c1-c0)
					for j := range q {
						switch {
						case dt == tensor.Q8:
							q[j] = float32(int8(quants[j]))
						case j < 16:
							q[j] = float32(quants[j]&15) - 8
						default:
							q[j] = float32(quants[j-16]>>4) - 8
						}
					}
					acc += float32(d * dot(q, xs[i*k+c0:i*k+c1]))
				}
				want := acc + bs[r]
				if math.Float32bits(got[i*m+r]) != math.Float32bits(want) {
					t.Errorf("%s: (%d, %d) = %g, want %g", dt, i, r, got[i*m+r], want)
				}
			}
		}
	}
}

// Views of a quantized matrix may start at any row: each row's result and
// each embedded row is the same as through the whole matrix.
func TestQuantViews(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, dt := range []tensor.DType{tensor.Q8, tensor.Q4} {
		const n, k, m = 2, 70, 13
		f := newFixture(t, WithWorkers(3))
		w, _ := f.b.Upload("w", dt, m, k, quantized(rng, dt, m, k))
		x := f.random("x", tensor.F32, n, k)
		full, _ := f.b.Alloc("full", tensor.F32, n, m)
		f.b.MatMul(full, x, w, nil)
		all := f.read(full)
		for _, v := range [][2]int{{0, 13}, {1, 11}, {4, 9}, {5, 3}, {12, 1}, {3, 0}} {
			r0, rows := v[0], v[1]
			part, _ := f.b.Alloc("part", tensor.F32, n, rows)
			f.b.MatMul(part, x, f.b.View(w, r0, rows), nil)
			got := f.read(part)
			for i := range n {
				if !slices.Equal(got[i*rows:(i+1)*rows], all[i*m+r0:i*m+r0+rows]) {
					t.Errorf("%s: rows [%d, %d) through a view differ, x row %d", dt, r0, r0+rows, i)
				}
			}
		}
		viaView, _ := f.b.Alloc("via view", tensor.F32, 2, k)
		direct, _ := f.b.Alloc("direct", tensor.F32, 2, k)
		f.b.Embed(viaView, f.b.View(w, 3, 7), []int32{0, 6})
		f.b.Embed(direct, w, []int32{3, 9})
		if !slices.Equal(f.read(viaView), f.read(direct)) {
			t.Errorf("%s: Embed through a view starting at row 3 differs", dt)
		}
	}
}
