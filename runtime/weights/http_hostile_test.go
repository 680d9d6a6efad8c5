package weights

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
)

// The clients of the hostile-server tests: with short timeouts where a
// test waits for them, long enough elsewhere that a busy machine does not
// reach them.
var (
	shortFirstByte = httpget.WithTimeouts(nethttp.New(nil), httpget.Timeouts{FirstByte: 300 * time.Millisecond, Stall: 10 * time.Second})
	shortStall     = httpget.WithTimeouts(nethttp.New(nil), httpget.Timeouts{FirstByte: 10 * time.Second, Stall: 300 * time.Millisecond})
	longTimeouts   = httpget.WithTimeouts(nethttp.New(nil), httpget.Timeouts{FirstByte: 10 * time.Second, Stall: 10 * time.Second})
)

// readAll reads f front to back in reads of n bytes.
func readAll(f File, n int) ([]byte, error) {
	out := make([]byte, f.Size())
	for off := int64(0); off < f.Size(); off += int64(n) {
		if _, err := f.ReadAt(out[off:min(off+int64(n), f.Size())], off); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// within runs f and fails the test if it takes longer than limit.
func within(t *testing.T, limit time.Duration, f func() error) error {
	t.Helper()
	res := make(chan error, 1)
	go func() { res <- f() }()
	select {
	case err := <-res:
		return err
	case <-time.After(limit):
		t.Fatalf("still waiting after %v", limit)
		return nil
	}
}

// TestHTTPHostileServers: a file read in place from a server that stops
// answering, drips, drops the connection or changes the file under the
// reads fails the read, in bounded time, and never mixes two versions.
func TestHTTPHostileServers(t *testing.T) {
	data := sample(3*readAhead + 100)
	changed := bytes.Clone(data)
	changed[len(changed)/2] ^= 1
	done := make(chan struct{})
	var opened atomic.Bool // the version served once Open is done
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now, etag := data, `"v1"`
		if opened.Load() {
			now, etag = changed, `"v2"`
		}
		switch r.URL.Path {
		case "/silent/f":
			<-done
			return
		case "/stalled/f", "/drip/f", "/reset/f":
			if !opened.Load() {
				break
			}
			switch r.URL.Path {
			case "/stalled/f":
				w.Header().Set("Content-Length", "100000")
				w.WriteHeader(206)
				w.Write([]byte("partial"))
				w.(http.Flusher).Flush()
				<-done
			case "/drip/f":
				w.WriteHeader(206)
				for {
					if _, err := w.Write([]byte("x")); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-done:
						return
					case <-time.After(10 * time.Millisecond):
					}
				}
			case "/reset/f":
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close()
				}
			}
			return
		case "/changes/f": // If-Range honoured: the new version comes whole
		case "/ignores-if-range/f": // the new version's bytes, as asked
			r.Header.Del("If-Range")
		case "/grows/f": // no validator, only the size tells
			etag = ""
			if opened.Load() {
				now = append(bytes.Clone(data), 1, 2, 3)
			}
		}
		if etag != "" {
			w.Header().Set("ETag", etag)
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(now))
	}))
	defer func() { close(done); srv.Close() }()
	var changedErr *httpget.ChangedError
	var timeout *httpget.TimeoutError
	for _, tc := range []struct {
		dir    string
		client httpget.Client
		check  func(error) bool
	}{
		{"silent", shortFirstByte, func(err error) bool { return errors.As(err, &timeout) && !timeout.Stalled }},
		{"stalled", shortStall, func(err error) bool { return errors.As(err, &timeout) && timeout.Stalled }},
		{"drip", shortStall, func(err error) bool { return errors.As(err, &timeout) && timeout.Stalled }},
		{"reset", longTimeouts, func(err error) bool { return err != nil && !errors.As(err, &timeout) }},
		{"changes", longTimeouts, func(err error) bool { return errors.As(err, &changedErr) }},
		{"ignores-if-range", longTimeouts, func(err error) bool { return errors.As(err, &changedErr) }},
		{"grows", longTimeouts, func(err error) bool { return err != nil && strings.Contains(err.Error(), "changed on the server") }},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			opened.Store(false)
			err := within(t, 20*time.Second, func() error {
				f, err := HTTP(srv.URL+"/"+tc.dir, tc.client).Open("f")
				if err != nil {
					return err
				}
				opened.Store(true)
				got, err := readAll(f, readAhead)
				if err == nil && !bytes.Equal(got, data) {
					return fmt.Errorf("read other bytes than the file's, without an error")
				}
				return err
			})
			if !tc.check(err) {
				t.Errorf("%v: not the failure expected", err)
			}
		})
	}
}

