package sample

import (
	"math"
	"testing"
)

// The reference outputs of splitmix64 started from state 0, as published with
// the algorithm.
func TestSplitMix64KnownValues(t *testing.T) {
	r := splitmix64{0}
	for i, want := range []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f} {
		if got := r.next(); got != want {
			t.Fatalf("output %d = %#x, want %#x", i, got, want)
		}
	}
}

func TestUniformRange(t *testing.T) {
	r := splitmix64{12345}
	mean := 0.0
	const n = 100000
	for range n {
		u := r.float64()
		if u < 0 || u >= 1 {
			t.Fatalf("uniform %v outside [0, 1)", u)
		}
		mean += u / n
	}
	if math.Abs(mean-0.5) > 0.01 {
		t.Errorf("mean of %d uniforms = %v, want about 0.5", n, mean)
	}
	// The largest possible draw is still below 1.
	if got := float64(uint64(math.MaxUint64)>>11) * (1.0 / (1 << 53)); got >= 1 {
		t.Errorf("largest uniform = %v", got)
	}
}
