package weights

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
)

// HTTP returns a Source reading the files below base, an http:// or https://
// URL of a directory (a trailing slash is optional), with Range requests.
// A nil client means httpget.Default(); a net/http client with a Timeout
// (httpget/nethttp) bounds a stalled server. Redirects are followed.
//
// Open learns a file's size from a one-byte Range request (or a HEAD request
// where the Content-Range header is hidden, as browsers do for cross-origin
// responses that do not expose it). Each ReadAt is one Range request; one
// under 1 MiB fetches 1 MiB, which serves the reads that follow it. A server
// that ignores Range can still serve reads from offset 0 of a file that fits
// one request; any other read from it is an error. A 404 or 410 answer is
// an error for which errors.Is(err, fs.ErrNotExist) holds.
func HTTP(base string, client httpget.Client) Source {
	u, err := url.Parse(base)
	return httpSource{u, err, httpget.Or(client)}
}

type httpSource struct {
	base   *url.URL
	err    error // from parsing base, reported by Open
	client httpget.Client
}

func (s httpSource) Open(name string) (File, error) {
	if !fs.ValidPath(name) || name == "." || strings.Contains(name, `\`) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if s.err != nil {
		return nil, fmt.Errorf("open %s: bad base URL: %v", name, s.err)
	}
	f := &httpFile{client: s.client, url: s.base.JoinPath(name).String()}
	if err := f.stat(); err != nil {
		return nil, err
	}
	return f, nil
}

// httpFile reads one URL. at holds where the last redirect led, so that
// later reads skip the redirect; a refused read there starts again from url,
// since redirect targets such as signed links expire.
type httpFile struct {
	client httpget.Client
	url    string
	at     atomic.Pointer[string]
	size   int64

	mu      sync.Mutex
	ahead   []byte // the bytes at aheadAt, fetched by the last small read
	aheadAt int64
}

func (f *httpFile) Size() int64 { return f.size }

// Close drops the read-ahead window; the File stays usable.
func (f *httpFile) Close() error {
	f.mu.Lock()
	f.ahead = nil
	f.mu.Unlock()
	return nil
}

// stat sets size and at from a request for the first byte.
func (f *httpFile) stat() error {
	resp, err := f.get(f.url, "GET", "bytes=0-0")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		// One byte or an error page: read so that the connection is reused.
		// A 200 is the whole file from a server ignoring Range: left unread.
		io.CopyN(io.Discard, resp.Body, 4096)
	}
	at := resp.URL
	f.at.Store(&at)
	switch resp.StatusCode {
	case 206, 416: // 416: an empty file
		if _, _, total, ok := contentRange(resp.Header.Get("Content-Range")); ok && total >= 0 {
			f.size = total
			return nil
		}
		return f.head()
	case 200:
		if resp.ContentLength >= 0 {
			f.size = resp.ContentLength
			return nil
		}
		return f.head()
	}
	return f.statusError(resp, "GET", "")
}

// head sets size from a HEAD request's Content-Length.
func (f *httpFile) head() error {
	resp, err := f.get(f.url, "HEAD", "")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return f.statusError(resp, "HEAD", "")
	}
	if resp.ContentLength < 0 {
		return fmt.Errorf("HEAD %s: the server gives no Content-Length or Content-Range, so the file size is unknown", f.url)
	}
	f.size = resp.ContentLength
	return nil
}

// readAhead is how much a small read fetches, so that a stream of small
// sequential reads (a decompressor's) costs one request per window.
const readAhead = 1 << 20

// ReadAt reads len(p) bytes at off: with one Range request, or from the
// window the last small read fetched.
func (f *httpFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %s: negative offset %d", f.url, off)
	}
	want := max(0, min(int64(len(p)), f.size-off))
	var n int
	var err error
	if want >= readAhead {
		n, err = f.read(p[:want], off)
	} else if n = f.cached(p[:want], off); n < int(want) {
		at := off + int64(n)
		buf := make([]byte, min(readAhead, f.size-at))
		m, e := f.read(buf, at)
		n, err = n+copy(p[n:want], buf[:m]), e
		if err == nil {
			f.mu.Lock()
			f.ahead, f.aheadAt = buf, at
			f.mu.Unlock()
		}
	}
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// cached copies into p what the read-ahead window holds from off on.
func (f *httpFile) cached(p []byte, off int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if off < f.aheadAt || off >= f.aheadAt+int64(len(f.ahead)) {
		return 0
	}
	return copy(p, f.ahead[off-f.aheadAt:])
}

func (f *httpFile) read(p []byte, off int64) (int, error) {
	rng := fmt.Sprintf("bytes=%d-%d", off, off+int64(len(p))-1)
	at := *f.at.Load()
	resp, err := f.get(at, "GET", rng)
	if err == nil && at != f.url && resp.StatusCode >= 400 {
		resp.Body.Close()
		resp, err = f.get(f.url, "GET", rng)
		if err == nil {
			at = resp.URL
			f.at.Store(&at)
		}
	}
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case 206:
		start, end, _, ok := contentRange(resp.Header.Get("Content-Range"))
		if ok && (start != off || end != off+int64(len(p))-1) {
			return 0, fmt.Errorf("GET %s %s: the server sent bytes %d-%d instead", f.url, rng, start, end)
		}
		return f.body(resp.Body, p, off, false)
	case 200:
		if off == 0 && int64(len(p)) == f.size {
			return f.body(resp.Body, p, off, true)
		}
		return 0, fmt.Errorf("GET %s %s: the server ignored the Range header and sent the whole file; it must support Range requests", f.url, rng)
	}
	return 0, f.statusError(resp, "GET", rng)
}

// body fills p from r. A whole file must also end there, or size was wrong.
func (f *httpFile) body(r io.Reader, p []byte, off int64, whole bool) (int, error) {
	n, err := io.ReadFull(r, p)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return n, fmt.Errorf("GET %s: body ended after %d of %d bytes at offset %d: %w", f.url, n, len(p), off, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return n, fmt.Errorf("GET %s: at offset %d: %v", f.url, off, err)
	}
	if whole {
		if m, _ := r.Read(make([]byte, 1)); m > 0 {
			return n, fmt.Errorf("GET %s: the file is longer than the %d bytes its size said", f.url, f.size)
		}
	}
	return n, nil
}

func (f *httpFile) get(at, method, rng string) (*httpget.Response, error) {
	req := &httpget.Request{Method: method, URL: at}
	if rng != "" {
		req.Header = map[string]string{"Range": rng}
	}
	resp, err := f.client.Do(context.Background(), req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", method, f.url, err)
	}
	return resp, nil
}

// statusError describes an unexpected status; 404 and 410 wrap fs.ErrNotExist.
func (f *httpFile) statusError(resp *httpget.Response, method, rng string) error {
	if resp.StatusCode == 404 || resp.StatusCode == 410 {
		return &fs.PathError{Op: "open", Path: f.url, Err: fs.ErrNotExist}
	}
	if rng != "" {
		rng = " " + rng
	}
	return fmt.Errorf("%s %s%s: the server answered %s", method, f.url, rng, resp.Status)
}

// contentRange parses "bytes start-end/total" or "bytes */total"; total is
// -1 when given as "*", and start and end are -1 in the second form.
func contentRange(h string) (start, end, total int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes ")
	r, t, found2 := strings.Cut(spec, "/")
	if !found || !found2 {
		return 0, 0, 0, false
	}
	total, start, end = -1, -1, -1
	var err error
	if t != "*" {
		if total, err = strconv.ParseInt(t, 10, 64); err != nil || total < 0 {
			return 0, 0, 0, false
		}
	}
	if r == "*" {
		return start, end, total, true
	}
	s, e, found := strings.Cut(r, "-")
	start, err1 := strconv.ParseInt(s, 10, 64)
	end, err2 := strconv.ParseInt(e, 10, 64)
	if !found || err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, 0, false
	}
	return start, end, total, true
}
