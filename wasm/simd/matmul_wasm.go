package simd

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// minMACs is the least multiply-adds worth a job of its own.
const minMACs = 1 << 16

// matmulKernels are the MatMul kernels by weight dtype.
var matmulKernels = map[tensor.DType]int32{tensor.F32: kernels.MatmulF32, tensor.F16: kernels.MatmulF16, tensor.Q8: kernels.MatmulQ8, tensor.Q4: kernels.MatmulQ4}

// MatMul computes dst = x·wᵀ + bias, split by output columns in multiples
// of 4 (a Q8 or Q4 row group). dst must not overlap x, w or bias.
func (b *Backend) MatMul(dst, x, w, bias backend.Tensor) {
	const op = "MatMul"
	d, xh, wh := b.get(op, dst), b.get(op, x), b.get(op, w)
	var bh *handle
	if bias != nil {
		bh = b.get(op, bias)
	}
	backend.CheckMatMul(dst, x, w, bias)
	n, k, m := xh.rows, xh.cols, wh.rows
	if overlaps(d, xh) || overlaps(d, wh) {
		fail(op, "dst %q overlaps an operand", d.label)
	}
	var biasAddr int32
	if bh != nil {
		if overlaps(d, bh) {
			fail(op, "dst %q overlaps bias %q", d.label, bh.label)
		}
		biasAddr = bh.addr(0)
	}
	if n == 0 || m == 0 || b.err != nil {
		return
	}
	wAddr, ok := b.weights(op, wh)
	if !ok {
		return
	}
	parts := b.parts(m, n*k, minMACs)
	if vec, ok := vecKernels[wh.dt]; ok && n == 1 && k <= vecMaxK {
		b.matVec(vec, d, xh, wAddr, biasAddr, k, m, parts)
		return
	}
	kernel := matmulKernels[wh.dt]
	if wh.dt.Quantized() {
		b.matMulQ(kernel, d, xh, wAddr, biasAddr, n, k, m, parts)
		return
	}
	split(m, parts, tensor.RowGroup, func(lo, hi int) {
		b.job(kernel, d.addr(0), xh.addr(0), wAddr, biasAddr, int32(n), int32(k), int32(m), int32(lo), int32(hi))
	})
	b.submit(op)
}

// stripeRows bounds the rows of x one matmul_q4 or matmul_q8 call takes,
// and so the scratch its quantized x needs (kernels.MatMulScratch).
const stripeRows = 64

// matMulQ is MatMul by Q8 or Q4 weights with kernel: each job quantizes
// the rows of x once into scratch of its own, at most stripeRows rows per
// batch of jobs.
func (b *Backend) matMulQ(kernel int32, d, x *handle, wAddr, biasAddr int32, n, k, m, parts int) {
	const op = "MatMul"
	perJob := (uint64(kernels.MatMulScratch(min(n, stripeRows), k)) + align - 1) &^ (align - 1)
	at, ok := b.reserve(&b.xq, op, uint64(parts)*perJob)
	if !ok {
		return
	}
	for r0 := 0; r0 < n; r0 += stripeRows {
		rows, job := min(stripeRows, n-r0), 0
		split(m, parts, tensor.RowGroup, func(lo, hi int) {
			scratch := int32(at) + int32(uint64(job)*perJob)
			b.job(kernel, d.addr(r0), x.addr(r0), wAddr, biasAddr, int32(rows), int32(k), int32(m), int32(lo), int32(hi), scratch)
			job++
		})
		b.submit(op)
	}
}

// vecKernels are the products of one row of x that read each row group's
// weights front to back (matmul_q4_vec, matmul_q8_vec): a decode step's.
var vecKernels = map[tensor.DType]int32{tensor.Q4: kernels.MatmulQ4Vec, tensor.Q8: kernels.MatmulQ8Vec}

// vecMaxK bounds the columns the vecKernels take: at 10240 matmul_q4_vec
// measured slower than matmul_q4 in V8 and matmul_q8_vec no faster than
// matmul_q8 (docs/benchmarks.md), at 2560 both faster.
const vecMaxK = 4096

// matVec is MatMul of one row of x by quantized weights with kernel, a
// vecKernels one. Each job quantizes x into scratch of its own.
func (b *Backend) matVec(kernel int32, d, x *handle, wAddr, biasAddr int32, k, m, parts int) {
	const op = "MatMul"
	perJob := (uint64(kernels.MatVecScratch(k)) + align - 1) &^ (align - 1)
	at, ok := b.reserve(&b.xq, op, uint64(parts)*perJob)
	if !ok {
		return
	}
	job := 0
	split(m, parts, tensor.RowGroup, func(lo, hi int) {
		scratch := int32(at) + int32(uint64(job)*perJob)
		b.job(kernel, d.addr(0), x.addr(0), wAddr, biasAddr, int32(k), int32(m), int32(lo), int32(hi), scratch)
		job++
	})
	b.submit(op)
}

// weights returns the address of w as a whole matrix of w.rows rows. A
// quantized view laid out differently from such a matrix (its scales
// follow the whole matrix's quants) is first copied, both sections, to
// scratch memory.
func (b *Backend) weights(op string, w *handle) (int32, bool) {
	if !w.dt.Quantized() {
		return w.addr(0), true
	}
	groups := (w.rows + tensor.RowGroup - 1) / tensor.RowGroup
	whole := tensor.Layout(w.dt, w.buf.rows, w.cols)
	if w.row0 == 0 && groups == (w.buf.rows+tensor.RowGroup-1)/tensor.RowGroup {
		return int32(uint32(w.buf.addr)), true
	}
	groupQuants := whole.Blocks * tensor.RowGroup * whole.BlockBytes // one row group's quants
	groupScales := whole.Blocks * tensor.RowGroup * 2
	at, ok := b.reserve(&b.quant, op, uint64(groups*(groupQuants+groupScales)))
	if !ok {
		return 0, false
	}
	g0, base := w.row0/tensor.RowGroup, int32(uint32(w.buf.addr))
	b.job(kernels.Copy, int32(at), base+int32(g0*groupQuants), int32(groups*groupQuants))
	b.job(kernels.Copy, int32(at)+int32(groups*groupQuants), base+int32(whole.ScalesAt)+int32(g0*groupScales), int32(groups*groupScales))
	b.submit(op)
	return int32(at), b.err == nil
}
