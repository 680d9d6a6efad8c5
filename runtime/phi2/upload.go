package phi2

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// eachUploaded uploads every tensor of l to be and hands each to done.
// Where l can hand out parts and be take them (weights.PartLoader,
// backend.PartUploader), a matrix kept in its stored dtype that spans
// l's reads is written part by part, without a buffer of its own.
func eachUploaded(l weights.Loader, be backend.Backend, done func(name string, t backend.Tensor)) error {
	pu, _ := be.(backend.PartUploader)
	whole := func(_ string, dt tensor.DType, shape []int) bool {
		return pu == nil || len(shape) != 2 || !slices.Contains(be.WeightTypes(), dt)
	}
	var p parts
	err := weights.EachPart(l, whole, func(name string, dt tensor.DType, shape []int, off int64, data []byte) error {
		if whole(name, dt, shape) || off == 0 && int64(len(data)) == tensor.ByteSize(dt, shape[0], shape[1]) {
			if err := p.check(); err != nil {
				return err
			}
			t, err := upload(be, name, dt, shape, data)
			if err == nil {
				done(name, t)
			}
			return err
		}
		if off == 0 {
			if err := p.check(); err != nil {
				return err
			}
			t, err := pu.Reserve(name, dt, shape[0], shape[1])
			if err != nil {
				return fmt.Errorf("upload %s: %w", name, err)
			}
			done(name, t) // freed with the others if the load fails
			p = parts{name: name, t: t, size: tensor.ByteSize(dt, shape[0], shape[1])}
		}
		if p.t == nil || p.name != name || off != p.written {
			return fmt.Errorf("tensor %s: a part at byte %d, not %d", name, off, p.written)
		}
		if err := pu.UploadPart(p.t, off, data); err != nil {
			return fmt.Errorf("upload %s: %w", name, err)
		}
		p.written += int64(len(data))
		return nil
	})
	if err == nil {
		err = p.check()
	}
	return err
}

// parts is a tensor being written part by part.
type parts struct {
	name          string
	t             backend.Tensor
	size, written int64
}

// check reports a tensor whose parts ended before its last byte.
func (p *parts) check() error {
	if p.t != nil && p.written != p.size {
		return fmt.Errorf("tensor %s: its parts cover %d of its %d bytes", p.name, p.written, p.size)
	}
	*p = parts{}
	return nil
}

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
