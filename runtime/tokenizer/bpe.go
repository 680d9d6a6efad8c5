package tokenizer

// bpe appends the ids of one pre-token to dst. It starts from one symbol per
// byte and repeatedly joins the adjacent pair with the lowest merge rank,
// leftmost first, until no adjacent pair has a rank.
//
// Symbols live in a linked list indexed by their first byte's position, and
// candidate pairs in a min-heap ordered by (rank, position), so a word of n
// bytes costs O(n log n). A heap entry may be stale (its symbols were merged
// since); it is checked against the merge table when popped. A merge creates
// an id above every id it consumes, so ranks pop in increasing order and the
// result equals the textbook loop that rescans the word after each merge.
func (v *vocabulary) bpe(dst []int32, word string, w *bpeWork) []int32 {
	n := int32(len(word))
	if n == 1 {
		return append(dst, v.byteID[word[0]])
	}
	w.reset(int(n))
	sym, next, prev := w.sym, w.next, w.prev
	for i := range n {
		sym[i] = v.byteID[word[i]]
		next[i] = i + 1
		prev[i] = i - 1
	}
	for i := range n - 1 {
		w.pushPair(v, i)
	}
	for len(w.heap) > 0 {
		top := w.heap.pop()
		r, i := int32(top>>32), int32(uint32(top))
		j := next[i]
		if sym[i] < 0 || j >= n {
			continue
		}
		if m := v.merges[r]; sym[i] != int32(m[0]) || sym[j] != int32(m[1]) {
			continue // stale: one of the two symbols has been merged since
		}
		sym[i], sym[j] = 256+r, -1
		next[i] = next[j]
		if next[i] < n {
			prev[next[i]] = i
		}
		if prev[i] >= 0 {
			w.pushPair(v, prev[i])
		}
		w.pushPair(v, i)
	}
	for i := int32(0); i < n; i = next[i] {
		dst = append(dst, sym[i])
	}
	return dst
}

// bpeWork is scratch space for bpe, reused across the words of one Encode.
type bpeWork struct {
	sym  []int32 // symbol starting at byte i; -1 once absorbed
	next []int32 // position of the following symbol, len(word) at the end
	prev []int32 // position of the preceding symbol, -1 at the start
	heap pairHeap
}

func (w *bpeWork) reset(n int) {
	if cap(w.sym) < n {
		w.sym, w.next, w.prev = make([]int32, n), make([]int32, n), make([]int32, n)
	}
	w.sym, w.next, w.prev = w.sym[:n], w.next[:n], w.prev[:n]
	w.heap = w.heap[:0]
}

// pushPair queues the pair that starts at position i, if it has a rank.
func (w *bpeWork) pushPair(v *vocabulary, i int32) {
	j := w.next[i]
	if j >= int32(len(w.sym)) {
		return
	}
	if r := v.pairs.rank(w.sym[i], w.sym[j]); r >= 0 {
		w.heap.push(uint64(r)<<32 | uint64(i))
	}
}

// pairHeap is a binary min-heap of rank<<32 | position keys.
type pairHeap []uint64

func (h *pairHeap) push(x uint64) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if s[parent] <= x {
			break
		}
		s[i], s[parent] = s[parent], x
		i = parent
	}
}

func (h *pairHeap) pop() uint64 {
	s := *h
	top, last := s[0], s[len(s)-1]
	s = s[:len(s)-1]
	*h = s
	if len(s) == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= len(s) {
			break
		}
		if c+1 < len(s) && s[c+1] < s[c] {
			c++
		}
		if last <= s[c] {
			break
		}
		s[i] = s[c]
		i = c
	}
	s[i] = last
	return top
}
