package phi2

import "github.com/phi2web/phi2web/runtime/backend"

// forward enqueues one step for the tokens ids at positions s.pos, s.pos+1, …
// It follows the Phi-2 block exactly: one LayerNorm feeds attention and MLP
// in parallel, and both add to the residual stream at once.
func (m *Model) forward(s *Session, x *scratch, ids []int32, allLogits bool) {
	be, c := m.be, m.Config
	eps := float32(c.LayerNormEps)
	scale := attentionScale(c.HeadDim)
	t := len(ids)

	be.Embed(x.h, m.embed, ids)
	for i, l := range m.layers {
		be.LayerNorm(x.u, x.h, l.lnGamma, l.lnBeta, eps)

		// Attention: q, k, v projections, rotary on q and k, cache, attend.
		be.MatMul(x.q, x.u, l.q, l.qBias)
		be.MatMul(x.k, x.u, l.k, l.kBias)
		be.MatMul(x.v, x.u, l.v, l.vBias)
		be.Rope(x.q, m.rope, s.pos, c.HeadDim, c.RotaryDim)
		be.Rope(x.k, m.rope, s.pos, c.HeadDim, c.RotaryDim)
		be.Copy(s.k[i], s.pos, x.k, 0, t)
		be.Copy(s.v[i], s.pos, x.v, 0, t)
		be.Attention(x.att, x.q, s.k[i], s.v[i], s.pos, c.HeadDim, scale)
		be.MatMul(x.attOut, x.att, l.dense, l.denseB)

		// MLP on the same normalized input.
		be.MatMul(x.ffn, x.u, l.fc1, l.fc1Bias)
		be.GeluNew(x.ffn, x.ffn)
		be.MatMul(x.mlpOut, x.ffn, l.fc2, l.fc2Bias)

		// h = (attn + mlp) + h, the reference's order of additions.
		add3(be, x.h, x.attOut, x.mlpOut, x.h)
	}

	h, norm, logits := x.lastH, x.lastNorm, x.lastLogits
	if allLogits {
		h, norm, logits = x.h, x.norm, x.logits
	}
	be.LayerNorm(norm, h, m.finalGamma, m.finalBeta, eps)
	be.MatMul(logits, norm, m.lmWeight, m.lmBias)
}

// add3 is dst = (a + b) + c, fused where the backend offers it. Without
// the fused op, a is overwritten with a + b.
func add3(be backend.Backend, dst, a, b, c backend.Tensor) {
	if f, ok := be.(backend.Add3er); ok {
		f.Add3(dst, a, b, c)
		return
	}
	be.Add(a, a, b)
	be.Add(dst, a, c)
}
