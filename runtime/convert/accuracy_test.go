package convert_test

import (
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestQuantAccuracy measures Q8 and Q4 against F32 on 300 positions of two
// tiny random models: the top-1 agreement and the largest logit error. A
// disagreement is only acceptable where F32's own top-1/top-2 gap is within
// twice the largest error (a near tie the quantization noise can flip).
// The figures are recorded in docs/benchmarks.md
// (go test -run QuantAccuracy -v ./runtime/convert).
func TestQuantAccuracy(t *testing.T) {
	s7 := synth.Options{Seed: 7, Vocab: 1000, Hidden: 48, Layers: 3, Heads: 3, Intermediate: 192,
		PartialRotaryFactor: 0.5, DType: tensor.F32, MaxPositions: 2048, RopeTheta: 10000}
	for _, shape := range []struct {
		name string
		o    synth.Options
	}{{"tiny", synth.Tiny()}, {"s7", s7}} {
		hf := checkpoint(t, shape.o)
		ids := sequence(300, shape.o.Vocab)
		ref := allLogits(t, hf, ids)
		for _, c := range []struct {
			name          string
			quant, embed  tensor.DType
			minAgree, max float64
		}{
			{"q8", tensor.Q8, 0, 0.985, 0.06},
			{"q8 embed f16", tensor.Q8, tensor.F16, 0.985, 0.06},
			{"q4", tensor.Q4, 0, 0.70, 0.8},
			{"q4 embed q4", tensor.Q4, tensor.Q4, 0.70, 1.0},
		} {
			got := allLogits(t, converted(t, hf, convert.Options{Quant: c.quant, EmbedQuant: c.embed}), ids)
			r := compare(ref, got, shape.o.Vocab)
			t.Logf("%s %s: top-1 agreement %.1f%% over %d positions, max |Δ logit| %.4f, largest F32 gap at a disagreement %.4f",
				shape.name, c.name, 100*r.agree, len(ids), r.maxDelta, r.worstGap)
			if r.agree < c.minAgree || r.maxDelta > c.max || r.worstGap > 2*r.maxDelta {
				t.Errorf("%s %s: agreement %.3f (want ≥ %.3f), max |Δ| %.4f (want ≤ %.2f), disagreement at gap %.4f",
					shape.name, c.name, r.agree, c.minAgree, r.maxDelta, c.max, r.worstGap)
			}
		}
	}
}

type accuracy struct {
	agree    float64 // share of positions with the same argmax
	maxDelta float64 // largest |Δ logit|
	worstGap float64 // largest F32 top-1/top-2 gap where the argmax differs
}

func compare(ref, got []float32, vocab int) accuracy {
	var r accuracy
	same, n := 0, len(ref)/vocab
	for p := 0; p < n; p++ {
		row := ref[p*vocab : (p+1)*vocab]
		if argmax(row) == argmax(got[p*vocab:(p+1)*vocab]) {
			same++
			continue
		}
		sorted := slices.Clone(row)
		slices.Sort(sorted)
		r.worstGap = max(r.worstGap, float64(sorted[vocab-1]-sorted[vocab-2]))
	}
	r.agree, r.maxDelta = float64(same)/float64(n), maxAbsDiff(ref, got)
	return r
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
