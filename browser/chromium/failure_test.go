package chromium

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTimeout: a program that outlives Options.Timeout, or its context,
// ends the run with an error.
func TestTimeout(t *testing.T) {
	t.Parallel()
	start := time.Now()
	_, _, _, err := runProbe(t, Options{Timeout: 2 * time.Second}, "sleep")
	if err == nil || !strings.Contains(err.Error(), "ran longer than 2s") {
		t.Errorf("Run = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Run took %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(2*time.Second, cancel)
	if _, err := Run(ctx, Options{Wasm: probe(t), Args: []string{"probe", "sleep"}}); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("Run after cancel = %v", err)
	}
}

// TestChromiumDies: Chromium exiting first is an error with the end of its
// output.
func TestChromiumDies(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "fake-chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'fake: no display' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PHI2_CHROMIUM", fake)
	_, err := Run(context.Background(), Options{Wasm: probe(t), Args: []string{"probe", "sleep"}, Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "fake: no display") {
		t.Errorf("Run = %v", err)
	}
}

// TestFind: without PHI2_CHROMIUM and a browser on PATH, Find says what
// to install.
func TestFind(t *testing.T) {
	t.Setenv("PHI2_CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	want := "headless Chromium is needed: apt-get install chromium (or set PHI2_CHROMIUM)"
	if _, err := Find(); err == nil || err.Error() != want {
		t.Errorf("Find() = %v, want %q", err, want)
	}
	t.Setenv("PHI2_CHROMIUM", "/opt/chrome")
	if p, err := Find(); p != "/opt/chrome" || err != nil {
		t.Errorf("Find() = %q, %v with PHI2_CHROMIUM", p, err)
	}
}

// TestBadOptions: Files routes that take the runner's paths, and a missing
// program, are refused before Chromium starts.
func TestBadOptions(t *testing.T) {
	for _, route := range []string{"/", "/_phi2/x", "/kernels.js", "GET /program.wasm"} {
		_, err := Run(context.Background(), Options{Wasm: probe(t), Files: map[string]http.Handler{route: http.NotFoundHandler()}})
		if err == nil || !strings.Contains(err.Error(), "Files route") {
			t.Errorf("Files route %q: %v", route, err)
		}
	}
	if _, err := Run(context.Background(), Options{Wasm: "/nonexistent.wasm"}); err == nil || !strings.Contains(err.Error(), "/nonexistent.wasm") {
		t.Errorf("missing program: %v", err)
	}
}
