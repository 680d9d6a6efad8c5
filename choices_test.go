package phi2web

import (
	"context"
	"strings"
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

// TestKVCache: F16 only where Phi-2's weights and an F32 cache of the
// context used would not fit the SIMD device's memory, or where asked for.
func TestKVCache(t *testing.T) {
	phi2 := weights.Config{NumLayers: 32, HiddenSize: 2560, MaxPositions: 2048} // F32 cache: 1.34 GB
	nano := weights.Config{NumLayers: 4, HiddenSize: 128, MaxPositions: 512}
	for _, c := range []struct {
		asked   tensor.DType
		backend string
		cfg     weights.Config
		context int
		bytes   int64
		want    tensor.DType
	}{
		{0, "simd", phi2, 0, 2_960_000_000, tensor.F16},    // q8
		{0, "simd", phi2, 128, 2_960_000_000, tensor.F32},  // q8, a sixteenth of the context
		{0, "simd", phi2, 4096, 2_960_000_000, tensor.F16}, // more than the model's: its own
		{0, "simd", phi2, 0, 1_600_000_000, tensor.F32},    // q4
		{0, "webgpu", phi2, 0, 2_960_000_000, tensor.F32},
		{0, "simd", nano, 0, 27_000_000, tensor.F32}, // f16
		{tensor.F32, "simd", phi2, 0, 2_960_000_000, tensor.F32},
		{tensor.F16, "cpu", nano, 0, 27_000_000, tensor.F16},
		{tensor.KVQ8, "simd", phi2, 0, 2_960_000_000, tensor.KVQ8},
	} {
		if got := kvCache(c.asked, c.backend, c.cfg, c.context, c.bytes); got != c.want {
			t.Errorf("asked %v, %s, %d layers, context %d, %d bytes: %v, want %v", c.asked, c.backend, c.cfg.NumLayers, c.context, c.bytes, got, c.want)
		}
	}
}

// TestCacheType: the KVCache names, in any case, and a one-line error
// naming them for others.
func TestCacheType(t *testing.T) {
	for s, want := range map[string]tensor.DType{"": 0, "f32": tensor.F32, "F16": tensor.F16, "q8": tensor.KVQ8, "Q8": tensor.KVQ8} {
		if got, err := cacheType(s); got != want || err != nil {
			t.Errorf("cacheType(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := cacheType("q4"); err == nil || err.Error() != `KV cache "q4": want f32, f16 or q8` {
		t.Errorf("cacheType(q4): %v", err)
	}
}

// TestOpenRefusesSizes: thread counts and contexts outside the limits are
// refused before a backend or a model is touched.
func TestOpenRefusesSizes(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Threads: 100000}, "thread count 100000 is larger than 1024, the most this engine supports"},
		{Options{Threads: -1}, "threads -1: want 0 (all CPUs) or more"},
		{Options{Context: -5}, "context -5: want 0 (the model's) or more"},
		{Options{Context: 1 << 31}, "context length 2147483648 is larger than 1048576"},
	} {
		c.o.Backend = "cpu"
		_, err := Open(context.Background(), "no-such-model", c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error with %q", c.o, err, c.want)
		}
	}
}
