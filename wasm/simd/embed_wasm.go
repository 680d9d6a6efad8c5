package simd

import (
	"unsafe"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// embedKernels are the Embed kernels by table dtype.
var embedKernels = map[tensor.DType]int32{tensor.F32: kernels.EmbedF32, tensor.F16: kernels.EmbedF16, tensor.Q8: kernels.EmbedQ8, tensor.Q4: kernels.EmbedQ4}

// Embed sets dst row i to row ids[i] of table, widened exactly. The ids are
// written to the device; a view of a table is read as the whole table with
// the ids moved by its first row.
func (b *Backend) Embed(dst, table backend.Tensor, ids []int32) {
	const op = "Embed"
	d, th := b.get(op, dst), b.get(op, table)
	backend.CheckEmbed(dst, table, ids)
	if len(ids) == 0 || b.err != nil {
		return
	}
	at, ok := b.reserve(&b.ids, op, uint64(4*len(ids)))
	if !ok {
		return
	}
	if th.row0 != 0 {
		ids = b.shiftIDs(ids, th.row0)
	}
	write(uint64(at), unsafe.Slice((*byte)(unsafe.Pointer(&ids[0])), 4*len(ids)))
	kernel, cols, whole := embedKernels[th.dt], int32(th.cols), int32(th.buf.rows)
	split(len(ids), b.parts(len(ids), th.cols, minElements), 1, func(lo, hi int) {
		b.job(kernel, d.addr(lo), int32(uint32(th.buf.addr)), int32(at)+4*int32(lo), int32(hi-lo), cols, whole)
	})
	b.submit(op)
}

// shiftIDs returns ids moved by row0, in a buffer reused from call to call.
func (b *Backend) shiftIDs(ids []int32, row0 int) []int32 {
	if cap(b.shifted) < len(ids) {
		b.shifted = make([]int32, len(ids))
	}
	s := b.shifted[:len(ids)]
	for i, id := range ids {
		s[i] = id + int32(row0)
	}
	return s
}
