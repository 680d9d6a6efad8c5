package phi2web

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

func TestReuse(t *testing.T) {
	cases := []struct {
		cached, prompt []int32
		want           int
	}{
		{nil, []int32{1, 2}, 0},
		{[]int32{1, 2, 3, 4}, []int32{1, 2, 3, 4, 5, 6}, 4}, // the next turn
		{[]int32{1, 2, 3}, []int32{1, 2, 9}, 2},             // an edit: back to the common prefix
		{[]int32{1, 2, 3}, []int32{1, 2, 3}, 2},             // the same prompt: its last token again
		{[]int32{1, 2, 3}, []int32{1}, 0},
		{[]int32{7}, []int32{1, 2}, 0},
	}
	for _, c := range cases {
		if got := reuse(c.cached, c.prompt); got != c.want {
			t.Errorf("reuse(%v, %v) = %d, want %d", c.cached, c.prompt, got, c.want)
		}
	}
}

// TestKVCache: F16 only where Phi-2's weights and an F32 cache of its full
// context would not fit the SIMD device's memory, or where asked for.
func TestKVCache(t *testing.T) {
	phi2 := weights.Config{NumLayers: 32, HiddenSize: 2560, MaxPositions: 2048} // F32 cache: 1.34 GB
	nano := weights.Config{NumLayers: 4, HiddenSize: 128, MaxPositions: 512}
	for _, c := range []struct {
		asked   tensor.DType
		backend string
		cfg     weights.Config
		bytes   int64
		want    tensor.DType
	}{
		{0, "simd", phi2, 2_960_000_000, tensor.F16}, // q8
		{0, "simd", phi2, 1_600_000_000, tensor.F32}, // q4
		{0, "webgpu", phi2, 2_960_000_000, tensor.F32},
		{0, "simd", nano, 27_000_000, tensor.F32}, // f16
		{tensor.F32, "simd", phi2, 2_960_000_000, tensor.F32},
		{tensor.F16, "cpu", nano, 27_000_000, tensor.F16},
	} {
		if got := kvCache(c.asked, c.backend, c.cfg, c.bytes); got != c.want {
			t.Errorf("asked %v, %s, %d layers, %d bytes: %v, want %v", c.asked, c.backend, c.cfg.NumLayers, c.bytes, got, c.want)
		}
	}
}
