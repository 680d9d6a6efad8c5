package webgpu

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// buffer is one GPU buffer. id keys the bind group cache.
type buffer struct {
	gpu   any // the driver's
	id    int
	size  int
	label string
	rng   any   // a weight's mapped range while its bytes are written; nil once usable
	left  int64 // bytes of a mapped weight not yet written
}

// piece is rows [row0, row0+rows) of a tensor: rows [skip, skip+rows) of
// the total-row matrix stored in buf in the tensor's format (a quantized
// piece is a matrix of its own; skip is then a multiple of 4).
type piece struct {
	buf         *buffer
	row0, rows  int
	skip, total int
	ranges      [][2]int64 // an uploaded weight's: its bytes in Upload's data, in buf's order
}

// weightPiece is a piece as the matmul and embed kernels address it: the
// offset of its row 0 in elements (F32, F16) or quant words (Q8, Q4), and
// for Q8 and Q4 the word of its row 0's scales and the blocks per row.
type weightPiece struct {
	buf             *buffer
	row0, rows      int
	off, scales, kb uint32
}

func (t *gpuTensor) weightPieces() []weightPiece {
	out := make([]weightPiece, 0, len(t.pieces))
	for _, p := range t.pieces {
		w := weightPiece{buf: p.buf, row0: p.row0, rows: p.rows}
		if t.dt.Quantized() {
			l := tensor.Layout(t.dt, p.total, t.cols)
			g0 := p.skip / 4
			w.off = uint32(g0 * l.Blocks * 4 * l.BlockBytes / 4)
			w.scales = uint32(l.ScalesAt/4) + uint32(g0*l.Blocks*2)
			w.kb = uint32(l.Blocks)
		} else {
			w.off = uint32(t.off + p.skip*t.cols)
		}
		out = append(out, w)
	}
	return out
}

// gpuTensor is the backend.Tensor of this package: a matrix in one or more
// pieces, or a row range (view) of a one-piece F32 or F16 matrix, which
// starts off elements into its buffer.
type gpuTensor struct {
	owner      *Backend
	label      string
	dt         tensor.DType
	rows, cols int
	off        int
	pieces     []piece
	view       bool
	freed      bool
	kv         *kvq8 // a KVQ8 cache's scales and heads; nil otherwise
}

func (t *gpuTensor) Rows() int           { return t.rows }
func (t *gpuTensor) Cols() int           { return t.cols }
func (t *gpuTensor) DType() tensor.DType { return t.dt }
func (t *gpuTensor) Label() string       { return t.label }

// buf is the buffer of a one-piece tensor.
func (t *gpuTensor) buf() *buffer { return t.pieces[0].buf }

// get checks that t belongs to b, is alive and is in one piece: an F32 or
// F16 matrix uploaded in pieces that one binding can hold is joined first.
func (b *Backend) get(op string, t backend.Tensor) *gpuTensor {
	g := b.getPieces(op, t)
	if len(g.pieces) > 1 && !g.view && !g.dt.Quantized() {
		b.join(g)
	}
	if len(g.pieces) != 1 {
		panic(fmt.Sprintf("webgpu: %s: tensor %q is split into %d pieces and can only be a weight matrix", op, g.label, len(g.pieces)))
	}
	return g
}

// join copies the row pieces of an F32 or F16 matrix into one buffer, when
// one binding can hold it.
func (b *Backend) join(g *gpuTensor) {
	if len(g.pieces) < 2 {
		return
	}
	size := int(tensor.ByteSize(g.dt, g.rows, g.cols))
	if float64(size) > b.d.limit("maxStorageBufferBindingSize") {
		return
	}
	buf, err := b.newBuffer(g.label, size, false)
	if err != nil || !b.rec.ensureEncoder() {
		b.rec.fail(err)
		return
	}
	rowBytes := g.cols * g.dt.Size()
	for _, p := range g.pieces {
		n := (p.rows*rowBytes + 3) &^ 3 // pieces of F16 start at even rows (split)
		b.rec.cmds.copy(p.buf.gpu, p.skip*rowBytes, buf.gpu, p.row0*rowBytes, n)
		b.release(p.buf)
	}
	g.pieces = []piece{{buf: buf, rows: g.rows, total: g.rows}}
}

// getPieces is get for operands that may be split (weights).
func (b *Backend) getPieces(op string, t backend.Tensor) *gpuTensor {
	g, ok := t.(*gpuTensor)
	if !ok || g.owner != b {
		panic(fmt.Sprintf("webgpu: %s: tensor %q does not belong to this backend", op, t.Label()))
	}
	if g.freed {
		panic(fmt.Sprintf("webgpu: %s: tensor %q was freed", op, g.label))
	}
	for _, p := range g.pieces {
		b.settle(p.buf)
	}
	return g
}

// newBuffer makes a buffer of at least size bytes (rounded up to 16): a
// freed buffer of the same size when there is one, cleared in the command
// stream so that it reads as zeros from the next recorded op on. A mapped
// one is always new (a clear recorded before would overwrite what is
// written to it), and takes writes (buffer.rng) until settle.
func (b *Backend) newBuffer(label string, size int, mapped bool) (*buffer, error) {
	size = max(16, (size+15)&^15)
	if float64(size) > b.d.limit("maxBufferSize") {
		return nil, fmt.Errorf("webgpu: tensor %s needs a %d-byte buffer; this device allows %.0f", label, size, b.d.limit("maxBufferSize"))
	}
	if !mapped {
		if free := b.pool[size]; len(free) > 0 {
			buf := free[len(free)-1]
			b.pool[size] = free[:len(free)-1]
			b.rec.clear(buf)
			return buf, nil
		}
	}
	v, rng, err := b.d.newBuffer(label, size, storageUsages, mapped)
	if err != nil {
		return nil, fmt.Errorf("webgpu: tensor %s: %w", label, err)
	}
	buf := b.track(v, size, label)
	buf.rng = rng
	return buf, nil
}

// settle unmaps a buffer whose bytes were being written, so that the GPU
// can use it; a failure surfaces as the backend's first error.
func (b *Backend) settle(buf *buffer) {
	if buf.rng == nil {
		return
	}
	buf.rng = nil
	if err := b.d.unmap(buf.gpu); err != nil {
		b.rec.fail(fmt.Errorf("webgpu: unmap %s: %w", buf.label, err))
	}
}

// track gives a new driver buffer its id.
func (b *Backend) track(v any, size int, label string) *buffer {
	b.nextID++
	buf := &buffer{gpu: v, id: b.nextID, size: size, label: label}
	b.all[buf.id] = buf
	return buf
}

// release returns a buffer to the pool.
func (b *Backend) release(buf *buffer) {
	b.settle(buf)
	b.pool[buf.size] = append(b.pool[buf.size], buf)
}
