package sample

import "sort"

// better reports whether id a ranks before id b: higher logit first, lower id
// on ties. This total order makes every selection and sort deterministic.
func better(l []float32, a, b int32) bool {
	return l[a] > l[b] || (l[a] == l[b] && a < b)
}

// byKey sorts ids by [better]; it lives in the Sampler so sorting does not
// allocate.
type byKey struct {
	l   []float32
	ids []int32
}

func (k *byKey) Len() int           { return len(k.ids) }
func (k *byKey) Less(i, j int) bool { return better(k.l, k.ids[i], k.ids[j]) }
func (k *byKey) Swap(i, j int)      { k.ids[i], k.ids[j] = k.ids[j], k.ids[i] }

func (s *Sampler) sortByKey(l []float32, ids []int32) {
	s.order = byKey{l, ids}
	sort.Sort(&s.order)
	s.order = byKey{}
}

// topK returns the k best ids, best first, using a heap of size k whose root
// is the worst id kept: O(n log k) and usually one comparison per id.
func (s *Sampler) topK(l []float32, k int) []int32 {
	h := s.ids[:k]
	for i := range h {
		h[i] = int32(i)
	}
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(l, h, i)
	}
	for i := k; i < len(l); i++ {
		// Every id in the heap is lower than i, so a tie never lets i in.
		if l[i] > l[h[0]] {
			h[0] = int32(i)
			siftDown(l, h, 0)
		}
	}
	s.sortByKey(l, h)
	return h
}

// siftDown restores the heap property (each parent ranks below its
// children) for the subtree rooted at i.
func siftDown(l []float32, h []int32, i int) {
	for {
		worst, c := i, 2*i+1
		if c < len(h) && better(l, h[worst], h[c]) {
			worst = c
		}
		if c+1 < len(h) && better(l, h[worst], h[c+1]) {
			worst = c + 1
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// weigh returns the unnormalized probability exp((logit − max) / T) of each
// id, in the order of ids.
func (s *Sampler) weigh(l []float32, ids []int32, lmax float64) []float64 {
	w := s.cw[:len(ids)]
	for j, id := range ids {
		w[j] = expNeg((float64(l[id]) - lmax) / s.set.temp)
	}
	return w
}

// nucleus applies top-p over the whole vocabulary. The total weight z is
// summed in id order; the nucleus is the shortest best-first prefix whose
// weight reaches p·z.
func (s *Sampler) nucleus(l []float32, lmax float64) ([]int32, []float64) {
	n := len(l)
	all := s.weights[:n]
	z := 0.0
	for i, v := range l {
		all[i] = expNeg((float64(v) - lmax) / s.set.temp)
		z += all[i]
	}
	target := s.set.topP * z
	// Ids weighing less than tau sum to less than n·tau = (1−p)·z, so the ids
	// at or above tau (a best-first prefix) already reach p·z: only they need
	// sorting. Rounding can leave them a hair short; then sort everything.
	tau := (1 - s.set.topP) * z / float64(n)
	ids := s.ids[:0]
	for i, x := range all {
		if x >= tau {
			ids = append(ids, int32(i))
		}
	}
	m, ok := s.sortedPrefix(l, ids, all, target)
	if !ok && len(ids) < n {
		ids = s.ids[:n]
		for i := range ids {
			ids[i] = int32(i)
		}
		m, _ = s.sortedPrefix(l, ids, all, target)
	}
	ids = ids[:m]
	w := s.cw[:m]
	for j, id := range ids {
		w[j] = all[id]
	}
	return ids, w
}

// sortedPrefix sorts ids best first and returns the length of the shortest
// prefix whose weight reaches target, or len(ids) and false if none does.
func (s *Sampler) sortedPrefix(l []float32, ids []int32, all []float64, target float64) (int, bool) {
	s.sortByKey(l, ids)
	cum := 0.0
	for j, id := range ids {
		cum += all[id]
		if cum >= target {
			return j + 1, true
		}
	}
	return len(ids), false
}

// nucleusLen returns the length of the shortest prefix of w whose sum
// reaches target, at least 1 and at most len(w).
func nucleusLen(w []float64, target float64) int {
	cum := 0.0
	for j, x := range w {
		cum += x
		if cum >= target {
			return j + 1
		}
	}
	return len(w)
}

// keepMinP keeps, in order, the candidates whose weight is at least minP.
// Weights are relative to the most likely token, whose weight is exactly 1,
// so this is p ≥ minP·p_max and always keeps that token.
func keepMinP(ids []int32, w []float64, minP float64) ([]int32, []float64) {
	m := 0
	for j, x := range w {
		if x >= minP {
			ids[m], w[m] = ids[j], x
			m++
		}
	}
	return ids[:m], w[:m]
}

// draw picks ids[j] with probability w[j]/Σw, walking the cumulative sum in
// candidate order until it passes u·Σw.
func draw(ids []int32, w []float64, u float64) int32 {
	target := u * sum(w)
	cum, last := 0.0, 0
	for j, x := range w {
		if x <= 0 {
			continue
		}
		cum += x
		last = j
		if cum > target {
			return ids[j]
		}
	}
	return ids[last] // u·Σw rounded up to Σw
}

func sum(w []float64) float64 {
	t := 0.0
	for _, x := range w {
		t += x
	}
	return t
}
