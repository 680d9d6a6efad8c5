package webgpu

import "github.com/phi2web/phi2web/runtime/backend"

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
