package sample

import "math"

// expNeg returns e^x for x ≤ 0 (and 1 for x > 0, which callers never pass).
//
// math.Exp uses assembly on some architectures and may be fused into FMA
// instructions on others, so its last bit can differ between platforms. This
// is the classic argument-reduction method (x = k·ln2 + r, a rational
// approximation of e^r, then scaling by 2^k), with each product wrapped in an
// explicit float64 conversion: the Go specification forbids fusing across
// such a conversion, so every platform rounds the same way. Error < 1 ulp.
func expNeg(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01 // high bits of ln 2; k·ln2Hi is exact
		ln2Lo     = 1.90821492927058770002e-10 // ln 2 − ln2Hi
		log2e     = 1.44269504088896338700e+00
		underflow = -7.45133219101941108420e+02 // below this e^x rounds to 0
		nearZero  = -1.0 / (1 << 28)            // above this e^x rounds to 1+x

		p1 = 1.66666666666666657415e-01
		p2 = -2.77777777770155933842e-03
		p3 = 6.61375632143793436117e-05
		p4 = -1.65339022054652515390e-06
		p5 = 4.13813679705723846039e-08
	)
	switch {
	case x < underflow: // also −∞
		return 0
	case x > nearZero:
		if x > 0 {
			return 1
		}
		return 1 + x
	}
	k := int(float64(log2e*x) - 0.5) // round to nearest; x < 0
	fk := float64(k)
	hi := x - float64(fk*ln2Hi)
	lo := float64(fk * ln2Lo)
	r := hi - lo
	t := float64(r * r)
	poly := p4 + float64(t*p5)
	poly = p3 + float64(t*poly)
	poly = p2 + float64(t*poly)
	poly = p1 + float64(t*poly)
	c := r - float64(t*poly)
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}
