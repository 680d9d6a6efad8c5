package cpu

import (
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
)

// attentionJob is one Attention call, split across workers by (query row,
// head) pairs.
type attentionJob struct {
	q, k, v, dst []float32
	cols, dh     int
	heads, pos0  int
	scale        float32
	scores       [][]float32 // per worker, sized by the cache rows
}

// Attention computes causal multi-head attention. For query row t and head
// h: s_i = dot(q, k_i)·scale for cache rows i ≤ pos0+t, w = softmax(s) in
// float32 after subtracting max s, and the output is Σ_i w_i·v_i summed in
// order of i. dst may be q; it must not overlap k or v.
func (b *Backend) Attention(dst, q, k, v backend.Tensor, pos0, headDim int, scale float32) {
	const op = "Attention"
	d, qh, kh, vh := b.get(op, dst), b.get(op, q), b.get(op, k), b.get(op, v)
	backend.CheckAttention(dst, q, k, v, pos0, headDim)
	if overlaps(d, kh) || overlaps(d, vh) {
		fail(op, "dst %q overlaps the cache", d.label)
	}
	j := &b.att
	for w := range j.scores {
		if cap(j.scores[w]) < kh.rows {
			j.scores[w] = make([]float32, kh.rows)
		}
	}
	j.q, j.k, j.v, j.dst = qh.f32(), kh.f32(), vh.f32(), d.f32()
	j.cols, j.dh, j.heads, j.pos0, j.scale = qh.cols, headDim, qh.cols/headDim, pos0, scale
	keys := pos0 + qh.rows
	b.pool.parallel(j, qh.rows*j.heads, minMACs/(2*keys*headDim)+1)
	j.q, j.k, j.v, j.dst = nil, nil, nil, nil
}

// run handles the (row, head) pairs numbered [lo, hi), row-major.
func (j *attentionJob) run(worker, lo, hi int) {
	for p := lo; p < hi; p++ {
		t, h := p/j.heads, p%j.heads
		col := t*j.cols + h*j.dh
		j.head(j.scores[worker][:j.pos0+t+1], j.q[col:col+j.dh], j.dst[col:col+j.dh], h*j.dh)
	}
}

// head attends one query head q over the len(s) first cache rows and
// writes the result to out (which may be q).
func (j *attentionJob) head(s, q, out []float32, c0 int) {
	dh := j.dh
	best := float32(math.Inf(-1))
	for i := range s {
		s[i] = dot(j.k[i*j.cols+c0:i*j.cols+c0+dh], q) * j.scale
		best = max(best, s[i])
	}
	var sum float32
	for i, x := range s {
		e := float32(math.Exp(float64(x - best)))
		s[i] = e
		sum += e
	}
	inv := 1 / sum
	clear(out)
	for i, e := range s {
		w := e * inv
		vi := j.v[i*j.cols+c0 : i*j.cols+c0+dh]
		for d := range out {
			out[d] += w * vi[d]
		}
	}
}
