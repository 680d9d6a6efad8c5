package sample

import (
	"math"
	"slices"
	"testing"
)

// refRanking sorts every id by the documented key: logit descending, id
// ascending.
func refRanking(l []float32) []int32 {
	ids := make([]int32, len(l))
	for i := range ids {
		ids[i] = int32(i)
	}
	slices.SortFunc(ids, func(a, b int32) int {
		switch {
		case l[a] > l[b]:
			return -1
		case l[a] < l[b]:
			return 1
		}
		return int(a - b)
	})
	return ids
}

// coarseLogits has many ties: values on a grid of 0.25.
func coarseLogits(n int, seed uint64) []float32 {
	l := randomLogits(n, seed, 4)
	for i := range l {
		l[i] = float32(math.Round(float64(l[i])*4) / 4)
	}
	return l
}

func TestTopKMatchesFullSort(t *testing.T) {
	for _, n := range []int{2, 7, 300, 51200} {
		for _, l := range [][]float32{randomLogits(n, uint64(n), 5), coarseLogits(n, uint64(n)+1)} {
			ref := refRanking(l)
			s := New(Options{})
			s.reserve(n)
			for _, k := range []int{1, 2, 5, 40, n - 1} {
				if k < 1 || k > n {
					continue
				}
				if got := s.topK(l, k); !slices.Equal(got, ref[:k]) {
					t.Fatalf("n %d, k %d: top-k %v, want %v", n, k, got[:min(k, 10)], ref[:min(k, 10)])
				}
			}
		}
	}
}

// The thresholded nucleus must equal the plain one: sort everything, sum the
// weights in id order, keep the shortest prefix reaching p of the total.
func TestNucleusMatchesFullSort(t *testing.T) {
	inputs := [][]float32{
		randomLogits(51200, 21, 20),  // peaked: a short nucleus
		randomLogits(51200, 22, 0.5), // flat: nearly everything
		coarseLogits(3000, 23),
		{1, 1, 1, 1},
	}
	for _, l := range inputs {
		for _, p := range []float32{1e-6, 0.3, 0.9, 0.95, 0.999} {
			for _, temp := range []float32{0.5, 1, 3} {
				s := New(Options{Temperature: temp, TopP: p})
				s.reserve(len(l))
				lmax := float64(l[refArgmax(l)])
				gotIDs, gotW := s.nucleus(l, lmax)

				w := make([]float64, len(l))
				z := 0.0
				for i, v := range l {
					w[i] = expNeg((float64(v) - lmax) / float64(temp))
					z += w[i]
				}
				ref := refRanking(l)
				m, cum := len(ref), 0.0
				for j, id := range ref {
					cum += w[id]
					if cum >= float64(p)*z {
						m = j + 1
						break
					}
				}
				if !slices.Equal(gotIDs, ref[:m]) {
					t.Fatalf("vocab %d, p %v, T %v: nucleus of %d ids, want %d", len(l), p, temp, len(gotIDs), m)
				}
				for j, id := range gotIDs {
					if gotW[j] != w[id] {
						t.Fatalf("weight of id %d = %v, want %v", id, gotW[j], w[id])
					}
				}
			}
		}
	}
}

func TestDrawFallsBackToLastPositiveWeight(t *testing.T) {
	ids := []int32{4, 5, 6}
	w := []float64{0.5, 0.5, 0}
	if got := draw(ids, w, math.Nextafter(1, 0)); got != 5 {
		t.Errorf("draw at u→1 = %d, want 5", got)
	}
	if got := draw(ids, w, 0); got != 4 {
		t.Errorf("draw at u=0 = %d, want 4", got)
	}
	if got := draw([]int32{9, 8}, []float64{0, 1}, 0); got != 8 {
		t.Errorf("draw skips zero weight: got %d, want 8", got)
	}
}
