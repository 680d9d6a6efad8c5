package phi2_test

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
)

// minArgmaxGap: positions whose top two logits are closer than this are not
// compared by argmax, since the logit tolerance could swap them.
const minArgmaxGap = 2e-4

// TestGoldens runs every case of the independent numpy reference
// (testdata/goldens, see its README) through the Go model.
func TestGoldens(t *testing.T) {
	cases, err := synth.LoadGoldens("../../testdata/goldens/goldens.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 8 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for _, g := range cases {
		t.Run(g.Name, func(t *testing.T) {
			m := load(t, g.Options(), phi2.Options{})
			prompt := ids32(g.Prompt)
			s := newSession(t, m)
			logits := make([]float32, len(prompt)*g.Vocab)
			if err := s.FeedAll(prompt, logits); err != nil {
				t.Fatal(err)
			}
			last := logits[(len(prompt)-1)*g.Vocab:]
			if d := maxAbsDiff(last[:len(g.LastLogitsHead)], g.LastLogitsHead); d > tolerance {
				t.Errorf("last logits head differs by %.3g", d)
			}
			for i, idx := range g.LastLogitsProbe.Indices {
				if d := maxAbsDiff(last[idx:idx+1], g.LastLogitsProbe.Values[i:i+1]); d > tolerance {
					t.Errorf("last logit %d = %v, want %v", idx, last[idx], g.LastLogitsProbe.Values[i])
				}
			}
			checkPositions(t, g, logits)

			s.Reset()
			if got := greedy(t, s, prompt, len(g.Greedy)); !equalIDs(got, ids32(g.Greedy)) {
				t.Errorf("greedy %v, want %v", got, g.Greedy)
			}
		})
	}
}

// checkPositions compares every position of a long case.
func checkPositions(t *testing.T, g synth.Golden, logits []float32) {
	for p, want := range g.Positions {
		row := logits[p*g.Vocab : (p+1)*g.Vocab]
		for i, idx := range g.PositionsProbeIndices {
			if d := maxAbsDiff(row[idx:idx+1], want.Probe[i:i+1]); d > tolerance {
				t.Fatalf("position %d logit %d = %v, want %v", p, idx, row[idx], want.Probe[i])
			}
		}
		if want.Gap > minArgmaxGap && argmax(row) != want.Argmax {
			t.Fatalf("position %d argmax %d, want %d", p, argmax(row), want.Argmax)
		}
	}
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

func ids32(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}
