//go:build !wasm

package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"

	"github.com/phi2web/phi2web/browser/chromium"
)

// runChromium runs the command in the js build of phi2 inside headless
// Chromium. The model is served on the page's origin under /model/ (with
// Range requests) and the guest opens it by URL; threads are the SIMD
// kernel threads of the page.
func (e *engineFlags) runChromium(flags *flag.FlagSet, cmd string, args []string, threads int, stdout io.Writer) error {
	wasm, err := jsModule()
	if err != nil {
		return err
	}
	guestArgs := append([]string{"phi2", cmd}, dropFlags(flags, args, "engine", "backend", "threads", "model")...)
	guestArgs = append(guestArgs, "--engine=native", "--backend="+e.backend)
	files := map[string]http.Handler{}
	if isURL(e.model) {
		guestArgs = append(guestArgs, "--model="+e.model) // fetched by the page (the server must allow CORS)
	} else if e.model != "" {
		url, h, err := serveModel(e.model)
		if err != nil {
			return err
		}
		files["/model/"] = h
		guestArgs = append(guestArgs, "--model="+url)
	}
	env := map[string]string{"PHI2_ENGINE": e.engine, "PHI2_PROGRESS": guestProgress()}
	if !isURL(e.model) {
		// A local model is served fresh to the page: no copy in IndexedDB
		// (PHI2_STORE=on keeps one, to measure cached loads).
		env["PHI2_STORE"] = "off"
	}
	for _, name := range []string{"PHI2_WEBGPU_FAULT", "PHI2_STORE", "PHI2_STORE_QUOTA", "PHI2_STORE_DAMAGE", "PHI2_HTTP_TIMEOUT"} {
		if v := os.Getenv(name); v != "" {
			env[name] = v
		}
	}
	o := chromium.Options{
		Wasm: wasm, Args: guestArgs, Env: env, Files: files,
		Stdout: stdout, Stderr: guestStderr, Threads: threads,
	}
	if cmd == "bench" {
		peak := new(atomic.Int64)
		o.PeakMemory = peak
		o.Stderr = &markerWriter{w: guestStderr, marker: loadedMarker, seen: func() { e.loadPeak = peak.Load() }}
		defer func() { e.browserPeak = peak.Load() }()
	}
	if f := flags.Lookup("file"); f != nil && f.Value.String() != "" {
		// A file the command reads (perplexity --file): its directory is
		// readable at its host path, where the absolute --file points.
		abs, err := filepath.Abs(f.Value.String())
		if err != nil {
			return err
		}
		o.FS = filepath.Dir(abs)
	}
	if err := chromium.FromEnv(&o); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code, err := chromium.Run(ctx, o)
	switch {
	case err != nil:
		return fmt.Errorf("chromium engine: %w", err)
	case code != 0:
		return exitStatus(code)
	}
	return nil
}

// serveModel serves a model directory, or the directory of a .gguf file,
// under /model/ and returns the URL the guest opens.
func serveModel(path string) (string, http.Handler, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", nil, err
	}
	dir, url := path, "{origin}/model/"
	if !st.IsDir() {
		dir, url = filepath.Dir(path), url+filepath.Base(path)
	}
	return url, http.StripPrefix("/model/", http.FileServer(http.Dir(dir))), nil
}

// jsModule is the path of phi2-js.wasm: $PHI2_JS_WASM, or beside this
// executable.
func jsModule() (string, error) {
	path := os.Getenv("PHI2_JS_WASM")
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("chromium engine: %w", err)
		}
		path = filepath.Join(filepath.Dir(exe), "phi2-js.wasm")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("chromium engine: %s not found: run 'make build' to build it beside phi2, or set PHI2_JS_WASM", path)
	}
	return path, nil
}

// markerWriter passes writes to w, less the line marker, and calls seen
// when that line goes by. A guest writes the line in one write, which the
// browser hands over in one piece.
type markerWriter struct {
	w      io.Writer
	marker string
	seen   func()
}

func (m *markerWriter) Write(p []byte) (int, error) {
	line := []byte(m.marker + "\n")
	i := bytes.Index(p, line)
	if i < 0 {
		return m.w.Write(p)
	}
	m.seen()
	if _, err := m.w.Write(append(p[:i:i], p[i+len(line):]...)); err != nil {
		return 0, err
	}
	return len(p), nil
}
