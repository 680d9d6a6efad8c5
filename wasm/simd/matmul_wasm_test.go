package simd_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/simd"
)

// TestMatMulStripes: a Q8 or Q4 MatMul of more rows of x than one kernel
// call takes (stripes of 64) gives, bit for bit, what each row alone gives.
func TestMatMulStripes(t *testing.T) {
	const n, k, m = 150, 4200, 12 // k past the one-row kernels' limit: matmul_q4 and matmul_q8 throughout
	rng := rand.New(rand.NewPCG(9, 2))
	xv, wv := normals(rng, n*k), normals(rng, m*k)
	for _, dt := range []tensor.DType{tensor.Q8, tensor.Q4} {
		be := simd.New()
		defer be.Close()
		w := must(be.Upload("w", dt, m, k, tensor.Quantize(dt, wv, m, k)))
		x := must(be.Upload("x", tensor.F32, n, k, f32Bytes(xv)))
		whole, rows := must(be.Alloc("whole", tensor.F32, n, m)), must(be.Alloc("rows", tensor.F32, n, m))
		be.MatMul(whole, x, w, nil)
		for i := range n {
			be.MatMul(be.View(rows, i, 1), be.View(x, i, 1), w, nil)
		}
		got, want := make([]float32, n*m), make([]float32, n*m)
		if err := be.Read(whole, got); err != nil {
			t.Fatal(err)
		}
		if err := be.Read(rows, want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f32Bytes(got), f32Bytes(want)) {
			t.Errorf("%s: %d rows at once differ from the rows one by one", dt, n)
		}
		if got[0] == 0 && got[n*m-1] == 0 {
			t.Errorf("%s: no product computed", dt)
		}
	}
}

// normals are n draws of the standard normal distribution.
func normals(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}
