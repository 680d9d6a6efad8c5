package simd

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
)

var _ backend.KVAllocator = (*Backend)(nil)

// maxKVQ8HeadDim bounds a KVQ8 cache's heads: attention_kvq8 sums
// head_dim products of int16 and int8 in an i32.
const maxKVQ8HeadDim = 256

// AllocKV makes a zeroed cache of positions rows of heads·headDim values:
// F32 and F16 as Alloc; KVQ8 in its head-major layout (values, then the
// scales), with headDim a multiple of 4 up to 256 for the kernels.
func (b *Backend) AllocKV(label string, dt tensor.DType, positions, heads, headDim int) (backend.Tensor, error) {
	if dt != tensor.KVQ8 {
		return b.Alloc(label, dt, positions, heads*headDim)
	}
	if b.closed {
		return nil, ErrClosed
	}
	if heads <= 0 || headDim <= 0 || headDim%4 != 0 || headDim > maxKVQ8HeadDim {
		return nil, fmt.Errorf("simd: alloc %q: %d heads of %d values: the 8-bit cache needs heads of a multiple of 4 values, at most %d",
			label, heads, headDim, maxKVQ8HeadDim)
	}
	cols := heads * headDim
	if _, err := byteSize("alloc", label, tensor.F32, positions, cols); err != nil {
		return nil, err
	}
	values, scales := tensor.KVQ8Bytes(positions, heads, headDim)
	size := uint64(values + scales)
	h, zero, err := b.make("alloc", label, dt, positions, cols, size)
	if err != nil {
		return nil, err
	}
	if !zero {
		clearBytes(h.buf.addr, size)
	}
	h.headDim = headDim
	return h, nil
}

// copyKVQ8 quantizes rows [srcRow, srcRow+n) of the F32 s into positions
// dstRow… of the KVQ8 cache d, split by rows.
func (b *Backend) copyKVQ8(d *handle, dstRow int, s *handle, srcRow, n int) {
	parts := b.parts(n, d.cols, minElements)
	split(n, parts, 1, func(lo, hi int) {
		b.job(kernels.CopyKVQ8, d.addr(0), s.addr(srcRow+lo), int32(d.rows), int32(dstRow+lo), int32(hi-lo),
			int32(d.cols), int32(d.headDim))
	})
	b.submit("Copy")
}

// kvq8Scratch is the bytes of attention_kvq8's scratch for one job:
// positions scores, 16-byte aligned, then headDim + 4 int16.
func kvq8Scratch(positions, headDim int) uint64 {
	return (uint64(positions)*4+15)&^15 + uint64(headDim+4)*2
}
