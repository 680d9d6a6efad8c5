//go:build !wasm

package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// modelServer serves a model directory as a web server would to a page on
// another origin (CORS as Hugging Face sends it, Range requests), counts
// the shard bytes it sends, and can cut a response or flip a byte.
type modelServer struct {
	*httptest.Server
	mu       sync.Mutex
	sent     int64 // shard bytes written to clients
	cutAfter int64 // when > 0: the next shard response stops after this many bytes
	flipOnce bool  // the next shard response has one byte flipped
	// brEncoded: whole shards go out with Content-Encoding: br (the .br
	// file as it is), for the browser to decode; encoded counts them.
	brEncoded bool
	encoded   int
}

func newModelServer(t *testing.T, dir string) *modelServer {
	s := &modelServer{}
	files := http.FileServer(http.Dir(dir))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Headers", "Range")
		w.Header().Set("Access-Control-Expose-Headers", "Content-Range, Content-Length")
		if r.Method == http.MethodOptions {
			return
		}
		if !strings.HasSuffix(r.URL.Path, ".br") {
			files.ServeHTTP(w, r)
			return
		}
		// Every shard request reaches the server, not the browser's cache,
		// so that what the server counts is what the page fetched.
		w.Header().Set("Cache-Control", "no-store")
		s.mu.Lock()
		cut, flip := s.cutAfter, s.flipOnce
		s.cutAfter, s.flipOnce = 0, false
		encode := s.brEncoded && (r.Header.Get("Range") == "" || r.Header.Get("Range") == "bytes=0-")
		if encode {
			s.encoded++
		}
		s.mu.Unlock()
		cw := &countingWriter{ResponseWriter: w, s: s, cut: cut, flip: flip}
		if encode {
			data, err := os.ReadFile(filepath.Join(dir, path.Base(r.URL.Path)))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Access-Control-Expose-Headers", "Content-Range, Content-Length, Content-Encoding")
			w.Header().Set("Content-Encoding", "br")
			cw.Write(data)
			return
		}
		files.ServeHTTP(cw, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// shardBytes is how many shard bytes the server has sent.
func (s *modelServer) shardBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

type countingWriter struct {
	http.ResponseWriter
	s       *modelServer
	n       int64
	cut     int64
	flip    bool
	flipped bool
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.cut > 0 && c.n+int64(len(p)) > c.cut {
		p = p[:c.cut-c.n]
		c.write(p)
		panic(http.ErrAbortHandler) // drops the connection mid-body
	}
	return c.write(p)
}

func (c *countingWriter) write(p []byte) (int, error) {
	if c.flip && !c.flipped && len(p) > 0 {
		q := append([]byte{}, p...)
		q[len(q)/2] ^= 0x40
		p, c.flipped = q, true
	}
	// Counted before the write: the page may have the bytes, and the test
	// read the counter, before Write returns here.
	c.n += int64(len(p))
	c.s.mu.Lock()
	c.s.sent += int64(len(p))
	c.s.mu.Unlock()
	n, err := c.ResponseWriter.Write(p)
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush() // what is counted leaves before any cut
	}
	return n, err
}
