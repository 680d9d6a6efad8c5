//go:build !wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/phi2web/phi2web/web"
)

// runServe serves the demo page, the embeddable module, the engine and the
// models, and the OpenAI-compatible API on the model, on a local address
// until interrupted.
func runServe(args []string, stdout io.Writer) error {
	fs := newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	model := fs.String("model", "", "a converted model directory or a Hugging Face directory, served at models/local/ and by the API (default: phi-nano)")
	var o serveOptions
	o.api.registerServe(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := o.api.check(fs); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.addr, o.model = *addr, *model
	return serve(ctx, o, stdout)
}

type serveOptions struct {
	addr, model string
	limits      serverLimits // the zero value means defaultLimits
	api         apiOptions
}

// serverLimits bound what one client can hold of the server.
type serverLimits struct {
	readHeader time.Duration // for a request's headers to arrive
	read       time.Duration // for a whole request, body included
	idle       time.Duration // a keep-alive connection waiting for its next request
	maxHeader  int           // bytes of a request's headers
}

// defaultLimits: a request arrives within 30 s (its headers within 10 s),
// an idle connection closes after a minute; responses, such as a model's
// shards on a slow link, take as long as they need.
var defaultLimits = serverLimits{readHeader: 10 * time.Second, read: 30 * time.Second, idle: time.Minute, maxHeader: 32 << 10}

// newServer is the HTTP server of handler within limits l.
func newServer(handler http.Handler, l serverLimits) *http.Server {
	if l == (serverLimits{}) {
		l = defaultLimits
	}
	return &http.Server{Handler: handler, ReadHeaderTimeout: l.readHeader, ReadTimeout: l.read, IdleTimeout: l.idle, MaxHeaderBytes: l.maxHeader}
}

// serve runs the site until ctx ends.
func serve(ctx context.Context, o serveOptions, stdout io.Writer) error {
	so, err := siteOptions(o.model)
	if err != nil {
		return err
	}
	var reports atomic.Int64
	so.OnCSPReport = func(b []byte) {
		if reports.Add(1) <= 10 { // a page in a loop must not flood the terminal
			fmt.Fprintf(os.Stderr, "phi2: CSP violation reported: %s\n", printable(b, 1000))
		}
	}
	site, err := web.NewSite(so)
	if err != nil {
		return err
	}
	defer site.Close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", o.addr, err)
	}
	api, apiModel, err := newAPI(o, so.Models[0].Path, stdout) // the default model comes first
	if err != nil {
		return err
	}
	defer api.Close()
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1" || strings.HasPrefix(r.URL.Path, "/v1/") {
			api.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	}), o.limits)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "phi2: serving the demo at http://%s/\n", ln.Addr())
	fmt.Fprintf(stdout, "phi2: OpenAI-compatible API at http://%s/v1 (model %q)\n", ln.Addr(), apiModel)
	warnOpen(os.Stderr, ln.Addr(), o.api.key)
	go printWasmSize(ctx, site, stdout)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	return nil
}

// printWasmSize reports the engine's size once its compressed form is
// ready (about a second after start).
func printWasmSize(ctx context.Context, site *web.Site, stdout io.Writer) {
	select {
	case <-site.Compressed():
	case <-ctx.Done():
		return
	}
	raw, br, _ := site.Sizes("phi2.wasm")
	fmt.Fprintf(stdout, "phi2: phi2.wasm is %.1f MB, %.1f MB with brotli\n", float64(raw)/1e6, float64(br)/1e6)
}

// webModule is the path of phi2-web.wasm, the page's engine:
// $PHI2_WEB_WASM, or beside this executable.
func webModule() (string, error) {
	path := os.Getenv("PHI2_WEB_WASM")
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", err
		}
		path = filepath.Join(filepath.Dir(exe), "phi2-web.wasm")
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s not found: run 'make build' to build it beside phi2, or set PHI2_WEB_WASM", path)
	}
	return path, nil
}

// wasmExecBeside finds Go's wasm_exec.js beside the engine, else beside
// this executable, else in the Go installation (`go env GOROOT`), which
// must be the Go that built the engine.
func wasmExecBeside(wasm string) (string, error) {
	dirs := []string{filepath.Dir(wasm)}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	for _, dir := range dirs {
		if p := filepath.Join(dir, "wasm_exec.js"); fileExists(p) {
			return p, nil
		}
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("no wasm_exec.js beside %s, and `go env GOROOT` failed: %v", wasm, err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js")
	if !fileExists(p) {
		return "", fmt.Errorf("no wasm_exec.js beside %s nor at %s", wasm, p)
	}
	return p, nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// checkModelDir accepts a directory the page can load: a converted model
// (manifest.json) or a Hugging Face directory (config.json).
func checkModelDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("--model %s: not a directory (want a converted model or a Hugging Face directory)", dir)
	}
	for _, name := range []string{"manifest.json", "config.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--model: %w", err)
		}
	}
	return fmt.Errorf("--model %s: holds neither manifest.json nor config.json", dir)
}

// printable is b on one line for a terminal: runs of white space become
// one space, control and formatting characters (escape sequences,
// direction overrides) and bytes that are not UTF-8 are escaped, and it
// ends after about limit bytes.
func printable(b []byte, limit int) string {
	var out strings.Builder
	for n, field := range strings.Fields(string(b)) {
		if n > 0 {
			out.WriteByte(' ')
		}
		for len(field) > 0 {
			if out.Len() >= limit {
				return strings.TrimRight(out.String(), " ") + "…"
			}
			r, size := utf8.DecodeRuneInString(field)
			switch {
			case r == utf8.RuneError && size == 1:
				fmt.Fprintf(&out, `\x%02x`, field[0])
			case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
				fmt.Fprintf(&out, `\u%04x`, r)
			default:
				out.WriteString(field[:size])
			}
			field = field[size:]
		}
	}
	return out.String()
}
