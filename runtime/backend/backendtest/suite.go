// Package backendtest is the conformance suite that every backend.Backend
// runs: each op on a few dozen small fuzzed shapes (seeded, so failures
// repeat), compared with plain float64 implementations written here, within
// a tolerance stated beside each check.
//
// A backend package calls it from its tests:
//
//	func TestConformance(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) backend.Backend { return mybackend.New() })
//	}
package backendtest

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// eps32 is the float32 machine epsilon, 2⁻²³: the unit of the tolerances.
const eps32 = 1.0 / (1 << 23)

// Run runs every conformance check as a subtest. newBackend makes a fresh
// backend for each one; it may call t.Skip, saying why, where the platform
// lacks the backend. Run closes each backend it gets.
func Run(t *testing.T, newBackend func(t *testing.T) backend.Backend) {
	checks := []struct {
		name string
		fn   func(*env)
	}{
		{"UploadRead", testUploadRead},
		{"Embed", testEmbed},
		{"View", testView},
		{"Copy", testCopy},
		{"Add", testAdd},
		{"Add3", testAdd3},
		{"GeluNew", testGeluNew},
		{"Argmax", testArgmax},
		{"LayerNorm", testLayerNorm},
		{"MatMul", testMatMul},
		{"MatMulChain", testMatMulChain},
		{"Rope", testRope},
		{"Attention", testAttention},
		{"AttentionF16", testAttentionF16},
		{"AttentionKVQ8", testAttentionKVQ8},
		{"CopyF16", testCopyF16},
		{"UploadQuant", testUploadQuant},
		{"UploadParts", testUploadParts},
	}
	for i, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			b := newBackend(t)
			t.Cleanup(func() {
				if err := b.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			c.fn(&env{T: t, b: b, rng: rand.New(rand.NewPCG(0x70692d32, uint64(i)))})
		})
	}
}

// env is one subtest's backend and random source.
type env struct {
	*testing.T
	b   backend.Backend
	rng *rand.Rand
}

// pick returns a random element of xs.
func pick[T any](e *env, xs ...T) T { return xs[e.rng.IntN(len(xs))] }

// normal returns n values drawn from N(mean, sd²), rounded to float32.
func (e *env) normal(n int, mean, sd float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(mean + sd*e.rng.NormFloat64())
	}
	return v
}

// encode stores vals as little-endian dt elements, rounding to nearest even.
func encode(dt tensor.DType, vals []float32) []byte {
	out := make([]byte, len(vals)*dt.Size())
	for i, v := range vals {
		switch dt {
		case tensor.F32:
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		case tensor.F16:
			binary.LittleEndian.PutUint16(out[2*i:], tensor.F32ToF16(v))
		case tensor.BF16:
			binary.LittleEndian.PutUint16(out[2*i:], tensor.F32ToBF16(v))
		}
	}
	return out
}

// uploadRaw uploads bytes that are already encoded.
func (e *env) uploadRaw(label string, dt tensor.DType, rows, cols int, data []byte) backend.Tensor {
	e.Helper()
	t, err := e.b.Upload(label, dt, rows, cols, data)
	if err != nil {
		e.Fatalf("Upload %q [%d %d] %s: %v", label, rows, cols, dt, err)
	}
	if t.Rows() != rows || t.Cols() != cols || t.DType() != dt {
		e.Fatalf("Upload %q: got [%d %d] %s, want [%d %d] %s", label, t.Rows(), t.Cols(), t.DType(), rows, cols, dt)
	}
	return t
}

// upload stores vals as dt and returns the tensor with the values it holds
// after rounding or quantizing, which are what the references use. Q8 and
// Q4 are encoded by tensor.Quantize and read back by refDequantize.
func (e *env) upload(label string, dt tensor.DType, rows, cols int, vals []float32) (backend.Tensor, []float64) {
	e.Helper()
	var held []float64
	var data []byte
	if dt.Quantized() {
		data = tensor.Quantize(dt, vals, rows, cols)
		held = refDequantize(dt, data, rows, cols)
	} else {
		data = encode(dt, vals)
		rounded := make([]float32, len(vals))
		tensor.DecodeF32(rounded, data, dt)
		held = widen(rounded)
	}
	return e.uploadRaw(label, dt, rows, cols, data), held
}

// f32 uploads F32 values.
func (e *env) f32(label string, rows, cols int, vals []float32) backend.Tensor {
	e.Helper()
	t, _ := e.upload(label, tensor.F32, rows, cols, vals)
	return t
}

// alloc makes a zeroed F32 tensor and checks its shape.
func (e *env) alloc(label string, rows, cols int) backend.Tensor {
	e.Helper()
	return e.allocType(label, tensor.F32, rows, cols)
}

// allocType makes a zeroed tensor of dt and checks its shape.
func (e *env) allocType(label string, dt tensor.DType, rows, cols int) backend.Tensor {
	e.Helper()
	t, err := e.b.Alloc(label, dt, rows, cols)
	if err != nil {
		e.Fatalf("Alloc %q [%d %d] %s: %v", label, rows, cols, dt, err)
	}
	if t.Rows() != rows || t.Cols() != cols || t.DType() != dt {
		e.Fatalf("Alloc %q: got [%d %d] %s", label, t.Rows(), t.Cols(), t.DType())
	}
	return t
}

// read returns the contents of an F32 tensor.
func (e *env) read(t backend.Tensor) []float32 {
	e.Helper()
	out := make([]float32, t.Rows()*t.Cols())
	if err := e.b.Read(t, out); err != nil {
		e.Fatalf("Read: %v", err)
	}
	return out
}

// expect checks |got[i] − want[i]| ≤ tol[i] (tol nil: equal values, NaN
// matching NaN) and reports the first few misses under the name what.
func (e *env) expect(what string, got []float32, want, tol []float64) {
	e.Helper()
	if len(got) != len(want) {
		e.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i, g := range got {
		g64, w := float64(g), want[i]
		limit := 0.0
		if tol != nil {
			limit = tol[i]
		}
		if math.Abs(g64-w) <= limit || g64 == w || (math.IsNaN(g64) && math.IsNaN(w)) {
			continue
		}
		if bad++; bad <= 4 {
			e.Errorf("%s: [%d] = %.9g, want %.9g (tolerance %.3g)", what, i, g, w, limit)
		}
	}
	if bad > 4 {
		e.Errorf("%s: %d of %d values wrong", what, bad, len(got))
	}
}

// widen converts float32 values to float64.
func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
