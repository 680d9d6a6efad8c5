package sample

import (
	"math"
	"slices"
	"testing"
)

func TestGreedyTiesGoToLowestID(t *testing.T) {
	s := New(Options{})
	if !s.Greedy() {
		t.Fatal("zero Options: Greedy() = false")
	}
	for _, c := range []struct {
		l    []float32
		want int32
	}{
		{[]float32{1, 3, 2, 3, 3}, 1},
		{[]float32{5, 5}, 0},
		{[]float32{-2, -1, -1}, 1},
		{[]float32{float32(math.NaN()), -7, float32(math.NaN())}, 1},
		{[]float32{float32(math.Inf(-1)), float32(math.Inf(-1))}, 0},
		{[]float32{1, float32(math.Inf(1)), float32(math.Inf(1))}, 1},
	} {
		if got := s.Sample(c.l, nil); got != c.want {
			t.Errorf("Sample(%v) = %d, want %d", c.l, got, c.want)
		}
	}
}

func TestGreedyReport(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want bool
	}{
		{Options{}, true},
		{Options{RepeatPenalty: 1, TopK: 40, Seed: 9}, true},
		{Options{RepeatPenalty: 1.1}, false},
		{Options{Temperature: 0.7}, false},
	} {
		if got := New(c.o).Greedy(); got != c.want {
			t.Errorf("%+v: Greedy() = %v, want %v", c.o, got, c.want)
		}
	}
}

// Filters that keep only the best token must agree with greedy decoding,
// including on ties, whatever the random draw.
func TestDegenerateFiltersEqualGreedy(t *testing.T) {
	tied := randomLogits(5000, 3, 4)
	tied[4000], tied[1234], tied[77] = 9, 9, 9 // three-way tie for the top
	inputs := [][]float32{randomLogits(51200, 1, 10), randomLogits(300, 2, 1), tied}
	for _, l := range inputs {
		want := refArgmax(l)
		for _, o := range []Options{
			{Temperature: 1, TopK: 1},
			{Temperature: 2, TopP: 1e-7},
			{Temperature: 0.5, TopK: 50, TopP: 1e-7},
		} {
			for seed := range uint64(20) {
				o.Seed = seed
				if got := New(o).Sample(l, nil); got != want {
					t.Fatalf("vocab %d %+v: got %d, want argmax %d", len(l), o, got, want)
				}
			}
		}
	}
	// min-p 1 keeps only tokens as likely as the best: without ties, the argmax.
	l := randomLogits(51200, 4, 10)
	for seed := range uint64(20) {
		if got, want := New(Options{Temperature: 1.5, MinP: 1, Seed: seed}).Sample(l, nil), refArgmax(l); got != want {
			t.Fatalf("min-p 1, seed %d: got %d, want %d", seed, got, want)
		}
	}
}

func TestLowTemperatureIsGreedy(t *testing.T) {
	l := []float32{0.1, 2.5, 2.4, -3, 2.45}
	// The gap to the runner-up is 0.05, so its odds are at most e^-50.
	for _, temp := range []float32{1e-3, 1e-6, 1e-30} {
		s := New(Options{Temperature: temp, Seed: 11})
		for range 200 {
			if got := s.Sample(l, nil); got != 1 {
				t.Fatalf("temperature %v: got %d, want 1", temp, got)
			}
		}
	}
}

