package webgpu

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestSplitPiecesAreMatrices checks that every piece of a split weight is a
// valid matrix of its rows: dequantized, it equals those rows of the whole.
func TestSplitPiecesAreMatrices(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dt := range []tensor.DType{tensor.F32, tensor.F16, tensor.Q8, tensor.Q4} {
		for _, shape := range [][2]int{{37, 70}, {8, 64}, {5, 33}, {1, 3}} {
			rows, cols := shape[0], shape[1]
			vals := make([]float32, rows*cols)
			for i := range vals {
				vals[i] = float32(rng.NormFloat64())
			}
			data := tensor.Quantize(dt, vals, rows, cols)
			whole := make([]float32, rows*cols)
			tensor.Dequantize(whole, data, dt, rows, cols)
			for _, limit := range []int{1, 200, 1000, 1 << 20} {
				spans := split(dt, rows, cols, limit)
				next := 0
				for _, s := range spans {
					if s.row0 != next || s.rows <= 0 {
						t.Fatalf("%v [%d %d] limit %d: piece at row %d of %d rows, want row %d", dt, rows, cols, limit, s.row0, s.rows, next)
					}
					if dt.Quantized() && s.row0%4 != 0 {
						t.Fatalf("%v: quantized piece starts at row %d", dt, s.row0)
					}
					b := s.bytes(data)
					if int64(len(b)) != tensor.ByteSize(dt, s.rows, cols) {
						t.Fatalf("%v [%d %d] limit %d: piece of %d rows has %d bytes, want %d", dt, rows, cols, limit, s.rows, len(b), tensor.ByteSize(dt, s.rows, cols))
					}
					got := make([]float32, s.rows*cols)
					tensor.Dequantize(got, b, dt, s.rows, cols)
					if !slices.Equal(got, whole[s.row0*cols:(s.row0+s.rows)*cols]) {
						t.Fatalf("%v [%d %d] limit %d: piece at row %d differs from those rows", dt, rows, cols, limit, s.row0)
					}
					next += s.rows
				}
				if next != rows {
					t.Fatalf("%v [%d %d] limit %d: pieces cover %d rows", dt, rows, cols, limit, next)
				}
				if limit >= 1<<20 && len(spans) != 1 {
					t.Errorf("%v: a small matrix was split into %d pieces", dt, len(spans))
				}
			}
		}
	}
}

// bytes is the piece's storage cut from the whole matrix's.
func (s span) bytes(data []byte) []byte {
	if len(s.ranges) == 1 {
		r := s.ranges[0]
		return data[r[0]:r[1]]
	}
	var out []byte
	for _, r := range s.ranges {
		out = append(out, data[r[0]:r[1]]...)
	}
	return out
}
