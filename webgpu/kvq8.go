package webgpu

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

var _ backend.KVAllocator = (*Backend)(nil)

// maxGroups is the most workgroups a dispatch may have in one dimension.
const maxGroups = 65535

// kvq8 describes a KVQ8 cache: the heads its columns stand for and the
// word of its buffer where the scales start.
type kvq8 struct {
	heads, headDim int
	scalesAt       int
}

// AllocKV makes a zeroed KV cache: F32 and F16 as Alloc does; KVQ8 as one
// buffer holding the int8 values and then the f32 scales, each laid out as
// runtime/tensor/kvq8.go says. (One buffer, not two: a kernel over two
// caches, q and its output would otherwise need six storage bindings, and
// a device need offer only four.) The kernels take a head's values whole
// words at a time, so headDim must be a multiple of 4.
func (b *Backend) AllocKV(label string, dt tensor.DType, positions, heads, headDim int) (backend.Tensor, error) {
	if dt != tensor.KVQ8 {
		return b.Alloc(label, dt, positions, heads*headDim)
	}
	if b.closed {
		return nil, ErrClosed
	}
	if positions <= 0 || heads <= 0 || headDim <= 0 || headDim%4 != 0 || headDim > 4*attentionWG {
		return nil, fmt.Errorf("webgpu: AllocKV %s: %d positions of %d heads of %d values; want positive counts and a head dim that is a multiple of 4 up to %d", label, positions, heads, headDim, 4*attentionWG)
	}
	values, scales := tensor.KVQ8Bytes(positions, heads, headDim)
	if limit := b.d.limit("maxStorageBufferBindingSize"); float64(values+scales) > limit {
		return nil, fmt.Errorf("webgpu: AllocKV %s: %d bytes exceed this device's storage binding limit (%.0f); use fewer positions", label, values+scales, limit)
	}
	buf, err := b.newBuffer(label, int(values+scales), false)
	if err != nil {
		return nil, err
	}
	return &gpuTensor{owner: b, label: label, dt: tensor.KVQ8, rows: positions, cols: heads * headDim,
		pieces: []piece{{buf: buf, rows: positions, total: positions}},
		kv:     &kvq8{heads: heads, headDim: headDim, scalesAt: int(values / 4)}}, nil
}

// copyKVQ8 quantizes rows [srcRow, srcRow+n) of the F32 tensor s into
// positions dstRow… of the KVQ8 cache d, bit for bit as
// tensor.QuantizeKVQ8 (see copy_kvq8.wgsl). Copy has checked the shapes.
func (b *Backend) copyKVQ8(d *gpuTensor, dstRow int, s *gpuTensor, srcRow, n int) {
	if n == 0 {
		return
	}
	for r := 0; r < n; r += maxGroups { // a workgroup per row and head
		rows := min(n-r, maxGroups)
		params := []uint32{uint32(rows), uint32(s.cols), uint32(d.kv.headDim), uint32(d.rows),
			uint32(s.off + (srcRow+r)*s.cols), uint32(dstRow + r), uint32(d.kv.scalesAt)}
		b.rec.dispatch(b.kern.get("copy_kvq8"), params, []*buffer{d.buf(), s.buf()}, d.kv.heads, rows)
	}
}

// attentionKVQ8 is Attention over KVQ8 caches (attention_q8.wgsl): what
// the F32 kernel computes over the dequantized caches, the roundings
// ordered differently (the test states the tolerance). Attention has
// checked the shapes; the caches' own head size must be headDim.
func (b *Backend) attentionKVQ8(d, qt, kt, vt *gpuTensor, pos0, headDim int, scale float32) {
	for _, c := range []*gpuTensor{kt, vt} {
		if c.kv.headDim != headDim {
			backend.Fail("Attention", "cache %q holds heads of %d values, not %d", c.label, c.kv.headDim, headDim)
		}
	}
	if qt.rows == 0 {
		return
	}
	heads, keys := qt.cols/headDim, pos0+1
	split, spans := b.attnSplit(qt.rows, keys)
	params := []uint32{uint32(qt.rows), uint32(qt.cols), uint32(headDim), uint32(pos0),
		qt.words(), uint32(kt.rows), uint32(kt.kv.scalesAt), d.words(), f32bits(scale), uint32((keys + spans - 1) / spans), uint32(spans)}
	if !split {
		b.rec.dispatch(b.kern.get("attention_q8"), params, []*buffer{qt.buf(), kt.buf(), vt.buf(), d.buf()}, heads, qt.rows)
		return
	}
	part := b.partials(heads * spans * (headDim + 2))
	b.rec.dispatch(b.kern.get("attention_q8_partial"), params, []*buffer{qt.buf(), kt.buf(), vt.buf(), part}, heads, spans)
	b.rec.dispatch(b.kern.get("attention_f32_combine"), params, []*buffer{d.buf(), part}, heads, 1)
}
