package simd_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/simd"
)

// TestAttentionF16Specials: an F16 cache holding Inf, whether it came by
// Upload, by Copy of a value past the F16 range or by Copy of uploaded F16
// rows, is attended as the cpu
// backend attends it (the heads that see it come out Inf or NaN, the
// others as before), so attention_f16 left its shortcut for the exact
// widening; and the same caches without Inf give the cpu backend's values.
func TestAttentionF16Specials(t *testing.T) {
	const heads, headDim, rows, pos0 = 2, 8, 1, 5
	const cols, capRows = heads * headDim, pos0 + rows
	rng := rand.New(rand.NewPCG(5, 6))
	q, kVals, vVals := normals(rng, rows*cols), normals(rng, capRows*cols), normals(rng, capRows*cols)
	q[3] = 1 // so key 2's Inf makes an Inf score, and head 0 all NaN
	for _, c := range []struct {
		name     string
		via      string // how the cache is filled: "upload", "copy" (of F32 rows) or "copy f16"
		special  float32
		nonFinal bool // head 0's output is Inf or NaN
	}{
		{"copied", "copy", 0.5, false},
		{"uploaded", "upload", 0.5, false},
		{"copied past the F16 range", "copy", 1e5, true},
		{"uploaded Inf", "upload", float32(math.Inf(1)), true},
		{"copied from uploaded Inf", "copy f16", float32(math.Inf(1)), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := append([]float32(nil), kVals...)
			k[2*cols+3] = c.special // key 2, head 0
			var outs [2][]float32
			for i, be := range []backend.Backend{simd.New(), cpu.New()} {
				defer be.Close()
				cache := func(label string, vals []float32) backend.Tensor {
					buf := make([]byte, 2*len(vals))
					for i, f := range vals {
						binary.LittleEndian.PutUint16(buf[2*i:], tensor.F32ToF16(f))
					}
					var src backend.Tensor
					switch c.via {
					case "upload":
						return must(be.Upload(label, tensor.F16, capRows, cols, buf))
					case "copy":
						src = must(be.Upload(label+" f32", tensor.F32, capRows, cols, f32Bytes(vals)))
					case "copy f16":
						src = must(be.Upload(label+" f16", tensor.F16, capRows, cols, buf))
					}
					dst := must(be.Alloc(label, tensor.F16, capRows, cols))
					be.Copy(dst, 0, src, 0, capRows)
					return dst
				}
				qt := must(be.Upload("q", tensor.F32, rows, cols, f32Bytes(q)))
				dst := must(be.Alloc("dst", tensor.F32, rows, cols))
				be.Attention(dst, qt, cache("k", k), cache("v", vVals), pos0, headDim, 0.35)
				outs[i] = make([]float32, rows*cols)
				if err := be.Read(dst, outs[i]); err != nil {
					t.Fatal(err)
				}
			}
			for j, got := range outs[0] {
				want := outs[1][j]
				finite := !math.IsNaN(float64(want)) && !math.IsInf(float64(want), 0)
				if j < headDim && finite == c.nonFinal {
					t.Fatalf("head 0 [%d]: cpu gives %g; want it finite: %v", j, want, !c.nonFinal)
				}
				if finite && math.Abs(float64(got-want)) > 1e-5 || !finite && !math.IsNaN(float64(got)) && got != want {
					t.Errorf("[%d] = %g, want %g as the cpu backend", j, got, want)
				}
			}
		})
	}
}

func must(t backend.Tensor, err error) backend.Tensor {
	if err != nil {
		panic(err)
	}
	return t
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}
