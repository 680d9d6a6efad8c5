package cpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/backend/backendtest"
	"github.com/phi2web/phi2web/runtime/tensor"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend { return New() })
}

// One worker takes the single-goroutine path; three do not divide most
// shapes evenly.
func TestConformanceWorkers(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("workers=%d", n), func(t *testing.T) {
			backendtest.Run(t, func(t *testing.T) backend.Backend { return New(WithWorkers(n)) })
		})
	}
}

// fixture uploads random tensors to a backend; fixtures made alike upload
// the same values.
type fixture struct {
	t   testing.TB
	b   *Backend
	rng *rand.Rand
}

func newFixture(t testing.TB, opts ...Option) *fixture {
	b := New(opts...)
	t.Cleanup(func() { b.Close() })
	return &fixture{t, b, rand.New(rand.NewPCG(1, 2))}
}

func (f *fixture) random(label string, dt tensor.DType, rows, cols int) backend.Tensor {
	f.t.Helper()
	vals := make([]float32, rows*cols)
	for i := range vals {
		vals[i] = float32(f.rng.NormFloat64())
	}
	x, err := f.b.Upload(label, dt, rows, cols, tensor.Quantize(dt, vals, rows, cols))
	if err != nil {
		f.t.Fatal(err)
	}
	return x
}

func (f *fixture) read(x backend.Tensor) []float32 {
	f.t.Helper()
	out := make([]float32, x.Rows()*x.Cols())
	if err := f.b.Read(x, out); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// A row's result must not depend on the batch it came in, nor on the
// worker count: prefill and decode give the same bits.
func TestMatMulBatchInvariant(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.F32, tensor.F16, tensor.BF16, tensor.Q8, tensor.Q4} {
		const n, k, m = 7, 333, 130 // n odd, k not a multiple of 4 (nor of 32)
		many, one := newFixture(t, WithWorkers(3)), newFixture(t, WithWorkers(1))
		x, w, bias := many.random("x", tensor.F32, n, k), many.random("w", dt, m, k), many.random("bias", tensor.F32, 1, m)
		batch, _ := many.b.Alloc("batch", tensor.F32, n, m)
		many.b.MatMul(batch, x, w, bias)
		all := many.read(batch)

		x, w, bias = one.random("x", tensor.F32, n, k), one.random("w", dt, m, k), one.random("bias", tensor.F32, 1, m)
		row, _ := one.b.Alloc("row", tensor.F32, 1, m)
		for i := range n {
			one.b.MatMul(row, one.b.View(x, i, 1), w, bias)
			if got := one.read(row); !slices.Equal(got, all[i*m:(i+1)*m]) {
				t.Errorf("%s: row %d alone on one worker differs from row %d of the batch on three", dt, i, i)
			}
		}
	}
}

func TestAttentionChunkInvariant(t *testing.T) {
	f := newFixture(t)
	const rows, cols, headDim = 9, 3 * 40, 40
	q, k, v := f.random("q", tensor.F32, rows, cols), f.random("k", tensor.F32, rows, cols), f.random("v", tensor.F32, rows, cols)
	full, _ := f.b.Alloc("full", tensor.F32, rows, cols)
	f.b.Attention(full, q, k, v, 0, headDim, 0.158)
	want := f.read(full)
	// Decode row by row, in place (dst = q is allowed here).
	for p := range rows {
		f.b.Attention(f.b.View(q, p, 1), f.b.View(q, p, 1), k, v, p, headDim, 0.158)
	}
	if got := f.read(q); !slices.Equal(got, want) {
		t.Errorf("token-by-token attention differs from prefill")
	}
}

func TestArgmaxNaN(t *testing.T) {
	f := newFixture(t)
	nan := float32(math.NaN())
	for _, c := range []struct {
		row  []float32
		want int
	}{
		{[]float32{nan, 1, 3, nan, 3}, 2},
		{[]float32{-1, nan, -2}, 0},
		{[]float32{nan, nan}, 0},
		{[]float32{nan, float32(math.Inf(-1))}, 1},
	} {
		x, _ := f.b.Upload("x", tensor.F32, 1, len(c.row), f32Bytes(c.row...))
		if got, err := f.b.Argmax(x, 0); err != nil || got != c.want {
			t.Errorf("Argmax(%v) = %d, %v; want %d", c.row, got, err, c.want)
		}
	}
}

func f32Bytes(vals ...float32) []byte {
	var out []byte
	for _, v := range vals {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	return out
}
