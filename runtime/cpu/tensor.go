package cpu

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// buffer is the memory of one uploaded or allocated tensor, shared by its
// views. Exactly one of f32, u16, q and kv is used: u16 holds F16 or BF16
// bits, q the storage of a Q8 or Q4 matrix, laid out by layout, and kv a
// KVQ8 cache.
type buffer struct {
	f32      []float32
	u16      []uint16
	q        []byte
	layout   tensor.QuantLayout
	kv       *kvq8
	released bool
}

func (m *buffer) release() { *m = buffer{released: true} }

// handle is the backend.Tensor of this package: a row range of a buffer.
type handle struct {
	owner *Backend
	buf   *buffer
	label string
	dt    tensor.DType
	off   int // first element
	rows  int
	cols  int
	view  bool
}

func (h *handle) Rows() int           { return h.rows }
func (h *handle) Cols() int           { return h.cols }
func (h *handle) DType() tensor.DType { return h.dt }
func (h *handle) Label() string       { return h.label }
func (h *handle) len() int            { return h.rows * h.cols }

// f32 is the tensor's F32 data; u16 its F16 or BF16 bits.
func (h *handle) f32() []float32 { return h.buf.f32[h.off : h.off+h.len()] }
func (h *handle) u16() []uint16  { return h.buf.u16[h.off : h.off+h.len()] }

// firstRow is the row of the buffer's matrix where the tensor starts.
func (h *handle) firstRow() int {
	if h.cols == 0 {
		return 0
	}
	return h.off / h.cols
}

// row is row i of an F32 tensor.
func (h *handle) row(i int) []float32 {
	s := h.off + i*h.cols
	return h.buf.f32[s : s+h.cols]
}

// overlaps reports whether a and b share any element.
func overlaps(a, b *handle) bool {
	return a.buf == b.buf && a.off < b.off+b.len() && b.off < a.off+a.len()
}

// get checks that t is a live tensor of b.
func (b *Backend) get(op string, t backend.Tensor) *handle {
	h, ok := t.(*handle)
	if !ok || h == nil {
		fail(op, "tensor of type %T is not from the cpu backend", t)
	}
	if h.owner != b {
		fail(op, "tensor %q belongs to another backend", h.label)
	}
	if h.buf.released {
		fail(op, "tensor %q was freed or its backend closed", h.label)
	}
	return h
}

// size returns rows·cols, or an error naming label when it is invalid.
func size(op, label string, rows, cols int) (int, error) {
	n := tensor.NumElements([]int{rows, cols})
	if n < 0 || n > math.MaxInt/4 { // the byte size must fit an int
		return 0, fmt.Errorf("cpu: %s %q: invalid shape [%d %d]", op, label, rows, cols)
	}
	return int(n), nil
}

// Upload copies rows·cols little-endian elements of dt from data. F16 and
// BF16 data stay 2 bytes an element; Q8 and Q4 data, tensor.ByteSize bytes
// in the layout of docs/format.md, are kept as they are.
func (b *Backend) Upload(label string, dt tensor.DType, rows, cols int, data []byte) (backend.Tensor, error) {
	if b.closed {
		return nil, ErrClosed
	}
	n, err := size("upload", label, rows, cols)
	if err != nil {
		return nil, err
	}
	var want int64
	switch dt {
	case tensor.F32, tensor.F16, tensor.BF16:
		want = int64(n) * int64(dt.Size())
	case tensor.Q8, tensor.Q4:
		// Padding to whole blocks and row groups adds at most 1/8 + 3 rows
		// here, so the byte size fits an int64 wherever rows·cols fits.
		if groups, blocks := (int64(rows)+3)/4, (int64(cols)+31)/32; blocks > 0 && groups > math.MaxInt64/136/blocks {
			return nil, fmt.Errorf("cpu: upload %q: invalid shape [%d %d]", label, rows, cols)
		}
		want = tensor.ByteSize(dt, rows, cols)
	default:
		return nil, fmt.Errorf("cpu: upload %q: unsupported dtype %s", label, dt)
	}
	if int64(len(data)) != want {
		return nil, fmt.Errorf("cpu: upload %q: %d bytes, want %d for [%d %d] %s", label, len(data), want, rows, cols, dt)
	}
	if err := b.mem.reserve("upload", label, rows, cols, want); err != nil { // kept as given
		return nil, err
	}
	buf := &buffer{}
	if dt.Quantized() {
		buf.q, buf.layout = append([]byte(nil), data...), tensor.Layout(dt, rows, cols)
	} else if dt == tensor.F32 {
		buf.f32 = make([]float32, n)
		tensor.DecodeF32(buf.f32, data, dt)
	} else {
		buf.u16 = make([]uint16, n)
		for i := range buf.u16 {
			buf.u16[i] = binary.LittleEndian.Uint16(data[2*i:])
		}
	}
	return b.track(buf, label, dt, rows, cols), nil
}

// Alloc makes a zeroed F32 or F16 tensor.
func (b *Backend) Alloc(label string, dt tensor.DType, rows, cols int) (backend.Tensor, error) {
	if b.closed {
		return nil, ErrClosed
	}
	n, err := size("alloc", label, rows, cols)
	if err != nil {
		return nil, err
	}
	if dt != tensor.F32 && dt != tensor.F16 {
		return nil, fmt.Errorf("cpu: alloc %q: unsupported dtype %s (want F32 or F16)", label, dt)
	}
	if err := b.mem.reserve("alloc", label, rows, cols, int64(n)*int64(dt.Size())); err != nil {
		return nil, err
	}
	if dt == tensor.F32 {
		return b.track(&buffer{f32: make([]float32, n)}, label, dt, rows, cols), nil
	}
	return b.track(&buffer{u16: make([]uint16, n)}, label, dt, rows, cols), nil
}

func (b *Backend) track(buf *buffer, label string, dt tensor.DType, rows, cols int) *handle {
	b.live[buf] = struct{}{}
	return &handle{owner: b, buf: buf, label: label, dt: dt, rows: rows, cols: cols}
}

// View is rows [row0, row0+rows) of t, sharing its memory. Views of views
// are allowed.
func (b *Backend) View(t backend.Tensor, row0, rows int) backend.Tensor {
	h := b.get("View", t)
	backend.CheckView(t, row0, rows)
	if h.dt == tensor.KVQ8 {
		fail("View", "tensor %q is a KVQ8 cache, which has no views", h.label)
	}
	v := *h
	v.off += row0 * h.cols
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
	b.mem.release(h.buf.bytes())
	h.buf.release()
}

// fail is backend.Fail for the checks that are this backend's own: ops
// test their conditions first and call it only when one does not hold, so
// a passing op allocates nothing.
var fail = backend.Fail
