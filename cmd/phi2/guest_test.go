//go:build !wasm

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// guestBuild is a build of this command for another engine, made once per
// test binary beside the tiny model.
type guestBuild struct {
	once sync.Once
	err  error
}

var wasiGuest, jsGuest guestBuild

// use builds the command for goos/wasm into file and points envVar at it.
func (g *guestBuild) use(t *testing.T, goos, file, envVar string) {
	t.Helper()
	g.once.Do(func() {
		out := filepath.Join(filepath.Dir(tinyDir), file)
		cmd := exec.Command("go", "build", "-o", out, ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=wasm")
		if msg, err := cmd.CombinedOutput(); err != nil {
			g.err = &exec.ExitError{Stderr: msg}
			t.Logf("go build: %s", msg)
			return
		}
		os.Setenv(envVar, out)
	})
	if g.err != nil {
		t.Fatalf("building the %s guest: %v", goos, g.err)
	}
}

// useGuest builds the wasip1 command, the guest of --engine wazero.
func useGuest(t *testing.T) { wasiGuest.use(t, "wasip1", "phi2.wasm", "PHI2_WASM") }

// useJSGuest builds the js command, the page program of --engine chromium.
func useJSGuest(t *testing.T) { jsGuest.use(t, "js", "phi2-js.wasm", "PHI2_JS_WASM") }
