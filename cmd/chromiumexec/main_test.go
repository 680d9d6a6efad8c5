package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGoTestExec: `go test -exec chromiumexec` runs wasm/simd's tests
// in Chromium on two kernel threads: the device, the goldens read from the
// module and the model files written to TMPDIR.
func TestGoTestExec(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "chromiumexec")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command("go", "test", "-count=1", "-exec", bin, "-run", "TestConformance|TestFailedRun|TestKnownTokens", "-v", "../../wasm/simd")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "PHI2_THREADS=2")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test: %v\n%s", err, out)
	}
	for _, want := range []string{"--- PASS: TestConformance", "--- PASS: TestFailedRun", "--- PASS: TestKnownTokens", "\nok "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("go test output lacks %q:\n%s", want, out)
		}
	}
}

// TestModuleRoot: the directory holding go.mod, or the start outside a
// module.
func TestModuleRoot(t *testing.T) {
	wd, _ := os.Getwd()
	want := filepath.Clean(filepath.Join(wd, "../.."))
	if got := moduleRoot(wd); got != want {
		t.Errorf("moduleRoot(%s) = %s, want %s", wd, got, want)
	}
	dir := t.TempDir()
	if got := moduleRoot(dir); got != dir {
		t.Errorf("moduleRoot(%s) = %s outside a module", dir, got)
	}
}

// TestRunLimit: a test binary's -test.timeout bounds the run.
func TestRunLimit(t *testing.T) {
	for _, c := range []struct {
		args []string
		want time.Duration
	}{
		{[]string{"-test.paniconexit0", "-test.timeout=10m0s"}, 11 * time.Minute},
		{[]string{"-test.timeout=0s"}, 0},
		{[]string{"-test.v"}, 0},
	} {
		if got := runLimit(c.args); got != c.want {
			t.Errorf("runLimit(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
