// Package e2e runs the page product end to end in headless Chromium: the
// demo page, the JS module and <phi2-chat>, served by `phi2 serve` as a
// visitor or an embedding site gets them. Screenshots of each state go to
// $PHI2_SCREENSHOTS, else build/screenshots.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// bin holds the phi2 command and, beside it, the page's engine
// (phi2-web.wasm) and wasm_exec.js, as `make build` lays them out.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "phi2-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	code := 1
	if err := buildAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildAll(dir string) error {
	builds := [][]string{
		{"build", "-o", filepath.Join(dir, "phi2"), "../../cmd/phi2"},
		{"build", "-o", filepath.Join(dir, "phi2-web.wasm"), "../../cmd/phi2-worker"},
	}
	for i, args := range builds {
		cmd := exec.Command("go", args...)
		cmd.Env = os.Environ()
		if i == 1 {
			cmd.Env = append(cmd.Env, "GOOS=js", "GOARCH=wasm")
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "wasm_exec.js"), src, 0o644)
}

// server is a running `phi2 serve`.
type server struct {
	URL string // with a final '/'
	cmd *exec.Cmd

	mu  sync.Mutex
	log strings.Builder // its stderr
}

// serve starts `phi2 serve` on a free loopback port with its own cache.
func serve(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "phi2"), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "PHI2_CACHE="+cacheDir(t))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd}
	cmd.Stderr = writerFunc(func(p []byte) {
		s.mu.Lock()
		s.log.Write(p)
		s.mu.Unlock()
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "http://"); i >= 0 && strings.Contains(line, "serving") {
				found <- strings.TrimSpace(line[i:])
			}
		}
	}()
	select {
	case u := <-found:
		s.URL = strings.TrimSuffix(u, "/") + "/"
	case <-time.After(2 * time.Minute):
		t.Fatalf("phi2 serve printed no URL; stderr:\n%s", s.stderr())
	}
	return s
}

// stop ends the server; pages keep what they cached.
func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

func (s *server) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// checkCSP fails the test when the server was sent a CSP violation report.
func (s *server) checkCSP(t *testing.T) {
	t.Helper()
	if log := s.stderr(); strings.Contains(log, "CSP") {
		t.Errorf("the server was sent Content-Security-Policy violation reports:\n%s", log)
	}
}

// cache is shared by the tests: the default model is made once.
var (
	cacheOnce sync.Once
	cachePath string
)

func cacheDir(t *testing.T) string {
	cacheOnce.Do(func() { cachePath = filepath.Join(bin, "cache") })
	return cachePath
}

type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

var _ io.Writer = writerFunc(nil)

// screenshotDir is where the tests save what the page showed.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("PHI2_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "build", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// timeout bounds one test's browser work.
func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
