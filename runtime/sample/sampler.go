package sample

import "math"

// Sampler chooses token ids. It keeps its random stream and scratch buffers
// between calls, so it is not safe for concurrent use; make one per
// generation.
type Sampler struct {
	seed uint64
	set  settings
	rng  splitmix64

	logits  []float32 // working copy of the caller's logits
	weights []float64 // per-id weights, for top-p over the whole vocabulary
	ids     []int32   // candidate ids
	cw      []float64 // candidate weights, parallel to ids
	seen    []uint32  // generation stamp per id: penalize each id once
	stamp   uint32
	order   byKey
}

// New returns a sampler for o. Options should pass [Options.Validate] first;
// out-of-range values turn their filter off rather than panic.
func New(o Options) *Sampler {
	return &Sampler{seed: o.Seed, set: settle(o), rng: splitmix64{o.Seed}}
}

// Reset restarts the random stream from the seed, so the next Sample calls
// repeat the draws of a fresh sampler.
func (s *Sampler) Reset() { s.rng = splitmix64{s.seed} }

// Greedy reports whether Sample reduces to the argmax of the raw logits
// (temperature 0 and no repetition penalty), so the caller may compute the
// argmax elsewhere and skip reading the logits.
func (s *Sampler) Greedy() bool { return s.set.temp == 0 && s.set.penalty == 0 }

// Sample returns the next token id for logits, the scores of the last
// position over the whole vocabulary. history holds the ids seen so far, for
// the repetition penalty; ids outside the vocabulary are ignored. Neither
// slice is modified. NaN logits count as −∞ and +∞ as the largest float32.
// Each non-greedy call consumes exactly one random number.
//
// It panics if logits is empty. After the first call with a given vocabulary
// size it does not allocate.
func (s *Sampler) Sample(logits []float32, history []int32) int32 {
	n := len(logits)
	if n == 0 {
		panic("sample: Sample called with empty logits")
	}
	s.reserve(n)
	l := s.logits[:n]
	copySanitized(l, logits)
	if s.set.penalty != 0 {
		s.penalize(l, history)
	}
	best := argmax(l)
	if s.set.temp == 0 {
		return int32(best)
	}
	u := s.rng.float64()
	lmax := float64(l[best])
	if math.IsInf(lmax, -1) { // nothing has any probability
		return int32(best)
	}

	var ids []int32
	var w []float64
	switch {
	case s.set.topK > 0 && s.set.topK < n:
		ids = s.topK(l, s.set.topK)
		w = s.weigh(l, ids, lmax)
		if s.set.topP != 0 {
			m := nucleusLen(w, s.set.topP*sum(w))
			ids, w = ids[:m], w[:m]
		}
	case s.set.topP != 0:
		ids, w = s.nucleus(l, lmax)
	default:
		ids = s.ids[:n]
		for i := range ids {
			ids[i] = int32(i)
		}
		w = s.weigh(l, ids, lmax)
	}
	if s.set.minP != 0 {
		ids, w = keepMinP(ids, w, s.set.minP)
	}
	return draw(ids, w, u)
}

// reserve sizes the scratch buffers for a vocabulary of n.
func (s *Sampler) reserve(n int) {
	if len(s.logits) >= n {
		return
	}
	s.logits = make([]float32, n)
	s.weights = make([]float64, n)
	s.ids = make([]int32, n)
	s.cw = make([]float64, n)
	s.seen = make([]uint32, n)
	s.stamp = 0
}

// copySanitized copies src to dst with NaN as −∞ and +∞ as the largest
// float32, so that every later comparison is a total order and every
// difference of logits is a number.
func copySanitized(dst, src []float32) {
	for i, v := range src {
		switch {
		case v != v:
			v = float32(math.Inf(-1))
		case v > math.MaxFloat32:
			v = math.MaxFloat32
		}
		dst[i] = v
	}
}

// penalize applies the repetition penalty once to each distinct id in the
// window of history.
func (s *Sampler) penalize(l []float32, history []int32) {
	if w := s.set.window; w > 0 && w < len(history) {
		history = history[len(history)-w:]
	}
	s.stamp++
	if s.stamp == 0 { // wrapped: old stamps could collide
		clear(s.seen)
		s.stamp = 1
	}
	p := s.set.penalty
	for _, id := range history {
		if id < 0 || int(id) >= len(l) || s.seen[id] == s.stamp {
			continue
		}
		s.seen[id] = s.stamp
		v := l[id]
		if v > 0 {
			v /= p
		} else {
			v *= p
		}
		if v > math.MaxFloat32 { // a penalty below 1 can overflow
			v = math.MaxFloat32
		}
		l[id] = v
	}
}

// argmax returns the index of the largest value, the lowest one on ties.
func argmax(l []float32) int {
	best := 0
	for i, v := range l {
		if v > l[best] {
			best = i
		}
	}
	return best
}
