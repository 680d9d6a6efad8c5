package simd

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// buffer is the device memory of one uploaded or allocated tensor, shared
// by its views.
type buffer struct {
	addr, size uint64
	rows       int // of the whole matrix, for quantized layouts
	released   bool
	// uploaded: its bytes came from outside (Upload, UploadPart), so an
	// F16 one may hold Inf or NaN that copy_f16's flag has not seen.
	uploaded bool
}

// handle is the backend.Tensor of this package: rows [row0, row0+rows) of
// a buffer's matrix.
type handle struct {
	owner *Backend
	buf   *buffer
	label string
	dt    tensor.DType
	row0  int
	rows  int
	cols  int
	view  bool
	// headDim is a KVQ8 cache's head size (AllocKV).
	headDim int
}

func (h *handle) Rows() int           { return h.rows }
func (h *handle) Cols() int           { return h.cols }
func (h *handle) DType() tensor.DType { return h.dt }
func (h *handle) Label() string       { return h.label }

// addr is the device address of row r of an F32 or F16 tensor, or of a
// KVQ8 cache (which has no views).
func (h *handle) addr(r int) int32 {
	if h.dt == tensor.KVQ8 {
		return int32(uint32(h.buf.addr))
	}
	return int32(uint32(h.buf.addr + uint64((h.row0+r)*h.cols*h.dt.Size())))
}

// span is the byte range of an F32 or F16 tensor in its buffer.
func (h *handle) span() (lo, hi int) {
	rb := h.cols * h.dt.Size()
	return h.row0 * rb, (h.row0 + h.rows) * rb
}

// overlaps reports whether a and b share any byte.
func overlaps(a, b *handle) bool {
	if a.buf != b.buf || a.dt.Quantized() {
		return false
	}
	alo, ahi := a.span()
	blo, bhi := b.span()
	return alo < bhi && blo < ahi
}

// get checks that t is a live tensor of b.
func (b *Backend) get(op string, t backend.Tensor) *handle {
	h, ok := t.(*handle)
	if !ok || h == nil {
		fail(op, "tensor of type %T is not from the simd backend", t)
	}
	if h.owner != b {
		fail(op, "tensor %q belongs to another backend", h.label)
	}
	if h.buf.released {
		fail(op, "tensor %q was freed or its backend closed", h.label)
	}
	return h
}

// byteSize is the storage of a [rows, cols] dt tensor, or an error naming
// label when the shape or dtype cannot be held.
func byteSize(op, label string, dt tensor.DType, rows, cols int) (uint64, error) {
	n := tensor.NumElements([]int{rows, cols})
	bad := n < 0 || n > deviceLimit
	if !bad && dt.Quantized() {
		bad = (int64(rows)+3)/4*((int64(cols)+31)/32) > deviceLimit/136
	}
	if bad {
		return 0, fmt.Errorf("simd: %s %q: invalid shape [%d %d]", op, label, rows, cols)
	}
	switch dt {
	case tensor.F32, tensor.F16:
		return uint64(n) * uint64(dt.Size()), nil
	case tensor.Q8, tensor.Q4:
		return uint64(tensor.ByteSize(dt, rows, cols)), nil
	}
	return 0, fmt.Errorf("simd: %s %q: unsupported dtype %s (want F32, F16, Q8 or Q4)", op, label, dt)
}

// Upload copies data, rows·cols elements of dt (Q8 and Q4 in the layout of
// docs/format.md), to the device.
func (b *Backend) Upload(label string, dt tensor.DType, rows, cols int, data []byte) (backend.Tensor, error) {
	h, err := b.place("upload", label, dt, rows, cols, int64(len(data)))
	if err != nil {
		return nil, err
	}
	write(h.buf.addr, data)
	return h, nil
}

