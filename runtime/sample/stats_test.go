package sample

import (
	"sort"
	"testing"
)

// Frequencies over many seeded draws must follow the filtered, renormalized
// softmax computed here from its definition.
func TestDrawFrequencies(t *testing.T) {
	l := []float32{1, 0.5, 0, -0.5, 2, -1, 0.25}
	cases := []struct {
		o    Options
		keep func(p []float64, i int) bool // whether id i survives the filters
	}{
		{Options{Temperature: 1, Seed: 1}, nil},
		{Options{Temperature: 0.7, TopK: 3, Seed: 2}, func(p []float64, i int) bool {
			return rank(p, i) < 3
		}},
		{Options{Temperature: 1, TopP: 0.6, Seed: 3}, func(p []float64, i int) bool {
			return massAbove(p, i) < 0.6 // the ids before i have not reached p yet
		}},
		{Options{Temperature: 1.3, MinP: 0.3, Seed: 4}, func(p []float64, i int) bool {
			return p[i] >= 0.3*p[4]
		}},
	}
	const draws = 50000
	for _, c := range cases {
		p := softmax(l, float64(c.o.Temperature))
		kept := 0.0
		for i := range p {
			if c.keep != nil && !c.keep(p, i) {
				p[i] = 0
			}
			kept += p[i]
		}
		counts := make([]int, len(l))
		s := New(c.o)
		for range draws {
			counts[s.Sample(l, nil)]++
		}
		chi2, dof := 0.0, -1
		for i, n := range counts {
			want := p[i] / kept * draws
			if want == 0 {
				if n != 0 {
					t.Errorf("%+v: filtered id %d drawn %d times", c.o, i, n)
				}
				continue
			}
			chi2 += (float64(n) - want) * (float64(n) - want) / want
			dof++
		}
		// With at most 6 degrees of freedom, chi² > 35 has odds below 1e-5.
		if chi2 > 35 {
			t.Errorf("%+v: chi² = %.1f over %d degrees of freedom; counts %v", c.o, chi2, dof, counts)
		}
	}
}

// rank is how many ids are more likely than i.
func rank(p []float64, i int) int {
	r := 0
	for j := range p {
		if p[j] > p[i] {
			r++
		}
	}
	return r
}

// massAbove is the total probability of the ids more likely than i.
func massAbove(p []float64, i int) float64 {
	sorted := append([]float64(nil), p...)
	sort.Float64s(sorted)
	m := 0.0
	for _, x := range sorted {
		if x > p[i] {
			m += x
		}
	}
	return m
}
