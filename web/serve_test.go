package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestCompressionRoundTrip(t *testing.T) {
	ts := newTestSite(t)
	ts.waitCompressed(t)
	decoders := map[string]func(io.Reader) (io.Reader, error){
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	}
	cases := []struct{ accept, want string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip, deflate", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"identity", ""},
		{"", ""},
	}
	for path, file := range map[string][]byte{"/phi2.wasm": ts.wasm, "/wasm_exec.js": ts.wasmExec} {
		for _, c := range cases {
			w := ts.do("GET", path, map[string]string{"Accept-Encoding": c.accept}, nil)
			enc := w.Header().Get("Content-Encoding")
			if enc != c.want {
				t.Errorf("%s with Accept-Encoding %q: Content-Encoding %q, want %q", path, c.accept, enc, c.want)
				continue
			}
			if !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: Vary %q lacks Accept-Encoding", path, w.Header().Get("Vary"))
			}
			body := w.Body.Bytes()
			if got := w.Header().Get("Content-Length"); got != strconv.Itoa(len(body)) {
				t.Errorf("%s %s: Content-Length %q, want %d", path, enc, got, len(body))
			}
			if enc != "" {
				if len(body) >= len(file)/2 {
					t.Errorf("%s %s: %d bytes of %d: not compressed", path, enc, len(body), len(file))
				}
				r, err := decoders[enc](bytes.NewReader(body))
				if err == nil {
					body, err = io.ReadAll(r)
				}
				if err != nil {
					t.Fatalf("%s %s: %v", path, enc, err)
				}
			}
			if !bytes.Equal(body, file) {
				t.Errorf("%s with Accept-Encoding %q: %d bytes differ from the file's %d", path, c.accept, len(body), len(file))
			}
		}
	}
	raw, br, ok := ts.Sizes("phi2.wasm")
	if !ok || raw != len(ts.wasm) || br == 0 || br >= raw {
		t.Errorf("Sizes(phi2.wasm) = %d, %d, %v; want %d and a smaller compressed size", raw, br, ok, len(ts.wasm))
	}
	// Each form has its own ETag, and a matching If-None-Match is a 304.
	a := ts.do("GET", "/phi2.wasm", map[string]string{"Accept-Encoding": "br"}, nil).Header().Get("ETag")
	b := ts.do("GET", "/phi2.wasm", nil, nil).Header().Get("ETag")
	if a == "" || a == b {
		t.Errorf("ETags %q (br) and %q (identity): want two different ones", a, b)
	}
	if w := ts.do("GET", "/phi2.wasm", map[string]string{"Accept-Encoding": "br", "If-None-Match": a}, nil); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match of the br form: status %d, want 304", w.Code)
	}
}

func TestModelFileRanges(t *testing.T) {
	ts := newTestSite(t)
	w := ts.do("GET", "/models/default/shard-00000.bin.br", map[string]string{"Range": "bytes=1000-1999"}, nil)
	if w.Code != http.StatusPartialContent {
		t.Fatalf("range: status %d, want 206", w.Code)
	}
	if !bytes.Equal(w.Body.Bytes(), ts.shard[1000:2000]) {
		t.Errorf("range: got %d bytes that differ from the file's bytes 1000-1999", w.Body.Len())
	}
	if got, want := w.Header().Get("Content-Range"), "bytes 1000-1999/100000"; got != want {
		t.Errorf("Content-Range %q, want %q", got, want)
	}
	// A resumed download: everything from an offset.
	w = ts.do("GET", "/models/default/shard-00000.bin.br", map[string]string{"Range": "bytes=99000-"}, nil)
	if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), ts.shard[99000:]) {
		t.Errorf("open range: status %d, %d bytes; want 206 and the last 1000 bytes", w.Code, w.Body.Len())
	}
	full := ts.do("GET", "/models/default/shard-00000.bin.br", nil, nil)
	etag, mod := full.Header().Get("ETag"), full.Header().Get("Last-Modified")
	if etag == "" || mod == "" || !bytes.Equal(full.Body.Bytes(), ts.shard) {
		t.Fatalf("full: ETag %q, Last-Modified %q, %d bytes; want both and the file", etag, mod, full.Body.Len())
	}
	if w := ts.do("GET", "/models/default/shard-00000.bin.br", map[string]string{"If-None-Match": etag}, nil); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", w.Code)
	}
	// If-Range with a stale validator sends the whole file.
	w = ts.do("GET", "/models/default/shard-00000.bin.br", map[string]string{"Range": "bytes=0-9", "If-Range": `"stale"`}, nil)
	if w.Code != http.StatusOK || w.Body.Len() != len(ts.shard) {
		t.Errorf("stale If-Range: status %d, %d bytes; want 200 and the whole file", w.Code, w.Body.Len())
	}
}

func TestNotFoundNamesThePath(t *testing.T) {
	ts := newTestSite(t)
	for _, p := range []string{"/nothing.js", "/models/default/missing.bin", "/models/", "/models/default/", "/models/default/sub", "/models/default/sub/"} {
		w := ts.do("GET", p, nil, nil)
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), p) {
			t.Errorf("%s: status %d, body %q; want 404 naming the path", p, w.Code, w.Body.String())
		}
	}
}

