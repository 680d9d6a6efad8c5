package fetch_test

import (
	"bytes"
	"context"
	"errors"
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

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
	"github.com/phi2web/phi2web/runtime/store"
)

// The timeouts of the hostile-server tests: short where a test waits for
// them, long enough elsewhere that a busy machine does not reach them.
var (
	shortFirstByte = httpget.Timeouts{FirstByte: 300 * time.Millisecond, Stall: 10 * time.Second}
	shortStall     = httpget.Timeouts{FirstByte: 10 * time.Second, Stall: 300 * time.Millisecond}
	longTimeouts   = httpget.Timeouts{FirstByte: 10 * time.Second, Stall: 10 * time.Second}
)

// victimRequest is what a hostile server saw of one request for its
// victim file.
type victimRequest struct {
	n                     int // 0 for the first request
	rng, ifRange, refetch string
}

// behaviour answers a request for the victim file, whose bytes are data;
// done closes when the test ends.
type behaviour func(w http.ResponseWriter, r *http.Request, q victimRequest, data []byte, done <-chan struct{})

// hostileServer serves the model directory dir as a static server does,
// except for the file victim, which behave answers. It returns the
// model's URL and the requests for the victim so far.
func hostileServer(t *testing.T, dir, victim string, behave behaviour) (string, func() []victimRequest) {
	var mu sync.Mutex
	var seen []victimRequest
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if name != victim {
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
			return
		}
		mu.Lock()
		q := victimRequest{len(seen), r.Header.Get("Range"), r.Header.Get("If-Range"), r.URL.Query().Get("phi2-refetch")}
		seen = append(seen, q)
		mu.Unlock()
		behave(w, r, q, data, done)
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	return srv.URL + "/m/", func() []victimRequest { mu.Lock(); defer mu.Unlock(); return append([]victimRequest(nil), seen...) }
}

// fetchWithin fetches url with timeouts tt and fails the test if that
// takes longer than limit (a fetch that would never end).
func fetchWithin(t *testing.T, url string, tt httpget.Timeouts, limit time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	o := fetch.Options{Store: store.Mem(), Client: httpget.WithTimeouts(nethttp.New(nil), tt), ChunkSize: testChunk, Backoff: time.Millisecond}
	_, err := fetch.Fetch(ctx, url, o)
	if ctx.Err() != nil {
		t.Fatalf("the fetch was still going after %v: %v", limit, err)
	}
	return err
}

// chunked sends b without a Content-Length.
func chunked(w http.ResponseWriter, b []byte) {
	w.WriteHeader(200)
	w.(http.Flusher).Flush()
	w.Write(b)
}

// rangeStart is the first byte a "bytes=N-" header asks for, 0 for none.
func rangeStart(rng string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rng, "bytes="), "-"))
	return n
}

// TestHostileServers: each way a server can fail to deliver a shard ends
// the fetch with an error that names the shard, within the retry budget
// and the timeouts; none runs on forever.
func TestHostileServers(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	victim := shards[1]
	short := victim.CompressedSize * 2 / 3
	for _, tc := range []struct {
		name     string
		behave   behaviour
		requests int      // for the victim; -n: n to 2n, as net/http sends a request again on a reused connection that closed
		want     []string // in the error
		timeouts httpget.Timeouts
	}{
		{"short body, sizes given", func(w http.ResponseWriter, r *http.Request, _ victimRequest, data []byte, _ <-chan struct{}) {
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data[:short]))
		}, 1, []string{fmt.Sprintf("the server has %d bytes of %s, but its manifest says %d", short, victim.File, victim.CompressedSize)}, longTimeouts},
		{"short body, then 416 giving the size", func(w http.ResponseWriter, r *http.Request, q victimRequest, data []byte, _ <-chan struct{}) {
			if q.rng != "" {
				w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", short))
				w.WriteHeader(416)
				return
			}
			chunked(w, data[:short])
		}, 2, []string{fmt.Sprintf("the server has %d bytes of %s, but its manifest says %d", short, victim.File, victim.CompressedSize)}, longTimeouts},
		{"short body, then 416, sizes hidden", func(w http.ResponseWriter, r *http.Request, q victimRequest, data []byte, _ <-chan struct{}) {
			if q.rng != "" {
				w.WriteHeader(416)
				return
			}
			chunked(w, data[:short])
		}, 3, []string{fmt.Sprintf("%s: gave up after 3 failed requests; its manifest says %d bytes, the server sent no more than %d", victim.File, victim.CompressedSize, short)}, longTimeouts},
		{"silent", func(w http.ResponseWriter, r *http.Request, _ victimRequest, _ []byte, done <-chan struct{}) {
			<-done
		}, 3, []string{"no answer within 300ms", victim.File + ": gave up after 3 failed requests"}, shortFirstByte},
		{"connection reset", func(w http.ResponseWriter, r *http.Request, _ victimRequest, _ []byte, _ <-chan struct{}) {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		}, -3, []string{victim.File + ": gave up after 3 failed requests"}, longTimeouts},
		{"slow drip", func(w http.ResponseWriter, r *http.Request, q victimRequest, data []byte, done <-chan struct{}) {
			from := rangeStart(q.rng)
			w.Header().Set("Content-Length", strconv.Itoa(len(data)-from))
			if from > 0 {
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(data)-1, len(data)))
				w.WriteHeader(206)
			}
			for i := from; i < len(data); i++ {
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
		}, 3, []string{"stalled", victim.File + ": gave up after 3 failed requests"}, shortStall},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, seen := hostileServer(t, dir, victim.File, tc.behave)
			err := fetchWithin(t, url, tc.timeouts, 20*time.Second)
			if err == nil {
				t.Fatal("the fetch succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if n, want := len(seen()), tc.requests; n != want && (want > 0 || n < -want || n > -2*want) {
				t.Errorf("%d requests for %s, want %d", n, victim.File, want)
			}
		})
	}
}

