package simd

import (
	"fmt"
	"unsafe"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// Read copies t (F32) into dst, which must hold at least Rows·Cols values.
// It returns the error of a failed run since the last Read or Argmax.
func (b *Backend) Read(t backend.Tensor, dst []float32) error {
	if b.closed {
		return ErrClosed
	}
	h := b.get("Read", t)
	backend.CheckRead(t, dst)
	n := h.rows * h.cols
	if b.err != nil {
		return b.err
	}
	if n > 0 {
		read(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*n), uint64(uint32(h.addr(0))))
	}
	return nil
}

// Argmax returns the column of the largest value of row `row` of t, the
// lowest on ties, computed on the device.
func (b *Backend) Argmax(t backend.Tensor, row int) (int, error) {
	if b.closed {
		return 0, ErrClosed
	}
	h := b.get("Argmax", t)
	backend.CheckArgmax(t, row)
	out, ok := b.reserve(&b.argmax, "Argmax", 4)
	if b.err != nil || !ok {
		return 0, b.err
	}
	b.job(kernels.Argmax, int32(out), h.addr(row), int32(h.cols))
	b.submit("Argmax")
	if b.err != nil {
		return 0, b.err
	}
	read(unsafe.Slice((*byte)(unsafe.Pointer(&b.result)), 4), uint64(out))
	if b.result < 0 || int(b.result) >= max(h.cols, 1) {
		return 0, fmt.Errorf("simd: Argmax: kernel returned %d for a row of %d", b.result, h.cols)
	}
	return int(b.result), nil
}
