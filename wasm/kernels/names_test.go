package kernels_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/wasm/kernels"
)

// TestKernelNames: kernels.js lists the kernels in the id order of
// package kernels.
func TestKernelNames(t *testing.T) {
	src := kernels.JS
	list := regexp.MustCompile(`(?s)export const kernelNames = \[(.*?)\];`).FindSubmatch(src)
	if list == nil {
		t.Fatal("kernels.js has no kernelNames list")
	}
	var names []string
	for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllSubmatch(list[1], -1) {
		names = append(names, string(m[1]))
	}
	if !slices.Equal(names, kernels.Names) {
		t.Errorf("kernels.js kernelNames = %q\nwant kernels.Names %q", names, kernels.Names)
	}
}
