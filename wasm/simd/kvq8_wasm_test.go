package simd_test

import (
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/simd"
)

// TestAllocKVQ8: the 8-bit cache takes heads of a multiple of 4 values up
// to 256 (what attention_kvq8 computes exactly in i32), has no views, and
// answers only for its own head size.
func TestAllocKVQ8(t *testing.T) {
	b := simd.New()
	defer b.Close()
	for _, hd := range []int{6, 260, 0} {
		if _, err := b.AllocKV("k", tensor.KVQ8, 8, 2, hd); err == nil || !strings.Contains(err.Error(), "multiple of 4") {
			t.Errorf("AllocKV with heads of %d values: error %v, want one naming the multiple of 4", hd, err)
		}
	}
	k, err := b.AllocKV("k", tensor.KVQ8, 8, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	if k.Rows() != 8 || k.Cols() != 8 || k.DType() != tensor.KVQ8 {
		t.Errorf("cache is [%d %d] %s, want [8 8] KVQ8", k.Rows(), k.Cols(), k.DType())
	}
	if msg := panicText(func() { b.View(k, 0, 1) }); !strings.Contains(msg, "KVQ8 cache") {
		t.Errorf("View of a KVQ8 cache: panic %q", msg)
	}
	q, _ := b.Alloc("q", tensor.F32, 1, 8)
	if msg := panicText(func() { b.Attention(q, q, k, k, 0, 8, 1) }); !strings.Contains(msg, "heads of 4 values, not 8") {
		t.Errorf("Attention with another head size: panic %q", msg)
	}
	v, err := b.AllocKV("v", tensor.KVQ8, 8, 1, 8) // [8 8] too, one head of 8
	if err != nil {
		t.Fatal(err)
	}
	if msg := panicText(func() { b.Attention(q, q, k, v, 0, 4, 1) }); !strings.Contains(msg, `cache "v" holds heads of 8 values, not 4`) {
		t.Errorf("Attention with a value cache of another head size: panic %q", msg)
	}
}

func panicText(f func()) (msg string) {
	defer func() { msg, _ = recover().(string) }()
	f()
	return ""
}