func TestPathTraversalIsRefused(t *testing.T) {
	ts := newTestSite(t)
	for _, p := range []string{
		"/models/default/../secret",
		"/models/default/sub/../../secret",
		"/models/default/link", // a symbolic link to a file outside the model
		"/models/default//etc/passwd",
		"/../web.go",
		"/./kernels.js/../web.go",
		"/models/default/" + ts.modelDir + "/manifest.json",
	} {
		w := ts.do("GET", p, nil, nil)
		if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "outside the model") {
			t.Errorf("%s: status %d, body %q; want 404", p, w.Code, w.Body.String())
		}
	}
}

func TestCSPReports(t *testing.T) {
	ts := newTestSite(t)
	report := `{"csp-report":{"violated-directive":"script-src"}}`
	w := ts.do("POST", "/csp-report", map[string]string{"Content-Type": "application/csp-report"}, strings.NewReader(report))
	if w.Code != http.StatusNoContent {
		t.Fatalf("status %d, want 204", w.Code)
	}
	select {
	case got := <-ts.reports:
		if string(got) != report {
			t.Errorf("callback got %q, want %q", got, report)
		}
	default:
		t.Fatal("the callback was not called")
	}
	ts.do("POST", "/csp-report", map[string]string{"Content-Type": "application/json"}, strings.NewReader("{}"))
	if n := ts.CSPReports(); n != 2 {
		t.Errorf("CSPReports() = %d, want 2", n)
	}
}

// Reports are refused when they are not of a report's type, come from a
// page of another origin, are too large or too many.
func TestCSPReportBounds(t *testing.T) {
	ts := newTestSite(t)
	now := time.Unix(1e9, 0)
	ts.limit.now = func() time.Time { return now }
	post := func(header map[string]string, body string) int {
		h := map[string]string{"Content-Type": "application/csp-report"}
		for k, v := range header {
			h[k] = v
		}
		return ts.do("POST", "/csp-report", h, strings.NewReader(body)).Code
	}
	for _, c := range []struct {
		header map[string]string
		body   string
		want   int
	}{
		{map[string]string{"Content-Type": "text/plain"}, "{}", http.StatusUnsupportedMediaType},
		{map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "a=b", http.StatusUnsupportedMediaType},
		{map[string]string{"Origin": "https://elsewhere.example"}, "{}", http.StatusForbidden},
		{map[string]string{"Origin": "http://127.0.0.1"}, "{}", http.StatusNoContent}, // the site's own page
		{nil, strings.Repeat("x", maxCSPReport+1), http.StatusRequestEntityTooLarge},
		{nil, strings.Repeat("x", maxCSPReport), http.StatusNoContent},
	} {
		if got := post(c.header, c.body); got != c.want {
			t.Errorf("%v, %d bytes: status %d, want %d", c.header, len(c.body), got, c.want)
		}
	}
	// Two taken above; the burst lets the rest through, then one per
	// cspReportEvery.
	for i := 2; i < cspReportBurst; i++ {
		if got := post(nil, "{}"); got != http.StatusNoContent {
			t.Fatalf("report %d: status %d, want 204", i, got)
		}
	}
	if got := post(nil, "{}"); got != http.StatusTooManyRequests {
		t.Errorf("past the burst: status %d, want 429", got)
	}
	now = now.Add(cspReportEvery)
	if got := post(nil, "{}"); got != http.StatusNoContent {
		t.Errorf("after %v: status %d, want 204", cspReportEvery, got)
	}
	if got := post(nil, "{}"); got != http.StatusTooManyRequests {
		t.Errorf("a second one at once: status %d, want 429", got)
	}
	if n := ts.CSPReports(); n != cspReportBurst+1 {
		t.Errorf("CSPReports() = %d, want %d", n, cspReportBurst+1)
	}
}

func TestModelsJSON(t *testing.T) {
	ts := newTestSite(t)
	var got []map[string]string
	if err := json.Unmarshal(ts.do("GET", "/models.json", nil, nil).Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"name": "default", "title": "Tiny (default)", "url": "models/default/", "description": "the tiny model"}
	if len(got) != 1 || len(got[0]) != len(want) {
		t.Fatalf("models.json = %v, want [%v]", got, want)
	}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("models.json %s = %q, want %q", k, got[0][k], v)
		}
	}
}

func TestNewSiteErrors(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []SiteOptions{
		{Wasm: dir + "/missing.wasm"},
		{WasmExec: dir + "/missing.js"},
		{Models: []Model{{Name: "../x", Path: dir}}},
		{Models: []Model{{Name: "a", Path: dir + "/missing"}}},
		{Models: []Model{{Name: "a", Path: dir}, {Name: "a", Path: dir}}},
	} {
		if s, err := NewSite(o); err == nil {
			s.Close()
			t.Errorf("NewSite(%+v) succeeded, want an error", o)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("error %q is more than one line", err)
		}
	}
}
