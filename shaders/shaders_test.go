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

// TestSpecialize: every override becomes a const of the value given or
// its default; a constant that is not an override is an error.
func TestSpecialize(t *testing.T) {
	src := "override WG: u32 = 64; // threads\noverride F16: bool = false;\noverride N: u32;\nfn f() {}\n"
	got, err := Specialize(src, map[string]float64{"F16": 1, "N": 7})
	want := "const WG: u32 = 64; // threads\nconst F16: bool = true;\nconst N: u32 = 7u;\nfn f() {}\n"
	if err != nil || got != want {
		t.Errorf("Specialize = %q, %v; want %q", got, err, want)
	}
	if _, err := Specialize(src, map[string]float64{"TN": 8, "N": 1}); err == nil {
		t.Error("a constant that is no override was accepted")
	}
	if _, err := Specialize("override N: u32;", nil); err == nil {
		t.Error("an override without a value or default was accepted")
	}
	for _, name := range Names() {
		src, err := Source(name)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Specialize(src, nil)
		if err != nil || strings.Contains(out, "override ") {
			t.Errorf("%s: %v, or overrides left", name, err)
		}
	}
}
