//go:build !wasm

package phi2web_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layers are the module's layers, bottom first (docs/architecture.md), by
// top directory: a package may import the module's packages of its own
// layer and those below.
var layers = []struct {
	name     string
	prefixes []string
}{
	{"core", []string{"runtime"}},
	{"backends, hosts and adapters", []string{"wasm", "webgpu", "shaders", "browser"}},
	{"facade", nil}, // the module root
	{"programs", []string{"cmd", "web", "tools", "bench"}},
}

const module = "github.com/phi2web/phi2web"

// layerOf is the index in layers of a package path of the module: that of
// its top directory.
func layerOf(pkg string) int {
	top, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/"), "/")
	for i, l := range layers {
		if slices.Contains(l.prefixes, top) {
			return i
		}
	}
	return 2 // the root
}

// TestLayers: no package imports one of a layer above its own, in any of
// the three builds; so runtime/ imports nothing of the module outside it.
func TestLayers(t *testing.T) {
	for _, target := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}, {"GOOS=wasip1", "GOARCH=wasm"}} {
		cmd := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
		cmd.Env = append(os.Environ(), target...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", target, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) < 30 {
			t.Fatalf("go list %v listed %d packages", target, len(lines))
		}
		for _, line := range lines {
			fields := strings.Fields(line)
			from := layerOf(fields[0])
			for _, imp := range fields[1:] {
				if imp != module && !strings.HasPrefix(imp, module+"/") {
					continue
				}
				if to := layerOf(imp); to > from {
					t.Errorf("%v: %s (%s) imports %s (%s)", target, fields[0], layers[from].name, imp, layers[to].name)
				}
			}
		}
	}
}

// TestLayerOf places packages of each layer.
func TestLayerOf(t *testing.T) {
	for pkg, want := range map[string]int{
		module + "/runtime/load": 0, module + "/wasm/simd": 1, module + "/webgpu": 1, module + "/shaders": 1,
		module + "/browser/idb": 1, module: 2, module + "/cmd/phi2": 3, module + "/web": 3, module + "/web/e2e": 3,
	} {
		if got := layerOf(pkg); got != want {
			t.Errorf("layerOf(%s) = %d, want %d", pkg, got, want)
		}
	}
}
