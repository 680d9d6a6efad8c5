package weights

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// viaNetHTTP reaches the test servers, which a JavaScript host's fetch
// cannot under Node.
var viaNetHTTP = nethttp.New(nil)

// serve answers GET and HEAD for the files of m under /m/, honouring Range
// as a static file server does.
func serve(t *testing.T, m MemSource) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(memHandler("/m/", m))
	t.Cleanup(srv.Close)
	return srv
}

func memHandler(prefix string, m MemSource) http.Handler {
	return http.StripPrefix(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := m[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(data))
	}))
}

// sample is size bytes that differ at every offset a test reads.
func sample(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestHTTPReadsLikeMemory(t *testing.T) {
	const size = readAhead + 1000
	data := sample(size)
	srv := serve(t, MemSource{"data.bin": data, "empty": nil})
	for _, base := range []string{srv.URL + "/m", srv.URL + "/m/"} {
		f, err := HTTP(base, viaNetHTTP).Open("data.bin")
		if err != nil {
			t.Fatal(err)
		}
		if f.Size() != size {
			t.Errorf("%s: size %d, want %d", base, f.Size(), size)
		}
		want := bytes.NewReader(data)
		for _, c := range []struct{ off, n int }{
			{0, size}, {0, 8}, {8, 100}, {999, 1}, {123, 456}, {5, readAhead}, {size - 10, 20},
			{readAhead - 2, 4}, {readAhead + 2, 4}, {size, 5}, {2 * size, 1}, {5, 0}, {size - 1, readAhead},
		} {
			got, exp := make([]byte, c.n), make([]byte, c.n)
			n, err := f.ReadAt(got, int64(c.off))
			m, expErr := want.ReadAt(exp, int64(c.off))
			if n != m || !bytes.Equal(got[:n], exp[:m]) || err != expErr {
				t.Errorf("%s: ReadAt(%d bytes, %d) = %d, %v; want %d, %v", base, c.n, c.off, n, err, m, expErr)
			}
		}
		if _, err := f.ReadAt(make([]byte, 1), -1); err == nil {
			t.Error("ReadAt at offset -1 did not fail")
		}
		f.Close()
	}
	f, err := HTTP(srv.URL+"/m", viaNetHTTP).Open("empty")
	if err != nil || f.Size() != 0 {
		t.Fatalf("empty file: %v, %v", f, err)
	}
}

// TestHTTPReadAhead: small sequential reads cost one request per window;
// large reads one request each.
func TestHTTPReadAhead(t *testing.T) {
	data := sample(3 * readAhead)
	var gets atomic.Int64
	files := memHandler("/m/", MemSource{"data": data})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	f, err := HTTP(srv.URL+"/m", viaNetHTTP).Open("data")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size())) // 512-byte and up reads
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("sequential read: %d bytes, %v", len(got), err)
	}
	if n := gets.Load(); n != 1+3 {
		t.Errorf("%d requests for an open and a sequential read of 3 windows, want 4", n)
	}
	big := make([]byte, readAhead+1)
	if n, err := f.ReadAt(big, 7); n != len(big) || err != nil || !bytes.Equal(big, data[7:7+len(big)]) {
		t.Errorf("large read: %d, %v", n, err)
	}
	if n := gets.Load(); n != 5 {
		t.Errorf("%d requests after one large read, want 5", n)
	}
}

func TestHTTPCheckpoint(t *testing.T) {
	mem := tinySource(t, tensor.F16)
	want, err := Open(mem)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(HTTP(serve(t, mem).URL+"/m/", viaNetHTTP))
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	for _, name := range want.Names() {
		a, err1 := want.ReadF32(name)
		b, err2 := got.ReadF32(name)
		if err1 != nil || err2 != nil || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("tensor %s over HTTP differs (%v, %v)", name, err1, err2)
		}
	}
}

func TestHTTPJoinsNames(t *testing.T) {
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.RequestURI())
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	for _, c := range []struct{ base, name, want string }{
		{"/a", "config.json", "/a/config.json"},
		{"/a/", "config.json", "/a/config.json"},
		{"", "config.json", "/config.json"},
		{"/a/b", "sub/x y#?.json", "/a/b/sub/x%20y%23%3F.json"},
		{"/a?sig=1", "config.json", "/a/config.json?sig=1"},
	} {
		f, err := HTTP(srv.URL+c.base, viaNetHTTP).Open(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := seen.Load(); got != c.want || f.Size() != 2 {
			t.Errorf("base %q name %q: requested %v (size %d), want %s", c.base, c.name, got, f.Size(), c.want)
		}
	}
	for _, bad := range []string{"../config.json", "/etc/passwd", `a\b`, "", ".", "a/../b", "a//b"} {
		if _, err := HTTP(srv.URL, viaNetHTTP).Open(bad); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want fs.ErrInvalid", bad, err)
		}
	}
	_, err := HTTP("http://a b/", viaNetHTTP).Open("config.json")
	wantErr(t, err, "config.json", "bad base URL")
}

