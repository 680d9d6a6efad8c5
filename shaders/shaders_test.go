package shaders

import (
	"slices"
	"strings"
	"testing"
)

// TestSource: every kernel file comes with the helpers and its includes
// expanded, and the included files are not kernels of their own.
func TestSource(t *testing.T) {
	names := Names()
	if slices.Contains(names, "matmul_common.wgsl") || slices.Contains(names, "common.wgsl") || !slices.Contains(names, "matmul_q.wgsl") {
		t.Fatalf("Names() = %v", names)
	}
	for _, name := range names {
		src, err := Source(name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(src, "//!include") || !strings.Contains(src, "fn f16_to_f32") {
			t.Errorf("%s: includes left or helpers missing", name)
		}
	}
	for _, name := range []string{"matmul.wgsl", "matmul_q.wgsl"} {
		if src, _ := Source(name); strings.Count(src, "fn reduce_store(") != 1 {
			t.Errorf("%s: matmul_common.wgsl not included exactly once", name)
		}
	}
	if _, err := Source("nope.wgsl"); err == nil {
		t.Error("Source of a missing file gave no error")
	}
}
