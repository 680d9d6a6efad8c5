package cpu

import (
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestAllocKVQ8: a KVQ8 cache counts its values and scales against the
// memory limit, has no views, and answers only for its own head size.
func TestAllocKVQ8(t *testing.T) {
	values, scales := tensor.KVQ8Bytes(8, 2, 4)
	b := New(WithWorkers(1), WithMemoryLimit(2*(values+scales)+32)) // room for q and v
	defer b.Close()
	if _, err := b.AllocKV("big", tensor.KVQ8, 32, 2, 4); err == nil {
		t.Fatal("AllocKV past the memory limit succeeded")
	}
	k, err := b.AllocKV("k", tensor.KVQ8, 8, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	if k.Rows() != 8 || k.Cols() != 8 || k.DType() != tensor.KVQ8 {
		t.Errorf("cache is [%d %d] %s, want [8 8] KVQ8", k.Rows(), k.Cols(), k.DType())
	}
	b.Free(k)
	if b.mem.used != 0 {
		t.Errorf("%d bytes in use after Free", b.mem.used)
	}
	k, _ = b.AllocKV("k", tensor.KVQ8, 8, 2, 4)
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
