package simd

import (
	"unsafe"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// Work below these sizes is not worth another thread.
const (
	minElements = 1 << 14 // elementwise ops, Embed and Copy (values)
	minRowWork  = 1 << 14 // LayerNorm and Rope: rows × columns
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

// LayerNorm normalizes each row (biased variance); rows are split over
// the workers. dst may be x.
func (b *Backend) LayerNorm(dst, x, gamma, beta backend.Tensor, eps float32) {
	const op = "LayerNorm"
	d, xh, g, be := b.get(op, dst), b.get(op, x), b.get(op, gamma), b.get(op, beta)
	backend.CheckLayerNorm(dst, x, gamma, beta)
	split(xh.rows, b.parts(xh.rows, xh.cols, minRowWork), 1, func(lo, hi int) {
		b.job(kernels.LayerNorm, d.addr(0), xh.addr(0), g.addr(0), be.addr(0), int32(xh.cols), f32bits(eps), int32(lo), int32(hi))
	})
	b.submit(op)
}

// GeluNew applies the tanh form of GELU elementwise. dst may be x.
func (b *Backend) GeluNew(dst, x backend.Tensor) {
	const op = "GeluNew"
	d, xh := b.get(op, dst), b.get(op, x)
	backend.CheckGeluNew(dst, x)
	n := xh.rows * xh.cols
	split(n, b.parts(n, 1, minElements), 4, func(lo, hi int) {
		b.job(kernels.Gelu, d.addr(0), xh.addr(0), int32(lo), int32(hi))
	})
	b.submit(op)
}

// Add computes dst = a + b; any operands may be the same tensor.
func (b *Backend) Add(dst, x, y backend.Tensor) {
	const op = "Add"
	d, xh, yh := b.get(op, dst), b.get(op, x), b.get(op, y)
	backend.CheckAdd(dst, x, y)
	n := d.rows * d.cols
	split(n, b.parts(n, 1, minElements), 4, func(lo, hi int) {
		b.job(kernels.Add, d.addr(0), xh.addr(0), yh.addr(0), int32(lo), int32(hi))
	})
	b.submit(op)
}

// Add3 computes dst = (a + b) + c, rounding after each addition.
func (b *Backend) Add3(dst, x, y, z backend.Tensor) {
	const op = "Add3"
	d, xh, yh, zh := b.get(op, dst), b.get(op, x), b.get(op, y), b.get(op, z)
	backend.CheckAdd3(dst, x, y, z)
	n := d.rows * d.cols
	split(n, b.parts(n, 1, minElements), 4, func(lo, hi int) {
		b.job(kernels.Add3, d.addr(0), xh.addr(0), yh.addr(0), zh.addr(0), int32(lo), int32(hi))
	})
	b.submit(op)
}

// Copy copies rows [srcRow, srcRow+n) of src to dst from dstRow on; F32
// rows into an F16 tensor are rounded to nearest even by the copy_f16
// kernel. Overlapping ranges of one tensor are copied by a single job, as
// if through a temporary.
func (b *Backend) Copy(dst backend.Tensor, dstRow int, src backend.Tensor, srcRow, n int) {
	const op = "Copy"
	d, s := b.get(op, dst), b.get(op, src)
	backend.CheckCopy(dst, dstRow, src, srcRow, n)
	values := n * d.cols
	parts := b.parts(values, 1, minElements)
	if d.buf == s.buf {
		parts = 1
	}
	to, from := d.addr(dstRow), s.addr(srcRow)
	out, in := int32(d.dt.Size()), int32(s.dt.Size())
	split(values, parts, 16, func(lo, hi int) {
		if out == in {
			b.job(kernels.Copy, to+out*int32(lo), from+in*int32(lo), out*int32(hi-lo))
		} else {
			b.job(kernels.CopyF16, to+out*int32(lo), from+in*int32(lo), int32(hi-lo))
		}
	})
	b.submit(op)
}

// Rope rotates, in place, the first rotDim values of every head of x
// ("rotate half"), rows split over the workers.
func (b *Backend) Rope(x, table backend.Tensor, pos0, headDim, rotDim int) {
	const op = "Rope"
	xh, th := b.get(op, x), b.get(op, table)
	backend.CheckRope(x, table, pos0, headDim, rotDim)
	if overlaps(xh, th) {
		fail(op, "x %q overlaps table %q", xh.label, th.label)
	}
	split(xh.rows, b.parts(xh.rows, xh.cols, minRowWork), 1, func(lo, hi int) {
		b.job(kernels.Rope, xh.addr(0), th.addr(0), int32(pos0), int32(xh.cols), int32(headDim), int32(rotDim), int32(lo), int32(hi))
	})
	b.submit(op)
}
