package backendtest

import (
	"math"
	"testing"
)

// The references are checked on cases small enough to work out by hand.

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*max(1, math.Abs(b)) }

func TestRefGeluNew(t *testing.T) {
	// 0.5·x·(1+tanh(√(2/π)·(x+0.044715x³))) at x = 1 and −3, and GELU's
	// limits: 0 at 0, x for large x, 0 for very negative x.
	for _, c := range [][2]float64{{1, 0.8411919906082768}, {-3, -0.0036373920817729943}, {0, 0}, {30, 30}, {-30, 0}} {
		if got := refGeluNew(c[0]); !near(got, c[1]) {
			t.Errorf("gelu_new(%g) = %.17g, want %.17g", c[0], got, c[1])
		}
	}
}

func TestRefLayerNorm(t *testing.T) {
	// x = 1..4: μ = 2.5, σ² = 1.25 (biased), so x̂ = (x−2.5)/sqrt(1.25+1e-5).
	y, mean, std := refLayerNorm([]float64{1, 2, 3, 4}, []float64{1, 1, 2, 1}, []float64{0, 0, 0, 1}, 1e-5)
	s := math.Sqrt(1.25 + 1e-5)
	want := []float64{-1.5 / s, -0.5 / s, 2 * 0.5 / s, 1.5/s + 1}
	if !near(mean, 2.5) || !near(std, s) {
		t.Errorf("μ, s = %g, %g; want 2.5, %g", mean, std, s)
	}
	for i := range y {
		if !near(y[i], want[i]) {
			t.Errorf("y[%d] = %g, want %g", i, y[i], want[i])
		}
	}
}

func TestRefRope(t *testing.T) {
	// rotDim 4, h = 2: pair (0, 2) turns by 90°, pair (1, 3) by 0°.
	head := []float64{1, 2, 3, 4}
	refRope(head, []float64{0, 1}, []float64{1, 0})
	for i, want := range []float64{-3, 2, 1, 4} {
		if head[i] != want {
			t.Errorf("rotated head = %v, want [-3 2 1 4]", head)
			break
		}
	}
}

func TestRopeTable(t *testing.T) {
	// Row p holds cos and sin of p·10000^(−2i/rotDim).
	tab := ropeTable(3, 4)
	want := []float64{1, 1, 0, 0, math.Cos(1), math.Cos(0.01), math.Sin(1), math.Sin(0.01)}
	for i, w := range want {
		if math.Abs(float64(tab[i])-w) > 1e-7 {
			t.Errorf("table[%d] = %g, want %g", i, tab[i], w)
		}
	}
	if math.Abs(float64(tab[8+1])-math.Cos(0.02)) > 1e-7 {
		t.Errorf("row 2 cos θ_1 = %g, want %g", tab[9], math.Cos(0.02))
	}
}

func TestRefAttendHead(t *testing.T) {
	q := []float64{1, 0}
	v := [][]float64{{2, 4}, {6, 8}}
	// One key: the output is its value.
	out, _, _, _ := refAttendHead(q, [][]float64{{5, 5}}, v[:1], 1)
	if out[0] != 2 || out[1] != 4 {
		t.Errorf("one key: %v, want [2 4]", out)
	}
	// Scores ln 3 and 0: weights 3/4 and 1/4.
	out, absScore, spread, absOut := refAttendHead(q, [][]float64{{math.Log(3), 0}, {0, 1}}, v, 1)
	if !near(out[0], 3) || !near(out[1], 5) || !near(absScore, math.Log(3)) || !near(spread, math.Log(3)) || !near(absOut[1], 5) {
		t.Errorf("two keys: out %v, A %g, R %g, Σw|v| %v; want [3 5], ln 3, ln 3, [3 5]", out, absScore, spread, absOut)
	}
}
