package webgpu

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

func (b *Backend) Copy(dst backend.Tensor, dstRow int, src backend.Tensor, srcRow, n int) {
	const op = "Copy"
	d, s := b.get(op, dst), b.get(op, src)
	backend.CheckCopy(dst, dstRow, src, srcRow, n)
	if d.dt == tensor.KVQ8 {
		b.copyKVQ8(d, dstRow, s, srcRow, n)
		return
	}
	count := n * s.cols
	if count == 0 {
		return
	}
	dOff, sOff := d.off+dstRow*d.cols, s.off+srcRow*s.cols
	if d.dt == tensor.F32 {
		gx, gy := grid(count, lineWG)
		b.elementwise("copy", []uint32{uint32(count), uint32(dOff), uint32(sOff)}, gx, gy, d.buf(), s.buf())
		return
	}
	fromF32 := uint32(0)
	if s.dt == tensor.F32 {
		fromF32 = 1
	}
	words := (dOff+count-1)/2 - dOff/2 + 1
	gx, gy := grid(words, lineWG)
	b.elementwise("copy_f16", []uint32{uint32(count), uint32(dOff), uint32(sOff), fromF32}, gx, gy, d.buf(), s.buf())
}
