package chromium

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/phi2web/phi2web/wasm/kernels"
)

//go:embed assets
var assets embed.FS

// controlPrefix starts the paths through which the page reports; the
// run's random token follows it, so a stale page of another run on the
// same port is not heard.
const controlPrefix = "/_phi2/"

// server serves the runner page, its worker and the program, and hears the
// program's output and exit.
type server struct {
	mux     *http.ServeMux
	control string // controlPrefix + token + "/"
	stdout  io.Writer
	stderr  io.Writer
	exit    chan int
	outMu   sync.Mutex
	ended   bool           // under outMu: output after the exit, or after Run, is dropped
	copies  int            // programs the page runs at once
	exited  map[string]int // under outMu: exit codes by copy
	timeMu  sync.Mutex
	alive   time.Time // the page's last report
	started time.Time // when the program started
	fs      *fileServer
}

// runnerConfig is what the worker needs to start the program.
type runnerConfig struct {
	Argv    []string          `json:"argv"`
	Env     map[string]string `json:"env"`
	Dir     string            `json:"dir"`
	Threads int               `json:"threads"`
	WebGPU  string            `json:"webgpu"` // "on", "no-adapter" or "absent"
	Copies  int               `json:"copies"`
}

func newServer(o Options) (_ *server, err error) {
	wasm, err := os.Open(o.Wasm)
	if err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	wasm.Close()
	wasmExec, err := wasmExecJS(o.Wasm)
	if err != nil {
		return nil, err
	}
	kernelsJS := kernels.JS
	token := make([]byte, 16)
	rand.Read(token)
	s := &server{
		mux:     http.NewServeMux(),
		control: controlPrefix + hex.EncodeToString(token) + "/",
		stdout:  orDiscard(o.Stdout),
		stderr:  orDiscard(o.Stderr),
		exit:    make(chan int, 1),
	}
	if s.fs, err = newFileServer(o.FS, o.Writable); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.fs.close()
		}
	}()
	s.copies, s.exited = max(1, o.Copies), map[string]int{}
	cfg := runnerConfig{Argv: o.Args, Env: o.Env, Dir: o.Dir, Threads: max(1, o.Threads), Copies: s.copies}
	switch o.WebGPU {
	case WebGPUOn:
		cfg.WebGPU = "on"
	case WebGPUNoAdapter:
		cfg.WebGPU = "no-adapter"
	case WebGPUAbsent:
		cfg.WebGPU = "absent"
	default:
		return nil, fmt.Errorf("chromium: unknown Options.WebGPU %d", o.WebGPU)
	}
	if cfg.Dir == "" {
		cfg.Dir = "/"
	}
	if cfg.Env == nil {
		cfg.Env = map[string]string{}
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	page, _ := assets.ReadFile("assets/index.html")
	runner, _ := assets.ReadFile("assets/runner.js")
	page = bytes.ReplaceAll(page, []byte("CONTROL_PATH"), []byte(s.control))

	s.mux.Handle("/{$}", bytesHandler("text/html; charset=utf-8", page))
	s.mux.Handle("/runner.js", bytesHandler("text/javascript", runner))
	s.mux.Handle("/wasm_exec.js", bytesHandler("text/javascript", wasmExec))
	s.mux.Handle("/kernels.js", bytesHandler("text/javascript", kernelsJS))
	s.mux.Handle("/kernels.wasm", bytesHandler("application/wasm", kernels.Module))
	s.mux.Handle("/kernels-relaxed.wasm", bytesHandler("application/wasm", kernels.RelaxedModule))
	s.mux.HandleFunc("/program.wasm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, o.Wasm)
	})
	s.mux.Handle("GET "+s.control+"config.json", bytesHandler("application/json", config))
	s.mux.HandleFunc("POST "+s.control+"out", s.serveOut)
	s.mux.HandleFunc("POST "+s.control+"exit", s.serveExit)
	s.mux.HandleFunc("POST "+s.control+"alive", func(http.ResponseWriter, *http.Request) { s.mark(&s.alive) })
	s.mux.HandleFunc("POST "+s.control+"started", func(http.ResponseWriter, *http.Request) { s.mark(&s.started) })
	s.mux.Handle(s.control+"fs/{op}", s.fs)
	for pattern, h := range o.Files {
		if err := s.handleFiles(pattern, h); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// runnerPaths are the runner's own routes.
var runnerPaths = []string{"/", "/{$}", "/runner.js", "/wasm_exec.js", "/kernels.js", "/kernels.wasm", "/kernels-relaxed.wasm", "/program.wasm"}

// handleFiles adds a route of Options.Files, refusing one that would take
// the runner's paths (or that the mux refuses: it panics).
func (s *server) handleFiles(pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chromium: Files route %q: %v", pattern, r)
		}
	}()
	path := pattern[max(0, strings.Index(pattern, "/")):] // after "METHOD HOST"
	if slices.Contains(runnerPaths, path) || strings.HasPrefix(path, controlPrefix) {
		return fmt.Errorf("chromium: Files route %q would take the runner's %s", pattern, path)
	}
	s.mux.Handle(pattern, h)
	return nil
}

// ServeHTTP serves every response cross-origin isolated and uncached.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Embedder-Policy", "require-corp")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

func (s *server) close() {
	s.end()
	s.fs.close()
}

// serveOut copies a piece of the program's output (fd 1 or 2) through.
func (s *server) serveOut(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	out := s.stdout
	if r.URL.Query().Get("fd") == "2" {
		out = s.stderr
	}
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if !s.ended {
		out.Write(body)
	}
}

// serveExit hears a program's exit code (once per copy); when every copy
// has exited, the run ends with the largest code.
func (s *server) serveExit(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	code, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		code = 2
	}
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if s.ended {
		return
	}
	if _, seen := s.exited[r.URL.Query().Get("copy")]; !seen {
		s.exited[r.URL.Query().Get("copy")] = code
	}
	if len(s.exited) < s.copies && code != 2 {
		return
	}
	worst := 0
	for _, c := range s.exited {
		worst = max(worst, c)
	}
	s.ended = true
	s.exit <- worst
}

// end stops the output: the caller's writers are theirs again.
func (s *server) end() {
	s.outMu.Lock()
	s.ended = true
	s.outMu.Unlock()
}

// mark sets *t, alive or started, to now.
func (s *server) mark(t *time.Time) {
	s.timeMu.Lock()
	*t = time.Now()
	s.timeMu.Unlock()
}

// times returns when the page last reported and when the program started;
// zero before they did.
func (s *server) times() (alive, started time.Time) {
	s.timeMu.Lock()
	defer s.timeMu.Unlock()
	return s.alive, s.started
}

func bytesHandler(contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	})
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