// TestHTTPPublishedSHA256: the sha256 a Hugging Face server publishes is
// checked against the bytes of a file read whole, front to back, also
// across small gaps and through a redirect; a mismatch fails the read
// that completes the file, and every read after it.
func TestHTTPPublishedSHA256(t *testing.T) {
	data := sample(3*readAhead + 100)
	sum := sha256.Sum256(data)
	good := hex.EncodeToString(sum[:])
	corrupt := bytes.Clone(data)
	corrupt[readAhead+10] ^= 1 // in the gap the reads below skip
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := data
		switch r.URL.Path {
		case "/resolve/good", "/resolve/corrupt": // as Hugging Face: a redirect naming the hash, to a CDN
			w.Header().Set("X-Linked-Etag", `"`+good+`"`)
			w.Header().Set("X-Repo-Commit", "0123abcd")
			http.Redirect(w, r, "/cdn/"+r.URL.Path[len("/resolve/"):], http.StatusFound)
			return
		case "/cdn/corrupt", "/etag/corrupt", "/other/corrupt":
			body = corrupt
		}
		switch {
		case strings.HasPrefix(r.URL.Path, "/etag/"): // Hugging Face's answer for a small file
			w.Header().Set("X-Repo-Commit", "0123abcd")
			w.Header().Set("ETag", `"`+good+`"`)
		case strings.HasPrefix(r.URL.Path, "/other/"): // a hash-like ETag from another server is no hash
			w.Header().Set("ETag", `"`+good+`"`)
		default:
			w.Header().Set("ETag", `"cdn-etag"`)
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	defer srv.Close()
	// read reads the file whole, skipping 32 bytes after each MiB as GGUF
	// padding would (skip) or in one pass.
	read := func(dir, name string, skip bool) error {
		f, err := HTTP(srv.URL+"/"+dir, viaNetHTTP).Open(name)
		if err != nil {
			return err
		}
		if !skip {
			_, err := readAll(f, 100_000)
			return err
		}
		for off := int64(0); off < f.Size(); off += readAhead {
			from := off
			if off > 0 {
				from += 32
			}
			if _, err := f.ReadAt(make([]byte, min(off+readAhead, f.Size())-from), from); err != nil {
				return err
			}
		}
		return nil
	}
	for _, tc := range []struct {
		dir, name string
		skip      bool
		mismatch  bool
	}{
		{"resolve", "good", false, false},
		{"resolve", "good", true, false},
		{"resolve", "corrupt", false, true},
		{"resolve", "corrupt", true, true},
		{"etag", "corrupt", false, true},
		{"other", "corrupt", false, false},
	} {
		err := read(tc.dir, tc.name, tc.skip)
		if got := err != nil && strings.Contains(err.Error(), "but the server published "+good); got != tc.mismatch || (err != nil && !got) {
			t.Errorf("%s/%s (gaps %v): %v; want a mismatch: %v", tc.dir, tc.name, tc.skip, err, tc.mismatch)
		}
	}
	// A mismatch refuses every read after it.
	f, err := HTTP(srv.URL+"/resolve", viaNetHTTP).Open("corrupt")
	if err != nil {
		t.Fatal(err)
	}
	readAll(f, readAhead)
	if _, err := f.ReadAt(make([]byte, 10), 0); err == nil {
		t.Error("a read after the mismatch succeeded")
	}
}

// A file read out of order is not checked, and not refused for it.
func TestHTTPUncheckedOutOfOrder(t *testing.T) {
	data := sample(3 * readAhead)
	sum := sha256.Sum256(data)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Linked-Etag", hex.EncodeToString(sum[:]))
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}))
	defer srv.Close()
	f, err := HTTP(srv.URL, viaNetHTTP).Open("f")
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{2 * readAhead, 0, readAhead} {
		if _, err := f.ReadAt(make([]byte, readAhead), off); err != nil {
			t.Fatal(err)
		}
	}
}

// A small tail the reads leave (the padding after a GGUF file's last
// tensor) is fetched along, so the file is still checked.
func TestHTTPPublishedSHA256Tail(t *testing.T) {
	data := sample(2*readAhead + 16)
	sum := sha256.Sum256(data)
	corrupt := bytes.Clone(data)
	corrupt[len(corrupt)-1] ^= 1
	for name, body := range map[string][]byte{"good": data, "corrupt": corrupt} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Linked-Etag", hex.EncodeToString(sum[:]))
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
		}))
		f, err := HTTP(srv.URL, viaNetHTTP).Open("f")
		if err == nil {
			_, err = f.ReadAt(make([]byte, readAhead), 0)
		}
		if err == nil {
			_, err = f.ReadAt(make([]byte, readAhead), readAhead) // the last 16 bytes left
		}
		srv.Close()
		if mismatch := err != nil && strings.Contains(err.Error(), "but the server published"); mismatch != (name == "corrupt") || (err != nil && !mismatch) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
