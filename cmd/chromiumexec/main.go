// Command chromiumexec runs a GOOS=js program, typically a test binary, in
// headless Chromium (package chromium), so that code using the SIMD device
// (wasm/simd) or WebGPU runs in a real browser:
//
//	go build -o build/chromiumexec ./cmd/chromiumexec
//	GOOS=js GOARCH=wasm go test -exec "$PWD/build/chromiumexec" ./wasm/simd
//
// The program gets the arguments after its path, an environment of the
// PHI2_* variables and the Go runtime's own (GODEBUG, GOTRACEBACK, GOGC,
// GOMEMLIMIT) with HOME=/ and PWD, the working directory, a read-only view
// of the enclosing module (the directory holding go.mod, or the working
// directory outside a module) and, as TMPDIR, a fresh writable directory
// removed afterwards. Its exit status is relayed.
// A test binary's -test.timeout, plus a minute, bounds the run, since a
// program that never yields to the browser cannot time itself out.
// PHI2_THREADS sets the number of kernel threads (default 1);
// PHI2_CHROMIUM_FLAGS adds Chromium flags (space-separated), e.g.
// PHI2_WEBGPU=no-adapter or absent hides
// WebGPU from the program (chromium.WebGPUNoAdapter, WebGPUAbsent);
// PHI2_CHROMIUM picks the browser.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/phi2web/phi2web/browser/chromium"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: chromiumexec PROGRAM [ARGS...]")
		return 2
	}
	code, err := runProgram(args[0], args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "chromiumexec: %s\n", err)
		return 1
	}
	return code
}

// runtimeVars are environment variables of the Go runtime and testing
// that the program inherits.
var runtimeVars = []string{"GODEBUG", "GOTRACEBACK", "GOGC", "GOMEMLIMIT"}

func runProgram(path string, args []string) (int, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "chromiumexec-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	env := map[string]string{"HOME": "/", "TMPDIR": tmp, "PWD": cwd}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PHI2_") {
			env[k] = v
		}
	}
	for _, k := range runtimeVars {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	threads := 1
	if s := os.Getenv("PHI2_THREADS"); s != "" {
		if threads, err = strconv.Atoi(s); err != nil || threads < 1 {
			return 0, fmt.Errorf("PHI2_THREADS=%q is not a positive number", s)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT)
	defer stop()
	o := chromium.Options{
		Wasm:     path,
		Args:     append([]string{filepath.Base(path)}, args...),
		Env:      env,
		FS:       moduleRoot(cwd),
		Writable: tmp,
		Dir:      cwd,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Threads:  threads,
		Timeout:  runLimit(args),
	}
	if err := chromium.FromEnv(&o); err != nil {
		return 0, err
	}
	return chromium.Run(ctx, o)
}

// runLimit is the test timeout among args plus a minute, or 0.
func runLimit(args []string) time.Duration {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "-test.timeout="); ok {
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				return d + time.Minute
			}
		}
	}
	return 0
}

// moduleRoot is the nearest directory at or above dir that holds go.mod,
// or dir.
func moduleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}
