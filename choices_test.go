package phi2web

import (
	"context"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
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

// TestCacheType: the KVCache names, in any case, and a one-line error
// naming them for others.
func TestCacheType(t *testing.T) {
	for s, want := range map[string]tensor.DType{"": tensor.F16, "f32": tensor.F32, "F16": tensor.F16, "q8": tensor.KVQ8, "Q8": tensor.KVQ8} {
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
