package phi2

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// upload puts one checkpoint tensor on the backend. Vectors (norms, biases)
// become F32 rows. Matrices keep their stored dtype when the backend
// computes on it and are widened to F32 otherwise.
func upload(be backend.Backend, name string, dt tensor.DType, shape []int, data []byte) (backend.Tensor, error) {
	var t backend.Tensor
	var err error
	switch {
	case len(shape) == 1 && dt.Quantized():
		return nil, fmt.Errorf("tensor %s: a vector must be F32, F16 or BF16, not %v", name, dt)
	case len(shape) == 1:
		t, err = be.Upload(name, tensor.F32, 1, shape[0], f32Bytes(widen(data, dt, 1, shape[0])))
	case len(shape) == 2 && slices.Contains(be.WeightTypes(), dt):
		t, err = be.Upload(name, dt, shape[0], shape[1], data)
	case len(shape) == 2:
		t, err = be.Upload(name, tensor.F32, shape[0], shape[1], f32Bytes(widen(data, dt, shape[0], shape[1])))
	default:
		return nil, fmt.Errorf("tensor %s: shape %v is neither a vector nor a matrix", name, shape)
	}
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", name, err)
	}
	return t, nil
}

// widen decodes a stored matrix to float32.
func widen(data []byte, dt tensor.DType, rows, cols int) []float32 {
	out := make([]float32, rows*cols)
	tensor.Dequantize(out, data, dt, rows, cols)
	return out
}

// f32Bytes views float32 values as their little-endian bytes (every target
// of this project is little-endian).
func f32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}
