package cpu

import (
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// attentionJob is one Attention call, split across workers by (query row,
// head) pairs.
type attentionJob struct {
	q, dst      []float32
	k, v        cache
	cols, dh    int
	heads, pos0 int
	scale       float32
	scores      [][]float32 // per worker, sized by the cache rows
	wide        [][]float32 // per worker, one F16 or KVQ8 cache head widened
}

// cache is an Attention cache: F32 values, F16 bits or a KVQ8 cache.
type cache struct {
	f32 []float32
	f16 []uint16
	q8  *kvq8
}

func cacheOf(h *handle) cache {
	switch h.dt {
	case tensor.F16:
		return cache{f16: h.u16()}
	case tensor.KVQ8:
		return cache{q8: h.buf.kv}
	}
	return cache{f32: h.f32()}
}

// Attention computes causal multi-head attention. For query row t and head
// h: s_i = dot(q, k_i)·scale for cache rows i ≤ pos0+t, w = softmax(s) in
// float32 after subtracting max s, and the output is Σ_i w_i·v_i summed in
// order of i. F16 caches are widened exactly first and KVQ8 caches
// dequantized (tensor.DequantizeKVQ8), so they give the results of F32
// caches holding the values they stand for. dst may be q; it must not
// overlap k or v.
func (b *Backend) Attention(dst, q, k, v backend.Tensor, pos0, headDim int, scale float32) {
	const op = "Attention"
	d, qh, kh, vh := b.get(op, dst), b.get(op, q), b.get(op, k), b.get(op, v)
	backend.CheckAttention(dst, q, k, v, pos0, headDim)
	if overlaps(d, kh) || overlaps(d, vh) {
		fail(op, "dst %q overlaps the cache", d.label)
	}
	for _, h := range []*handle{kh, vh} {
		if c := h.buf.kv; c != nil && c.headDim != headDim {
			fail(op, "cache %q holds heads of %d values, not %d", h.label, c.headDim, headDim)
		}
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
	j.k, j.v = cacheOf(kh), cacheOf(vh)
	j.q, j.dst = qh.f32(), d.f32()
	j.cols, j.dh, j.heads, j.pos0, j.scale = qh.cols, headDim, qh.cols/headDim, pos0, scale
	keys := pos0 + qh.rows
	b.pool.parallel(j, qh.rows*j.heads, minMACs/(2*keys*headDim)+1)
	j.q, j.dst, j.k, j.v = nil, nil, cache{}, cache{}
}

// run handles the (row, head) pairs numbered [lo, hi), row-major.
func (j *attentionJob) run(worker, lo, hi int) {
	for p := lo; p < hi; p++ {
		t, h := p/j.heads, p%j.heads
		col := t*j.cols + h*j.dh
		j.head(j.scores[worker][:j.pos0+t+1], j.wide[worker][:j.dh], j.q[col:col+j.dh], j.dst[col:col+j.dh], h)
	}
}

// head attends one query head q over the len(s) first cache rows and
// writes the result to out (which may be q); wide holds a widened row.
func (j *attentionJob) head(s, wide, q, out []float32, h int) {
	best := float32(math.Inf(-1))
	for i := range s {
		s[i] = dot(j.cacheRow(j.k, wide, i, h), q) * j.scale
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
		vi := j.cacheRow(j.v, wide, i, h)
		for d := range out {
			out[d] += w * vi[d]
		}
	}
}

// cacheRow is head h's values in cache row i: a slice of an F32 cache, or
// the values of an F16 or KVQ8 cache widened into wide.
func (j *attentionJob) cacheRow(c cache, wide []float32, i, h int) []float32 {
	if c.q8 != nil {
		return c.q8.row(wide, h, i)
	}
	at := i*j.cols + h*j.dh
	if c.f16 == nil {
		return c.f32[at : at+j.dh]
	}
	for d, bits := range c.f16[at : at+j.dh] {
		wide[d] = tensor.F16ToF32(bits)
	}
	return wide
}
