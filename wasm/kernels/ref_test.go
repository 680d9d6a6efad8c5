package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// ref is the pure-Go reference backend, used through backend.Backend.
type ref struct {
	tb testing.TB
	b  *cpu.Backend
}

func newRef(tb testing.TB) *ref {
	b := cpu.New(cpu.WithWorkers(1))
	tb.Cleanup(func() { b.Close() })
	return &ref{tb: tb, b: b}
}

func (r *ref) upload(dt tensor.DType, rows, cols int, data []byte) backend.Tensor {
	t, err := r.b.Upload("t", dt, rows, cols, data)
	if err != nil {
		r.tb.Fatal(err)
	}
	return t
}

func (r *ref) f32(rows, cols int, v []float32) backend.Tensor {
	return r.upload(tensor.F32, rows, cols, f32Bytes(v))
}

func (r *ref) alloc(rows, cols int) backend.Tensor {
	t, err := r.b.Alloc("t", tensor.F32, rows, cols)
	if err != nil {
		r.tb.Fatal(err)
	}
	return t
}

func (r *ref) read(t backend.Tensor) []float32 {
	out := make([]float32, t.Rows()*t.Cols())
	if err := r.b.Read(t, out); err != nil {
		r.tb.Fatal(err)
	}
	return out
}

// normal returns n values ~ N(mean, sd²).
func normal(rng *rand.Rand, n int, mean, sd float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(mean + sd*rng.NormFloat64())
	}
	return v
}

// eps32 is the float32 machine epsilon, 2⁻²³.
const eps32 = 0x1p-23

// cuts splits [0, n) into random pieces.
func cuts(rng *rand.Rand, n int) [][2]int {
	var out [][2]int
	for a := 0; a < n; {
		b := min(a+1+rng.IntN(max(n/2, 1)), n)
		out = append(out, [2]int{a, b})
		a = b
	}
	return out
}

// storage returns the bytes of w ([rows, cols] values) stored as dt.
func storage(dt tensor.DType, w []float32, rows, cols int) []byte {
	switch dt {
	case tensor.F32:
		return f32Bytes(w)
	case tensor.F16:
		b := make([]byte, 2*len(w))
		for i, v := range w {
			h := tensor.F32ToF16(v)
			b[2*i], b[2*i+1] = byte(h), byte(h>>8)
		}
		return b
	}
	return tensor.Quantize(dt, w, rows, cols)
}

// stored returns the values that storage(dt, w, …) holds.
func stored(dt tensor.DType, w []float32, rows, cols int) []float32 {
	out := make([]float32, len(w))
	tensor.Dequantize(out, storage(dt, w, rows, cols), dt, rows, cols)
	return out
}

// within fails the test for each got[i] farther than tol[i] from want[i]
// (NaN anywhere fails), naming the first few.
func within(tb testing.TB, what string, got, want []float32, tol []float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		diff := math.Abs(float64(got[i]) - float64(want[i]))
		if diff <= tol[i] {
			continue
		}
		if bad++; bad <= 3 {
			tb.Errorf("%s: [%d] = %g, want %g ± %.3g", what, i, got[i], want[i], tol[i])
		}
	}
	if bad > 3 {
		tb.Errorf("%s: %d of %d values off", what, bad, len(got))
	}
}

// same fails unless got and want are bit for bit equal.
func same(tb testing.TB, what string, got, want []float32) {
	tb.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			tb.Fatalf("%s: [%d] = %g, want %g (bit for bit)", what, i, got[i], want[i])
		}
	}
}

// quantSlack is the conformance suite's allowance for a Q8 or Q4 product
// that quantizes x per block of 32 columns (runtime/backend/backendtest):
// Σ_b e·max_{c∈b}|x_c|·Σ_{c∈b}|w_c|, e = 1/250 (Q4, x as int8) or 1/64000
// (Q8, x as int16); zero for other dtypes.
func quantSlack(dt tensor.DType, x, w []float32) float64 {
	var e float64
	switch dt {
	case tensor.Q4:
		e = 1.0 / 250
	case tensor.Q8:
		e = 1.0 / 64000
	default:
		return 0
	}
	var slack float64
	for b := 0; b < len(x); b += 32 {
		var amax, wabs float64
		for c := b; c < min(b+32, len(x)); c++ {
			amax = max(amax, math.Abs(float64(x[c])))
			wabs += math.Abs(float64(w[c]))
		}
		slack += e * amax * wabs
	}
	return slack
}

// kvq8 is a reference KVQ8 cache of positions rows filled with vals by Copy.
func (r *ref) kvq8(positions, heads, headDim int, vals []float32) backend.Tensor {
	t, err := r.b.AllocKV("kv", tensor.KVQ8, positions, heads, headDim)
	if err != nil {
		r.tb.Fatal(err)
	}
	r.b.Copy(t, 0, r.f32(positions, heads*headDim, vals), 0, positions)
	return t
}
