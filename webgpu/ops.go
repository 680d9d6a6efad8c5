//go:build js && wasm

package webgpu

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// words is the element offset of an F32 or F16 tensor in 32-bit words
// (F32) or halves (F16); kernels index their buffers with it.
func (t *gpuTensor) words() uint32 { return uint32(t.off) }

func f32bits(f float32) uint32 { return math.Float32bits(f) }

// grid spreads n threads in groups of wg over a 2-D grid (each dimension
// at most 65535 workgroups).
func grid(n, wg int) (int, int) {
	groups := max(1, (n+wg-1)/wg)
	if groups <= 65535 {
		return groups, 1
	}
	return 65535, (groups + 65534) / 65535
}

func (b *Backend) Embed(dst, table backend.Tensor, ids []int32) {
	const op = "Embed"
	d, tb := b.get(op, dst), b.getPieces(op, table)
	backend.CheckEmbed(dst, table, ids)
	if len(ids) == 0 {
		return
	}
	k := b.kern.get("embed_" + dtName(tb.dt))
	aux, off := b.rec.ids(ids)
	x, _ := grid(tb.cols, lineWG)
	for _, p := range tb.weightPieces() {
		b.rec.dispatch(k, []uint32{uint32(len(ids)), uint32(tb.cols), uint32(p.rows), uint32(p.row0),
			uint32(off), d.words(), p.kb, p.scales, p.off}, []*buffer{p.buf, aux, d.buf()}, x, len(ids))
	}
}

func (b *Backend) LayerNorm(dst, x, gamma, beta backend.Tensor, eps float32) {
	const op = "LayerNorm"
	d, xt, g, be := b.get(op, dst), b.get(op, x), b.get(op, gamma), b.get(op, beta)
	backend.CheckLayerNorm(dst, x, gamma, beta)
	if xt.rows == 0 {
		return
	}
	k, xb := b.kern.get("layernorm"), xt.buf()
	if xb == d.buf() {
		var err error
		if k, err = b.kern.variant("layernorm", "x_in_dst", map[string]any{"X_IN_DST": 1}); err != nil {
			b.rec.fail(err)
			return
		}
		xb = b.dummies[1]
	}
	b.rec.dispatch(k, []uint32{uint32(xt.cols), xt.words(), d.words(), g.words(), be.words(), f32bits(eps)},
		[]*buffer{xb, g.buf(), be.buf(), d.buf()}, xt.rows, 1)
}

func (b *Backend) MatMul(dst, x, w, bias backend.Tensor) {
	const op = "MatMul"
	d, xt, wt := b.get(op, dst), b.get(op, x), b.getPieces(op, w)
	backend.CheckMatMul(dst, x, w, bias)
	if xt.rows == 0 || wt.rows == 0 {
		return
	}
	biasBuf, biasOff, hasBias := b.dummies[3], uint32(0), uint32(0)
	if bias != nil {
		bt := b.get(op, bias)
		biasBuf, biasOff, hasBias = bt.buf(), bt.words(), 1
	}
	tn := 1
	if xt.rows > 1 {
		tn = matmulTile
	}
	rows := (xt.cols <= rowsMaxK || b.g.info.Fallback) && !b.opts.splitK
	name := fmt.Sprintf("matmul_%s_%d", dtName(wt.dt), tn)
	if rows {
		name += "_rows"
	}
	k := b.kern.get(name)
	rec := matmulRecord{dst: d.region()}
	for _, p := range wt.weightPieces() {
		rec.slots = append(rec.slots, b.rec.slots)
		b.rec.dispatch(k, []uint32{uint32(xt.rows), uint32(xt.cols), uint32(p.rows), hasBias,
			xt.words(), p.off, biasOff, d.words(), uint32(p.row0), uint32(d.cols), p.kb, p.scales, 0},
			[]*buffer{xt.buf(), p.buf, biasBuf, d.buf()}, matmulGroups(p.rows, rows), (xt.rows+tn-1)/tn)
	}
	rec.at = b.rec.dispatches
	b.rec.lastMatMul = rec
}

