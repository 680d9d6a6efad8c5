package fetch_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"
)

// server serves a model directory with Range support, counts the body
// bytes it sends per file, and can misbehave on purpose.
type server struct {
	*httptest.Server
	dir string

	mu       sync.Mutex
	sent     map[string]int64    // body bytes sent per file
	ranges   map[string][]string // Range header of each request per file ("" for none)
	queries  map[string][]string // the query of each request per file
	cuts     map[string][]int64  // the next responses for a file stop at these bytes, one each
	fails    map[string]int      // answer 503 for a file this many more times
	noRange  bool                // answer every request with the whole file (200)
	encoding string              // a Content-Encoding header to send with every file
	decoded  bool                // send shards decoded, as a browser hands a br answer to the page
	flips    map[string]int      // serve the file with a byte flipped this many more times (-1: always)
}

func newServer(t *testing.T, dir string) *server {
	s := &server{dir: dir, flips: map[string]int{}, cuts: map[string][]int64{}, fails: map[string]int{}}
	s.reset()
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// url is the model directory's URL.
func (s *server) url() string { return s.URL + "/models/tiny/" }

// reset clears the counters.
func (s *server) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent, s.ranges, s.queries = map[string]int64{}, map[string][]string{}, map[string][]string{}
}

// cut makes the next responses for file stop at the given file offsets.
func (s *server) cut(file string, at ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cuts[file] = at
}

func (s *server) fail(file string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[file] = times
}

func (s *server) flip(file string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flips[file] = times
}

// sentTo returns the body bytes sent for file, and for all shard files.
func (s *server) sentTo(file string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[file]
}

func (s *server) shardBytesSent() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for f, k := range s.sent {
		if strings.HasPrefix(f, "shard-") {
			n += k
		}
	}
	return n
}

func (s *server) requests(file string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranges[file]...)
}

// queryOf returns the query of each request for file, in order.
func (s *server) queryOf(file string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries[file]...)
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/models/tiny/")
	if !ok || name != path.Base(name) {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if s.decoded && strings.HasSuffix(name, ".br") {
		data, err = io.ReadAll(brotli.NewReader(bytes.NewReader(data)))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	s.mu.Lock()
	s.ranges[name] = append(s.ranges[name], r.Header.Get("Range"))
	s.queries[name] = append(s.queries[name], r.URL.RawQuery)
	if n := s.flips[name]; n != 0 {
		data[len(data)/2] ^= 0x20
		s.flips[name] = n - 1
	}
	limit := int64(len(data))
	if cuts := s.cuts[name]; len(cuts) > 0 {
		limit, s.cuts[name] = cuts[0], cuts[1:]
	}
	noRange := s.noRange
	if s.encoding != "" {
		w.Header().Set("Content-Encoding", s.encoding)
	}
	fail := s.fails[name] > 0
	s.fails[name]--
	s.mu.Unlock()
	if fail {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}

	status, start := http.StatusOK, int64(0)
	if rng, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok && !noRange {
		first, last, _ := strings.Cut(rng, "-")
		n, err := strconv.ParseInt(first, 10, 64)
		if err != nil || last != "" || n >= int64(len(data)) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		status, start = http.StatusPartialContent, n
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(data)-1, len(data)))
	}
	body := data[start:]
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if limit < int64(len(data)) {
		body = body[:max(0, min(int64(len(body)), limit-start))]
	}
	// Counted before the write: a client may have the bytes, and the test
	// may read the counters, before Write returns here.
	s.mu.Lock()
	s.sent[name] += int64(len(body))
	s.mu.Unlock()
	w.Write(body)
	if len(body) < len(data[start:]) {
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // drop the connection mid-body
	}
}
