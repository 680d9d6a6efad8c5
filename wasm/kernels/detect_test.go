package kernels

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKernelsFile: kernels.js picks kernels-relaxed.wasm in a V8 with
// relaxed SIMD and kernels.wasm in one without (Node.js, with V8's flag
// turning it on and off).
func TestKernelsFile(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node not found: install Node.js (Debian: apt-get install nodejs; `make deps` does it)")
	}
	abs, err := filepath.Abs("kernels.js")
	if err != nil {
		t.Fatal(err)
	}
	script := `import("file://` + filepath.ToSlash(abs) + `").then((m) => console.log(m.kernelsFile()))`
	for flag, want := range map[string]string{
		"--experimental-wasm-relaxed-simd":    "kernels-relaxed.wasm",
		"--no-experimental-wasm-relaxed-simd": "kernels.wasm",
	} {
		out, err := exec.Command("node", flag, "-e", script).CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("node %s: kernelsFile() = %q (%v), want %s", flag, got, err, want)
		}
	}
}