func (b *Backend) GeluNew(dst, x backend.Tensor) {
	const op = "GeluNew"
	d, xt := b.get(op, dst), b.get(op, x)
	backend.CheckGeluNew(dst, x)
	if b.foldGelu(d, xt) {
		return
	}
	n := xt.rows * xt.cols
	gx, gy := grid(n, lineWG)
	b.elementwise("gelu", []uint32{uint32(n), d.words(), xt.words()}, gx, gy, d.buf(), xt.buf())
}

func (b *Backend) Add(dst, x, y backend.Tensor) {
	const op = "Add"
	d, at, bt := b.get(op, dst), b.get(op, x), b.get(op, y)
	backend.CheckAdd(dst, x, y)
	n := at.rows * at.cols
	gx, gy := grid(n, lineWG)
	b.elementwise("add", []uint32{uint32(n), d.words(), at.words(), bt.words()}, gx, gy, d.buf(), at.buf(), bt.buf())
}

// Add3 is dst = (a + b) + c in one pass.
func (b *Backend) Add3(dst, x, y, z backend.Tensor) {
	const op = "Add3"
	d, at, bt, ct := b.get(op, dst), b.get(op, x), b.get(op, y), b.get(op, z)
	backend.CheckAdd3(dst, x, y, z)
	n := at.rows * at.cols
	gx, gy := grid(n, lineWG)
	b.elementwise("add3", []uint32{uint32(n), d.words(), at.words(), bt.words(), ct.words()}, gx, gy,
		d.buf(), at.buf(), bt.buf(), ct.buf())
}

func (b *Backend) Copy(dst backend.Tensor, dstRow int, src backend.Tensor, srcRow, n int) {
	const op = "Copy"
	d, s := b.get(op, dst), b.get(op, src)
	backend.CheckCopy(dst, dstRow, src, srcRow, n)
	count := n * s.cols
	if count == 0 {
		return
	}
	dOff, sOff := d.off+dstRow*d.cols, s.off+srcRow*s.cols
	if d.dt == tensor.F32 {
		gx, gy := grid(count, lineWG)
		b.elementwise("copy32", []uint32{uint32(count), uint32(dOff), uint32(sOff)}, gx, gy, d.buf(), s.buf())
		return
	}
	fromF32 := uint32(0)
	if s.dt == tensor.F32 {
		fromF32 = 1
	}
	words := (dOff+count-1)/2 - dOff/2 + 1
	gx, gy := grid(words, lineWG)
	b.elementwise("copy16", []uint32{uint32(count), uint32(dOff), uint32(sOff), fromF32}, gx, gy, d.buf(), s.buf())
}

func (b *Backend) Rope(x, table backend.Tensor, pos0, headDim, rotDim int) {
	const op = "Rope"
	xt, tt := b.get(op, x), b.get(op, table)
	backend.CheckRope(x, table, pos0, headDim, rotDim)
	n := xt.rows * (xt.cols / headDim) * (rotDim / 2)
	if n == 0 {
		return
	}
	gx, gy := grid(n, lineWG)
	b.rec.dispatch(b.kern.get("rope"), []uint32{uint32(xt.rows), uint32(xt.cols), uint32(headDim), uint32(rotDim),
		uint32(pos0), xt.words(), tt.words(), uint32(tt.cols)}, []*buffer{xt.buf(), tt.buf()}, gx, gy)
}

