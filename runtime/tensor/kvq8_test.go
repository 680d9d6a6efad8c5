package tensor

import (
	"math"
	"testing"
)

func TestQuantizeKVQ8(t *testing.T) {
	x := []float32{0.5, -1.27, 0.004, 1.0, -0.635, 0}
	q := make([]int8, len(x))
	d := QuantizeKVQ8(q, x)
	if d != float32(1.27)/127 {
		t.Fatalf("scale %g, want amax/127 = %g", d, float32(1.27)/127)
	}
	// 0.635/0.01 is 63.5 in exact terms, and rounds away from zero.
	want := []int8{50, -127, 0, 100, -64, 0}
	for i := range q {
		if q[i] != want[i] {
			t.Errorf("q[%d] = %d, want %d (x %g)", i, q[i], want[i], x[i])
		}
	}
	back := make([]float32, len(q))
	DequantizeKVQ8(back, q, d)
	for i := range back {
		if e := math.Abs(float64(back[i] - x[i])); e > float64(d)/2*1.0001 {
			t.Errorf("value %d: %g back as %g, off by %g, more than half a step %g", i, x[i], back[i], e, d/2)
		}
	}
}

func TestQuantizeKVQ8Zeros(t *testing.T) {
	q := []int8{1, 2, 3}
	if d := QuantizeKVQ8(q, make([]float32, 3)); d != 0 || q[0] != 0 || q[1] != 0 || q[2] != 0 {
		t.Errorf("zeros quantize to scale %g and %v, want 0 and zeros", d, q)
	}
}

func TestKVQ8Bytes(t *testing.T) {
	v, s := KVQ8Bytes(2048, 32, 80)
	if v != 2048*2560 || s != 2048*32*4 {
		t.Errorf("KVQ8Bytes(2048, 32, 80) = %d, %d", v, s)
	}
	if KVQ8.String() != "KVQ8" || KVQ8.Quantized() {
		t.Errorf("KVQ8 is %q, quantized %v: want \"KVQ8\", not a weight type", KVQ8, KVQ8.Quantized())
	}
}
