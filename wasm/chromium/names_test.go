package chromium

import (
	"regexp"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/wasm/kernels"
	"github.com/phi2web/phi2web/web"
)

// TestKernelNames: web/kernels.js lists the kernels in the id order of
// package kernels.
func TestKernelNames(t *testing.T) {
	src := web.KernelsJS
	list := regexp.MustCompile(`(?s)export const kernelNames = \[(.*?)\];`).FindSubmatch(src)
	if list == nil {
		t.Fatal("web/kernels.js has no kernelNames list")
	}
	var names []string
	for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllSubmatch(list[1], -1) {
		names = append(names, string(m[1]))
	}
	if !slices.Equal(names, kernels.Names) {
		t.Errorf("web/kernels.js kernelNames = %q\nwant kernels.Names %q", names, kernels.Names)
	}
}
