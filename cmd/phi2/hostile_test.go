//go:build !wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/weights"
)

// TestHostileServers runs `phi2 generate --model http://…` as a user
// would, against servers that misbehave in each way a download meets:
// every run ends within seconds (the timeouts shortened through
// PHI2_HTTP_TIMEOUT) with exit status 1 and a one-line message saying what
// went wrong, and leaves nothing usable stored.
func TestHostileServers(t *testing.T) {
	converted, _ := storedModel(t, "65536")
	md, err := modeldir.Open(weights.Dir(converted))
	if err != nil {
		t.Fatal(err)
	}
	victim := md.Shards()[1]
	safetensors, err := os.ReadFile(filepath.Join(tinyDir, weights.SingleFile))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(safetensors)
	short := int(victim.CompressedSize * 2 / 3)
	serveFile := func(w http.ResponseWriter, r *http.Request, data []byte) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}
	for _, tc := range []struct {
		name string
		dir  string // what the server serves: the converted model or the Hugging Face one
		file string // the model's file whose requests misbehave
		// behave answers for file; data is its bytes, done closes when
		// the test ends.
		behave func(w http.ResponseWriter, r *http.Request, data []byte, done <-chan struct{})
		want   string // in the message
	}{
		{"short shard", converted, victim.File, func(w http.ResponseWriter, r *http.Request, data []byte, _ <-chan struct{}) {
			serveFile(w, r, data[:short])
		}, fmt.Sprintf("the server has %d bytes of %s, but its manifest says %d", short, victim.File, victim.CompressedSize)},
		{"short shard, then 416, sizes hidden", converted, victim.File, func(w http.ResponseWriter, r *http.Request, data []byte, _ <-chan struct{}) {
			if r.Header.Get("Range") != "" {
				w.WriteHeader(416)
				return
			}
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			w.Write(data[:short])
		}, fmt.Sprintf("its manifest says %d bytes, the server sent no more than %d", victim.CompressedSize, short)},
		{"silent server", converted, "manifest.json", func(_ http.ResponseWriter, _ *http.Request, _ []byte, done <-chan struct{}) {
			<-done
		}, "no answer within 300ms"},
		{"silent shard", converted, victim.File, func(_ http.ResponseWriter, _ *http.Request, _ []byte, done <-chan struct{}) {
			<-done
		}, "no answer within 300ms"},
		{"connection reset", converted, victim.File, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ <-chan struct{}) {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		}, victim.File + ": gave up after 3 failed requests"},
		{"slow drip", converted, victim.File, func(w http.ResponseWriter, _ *http.Request, data []byte, done <-chan struct{}) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			for i := range data {
				if _, err := w.Write(data[i : i+1]); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-done:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}, "stalled"},
		{"shard changing after a cut", converted, victim.File, func(w http.ResponseWriter, r *http.Request, data []byte, _ <-chan struct{}) {
			if r.Header.Get("Range") == "" && r.URL.RawQuery == "" { // the first request: cut
				w.Header().Set("ETag", `"v1"`)
				w.Header().Set("Content-Length", strconv.Itoa(len(data)))
				w.Write(data[:len(data)/2])
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler)
			}
			other := bytes.Clone(data) // then another version, which the manifest does not describe
			other[len(other)/4] ^= 1
			w.Header().Set("ETag", `"v2"`)
			serveFile(w, r, other)
		}, "the server's copy is corrupt"},
		{"safetensors not matching its published sha256", tinyDir, weights.SingleFile, func(w http.ResponseWriter, r *http.Request, data []byte, _ <-chan struct{}) {
			other := bytes.Clone(data)
			other[len(other)-1] ^= 1
			w.Header().Set("X-Linked-Etag", `"`+hex.EncodeToString(sum[:])+`"`)
			serveFile(w, r, other)
		}, "but the server published " + hex.EncodeToString(sum[:])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PHI2_CACHE", t.TempDir())
			// Short timeouts where the case waits for them, long enough
			// elsewhere that a busy machine does not reach them.
			switch {
			case strings.Contains(tc.want, "300ms"):
				t.Setenv("PHI2_HTTP_TIMEOUT", "300ms,10s")
			case tc.want == "stalled":
				t.Setenv("PHI2_HTTP_TIMEOUT", "10s,300ms")
			default:
				t.Setenv("PHI2_HTTP_TIMEOUT", "10s")
			}
			done := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				name := path.Base(r.URL.Path)
				data, err := os.ReadFile(filepath.Join(tc.dir, name))
				if err != nil {
					http.NotFound(w, r)
					return
				}
				if name == tc.file {
					tc.behave(w, r, data, done)
					return
				}
				serveFile(w, r, data)
			}))
			stop := sync.OnceFunc(func() { close(done); srv.Close() })
			defer stop()
			start := time.Now()
			_, errOut, code := runCLI("generate", "--model", srv.URL+"/m/", "--prompt", "x", "--max-tokens", "1")
			took := time.Since(start)
			if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 1 and one line saying %q", code, errOut, tc.want)
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
				t.Errorf("a crash: %s", errOut)
			}
			if took > 20*time.Second {
				t.Errorf("took %v", took)
			}
			// Nothing half-downloaded is used: the next run, with the
			// server gone, fails too.
			stop()
			if _, errOut, code := runCLI("generate", "--model", srv.URL+"/m/", "--prompt", "x", "--max-tokens", "1"); code != 1 {
				t.Errorf("offline after the failure: exit %d, %s", code, errOut)
			}
		})
	}
}
