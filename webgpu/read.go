package webgpu

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
)

// Read submits the recorded work and reads t back.
func (b *Backend) Read(t backend.Tensor, dst []float32) error {
	if b.closed {
		return ErrClosed
	}
	g := b.get("Read", t)
	backend.CheckRead(t, dst)
	n := g.rows * g.cols * 4
	if n == 0 {
		return b.sync()
	}
	raw, err := b.readBack(g.buf(), g.off*4, n)
	if err != nil {
		return err
	}
	for i := range dst[:g.rows*g.cols] {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return nil
}

// Argmax finds the largest value on the GPU and reads back only its index.
func (b *Backend) Argmax(t backend.Tensor, row int) (int, error) {
	if b.closed {
		return 0, ErrClosed
	}
	g := b.get("Argmax", t)
	backend.CheckArgmax(t, row)
	if b.result == nil {
		buf, err := b.newBuffer("argmax", 16, false)
		if err != nil {
			return 0, err
		}
		b.result = buf
	}
	b.rec.dispatch(b.kern.get("argmax"), []uint32{uint32(g.cols), uint32(g.off + row*g.cols)},
		[]*buffer{g.buf(), b.result}, 1, 1)
	raw, err := b.readBack(b.result, 0, 4)
	if err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint32(raw)), nil
}

// sync submits the recorded work and waits for the GPU to finish it.
func (b *Backend) sync() error {
	b.rec.submit()
	if err := b.failure(); err != nil {
		return err
	}
	if err := b.d.idle(); err != nil {
		return b.orFailure(fmt.Errorf("webgpu: %w", err))
	}
	return b.failure()
}

// readBack copies n bytes at off of buf to the host, after all recorded work.
func (b *Backend) readBack(buf *buffer, off, n int) ([]byte, error) {
	b.rec.copyOut(buf, off, n)
	b.rec.submit()
	if err := b.failure(); err != nil {
		return nil, err
	}
	out := make([]byte, n)
	if err := b.d.read(b.rec.staging.gpu, n, out); err != nil {
		return nil, b.orFailure(fmt.Errorf("webgpu: reading %s: %w", buf.label, err))
	}
	return out, b.failure()
}

// failure is the lost device or a GPU error, else the first error of
// recording.
func (b *Backend) failure() error {
	if err := b.d.failure(); err != nil {
		return err
	}
	return b.err
}

// orFailure is the failure behind err when there is one (a lost device
// fails the wait that noticed it), else err.
func (b *Backend) orFailure(err error) error {
	if f := b.failure(); f != nil {
		return f
	}
	return err
}
