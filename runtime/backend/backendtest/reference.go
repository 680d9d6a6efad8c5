package backendtest

import "math"

// The references below follow the formulas of the backend interface in
// float64, written plainly and independently of any backend.

// refGeluNew is 0.5·x·(1+tanh(√(2/π)·(x+0.044715·x³))).
func refGeluNew(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
}

// refLayerNorm normalizes one row: (x−μ)/sqrt(σ²+eps)·gamma + beta with the
// biased variance. It also returns μ and sqrt(σ²+eps) for the tolerance.
func refLayerNorm(x, gamma, beta []float64, eps float64) (y []float64, mean, std float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var variance float64
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	std = math.Sqrt(variance/float64(len(x)) + eps)
	y = make([]float64, len(x))
	for i, v := range x {
		y[i] = (v-mean)/std*gamma[i] + beta[i]
	}
	return y, mean, std
}

// refDot returns Σ a·b and Σ |a·b|.
func refDot(a, b []float64) (sum, abs float64) {
	for i := range a {
		sum += a[i] * b[i]
		abs += math.Abs(a[i] * b[i])
	}
	return sum, abs
}

// refRope rotates one head in place: dimension i pairs with i+h, h = len(cos).
func refRope(head, cos, sin []float64) {
	h := len(cos)
	for i := range h {
		a, b := head[i], head[i+h]
		head[i] = a*cos[i] - b*sin[i]
		head[i+h] = b*cos[i] + a*sin[i]
	}
}

// refAttendHead attends query q over keys[i], values[i] for all i given:
// out = Σ softmax(q·k_i·scale)_i · v_i. It also returns, for the tolerance,
// the largest Σ|q_d·k_{i,d}|·scale, the spread of the scores, and, per
// dimension, Σ_i w_i·|v_{i,d}|.
func refAttendHead(q []float64, keys, values [][]float64, scale float64) (out []float64, absScore, spread float64, absOut []float64) {
	s := make([]float64, len(keys))
	hi, lo := math.Inf(-1), math.Inf(1)
	for i, k := range keys {
		dot, abs := refDot(q, k)
		s[i] = dot * scale
		absScore = max(absScore, abs*math.Abs(scale))
		hi, lo = max(hi, s[i]), min(lo, s[i])
	}
	var sum float64
	for i := range s {
		s[i] = math.Exp(s[i] - hi)
		sum += s[i]
	}
	out, absOut = make([]float64, len(q)), make([]float64, len(q))
	for i, v := range values {
		w := s[i] / sum
		for d := range out {
			out[d] += w * v[d]
			absOut[d] += w * math.Abs(v[d])
		}
	}
	return out, absScore, hi - lo, absOut
}
