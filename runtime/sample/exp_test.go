package sample

import (
	"math"
	"testing"
)

func TestExpNegMatchesMathExp(t *testing.T) {
	r := splitmix64{7}
	check := func(x float64) {
		got, want := expNeg(x), math.Exp(x)
		if got == want {
			return
		}
		// Each is within one ulp of the true value (math.Exp uses different
		// code per architecture), so they may differ by two.
		if math.Abs(got-want) > 2*(math.Nextafter(want, math.Inf(1))-want) {
			t.Fatalf("expNeg(%v) = %v, math.Exp = %v", x, got, want)
		}
	}
	for range 200000 {
		check(-r.float64() * 50)
	}
	for range 20000 {
		check(-r.float64() * 745)
		check(-r.float64() * 1e-6)
	}
	for _, x := range []float64{-1, -0.5, -math.Ln2, -708.3, -744.9, -745.1, -1.0 / (1 << 29)} {
		check(x)
	}
}

func TestExpNegSpecialValues(t *testing.T) {
	cases := []struct{ x, want float64 }{
		{0, 1}, {math.Copysign(0, -1), 1}, {math.Inf(-1), 0}, {-1000, 0}, {-746, 0},
	}
	for _, c := range cases {
		if got := expNeg(c.x); got != c.want {
			t.Errorf("expNeg(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}
