package webgpu

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
)

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
	rows := (xt.cols <= rowsMaxK || b.info.Fallback) && !b.opts.splitK
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
