package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// f16Value is the value of a binary16 pattern, from the IEEE 754 definition.
func f16Value(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, man := int(h>>10)&0x1f, float64(h&0x3ff)
	switch exp {
	case 0x1f:
		if man != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	case 0:
		return sign * math.Ldexp(man, -24)
	}
	return sign * math.Ldexp(1+man/1024, exp-15)
}

func TestF16Exhaustive(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		want, got := f16Value(h), F16ToF32(h)
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) || !math.IsNaN(float64(F16ToF32(F32ToF16(got)))) {
				t.Fatalf("%#04x: NaN not kept", h)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("F16ToF32(%#04x) = %v, want %v", h, got, want)
		}
		if back := F32ToF16(got); back != h {
			t.Fatalf("F32ToF16(%v) = %#04x, want %#04x", got, back, h)
		}
	}
}

// nearest reports whether h is a nearest binary16 value to f, and the even
// one on a tie, by comparing with the neighbouring patterns.
func nearestF16(f float32, h uint16) bool {
	v, x := f16Value(h), float64(f)
	if math.IsInf(v, 0) {
		return math.Abs(x) >= 65520 // the rounding threshold past the largest finite value
	}
	for _, n := range []uint16{h - 1, h + 1} {
		w := f16Value(n)
		if math.IsNaN(w) || math.IsInf(w, 0) || (n^h)&0x8000 != 0 {
			continue
		}
		if d, e := math.Abs(w-x), math.Abs(v-x); d < e || (d == e && h&1 == 1) {
			return false
		}
	}
	return true
}

func TestF32ToF16Rounding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		// Random magnitudes from far below the subnormals to past the maximum.
		f := float32(math.Ldexp(r.Float64()*2-1, r.IntN(50)-30))
		if h := F32ToF16(f); !nearestF16(f, h) {
			t.Fatalf("F32ToF16(%v) = %#04x (%v) is not the nearest", f, h, f16Value(h))
		}
	}
	// Exact ties between two binary16 values round to the even one.
	for _, c := range []struct {
		f    float32
		want uint16
	}{{1 + 1.0/2048, 0x3c00}, {1 + 3.0/2048, 0x3c02}, {math.Float32frombits(0x33000000), 0}, {65520, 0x7c00}, {65519, 0x7bff}} {
		if got := F32ToF16(c.f); got != c.want {
			t.Errorf("F32ToF16(%v) = %#04x, want %#04x", c.f, got, c.want)
		}
	}
}

func TestBF16(t *testing.T) {
	for _, c := range []struct {
		bits uint32
		want uint16
	}{
		{0x3f800000, 0x3f80}, {0x3f808000, 0x3f80}, {0x3f818000, 0x3f82}, {0x3f808001, 0x3f81},
		{0x7f7fffff, 0x7f80}, {0xbf800000, 0xbf80},
	} {
		if got := F32ToBF16(math.Float32frombits(c.bits)); got != c.want {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", c.bits, got, c.want)
		}
	}
	for i := 0; i < 1<<16; i++ {
		f := BF16ToF32(uint16(i))
		if math.Float32bits(f) != uint32(i)<<16 {
			t.Fatalf("BF16ToF32(%#04x) = %#08x", i, math.Float32bits(f))
		}
		if !math.IsNaN(float64(f)) && F32ToBF16(f) != uint16(i) {
			t.Fatalf("BF16 %#04x does not round-trip", i)
		}
	}
	if !math.IsNaN(float64(BF16ToF32(F32ToBF16(float32(math.NaN()))))) {
		t.Error("NaN became a number")
	}
}

func TestNumElements(t *testing.T) {
	for _, c := range []struct {
		shape []int
		want  int64
	}{{nil, 1}, {[]int{0, 5}, 0}, {[]int{51200, 2560}, 131072000}, {[]int{-1}, -1}, {[]int{1 << 40, 1 << 40}, -1}} {
		if got := NumElements(c.shape); got != c.want {
			t.Errorf("NumElements(%v) = %d, want %d", c.shape, got, c.want)
		}
	}
}
