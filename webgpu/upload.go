package webgpu

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// Upload makes a weight matrix from its stored bytes: Reserve, then the
// bytes written into the mapped buffers in one part.
func (b *Backend) Upload(label string, dt tensor.DType, rows, cols int, data []byte) (backend.Tensor, error) {
	if err := b.checkWeight(label, dt); err != nil {
		return nil, err
	}
	if want := tensor.ByteSize(dt, rows, cols); int64(len(data)) != want {
		return nil, fmt.Errorf("webgpu: tensor %s: %d bytes for a %v [%d, %d] matrix, want %d", label, len(data), dt, rows, cols, want)
	}
	t, err := b.Reserve(label, dt, rows, cols)
	if err == nil {
		err = b.UploadPart(t, 0, data)
	}
	if err != nil {
		if t != nil {
			b.Free(t)
		}
		return nil, err
	}
	return t, nil
}

// Reserve makes a weight matrix whose bytes UploadPart then writes
// (backend.PartUploader). Its buffers are created mapped, so that parts cut
// at any byte go straight into them. A buffer is unmapped once parts have
// covered it (a mapped range holds memory of its own in a browser), else
// at the tensor's first use; a part after that is an error.
func (b *Backend) Reserve(label string, dt tensor.DType, rows, cols int) (backend.Tensor, error) {
	if err := b.checkWeight(label, dt); err != nil {
		return nil, err
	}
	t := &gpuTensor{owner: b, label: label, dt: dt, rows: rows, cols: cols}
	for _, s := range split(dt, rows, cols, b.pieceBytes()) {
		var n int64
		for _, r := range s.ranges {
			n += r[1] - r[0]
		}
		buf, err := b.newBuffer(label, int(n), true)
		if err != nil {
			b.freePieces(t)
			return nil, fmt.Errorf("webgpu: upload %s: %w", label, err)
		}
		buf.left = n
		t.pieces = append(t.pieces, piece{buf: buf, row0: s.row0, rows: s.rows, total: s.rows, ranges: s.ranges})
	}
	return t, nil
}

// UploadPart writes data at byte off of a reserved weight's bytes.
func (b *Backend) UploadPart(t backend.Tensor, off int64, data []byte) error {
	if b.closed {
		return ErrClosed
	}
	g, ok := t.(*gpuTensor)
	end := off + int64(len(data))
	switch {
	case !ok || g == nil || g.owner != b:
		return fmt.Errorf("webgpu: upload part: tensor of type %T is not from this backend", t)
	case g.freed:
		return fmt.Errorf("webgpu: upload part of %q: the tensor was freed", g.label)
	case g.view:
		return fmt.Errorf("webgpu: upload part of %q: a view takes no upload", g.label)
	case len(g.pieces) == 0 || g.pieces[0].ranges == nil:
		return fmt.Errorf("webgpu: upload part of %q: only an uploaded or reserved weight takes parts", g.label)
	case off < 0 || end > tensor.ByteSize(g.dt, g.rows, g.cols):
		return fmt.Errorf("webgpu: upload part of %q: bytes [%d, %d) outside its %d", g.label, off, end, tensor.ByteSize(g.dt, g.rows, g.cols))
	}
	for _, p := range g.pieces {
		at := int64(0) // where the range starts in the piece's buffer
		for _, r := range p.ranges {
			lo, hi := max(r[0], off), min(r[1], end)
			if lo < hi {
				if p.buf.rng == nil {
					return fmt.Errorf("webgpu: upload part of %q at byte %d: its bytes were all written, or it was used; every part must come once, before its first use", g.label, lo)
				}
				if err := b.d.writeMapped(p.buf.rng, int(at+lo-r[0]), data[lo-off:hi-off]); err != nil {
					return fmt.Errorf("webgpu: upload part of %q: %w", g.label, err)
				}
				if p.buf.left -= hi - lo; p.buf.left <= 0 {
					b.settle(p.buf)
				}
			}
			at += r[1] - r[0]
		}
	}
	return nil
}

func (b *Backend) checkWeight(label string, dt tensor.DType) error {
	if b.closed {
		return ErrClosed
	}
	switch dt {
	case tensor.F32, tensor.F16, tensor.Q8, tensor.Q4:
		return nil
	}
	return fmt.Errorf("webgpu: tensor %s: dtype %v is not supported", label, dt)
}
