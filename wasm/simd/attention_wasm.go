package simd

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// Attention computes causal multi-head attention, split by heads; each job
// gets its own scores scratch for the cache's length (the F32 and F16
// kernels keep every head's scores of its job at once). The kernel needs a
// head dimension that is a multiple of 4. F16 caches go to attention_f16,
// which gives the bits of widening them exactly; it takes a shortcut
// unless f16Flag's word says a cache may hold Inf or NaN. KVQ8 caches go
// to attention_kvq8 (integer scores, docs/kernels.md). dst must not
// overlap k or v.
func (b *Backend) Attention(dst, q, k, v backend.Tensor, pos0, headDim int, scale float32) {
	const op = "Attention"
	d, qh, kh, vh := b.get(op, dst), b.get(op, q), b.get(op, k), b.get(op, v)
	backend.CheckAttention(dst, q, k, v, pos0, headDim)
	if headDim%4 != 0 {
		fail(op, "head dim %d is not a multiple of 4, which the SIMD kernel needs", headDim)
	}
	if overlaps(d, kh) || overlaps(d, vh) {
		fail(op, "dst %q overlaps the cache", d.label)
	}
	for _, c := range []*handle{kh, vh} {
		if c.dt == tensor.KVQ8 && c.headDim != headDim {
			fail(op, "cache %q holds heads of %d values, not %d", c.label, c.headDim, headDim)
		}
	}
	rows, heads, keys := qh.rows, qh.cols/headDim, pos0+qh.rows
	if rows == 0 || b.err != nil {
		return
	}
	parts := b.parts(heads, 2*rows*keys*headDim, minMACs)
	// Scores for the cache's full length, so one scratch serves every call.
	var perJob uint64
	switch kh.dt {
	case tensor.F32, tensor.F16:
		perJob = uint64(kernels.AttentionScratch((heads+parts-1)/parts, kh.rows))
	case tensor.KVQ8:
		perJob = kvq8Scratch(kh.rows, headDim)
	}
	perJob = (perJob + align - 1) &^ (align - 1)
	at, ok := b.reserve(&b.scores, op, uint64(parts)*perJob)
	if !ok {
		return
	}
	kernel := int32(kernels.Attention)
	var flag int32
	switch kh.dt {
	case tensor.F16:
		kernel = kernels.AttentionF16
		if flag, ok = b.f16Flag(op, kh.buf.uploaded || vh.buf.uploaded); !ok {
			return
		}
	case tensor.KVQ8:
		kernel = kernels.AttentionKVQ8
	}
	job := 0
	split(heads, parts, 1, func(lo, hi int) {
		scratch := int32(at) + int32(uint64(job)*perJob)
		if kernel == kernels.AttentionKVQ8 {
			b.job(kernel, d.addr(0), qh.addr(0), kh.addr(0), vh.addr(0), int32(pos0), int32(rows),
				int32(qh.cols), int32(headDim), f32bits(scale), int32(lo), int32(hi), int32(kh.rows), scratch)
		} else if kernel == kernels.AttentionF16 {
			b.job(kernel, d.addr(0), qh.addr(0), kh.addr(0), vh.addr(0), int32(pos0), int32(rows),
				int32(qh.cols), int32(headDim), f32bits(scale), int32(lo), int32(hi), scratch, flag)
		} else {
			b.job(kernel, d.addr(0), qh.addr(0), kh.addr(0), vh.addr(0), int32(pos0), int32(rows),
				int32(qh.cols), int32(headDim), f32bits(scale), int32(lo), int32(hi), scratch)
		}
		job++
	})
	b.submit(op)
}
