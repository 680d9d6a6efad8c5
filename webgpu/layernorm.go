package webgpu

import "github.com/phi2web/phi2web/runtime/backend"

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