func (b *Backend) Attention(dst, q, k, v backend.Tensor, pos0, headDim int, scale float32) {
	const op = "Attention"
	d, qt, kt, vt := b.get(op, dst), b.get(op, q), b.get(op, k), b.get(op, v)
	backend.CheckAttention(dst, q, k, v, pos0, headDim)
	if headDim > 4*attentionWG {
		panic(fmt.Sprintf("webgpu: Attention: head dim %d exceeds %d", headDim, 4*attentionWG))
	}
	if qt.rows == 0 {
		return
	}
	name := "attention_f32"
	if kt.dt == tensor.F16 {
		name = "attention_f16"
	}
	heads, keys := qt.cols/headDim, pos0+1
	splitMin := attnSplitMin
	if b.opts.attnSplitMin > 0 {
		splitMin = b.opts.attnSplitMin
	}
	spans := (keys + attnSpan - 1) / attnSpan
	if b.opts.attnSplitMin > 0 {
		spans = max(2, spans)
	}
	params := []uint32{uint32(qt.rows), uint32(qt.cols), uint32(headDim), uint32(pos0),
		qt.words(), kt.words(), vt.words(), d.words(), f32bits(scale), uint32((keys + spans - 1) / spans), uint32(spans)}
	if qt.rows > 1 || keys <= splitMin {
		b.rec.dispatch(b.kern.get(name), params, []*buffer{qt.buf(), kt.buf(), vt.buf(), d.buf()}, heads, qt.rows)
		return
	}
	part := b.partials(heads * spans * (headDim + 2))
	b.rec.dispatch(b.kern.get(name+"_partial"), params, []*buffer{qt.buf(), kt.buf(), vt.buf(), part}, heads, spans)
	b.rec.dispatch(b.kern.get(name+"_combine"), params, []*buffer{d.buf(), part}, heads, 1)
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

// dtName is the kernel suffix of a dtype.
func dtName(d tensor.DType) string {
	switch d {
	case tensor.F32:
		return "f32"
	case tensor.F16:
		return "f16"
	case tensor.Q8:
		return "q8"
	case tensor.Q4:
		return "q4"
	}
	panic("webgpu: no kernels for " + d.String())
}

// elementwise records a kernel of elementwise.wgsl over dst and up to three
// operands. An operand whose buffer is already bound (dst, or an earlier
// operand) is read through that binding, and its own binding gets a
// placeholder: WebGPU refuses one buffer bound twice as writable storage.
func (b *Backend) elementwise(name string, params []uint32, gx, gy int, dst *buffer, operands ...*buffer) {
	bufs := []*buffer{dst, b.dummies[2], b.dummies[3], b.dummies[4]}
	src := [3]int{2, 3, 4}
	aliased := false
	for i, o := range operands {
		for j := range i + 1 {
			if bufs[j] == o {
				src[i], aliased = j+1, true
				break
			}
		}
		if src[i] == i+2 {
			bufs[i+1] = o
		}
	}
	k := b.kern.get(name)
	if aliased {
		var err error
		k, err = b.kern.variant(name, fmt.Sprintf("a%db%dc%d", src[0], src[1], src[2]),
			map[string]any{"A_SRC": src[0], "B_SRC": src[1], "C_SRC": src[2]})
		if err != nil {
			b.rec.fail(err)
			return
		}
	}
	b.rec.dispatch(k, params, bufs, gx, gy)
}

// matmulAct is the index of the act parameter of the matmul kernels.
const matmulAct = 12

// foldGelu applies an in-place GeluNew in the epilogue of the MatMul that
// just wrote x, when nothing was recorded in between: one dispatch less
// per layer.
func (b *Backend) foldGelu(dst, x *gpuTensor) bool {
	r := &b.rec.lastMatMul
	if r.at == 0 || r.at != b.rec.dispatches || dst.region() != x.region() || x.region() != r.dst {
		return false
	}
	for _, slot := range r.slots {
		b.rec.params[slot*slotWords+matmulAct] = 1
	}
	r.at = 0
	return true
}

// region is the span of values t covers.
func (t *gpuTensor) region() region {
	return region{buf: t.buf(), off: t.off, size: t.rows * t.cols}
}

// matmulGroups is the workgroups that cover m rows of w: one thread per row,
// or a workgroup per 4 rows.
func matmulGroups(m int, rows bool) int {
	if rows {
		return (m + matmulWG - 1) / matmulWG
	}
	return (m + 3) / 4
}
