package chromium

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	probeOnce sync.Once
	probePath string
	probeErr  error
)

// probe builds testdata/probe for GOOS=js once.
func probe(t *testing.T) string {
	t.Helper()
	probeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chromium-probe-")
		if err != nil {
			probeErr = err
			return
		}
		probePath = filepath.Join(dir, "probe.wasm")
		cmd := exec.Command("go", "build", "-o", probePath, "./testdata/probe")
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			probeErr = fmt.Errorf("building the probe: %v\n%s", err, out)
		}
	})
	if probeErr != nil {
		t.Fatal(probeErr)
	}
	return probePath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if probePath != "" {
		os.RemoveAll(filepath.Dir(probePath))
	}
	os.Exit(code)
}

// runProbe runs the probe with args and returns its exit code and output.
func runProbe(t *testing.T, o Options, args ...string) (int, string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	o.Wasm = probe(t)
	o.Args = append([]string{"probe"}, args...)
	o.Stdout, o.Stderr = &stdout, &stderr
	if o.Timeout == 0 {
		o.Timeout = time.Minute
	}
	code, err := Run(context.Background(), o)
	return code, stdout.String(), stderr.String(), err
}

// TestRun: arguments, environment, output, a Files route, the read-only
// and writable directories, the working directory and the exit code.
func TestRun(t *testing.T) {
	t.Parallel()
	readOnly, writable := t.TempDir(), t.TempDir()
	data := filepath.Join(readOnly, "data.txt")
	if err := os.WriteFile(data, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr, err := runProbe(t, Options{
		Env:      map[string]string{"PROBE_GREETING": "hi", "TMPDIR": writable},
		Files:    map[string]http.Handler{"/files/": http.StripPrefix("/files/", http.FileServerFS(os.DirFS("testdata/files")))},
		FS:       readOnly,
		Writable: writable,
		Dir:      readOnly,
	}, "hello", "7", data)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`args ["7" %q]
fetched 200 "hello from Files\n"
read "data" <nil>
tmp "written" <nil> <nil>
write beside data.txt: open %s: Read-only file system
outside: stat /etc/hostname: No such file or directory
wd %s
`, data, filepath.Join(readOnly, "new.txt"), readOnly)
	if code != 7 || stdout != want || stderr != "greeting hi\n" {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 7, stdout:\n%s\nstderr: greeting hi", code, stdout, stderr, want)
	}
	if b, err := os.ReadFile(filepath.Join(writable, "probe.txt")); string(b) != "written" {
		t.Errorf("the file the program wrote holds %q (%v)", b, err)
	}
}

// TestOutputOrder: many writes arrive complete and in order.
func TestOutputOrder(t *testing.T) {
	t.Parallel()
	code, stdout, _, err := runProbe(t, Options{}, "lines")
	if err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	var want strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	if stdout != want.String() {
		t.Errorf("got %d bytes of output, want %d in order", len(stdout), want.Len())
	}
}

// TestPanic: a panicking program exits with Go's code 2 and its message.
func TestPanic(t *testing.T) {
	t.Parallel()
	code, _, stderr, err := runProbe(t, Options{}, "panic")
	if err != nil || code != 2 || !strings.Contains(stderr, "panic: boom") {
		t.Errorf("exit %d, %v, stderr:\n%s", code, err, stderr)
	}
}

// TestDevice: the phi2 imports of wasm/kernels/kernels.js on one and on three
// threads (testdata/probe/device.go checks the results).
func TestDevice(t *testing.T) {
	t.Parallel()
	for _, threads := range []int{1, 3} {
		code, stdout, stderr, err := runProbe(t, Options{
			Threads: threads,
			Env:     map[string]string{"PROBE_THREADS": fmt.Sprint(threads)},
		}, "device", "big")
		if err != nil || code != 0 || stdout != "device ok\n" {
			t.Errorf("threads %d: exit %d, %v, stdout:\n%s\nstderr:\n%s", threads, code, err, stdout, stderr)
		}
		if !strings.Contains(stderr, "phi2: job 2: kernel 999: unknown kernel id 999") {
			t.Errorf("threads %d: the failing job is not described; stderr:\n%s", threads, stderr)
		}
	}
}

// TestWebGPU: the program gets an adapter, or none, or no navigator.gpu.
func TestWebGPU(t *testing.T) {
	t.Parallel()
	for mode, want := range map[WebGPU]string{WebGPUOn: "adapter\n", WebGPUNoAdapter: "no adapter\n", WebGPUAbsent: "no navigator.gpu\n"} {
		code, stdout, stderr, err := runProbe(t, Options{WebGPU: mode}, "webgpu")
		if err != nil || code != 0 || stdout != want {
			t.Errorf("WebGPU %d: exit %d, %v, stdout %q, want %q; stderr:\n%s", mode, code, err, stdout, want, stderr)
		}
	}
}

// TestCopies: two copies run at once in one page, each with its PHI2_COPY,
// and the run ends with the larger exit code; a kept profile survives.
func TestCopies(t *testing.T) {
	profile := t.TempDir()
	code, out, errOut, err := runProbe(t, Options{Copies: 2, Profile: profile}, "copy")
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	if code != 1 || !strings.Contains(out, "copy 0\n") || !strings.Contains(out, "copy 1\n") {
		t.Errorf("exit %d, output %q; want exit 1 and both copies", code, out)
	}
	if entries, err := os.ReadDir(profile); err != nil || len(entries) == 0 {
		t.Errorf("profile directory after the run: %v entries, %v", len(entries), err)
	}
}
