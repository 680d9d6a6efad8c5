//go:build !wasm

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/weights"
)

// fakeEngine stands in for phi2-web.wasm, with a wasm_exec.js beside it.
func fakeEngine(t *testing.T) []byte {
	dir := t.TempDir()
	wasm := bytes.Repeat([]byte("\x00asm not really an engine "), 4000)
	for name, data := range map[string][]byte{"phi2-web.wasm": wasm, "wasm_exec.js": []byte("// Go's support script\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PHI2_WEB_WASM", filepath.Join(dir, "phi2-web.wasm"))
	return wasm
}

func TestServe(t *testing.T) {
	wasm := fakeEngine(t)
	t.Setenv("PHI2_CACHE", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, serveOptions{addr: "127.0.0.1:0", model: tinyDir}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("no output; serve returned %v", <-done)
	}
	url, ok := strings.CutPrefix(lines.Text(), "phi2: serving the demo at ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0/") {
		t.Fatalf("first line %q: want the URL with the port picked", lines.Text())
	}
	if !lines.Scan() || lines.Text() != "phi2: OpenAI-compatible API at "+url+`v1 (model "tiny")` {
		t.Errorf("second line %q: want the API's URL and the --model directory's name", lines.Text())
	}
	if !lines.Scan() || !strings.Contains(lines.Text(), "phi2.wasm is 0.1 MB") {
		t.Errorf("third line %q: want the engine's size", lines.Text())
	}
	go io.Copy(io.Discard, pr)

	var models []struct{ Name, URL string }
	if err := json.Unmarshal(get(t, url+"models.json", nil), &models); err != nil {
		t.Fatal(err)
	}
	if len(models) != 2 || models[0].URL != "models/default/" || models[1].URL != "models/local/" {
		t.Fatalf("models.json: %+v, want default and local", models)
	}
	if got := get(t, url+"phi2.wasm", nil); !bytes.Equal(got, wasm) {
		t.Errorf("phi2.wasm: %d bytes that differ from the engine's %d", len(got), len(wasm))
	}
	// The default model is phi-nano, a model directory: it loads over HTTP.
	var format string
	var cfg weights.Config
	err := load.Open(context.Background(), url+"models/default/", load.Options{}, func(m *load.Model) error {
		format, cfg = m.Format, m.Config()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if format != load.ModelDir || cfg.HiddenSize != 128 || cfg.NumLayers != 4 || cfg.VocabSize != 51200 {
		t.Errorf("models/default/: %s with %+v, want phi-nano's model directory", format, cfg)
	}
	// --model serves the directory as it is.
	want, err := os.ReadFile(filepath.Join(tinyDir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, url+"models/local/model.safetensors", map[string]string{"Range": "bytes=100-199"}); !bytes.Equal(got, want[100:200]) {
		t.Errorf("models/local/model.safetensors bytes 100-199 differ from the file's")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after interrupt: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return within 5 s of the interrupt")
	}
}

func get(t *testing.T, url string, header map[string]string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return body
}

func TestDefaultModelIsMadeOnce(t *testing.T) {
	t.Setenv("PHI2_CACHE", t.TempDir())
	first, err := defaultModelDir()
	if err != nil {
		t.Fatal(err)
	}
	st1, err := os.Stat(filepath.Join(first, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := defaultModelDir()
	if err != nil {
		t.Fatal(err)
	}
	st2, err := os.Stat(filepath.Join(second, "manifest.json"))
	if err != nil || first != second || !st1.ModTime().Equal(st2.ModTime()) {
		t.Errorf("second call: %s (%v), want %s unchanged", second, err, first)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(first), "*.tmp-*"))
	if len(left) > 0 {
		t.Errorf("work directories left in the cache: %v", left)
	}
}

func TestServeErrors(t *testing.T) {
	fakeEngine(t)
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--model", empty}, "", "neither manifest.json nor config.json"},
		{[]string{"--model", filepath.Join(empty, "missing")}, "", "--model"},
		{[]string{"--addr", "127.0.0.1:99999"}, "", "--addr 127.0.0.1:99999"},
		{nil, filepath.Join(empty, "phi2-web.wasm"), "make build"},
		{[]string{"stray"}, "", "unexpected argument"},
		{[]string{"--queue", "-1"}, "", "--queue -1"},
		{[]string{"--backend", "simd"}, "", `--backend "simd": want one of auto, cpu, webgpu`},
		{[]string{"--kv-cache", "f8"}, "", `--kv-cache "f8"`},
		{[]string{"--quant", "q3"}, "", `--quant "q3"`},
		{[]string{"--context", "-5"}, "", "--context -5"},
	} {
		if c.env != "" {
			t.Setenv("PHI2_WEB_WASM", c.env)
		}
		_, errOut, code := runCLI(append([]string{"serve"}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("serve %q: exit %d, stderr %q; want a one-line error with %q", c.args, code, errOut, c.want)
		}
	}
}

// A report prints as one line with its control characters escaped: a
// report cannot move the cursor, clear the terminal or reorder the text.
func TestPrintableReport(t *testing.T) {
	for in, want := range map[string]string{
		`{"a": "b"}`:                  `{"a": "b"}`,
		"x\x1b[2J\x1b]0;title\x07y":   `x\u001b[2J\u001b]0;title\u0007y`,
		"one\n  two\r\nthree":         "one two three",
		"left\u202eright":             `left\u202eright`,
		"bad \xff utf-8, ok: é":       `bad \xff utf-8, ok: é`,
		strings.Repeat("long ", 1000): strings.TrimSpace(strings.Repeat("long ", 20)) + "…",
	} {
		if got := printable([]byte(in), 100); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestServeLimits: the server closes an idle keep-alive connection, ends a
// request whose body does not arrive and refuses oversized headers, while
// a slow reader of a large response gets it whole.
func TestServeLimits(t *testing.T) {
	fakeEngine(t)
	t.Setenv("PHI2_CACHE", t.TempDir())
	limits := serverLimits{readHeader: 300 * time.Millisecond, read: 300 * time.Millisecond, idle: 300 * time.Millisecond, maxHeader: 4 << 10}
	url := startServe(t, serveOptions{addr: "127.0.0.1:0", model: tinyDir, limits: limits})
	host := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	// closedWithin sends req on a new connection and reports whether the
	// server closed it within limit.
	closedWithin := func(req string, limit time.Duration) bool {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte(req))
		conn.SetReadDeadline(time.Now().Add(limit))
		_, err = io.Copy(io.Discard, conn)
		return err == nil // EOF: closed by the server
	}
	for name, req := range map[string]string{
		"idle keep-alive":   "GET /models.json HTTP/1.1\r\nHost: x\r\n\r\n",
		"slow body":         "POST /csp-report HTTP/1.1\r\nHost: x\r\nContent-Type: application/csp-report\r\nContent-Length: 100\r\n\r\n{",
		"slow headers":      "GET /models.json HTTP/1.1\r\nHost: x\r\n",
		"oversized headers": "GET /models.json HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n",
	} {
		if !closedWithin(req, 3*time.Second) {
			t.Errorf("%s: the connection is still open after 3 s", name)
		}
	}
	// A response read more slowly than the read timeout still arrives whole.
	want, err := os.ReadFile(filepath.Join(tinyDir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(url + "models/local/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got bytes.Buffer
	for start := time.Now(); ; {
		_, err := io.CopyN(&got, resp.Body, int64(len(want)/8+1))
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", got.Len(), err)
		}
		if time.Since(start) < time.Second {
			time.Sleep(150 * time.Millisecond)
		}
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("a slow reader got %d bytes that differ from the file's %d", got.Len(), len(want))
	}
}

// startServe runs serve with o until the test ends and returns its URL.
func startServe(t *testing.T, o serveOptions) string {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, o, pw)
		pw.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("no output; serve returned %v", <-done)
	}
	go io.Copy(io.Discard, pr)
	url, ok := strings.CutPrefix(lines.Text(), "phi2: serving the demo at ")
	if !ok {
		t.Fatalf("first line %q: want the URL", lines.Text())
	}
	return url
}
