package cpu

import (
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// attentionJob is one Attention call, split across workers by (query row,
// head) pairs. The caches are k and v (F32) or k16 and v16 (F16 bits).
type attentionJob struct {
	q, k, v, dst []float32
	k16, v16     []uint16
	cols, dh     int
	heads, pos0  int
	scale        float32
	scores       [][]float32 // per worker, sized by the cache rows
	wide         [][]float32 // per worker, one F16 cache head widened
}

// Attention computes causal multi-head attention. For query row t and head
// h: s_i = dot(q, k_i)·scale for cache rows i ≤ pos0+t, w = softmax(s) in
// float32 after subtracting max s, and the output is Σ_i w_i·v_i summed in
// order of i. F16 caches are widened exactly first, so they give the
// results of F32 caches holding the same values. dst may be q; it must not
// overlap k or v.
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
		if cap(j.wide[w]) < headDim {
			j.wide[w] = make([]float32, headDim)
		}
	}
	if kh.dt == tensor.F16 {
		j.k16, j.v16 = kh.u16(), vh.u16()
	} else {
		j.k, j.v = kh.f32(), vh.f32()
	}
	j.q, j.dst = qh.f32(), d.f32()
	j.cols, j.dh, j.heads, j.pos0, j.scale = qh.cols, headDim, qh.cols/headDim, pos0, scale
	keys := pos0 + qh.rows
	b.pool.parallel(j, qh.rows*j.heads, minMACs/(2*keys*headDim)+1)
	j.q, j.k, j.v, j.dst, j.k16, j.v16 = nil, nil, nil, nil, nil, nil
}

// run handles the (row, head) pairs numbered [lo, hi), row-major.
func (j *attentionJob) run(worker, lo, hi int) {
	for p := lo; p < hi; p++ {
		t, h := p/j.heads, p%j.heads
		col := t*j.cols + h*j.dh
		j.head(j.scores[worker][:j.pos0+t+1], j.wide[worker][:j.dh], j.q[col:col+j.dh], j.dst[col:col+j.dh], h*j.dh)
	}
}

// head attends one query head q over the len(s) first cache rows and
// writes the result to out (which may be q); wide holds a widened F16 row.
func (j *attentionJob) head(s, wide, q, out []float32, c0 int) {
	best := float32(math.Inf(-1))
	for i := range s {
		s[i] = dot(j.cacheRow(j.k, j.k16, wide, i, c0), q) * j.scale
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
		vi := j.cacheRow(j.v, j.v16, wide, i, c0)
		for d := range out {
			out[d] += w * vi[d]
		}
	}
}

// cacheRow is head values [c0, c0+dh) of cache row i: a slice of the F32
// cache f, or the F16 cache h widened into wide.
func (j *attentionJob) cacheRow(f []float32, h []uint16, wide []float32, i, c0 int) []float32 {
	at := i*j.cols + c0
	if h == nil {
		return f[at : at+j.dh]
	}
	for d, bits := range h[at : at+j.dh] {
		wide[d] = tensor.F16ToF32(bits)
	}
	return wide
}
