// Package phi2test holds the model-level checks every backend runs: the
// independent goldens of testdata/goldens and the helpers they need.
package phi2test

import (
	"math"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Load builds checkpoint o in memory and loads it on be, which the model
// then owns: both are closed when the test ends.
func Load(t testing.TB, o synth.Options, be backend.Backend, po phi2.Options) *phi2.Model {
	t.Helper()
	mem, err := synth.Memory(o)
	if err != nil {
		be.Close()
		t.Fatal(err)
	}
	ck, err := weights.Open(mem)
	if err != nil {
		be.Close()
		t.Fatal(err)
	}
	defer ck.Close()
	m, err := phi2.Load(ck, be, po)
	if err != nil {
		be.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); be.Close() })
	return m
}

// Greedy feeds prompt to s and then n argmax tokens, returning them.
func Greedy(t testing.TB, s *phi2.Session, prompt []int32, n int) []int32 {
	t.Helper()
	if err := s.Feed(prompt); err != nil {
		t.Fatal(err)
	}
	var out []int32
	for len(out) < n {
		id, err := s.Argmax()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
		if len(out) < n {
			if err := s.Feed([]int32{id}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// Goldens runs every case of the goldens file at path on backends made by
// newBackend: the last position's logits (head and probe) and, for the
// long cases, every position's probe within tol, each position's argmax
// where the reference's top-2 gap exceeds 2·tol, and the 16 greedy tokens
// exactly.
func Goldens(t *testing.T, path string, newBackend func(t *testing.T) backend.Backend, tol float64) {
	cases, err := synth.LoadGoldens(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range cases {
		t.Run(g.Name, func(t *testing.T) {
			m := Load(t, g.Options(), newBackend(t), phi2.Options{})
			s, err := m.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			prompt := ids(g.Prompt)
			logits := make([]float32, len(prompt)*g.Vocab)
			if err := s.FeedAll(prompt, logits); err != nil {
				t.Fatal(err)
			}
			last := logits[(len(prompt)-1)*g.Vocab:]
			for i, want := range g.LastLogitsHead {
				if math.Abs(float64(last[i]-want)) > tol {
					t.Errorf("last logit %d = %v, want %v", i, last[i], want)
				}
			}
			for i, idx := range g.LastLogitsProbe.Indices {
				if want := g.LastLogitsProbe.Values[i]; math.Abs(float64(last[idx]-want)) > tol {
					t.Errorf("last logit %d = %v, want %v", idx, last[idx], want)
				}
			}
			for p, want := range g.Positions {
				row := logits[p*g.Vocab : (p+1)*g.Vocab]
				for i, idx := range g.PositionsProbeIndices {
					if math.Abs(float64(row[idx]-want.Probe[i])) > tol {
						t.Fatalf("position %d logit %d = %v, want %v", p, idx, row[idx], want.Probe[i])
					}
				}
				if best := argmax(row); float64(want.Gap) > 2*tol && best != want.Argmax {
					t.Fatalf("position %d argmax %d, want %d", p, best, want.Argmax)
				}
			}
			s.Reset()
			if got, want := Greedy(t, s, prompt, len(g.Greedy)), ids(g.Greedy); !slices.Equal(got, want) {
				t.Errorf("greedy %v, want %v", got, want)
			}
		})
	}
}

func ids(v []int) []int32 {
	out := make([]int32, len(v))
	for i, id := range v {
		out[i] = int32(id)
	}
	return out
}

// argmax is the lowest index of the largest value.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
