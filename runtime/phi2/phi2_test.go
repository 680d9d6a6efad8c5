package phi2_test

import (
	"math"
	"testing"

	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/phi2/phi2test"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// tolerance for float32 logits on the tiny model (spec §8).
const tolerance = 1e-4

// The spec's known values: seed 1, default tiny shape.
var (
	knownPrompt = synth.KnownPrompt
	knownHead   = synth.KnownLogitsHead
	knownGreedy = synth.KnownGreedy
)

// load builds checkpoint o and loads it on the CPU backend.
func load(t testing.TB, o synth.Options, po phi2.Options) *phi2.Model {
	t.Helper()
	return phi2test.Load(t, o, cpu.New(), po)
}

func newSession(t testing.TB, m *phi2.Model) *phi2.Session {
	t.Helper()
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// greedy feeds prompt and then n argmax tokens, returning them.
func greedy(t testing.TB, s *phi2.Session, prompt []int32, n int) []int32 {
	t.Helper()
	return phi2test.Greedy(t, s, prompt, n)
}

func maxAbsDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

func TestKnownValues(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.F32, tensor.F16, tensor.BF16} {
		t.Run(dt.String(), func(t *testing.T) {
			o := synth.Tiny()
			o.DType = dt
			m := load(t, o, phi2.Options{})
			s := newSession(t, m)
			if err := s.Feed(knownPrompt); err != nil {
				t.Fatal(err)
			}
			logits := make([]float32, m.Config.VocabSize)
			if err := s.Logits(logits); err != nil {
				t.Fatal(err)
			}
			// The spec's logits are for F32 weights; rounded weights move them.
			if d := maxAbsDiff(logits[:8], knownHead); dt == tensor.F32 && d > tolerance {
				t.Errorf("logits[:8] = %v, want %v (max |Δ| %.2g)", logits[:8], knownHead, d)
			}
			s.Reset()
			if got := greedy(t, s, knownPrompt, 16); !equalIDs(got, knownGreedy) {
				t.Errorf("greedy tokens %v, want %v", got, knownGreedy)
			}
		})
	}
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
