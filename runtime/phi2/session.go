package phi2

import (
	"errors"
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// ErrContextFull is returned when tokens would go past the session's
// context; the session is unchanged.
var ErrContextFull = errors.New("context full")

// Session is one sequence being computed: its KV cache and scratch tensors.
// Nothing is allocated per token once a batch size has been seen.
type Session struct {
	m      *Model
	pos    int              // tokens already in the cache
	k, v   []backend.Tensor // per layer [MaxContext, hidden]
	store  scratch          // full-size tensors [MaxBatch, …]
	views  map[int]*scratch // the same, cut to a batch size
	last   int              // rows of the last forward
	closed bool
}

// scratch holds the activations of one forward step.
type scratch struct {
	h, u, q, k, v, att, attOut, mlpOut, ffn backend.Tensor // [T, hidden] except ffn [T, intermediate]
	norm, logits                            backend.Tensor // [T, hidden], [T, vocab]
	lastH, lastNorm, lastLogits             backend.Tensor // row T−1 of h, norm, logits
}

// NewSession allocates a KV cache for m.MaxContext() positions, of the
// dtype Options.KVCache.
func (m *Model) NewSession() (*Session, error) {
	c, b := m.Config, m.opts.MaxBatch
	s := &Session{m: m, views: map[int]*scratch{}}
	var err error
	allocType := func(label string, dt tensor.DType, rows, cols int) backend.Tensor {
		if err != nil {
			return nil
		}
		var t backend.Tensor
		t, err = m.be.Alloc(label, dt, rows, cols)
		return t
	}
	alloc := func(label string, rows, cols int) backend.Tensor { return allocType(label, tensor.F32, rows, cols) }
	kv := m.opts.KVCache
	allocCache := func(label string) backend.Tensor {
		if err != nil {
			return nil
		}
		var t backend.Tensor
		heads := c.HiddenSize / c.HeadDim
		if kva, ok := m.be.(backend.KVAllocator); ok {
			t, err = kva.AllocKV(label, kv, m.opts.MaxContext, heads, c.HeadDim)
		} else {
			t, err = m.be.Alloc(label, kv, m.opts.MaxContext, c.HiddenSize)
		}
		return t
	}
	for l := 0; l < c.NumLayers; l++ {
		s.k = append(s.k, allocCache(fmt.Sprintf("kcache.%d", l)))
		s.v = append(s.v, allocCache(fmt.Sprintf("vcache.%d", l)))
	}
	if err != nil {
		mib := float64(2*int64(c.NumLayers)*cacheBytes(kv, m.opts.MaxContext, c.HiddenSize/c.HeadDim, c.HeadDim)) / (1 << 20)
		err = fmt.Errorf("%s KV cache for %d positions (%.0f MiB): %w (a shorter maximum context or a smaller cache type needs less)", kv, m.opts.MaxContext, mib, err)
	}
	d := c.HiddenSize
	s.store = scratch{
		h: alloc("h", b, d), u: alloc("u", b, d), q: alloc("q", b, d), k: alloc("k", b, d),
		v: alloc("v", b, d), att: alloc("att", b, d), attOut: alloc("attn_out", b, d),
		mlpOut: alloc("mlp_out", b, d), ffn: alloc("ffn", b, c.IntermediateSize),
		norm: alloc("final_norm", b, d), logits: alloc("logits", b, c.VocabSize),
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Pos is the number of tokens in the cache.
func (s *Session) Pos() int { return s.pos }

// Reset empties the cache (its memory is kept).
func (s *Session) Reset() { s.pos, s.last = 0, 0 }

// Truncate keeps the first n cached tokens, so a caller can rewind.
func (s *Session) Truncate(n int) {
	if n >= 0 && n < s.pos {
		s.pos, s.last = n, 0
	}
}

// Feed runs the model on ids at the next positions. Afterwards Logits and
// Argmax read the prediction after the last id.
func (s *Session) Feed(ids []int32) error { return s.feed(ids, nil) }

// FeedAll is Feed that also writes the logits of every position of ids into
// dst (len(ids)·vocab values, row-major).
func (s *Session) FeedAll(ids []int32, dst []float32) error {
	if len(dst) != len(ids)*s.m.Config.VocabSize {
		return fmt.Errorf("logits buffer holds %d values, want %d", len(dst), len(ids)*s.m.Config.VocabSize)
	}
	return s.feed(ids, dst)
}

func (s *Session) feed(ids []int32, all []float32) error {
	if err := s.check(ids); err != nil {
		return err
	}
	vocab := s.m.Config.VocabSize
	for start := 0; start < len(ids); start += s.m.opts.MaxBatch {
		chunk := ids[start:min(len(ids), start+s.m.opts.MaxBatch)]
		sc := s.scratch(len(chunk))
		s.m.forward(s, sc, chunk, all != nil)
		s.pos += len(chunk)
		s.last = len(chunk)
		if all != nil {
			if err := s.m.be.Read(sc.logits, all[start*vocab:(start+len(chunk))*vocab]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Session) check(ids []int32) error {
	if s.closed {
		return errors.New("session is closed")
	}
	if len(ids) == 0 {
		return errors.New("no tokens to feed")
	}
	for i, id := range ids {
		if id < 0 || int(id) >= s.m.Config.VocabSize {
			return fmt.Errorf("token id %d at index %d is outside the vocabulary [0, %d)", id, i, s.m.Config.VocabSize)
		}
	}
	if s.pos+len(ids) > s.m.opts.MaxContext {
		return fmt.Errorf("%w: %d tokens after %d cached exceed the context of %d tokens", ErrContextFull, len(ids), s.pos, s.m.opts.MaxContext)
	}
	return nil
}

// Logits copies the prediction after the last fed token into dst (vocab values).
func (s *Session) Logits(dst []float32) error {
	if s.last == 0 {
		return errors.New("no prediction: feed tokens first")
	}
	return s.m.be.Read(s.views[s.last].lastLogits, dst)
}

// Argmax is the most likely next token (lowest id on ties), read back
// without the logits.
func (s *Session) Argmax() (int32, error) {
	if s.last == 0 {
		return 0, errors.New("no prediction: feed tokens first")
	}
	id, err := s.m.be.Argmax(s.views[s.last].lastLogits, 0)
	return int32(id), err
}

// scratch returns the scratch tensors cut to t rows, made once per size.
func (s *Session) scratch(t int) *scratch {
	if sc, ok := s.views[t]; ok {
		return sc
	}
	be, f := s.m.be, s.store
	cut := func(x backend.Tensor) backend.Tensor { return be.View(x, 0, t) }
	sc := &scratch{
		h: cut(f.h), u: cut(f.u), q: cut(f.q), k: cut(f.k), v: cut(f.v), att: cut(f.att),
		attOut: cut(f.attOut), mlpOut: cut(f.mlpOut), ffn: cut(f.ffn), norm: cut(f.norm), logits: cut(f.logits),
	}
	sc.lastH, sc.lastNorm, sc.lastLogits = be.View(f.h, t-1, 1), be.View(f.norm, t-1, 1), be.View(f.logits, t-1, 1)
	s.views[t] = sc
	return sc
}

// Close frees the cache and scratch tensors.
func (s *Session) Close() {
	if s.closed {
		return
	}
	s.closed = true
	f := s.store
	for _, t := range append(append(s.k, s.v...), f.h, f.u, f.q, f.k, f.v, f.att, f.attOut, f.mlpOut, f.ffn, f.norm, f.logits) {
		if t != nil {
			s.m.be.Free(t)
		}
	}
}

// attentionScale is 1/sqrt(headDim) rounded to float32.
func attentionScale(headDim int) float32 { return float32(1 / math.Sqrt(float64(headDim))) }

// Model is the model this session runs.
func (s *Session) Model() *Model { return s.m }

// Advance moves the session n positions forward without computing them,
// filling their cache rows with copies of the keys and values of the last
// step's rows (the whole scratch, zeros in a new session). A decode step
// costs what it costs after a real prefill of as many tokens, so
// benchmarks use it to time long contexts without their prefill: the rows
// are written, so attention reads as much distinct memory as it would (a
// cache never written can be one shared page of zeros, always in cache).
// Its predictions are meaningless until tokens are fed.
func (s *Session) Advance(n int) error {
	if n < 0 || s.pos+n > s.m.opts.MaxContext {
		return fmt.Errorf("%w: cannot advance %d positions from %d in a context of %d", ErrContextFull, n, s.pos, s.m.opts.MaxContext)
	}
	be, b := s.m.be, s.store.k.Rows()
	for l := range s.k {
		for p := s.pos; p < s.pos+n; p += b {
			rows := min(b, s.pos+n-p)
			be.Copy(s.k[l], p, s.store.k, 0, rows)
			be.Copy(s.v[l], p, s.store.v, 0, rows)
		}
	}
	s.pos += n
	s.last = 0
	return nil
}

// cacheBytes is the memory of one layer's keys (or values) in a cache of dt.
func cacheBytes(dt tensor.DType, positions, heads, headDim int) int64 {
	if dt == tensor.KVQ8 {
		values, scales := tensor.KVQ8Bytes(positions, heads, headDim)
		return values + scales
	}
	return int64(positions) * int64(heads*headDim) * int64(dt.Size())
}
