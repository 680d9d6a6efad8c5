package sample

import "math"

// randomLogits returns n logits drawn from a fixed stream, spread over about
// ±scale, with no ties unless rounding makes them.
func randomLogits(n int, seed uint64, scale float32) []float32 {
	r := splitmix64{seed}
	l := make([]float32, n)
	for i := range l {
		l[i] = (float32(r.float64())*2 - 1) * scale
	}
	return l
}

// refArgmax is the plain definition: largest value, lowest id on ties.
func refArgmax(l []float32) int32 {
	best := int32(0)
	for i := range l {
		if l[i] > l[best] {
			best = int32(i)
		}
	}
	return best
}

// softmax returns the probabilities of l at temperature temp in float64.
func softmax(l []float32, temp float64) []float64 {
	m := math.Inf(-1)
	for _, v := range l {
		m = math.Max(m, float64(v))
	}
	p := make([]float64, len(l))
	z := 0.0
	for i, v := range l {
		p[i] = math.Exp((float64(v) - m) / temp)
		z += p[i]
	}
	for i := range p {
		p[i] /= z
	}
	return p
}