func TestPenaltyFlipsTheWinner(t *testing.T) {
	l := []float32{1.0, 3.0, 2.0, -0.5}
	// 3/2 = 1.5 falls below 2: id 2 wins, in greedy mode too.
	if got := New(Options{RepeatPenalty: 2}).Sample(l, []int32{1}); got != 2 {
		t.Errorf("positive winner penalized: got %d, want 2", got)
	}
	// Negative logits are multiplied: −0.5·4 = −2 drops id 3 below id 0's −1.5.
	neg := []float32{-1.5, -0.5, -9}
	if got := New(Options{RepeatPenalty: 4}).Sample(neg, []int32{1, 1, 1}); got != 0 {
		t.Errorf("negative winner penalized: got %d, want 0", got)
	}
	// The window reaches exactly the last 2 ids.
	if got := New(Options{RepeatPenalty: 2, RepeatWindow: 2}).Sample(l, []int32{1, 0, 3}); got != 1 {
		t.Errorf("id just outside the window penalized: got %d, want 1", got)
	}
	if got := New(Options{RepeatPenalty: 2, RepeatWindow: 2}).Sample(l, []int32{0, 1, 3}); got != 2 {
		t.Errorf("id at the window's edge not penalized: got %d, want 2", got)
	}
	// A repeated id is penalized once: 3/1.4 = 2.14 still beats 2; twice would not.
	if got := New(Options{RepeatPenalty: 1.4}).Sample(l, []int32{1, 1, 1, -4, 99}); got != 1 {
		t.Errorf("repeated id penalized more than once: got %d, want 1", got)
	}
}

func TestSeededDrawsAreReproducible(t *testing.T) {
	l := randomLogits(51200, 5, 6)
	hist := []int32{10, 20, 30}
	o := Options{Temperature: 0.9, TopK: 100, TopP: 0.9, RepeatPenalty: 1.2, Seed: 2024}
	run := func(s *Sampler) []int32 {
		ids := make([]int32, 50)
		for i := range ids {
			ids[i] = s.Sample(l, hist)
		}
		return ids
	}
	s := New(o)
	first := run(s)
	if second := run(New(o)); !slices.Equal(first, second) {
		t.Fatalf("same seed, different draws:\n%v\n%v", first, second)
	}
	s.Reset()
	if again := run(s); !slices.Equal(first, again) {
		t.Fatalf("after Reset, different draws:\n%v\n%v", first, again)
	}
	o.Seed++
	if other := run(New(o)); slices.Equal(first, other) {
		t.Fatalf("seeds %d and %d gave the same 50 draws", o.Seed-1, o.Seed)
	}
	if distinct := len(slices.Compact(slices.Sorted(slices.Values(first)))); distinct < 5 {
		t.Errorf("only %d distinct ids in 50 draws: %v", distinct, first)
	}
}

func TestSampleLeavesInputsAlone(t *testing.T) {
	l := randomLogits(4096, 6, 5)
	l[7] = float32(math.NaN())
	l[8] = float32(math.Inf(1))
	hist := []int32{1, 2, 3, 8, 2}
	wantL, wantH := slices.Clone(l), slices.Clone(hist)
	for _, o := range []Options{
		{RepeatPenalty: 1.5},
		{Temperature: 0.7, TopK: 40, TopP: 0.9, MinP: 0.05, RepeatPenalty: 1.3},
		{Temperature: 1.2, TopP: 0.8, RepeatPenalty: 0.7},
		{Temperature: 1, MinP: 0.2},
	} {
		New(o).Sample(l, hist)
		for i := range l {
			if math.Float32bits(l[i]) != math.Float32bits(wantL[i]) {
				t.Fatalf("%+v: logits[%d] changed from %v to %v", o, i, wantL[i], l[i])
			}
		}
		if !slices.Equal(hist, wantH) {
			t.Fatalf("%+v: history changed to %v", o, hist)
		}
	}
}

func TestSampleDoesNotAllocate(t *testing.T) {
	l := randomLogits(51200, 8, 8)
	hist := []int32{1, 5, 9, 51199}
	for _, o := range []Options{
		{RepeatPenalty: 1.1},
		{Temperature: 0.8, TopK: 40, TopP: 0.95, RepeatPenalty: 1.1},
		{Temperature: 1, TopP: 0.9},
		{Temperature: 1, MinP: 0.05},
	} {
		s := New(o)
		s.Sample(l, hist)
		if n := testing.AllocsPerRun(10, func() { s.Sample(l, hist) }); n != 0 {
			t.Errorf("%+v: %v allocations per call", o, n)
		}
	}
}

func TestEmptyLogitsPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Sample(nil) did not panic")
		}
	}()
	New(Options{}).Sample(nil, nil)
}
