package webgpu

import "github.com/phi2web/phi2web/runtime/backend"

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