// Reserve makes a tensor of Upload's dtypes and shape whose bytes
// UploadPart then writes (backend.PartUploader).
func (b *Backend) Reserve(label string, dt tensor.DType, rows, cols int) (backend.Tensor, error) {
	h, err := b.place("reserve", label, dt, rows, cols, -1)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// place makes the device memory of an upload of n bytes (-1: any).
func (b *Backend) place(op, label string, dt tensor.DType, rows, cols int, n int64) (*handle, error) {
	if b.closed {
		return nil, ErrClosed
	}
	size, err := byteSize(op, label, dt, rows, cols)
	if err != nil {
		return nil, err
	}
	if n >= 0 && uint64(n) != size {
		return nil, fmt.Errorf("simd: %s %q: %d bytes, want %d for [%d %d] %s", op, label, n, size, rows, cols, dt)
	}
	h, _, err := b.make(op, label, dt, rows, cols, size)
	if err == nil {
		h.buf.uploaded = true
	}
	return h, err
}

// UploadPart copies data to byte off of a reserved or uploaded tensor.
func (b *Backend) UploadPart(t backend.Tensor, off int64, data []byte) error {
	if b.closed {
		return ErrClosed
	}
	h, ok := t.(*handle)
	switch {
	case !ok || h == nil || h.owner != b:
		return fmt.Errorf("simd: upload part: tensor of type %T is not from this backend", t)
	case h.buf.released:
		return fmt.Errorf("simd: upload part of %q: the tensor was freed", h.label)
	case h.view:
		return fmt.Errorf("simd: upload part of %q: a view takes no upload", h.label)
	case off < 0 || uint64(off)+uint64(len(data)) > h.buf.size:
		return fmt.Errorf("simd: upload part of %q: bytes [%d, %d) outside its %d", h.label, off, off+int64(len(data)), h.buf.size)
	}
	write(h.buf.addr+uint64(off), data)
	return nil
}

// Alloc makes a zeroed F32 or F16 tensor.
func (b *Backend) Alloc(label string, dt tensor.DType, rows, cols int) (backend.Tensor, error) {
	if b.closed {
		return nil, ErrClosed
	}
	if dt != tensor.F32 && dt != tensor.F16 {
		return nil, fmt.Errorf("simd: alloc %q: unsupported dtype %s (want F32 or F16)", label, dt)
	}
	size, err := byteSize("alloc", label, dt, rows, cols)
	if err != nil {
		return nil, err
	}
	h, zero, err := b.make("alloc", label, dt, rows, cols, size)
	if err != nil {
		return nil, err
	}
	if !zero {
		clearBytes(h.buf.addr, size)
	}
	return h, nil
}

// make allocates size bytes of device memory for a new tensor.
func (b *Backend) make(op, label string, dt tensor.DType, rows, cols int, size uint64) (*handle, bool, error) {
	addr, zero, err := device.alloc(size)
	if err != nil {
		return nil, false, fmt.Errorf("simd: %s %q [%d %d] %s: %w", op, label, rows, cols, dt, err)
	}
	buf := &buffer{addr: addr, size: size, rows: rows}
	b.live[buf] = struct{}{}
	return &handle{owner: b, buf: buf, label: label, dt: dt, rows: rows, cols: cols}, zero, nil
}

// View is rows [row0, row0+rows) of t, sharing its memory. Views of views
// are allowed; a view of a Q8 or Q4 matrix must start at a multiple of 4
// rows.
func (b *Backend) View(t backend.Tensor, row0, rows int) backend.Tensor {
	h := b.get("View", t)
	backend.CheckView(t, row0, rows)
	if h.dt == tensor.KVQ8 {
		fail("View", "tensor %q is a KVQ8 cache, which has no views", h.label)
	}
	if h.dt.Quantized() && (h.row0+row0)%tensor.RowGroup != 0 {
		fail("View", "a %s view of %q must start at a multiple of %d rows, not %d", h.dt, h.label, tensor.RowGroup, h.row0+row0)
	}
	v := *h
	v.row0 += row0
	v.rows = rows
	v.view = true
	return &v
}

// Free releases t's memory; its views become unusable too. Freeing after
// Close does nothing.
func (b *Backend) Free(t backend.Tensor) {
	if b.closed {
		return
	}
	h := b.get("Free", t)
	if h.view {
		fail("Free", "tensor %q is a view", h.label)
	}
	delete(b.live, h.buf)
	h.buf.released = true
	device.release(h.buf.addr, h.buf.size)
}

// fail is backend.Fail for the checks that are this backend's own: ops
// test their conditions first and call it only when one does not hold, so
// a passing op allocates nothing.
var fail = backend.Fail

// f32bits passes a float parameter to a kernel as its bit pattern.
func f32bits(f float32) int32 { return int32(math.Float32bits(f)) }