func TestHTTPErrors(t *testing.T) {
	data := sample(readAhead + 300)
	var norange []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/secret":
			w.WriteHeader(http.StatusForbidden)
		case "/norange": // a server that ignores Range
			w.Header().Set("Content-Length", fmt.Sprint(len(norange)))
			w.Write(norange)
		case "/short", "/cut":
			if r.Header.Get("Range") == "bytes=0-0" {
				http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
				return
			}
			w.Header().Set("Content-Range", fmt.Sprintf("bytes 100-%d/%d", len(data)-1, len(data)))
			if r.URL.Path == "/short" { // honest about sending too little
				w.Header().Set("Content-Length", "60")
				w.WriteHeader(http.StatusPartialContent)
				w.Write(data[100:160])
				return
			}
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusPartialContent)
			w.Write(data[100:150])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drop the connection mid-body
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	src := HTTP(srv.URL, viaNetHTTP)

	for _, name := range []string{"missing", "gone"} {
		_, err := src.Open(name)
		wantErr(t, err, srv.URL+"/"+name)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want fs.ErrNotExist", name, err)
		}
	}
	_, err := src.Open("secret")
	wantErr(t, err, srv.URL+"/secret", "403 Forbidden")

	// A server ignoring Range serves a whole file, or any read from offset
	// 0 of a file that one request fetches; nothing else.
	for _, size := range []int{readAhead + 300, 300} {
		norange = data[:size]
		f, err := src.Open("norange")
		if err != nil || f.Size() != int64(size) {
			t.Fatalf("norange: %v, %v", f, err)
		}
		_, err = f.ReadAt(make([]byte, 20), 10)
		wantErr(t, err, srv.URL+"/norange bytes=10-", "must support Range requests")
		p := make([]byte, 20)
		n, err := f.ReadAt(p, 0)
		if size > readAhead {
			wantErr(t, err, srv.URL+"/norange bytes=0-", "must support Range requests")
		} else if n != 20 || err != nil || !bytes.Equal(p, data[:20]) {
			t.Errorf("first 20 bytes of a small file from a server ignoring Range: %d, %v", n, err)
		}
		whole := make([]byte, size)
		if n, err := f.ReadAt(whole, 0); n != size || err != nil || !bytes.Equal(whole, data[:size]) {
			t.Errorf("whole read from a server ignoring Range: %d, %v", n, err)
		}
	}

	for _, name := range []string{"short", "cut"} {
		f, err := src.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		n, err := f.ReadAt(make([]byte, len(data)-100), 100)
		wantErr(t, err, srv.URL+"/"+name, "offset 100")
		if !errors.Is(err, io.ErrUnexpectedEOF) || n >= 100 {
			t.Errorf("%s: %d bytes, %v; want fewer than 100 and io.ErrUnexpectedEOF", name, n, err)
		}
	}

	_, err = HTTP("http://127.0.0.1:1/x", viaNetHTTP).Open("config.json")
	wantErr(t, err, "http://127.0.0.1:1/x/config.json")
}

// TestHTTPRedirects: reads follow a redirect once and then go straight to
// its target, until the target refuses (an expired signed link).
func TestHTTPRedirects(t *testing.T) {
	data := sample(3 * readAhead)
	var redirects, valid atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/old/", func(w http.ResponseWriter, r *http.Request) {
		n := redirects.Add(1)
		http.Redirect(w, r, fmt.Sprintf("/new/%s?sig=%d", r.URL.Path[len("/old/"):], n), http.StatusFound)
	})
	mux.HandleFunc("/new/data", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sig") != fmt.Sprint(valid.Load()) {
			http.Error(w, "expired", http.StatusForbidden)
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	valid.Store(1)
	f, err := HTTP(srv.URL+"/old", viaNetHTTP).Open("data")
	if err != nil || f.Size() != int64(len(data)) {
		t.Fatalf("Open through a redirect: %v, %v", f, err)
	}
	check := func(off int64) {
		t.Helper()
		p := make([]byte, 50)
		if n, err := f.ReadAt(p, off); n != 50 || err != nil || !bytes.Equal(p, data[off:off+50]) {
			t.Errorf("ReadAt(50, %d) = %d, %v", off, n, err)
		}
	}
	// Each read misses the read-ahead window of the one before.
	check(0)
	check(2 * readAhead)
	if n := redirects.Load(); n != 1 {
		t.Errorf("%d redirects for an open and two reads, want 1", n)
	}
	valid.Store(2)
	check(readAhead)
	check(2*readAhead + 100)
	if n := redirects.Load(); n != 2 {
		t.Errorf("%d redirects after the target expired once, want 2", n)
	}
}

// TestHTTPSizeFromHEAD: a server whose partial answers lack Content-Range
// (as a browser shows a cross-origin one that does not expose it) is sized
// by HEAD.
func TestHTTPSizeFromHEAD(t *testing.T) {
	data := sample(200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Length", "200")
			return
		}
		var start, end int
		fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &start, &end)
		w.WriteHeader(http.StatusPartialContent)
		w.Write(data[start : end+1])
	}))
	defer srv.Close()
	f, err := HTTP(srv.URL, viaNetHTTP).Open("x")
	if err != nil || f.Size() != 200 {
		t.Fatalf("Open: %v, %v", f, err)
	}
	p := make([]byte, 30)
	if n, err := f.ReadAt(p, 170); n != 30 || err != nil || !bytes.Equal(p, data[170:]) {
		t.Errorf("ReadAt(30, 170) = %d, %v", n, err)
	}
}
