package web

import (
	"bytes"
	"crypto/rand"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testSite serves a site with an engine and wasm_exec.js made up of
// compressible text, and one model directory holding a manifest, a shard
// of random bytes and a subdirectory.
type testSite struct {
	*Site
	wasm, wasmExec, shard []byte
	modelDir              string
	reports               chan []byte
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	dir := t.TempDir()
	ts := &testSite{
		wasm:     bytes.Repeat([]byte("\x00asm engine bytes "), 20000),
		wasmExec: bytes.Repeat([]byte("globalThis.Go = class {};\n"), 400),
		shard:    make([]byte, 100000),
		modelDir: filepath.Join(dir, "model"),
		reports:  make(chan []byte, 4),
	}
	rand.Read(ts.shard)
	mustWrite(t, filepath.Join(dir, "phi2-web.wasm"), ts.wasm)
	mustWrite(t, filepath.Join(dir, "wasm_exec.js"), ts.wasmExec)
	mustWrite(t, filepath.Join(ts.modelDir, "manifest.json"), []byte(`{"format":"test","shards":[{"file":"shard-00000.bin.br"}]}`))
	mustWrite(t, filepath.Join(ts.modelDir, "shard-00000.bin.br"), ts.shard)
	mustWrite(t, filepath.Join(ts.modelDir, "sub", "config.json"), []byte(`{}`))
	mustWrite(t, filepath.Join(dir, "secret"), []byte("outside the model"))
	if err := os.Symlink(filepath.Join(dir, "secret"), filepath.Join(ts.modelDir, "link")); err != nil {
		t.Fatal(err)
	}
	s, err := NewSite(SiteOptions{
		Wasm:     filepath.Join(dir, "phi2-web.wasm"),
		WasmExec: filepath.Join(dir, "wasm_exec.js"),
		Models:   []Model{{Name: "default", Title: "Tiny (default)", Path: ts.modelDir, Description: "the tiny model"}},
		OnCSPReport: func(b []byte) {
			select {
			case ts.reports <- b:
			default: // the tests read the first few
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ts.Site = s
	return ts
}

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// get sends a request straight to the handler, so that paths reach it as
// written (a client would clean them).
func (ts *testSite) do(method, target string, header map[string]string, body io.Reader) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://127.0.0.1/", body)
	r.URL.Path = target
	r.RequestURI = target
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return w
}

func (ts *testSite) waitCompressed(t *testing.T) {
	select {
	case <-ts.Compressed():
	case <-time.After(10 * time.Second):
		t.Fatal("compression did not finish within 10 s")
	}
}

// wantHeaders are the headers every response must carry, as the page
// product's design states them.
var wantHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
		"img-src 'self' data:; connect-src 'self' https: http://127.0.0.1:* http://localhost:*; worker-src 'self' blob:; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; report-uri /csp-report",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Embedder-Policy": "require-corp",
	"Cross-Origin-Resource-Policy": "cross-origin",
	"Access-Control-Allow-Origin":  "*",
	"X-Content-Type-Options":       "nosniff",
}

func TestEveryResponseHasTheSecurityHeaders(t *testing.T) {
	ts := newTestSite(t)
	cases := []struct {
		method, path string
		status       int
	}{
		{"GET", "/kernels.js", 200},
		{"HEAD", "/kernels.js", 200},
		{"GET", "/phi2.wasm", 200},
		{"GET", "/kernels.wasm", 200},
		{"GET", "/kernels-relaxed.wasm", 200},
		{"GET", "/wasm_exec.js", 200},
		{"GET", "/models.json", 200},
		{"GET", "/favicon.svg", 200},
		{"GET", "/models/default/manifest.json", 200},
		{"GET", "/models/default/shard-00000.bin.br", 200},
		{"GET", "/no-such-file.js", 404},
		{"GET", "/models/other/manifest.json", 404},
		{"POST", "/kernels.js", 405},
		{"OPTIONS", "/models/default/manifest.json", 204},
		{"GET", "/csp-report", 405},
		{"POST", "/csp-report", 415}, // no Content-Type
	}
	for _, c := range cases {
		w := ts.do(c.method, c.path, nil, strings.NewReader("{}"))
		if w.Code != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, w.Code, c.status)
		}
		for k, v := range wantHeaders {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", c.method, c.path, k, got, v)
			}
		}
	}
}

func TestContentTypes(t *testing.T) {
	ts := newTestSite(t)
	want := map[string]string{
		"/phi2.wasm":                         "application/wasm",
		"/kernels.wasm":                      "application/wasm",
		"/kernels-relaxed.wasm":              "application/wasm",
		"/wasm_exec.js":                      "text/javascript",
		"/kernels.js":                        "text/javascript",
		"/models.json":                       "application/json",
		"/models/default/manifest.json":      "application/json",
		"/models/default/shard-00000.bin.br": "application/octet-stream",
		"/no-such-file":                      "text/plain",
	}
	// Whichever of the site's own files exist are served with their types.
	byExt := map[string]string{".json": "application/json", ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".ts": "application/typescript", ".svg": "image/svg+xml"}
	fs.WalkDir(Static, ".", func(name string, d fs.DirEntry, err error) error {
		if !d.IsDir() {
			want["/"+name] = byExt[filepath.Ext(name)]
		}
		return nil
	})
	for path, typ := range want {
		got := ts.do("GET", path, nil, nil).Header().Get("Content-Type")
		if typ == "" || !strings.HasPrefix(got, typ) {
			t.Errorf("%s: Content-Type %q, want %q", path, got, typ)
		}
	}
	// A whole shard goes to a client that accepts br declared as br (the
	// file's bytes, for the browser to decode); a part of one, or one for
	// a client that does not accept br, goes without an encoding.
	const shard = "/models/default/shard-00000.bin.br"
	for _, c := range []struct {
		header map[string]string
		want   string
	}{
		{map[string]string{"Accept-Encoding": "gzip, deflate, br, zstd"}, "br"},
		{map[string]string{"Accept-Encoding": "gzip, br", "Range": "bytes=0-"}, "br"},
		{map[string]string{"Accept-Encoding": "br", "Range": "bytes=10-"}, ""},
		{map[string]string{"Accept-Encoding": "gzip"}, ""},
		{nil, ""},
	} {
		w := ts.do("GET", shard, c.header, nil)
		if enc := w.Header().Get("Content-Encoding"); enc != c.want {
			t.Errorf("shard with %v: Content-Encoding %q, want %q", c.header, enc, c.want)
		}
		if c.want != "" && (w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), ts.shard) || w.Header().Get("Content-Length") != strconv.Itoa(len(ts.shard))) {
			t.Errorf("shard with %v: %d, %d bytes, Content-Length %q; want 200 and the file's %d bytes", c.header, w.Code, w.Body.Len(), w.Header().Get("Content-Length"), len(ts.shard))
		}
	}
}

func TestCacheControl(t *testing.T) {
	ts := newTestSite(t)
	for path, want := range map[string]string{
		"/models.json":                  "no-cache",
		"/phi2.wasm":                    "max-age=300",
		"/kernels.js":                   "max-age=300",
		"/models/default/manifest.json": "max-age=300",
	} {
		if got := ts.do("GET", path, nil, nil).Header().Get("Cache-Control"); !strings.Contains(got, want) {
			t.Errorf("%s: Cache-Control %q, want %q", path, got, want)
		}
	}
	for _, name := range []string{"index.html", "sw.js", "models.json"} {
		if got := cacheControl(name); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", name, got)
		}
	}
}
