package webgpu

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

func (b *Backend) Attention(dst, q, k, v backend.Tensor, pos0, headDim int, scale float32) {
	const op = "Attention"
	d, qt, kt, vt := b.get(op, dst), b.get(op, q), b.get(op, k), b.get(op, v)
	if headDim > 4*attentionWG {
		panic(fmt.Sprintf("webgpu: Attention: head dim %d exceeds %d", headDim, 4*attentionWG))
	}
	backend.CheckAttention(dst, q, k, v, pos0, headDim)
	if kt.dt == tensor.KVQ8 {
		b.attentionKVQ8(d, qt, kt, vt, pos0, headDim, scale)
		return
	}
	if qt.rows == 0 {
		return
	}
	name := "attention_f32"
	if kt.dt == tensor.F16 {
		name = "attention_f16"
	}
	heads, keys := qt.cols/headDim, pos0+1
	split, spans := b.attnSplit(qt.rows, keys)
	params := []uint32{uint32(qt.rows), uint32(qt.cols), uint32(headDim), uint32(pos0),
		qt.words(), kt.words(), vt.words(), d.words(), f32bits(scale), uint32((keys + spans - 1) / spans), uint32(spans)}
	if !split {
		b.rec.dispatch(b.kern.get(name), params, []*buffer{qt.buf(), kt.buf(), vt.buf(), d.buf()}, heads, qt.rows)
		return
	}
	part := b.partials(heads * spans * (headDim + 2))
	b.rec.dispatch(b.kern.get(name+"_partial"), params, []*buffer{qt.buf(), kt.buf(), vt.buf(), part}, heads, spans)
	b.rec.dispatch(b.kern.get(name+"_combine"), params, []*buffer{d.buf(), part}, heads, 1)
}

// attnSplit says whether attention of rows queries over keys keys is split
// over the keys (a decode step over a long cache), and in how many spans.
func (b *Backend) attnSplit(rows, keys int) (split bool, spans int) {
	splitMin := attnSplitMin
	if b.opts.attnSplitMin > 0 {
		splitMin = b.opts.attnSplitMin
	}
	spans = (keys + attnSpan - 1) / attnSpan
	if b.opts.attnSplitMin > 0 {
		spans = max(2, spans)
	}
	return rows == 1 && keys > splitMin, spans
}

// partials is the scratch of split attention, n floats at least.
func (b *Backend) partials(n int) *buffer {
	if b.part == nil || b.part.size < 4*n {
		buf, err := b.newBuffer("attention partials", 4*n, false)
		if err != nil {
			b.rec.fail(err)
			return b.dummies[4]
		}
		if b.part != nil {
			b.release(b.part)
		}
		b.part = buf
	}
	return b.part
}