// A shard that changes on the server between a cut and its resume starts
// again from its first byte: If-Range asks for the bytes of the version
// that was cut, so the server sends the new one whole, and nothing is
// mixed (no sha256 mismatch, no refetch).
func TestShardChangesBetweenCutAndResume(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	victim := shards[1]
	half := victim.CompressedSize / 2
	for _, honoursIfRange := range []bool{true, false} {
		t.Run(fmt.Sprintf("If-Range honoured %v", honoursIfRange), func(t *testing.T) {
			url, seen := hostileServer(t, dir, victim.File, func(w http.ResponseWriter, r *http.Request, q victimRequest, data []byte, _ <-chan struct{}) {
				if q.n == 0 { // an older version, cut half way
					old := bytes.Clone(data)
					old[half/2] ^= 1
					w.Header().Set("ETag", `"old"`)
					w.Header().Set("Content-Length", strconv.Itoa(len(old)))
					w.Write(old[:half])
					w.(http.Flusher).Flush()
					panic(http.ErrAbortHandler)
				}
				w.Header().Set("ETag", `"new"`)
				if honoursIfRange || q.rng == "" {
					http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
					return
				}
				// A server that ignores If-Range sends the new bytes from the offset asked for.
				from := rangeStart(q.rng)
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(data)-1, len(data)))
				w.WriteHeader(206)
				w.Write(data[from:])
			})
			st := store.Mem()
			o := fetch.Options{Store: st, Client: httpget.WithTimeouts(nethttp.New(nil), longTimeouts), ChunkSize: testChunk, Backoff: time.Millisecond}
			res, err := fetch.Fetch(context.Background(), url, o)
			if err != nil {
				t.Fatal(err)
			}
			got := seen()
			if len(got) < 2 || got[1].ifRange != `"old"` {
				t.Fatalf("requests %+v: the resume does not ask for the old version", got)
			}
			want := 2
			if !honoursIfRange {
				want = 3 // the 206 of another version is dropped, and the shard asked for whole
			}
			if len(got) != want {
				t.Errorf("requests %+v, want %d", got, want)
			}
			for _, q := range got {
				if q.refetch != "" {
					t.Errorf("requests %+v: the shard was fetched again after a sha256 mismatch: bytes of two versions were mixed", got)
				}
			}
			sameTensors(t, res.Source(), dir)
		})
	}
}

// The timeouts' error reaches the caller of Fetch as a TimeoutError.
func TestTimeoutIsKept(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	url, _ := hostileServer(t, dir, shards[0].File, func(_ http.ResponseWriter, _ *http.Request, _ victimRequest, _ []byte, done <-chan struct{}) { <-done })
	var te *httpget.TimeoutError
	if err := fetchWithin(t, url, shortFirstByte, 20*time.Second); !errors.As(err, &te) {
		t.Errorf("%v, want a TimeoutError", err)
	}
}
