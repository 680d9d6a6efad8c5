package cpu

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// Embed sets dst row i to row ids[i] of table, widened exactly (Q8 and Q4
// rows as tensor.DequantizeRow gives them).
func (b *Backend) Embed(dst, table backend.Tensor, ids []int32) {
	const op = "Embed"
	d, th := b.get(op, dst), b.get(op, table)
	backend.CheckEmbed(dst, table, ids)
	for i, id := range ids {
		if th.dt.Quantized() {
			l := th.buf.layout
			tensor.DequantizeRow(d.row(i), th.buf.q, th.dt, l.Rows, l.Cols, th.firstRow()+int(id))
			continue
		}
		s := th.off + int(id)*th.cols
		if th.dt == tensor.F32 {
			copy(d.row(i), th.buf.f32[s:s+th.cols])
		} else {
			widen(d.row(i), th.buf.u16[s:s+th.cols], th.dt)
		}
	}
}
