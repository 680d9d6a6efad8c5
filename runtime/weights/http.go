package weights

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
)

// HTTP returns a Source reading the files below base, an http:// or https://
// URL of a directory (a trailing slash is optional), with Range requests.
// A nil client means httpget.Default(), whose timeouts end a request to a
// server that stops answering. Redirects are followed.
//
// Open learns a file's size and version (its ETag or Last-Modified) from a
// one-byte Range request (or a HEAD request where the Content-Range header
// is hidden, as browsers do for cross-origin responses that do not expose
// it). Each ReadAt is one Range request pinned to that version (If-Range):
// a file that changes on the server while it is read fails the read with
// an *httpget.ChangedError, never mixing bytes of two versions. A read
// under 1 MiB fetches 1 MiB, which serves the reads that follow it. A
// server that ignores Range can still serve reads from offset 0 of a file
// that fits one request; any other read from it is an error. A 404 or 410
// answer is an error for which errors.Is(err, fs.ErrNotExist) holds.
//
// Where the server publishes the file's sha256 (Hugging Face: see
// publishedSHA256), the bytes are hashed as the reads bring them, and the
// read that completes a file read front to back fails if they do not match
// it; a file read in part, or out of order, is not checked.
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
	f := &httpFile{client: s.client, url: s.base.JoinPath(name).String(), digest: newDigest("")}
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
	// version pins the reads to the file Open found; digest checks its
	// bytes against a published sha256.
	version httpget.Version
	digest  *digest

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

// stat sets size, version, the published sha256 and at from a request for
// the first byte.
func (f *httpFile) stat() error {
	p, err := httpget.GetRange(context.Background(), f.client, f.url, 0, 0, httpget.Version{})
	var se *httpget.StatusError
	switch {
	case errors.As(err, &se) && se.StatusCode == 416: // an empty file
		if se.Total < 0 {
			return f.head()
		}
		f.size = se.Total
		return nil
	case err != nil:
		return f.opened(err)
	}
	defer p.Body.Close()
	if !p.Whole {
		// One byte: read it, so that the connection is reused. A whole
		// file from a server ignoring Range is left unread.
		io.Copy(io.Discard, p.Body)
	}
	at := p.URL
	f.at.Store(&at)
	f.version, f.digest = p.Version, newDigest(publishedSHA256(p.Header))
	if p.Total >= 0 {
		f.size = p.Total
		return nil
	}
	return f.head()
}

// head sets size from a HEAD request's Content-Length, for a server that
// hides Content-Range.
func (f *httpFile) head() error {
	resp, err := f.client.Do(context.Background(), &httpget.Request{Method: "HEAD", URL: f.url})
	if err != nil {
		return fmt.Errorf("HEAD %s: %v", f.url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return f.opened(&httpget.StatusError{Method: "HEAD", URL: f.url, StatusCode: resp.StatusCode, Status: resp.Status})
	}
	if resp.ContentLength < 0 {
		return fmt.Errorf("HEAD %s: the server gives no Content-Length or Content-Range, so the file size is unknown", f.url)
	}
	f.size = resp.ContentLength
	f.version, f.digest = httpget.VersionOf(resp.Header), newDigest(publishedSHA256(resp.Header))
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
	if err := f.digest.failed(); err != nil {
		return 0, err
	}
	last := off + int64(len(p)) - 1
	// Before off and after last to cover a small gap or tail for the hash.
	from, to := f.digest.from(off), f.digest.to(last, f.size)
	at := *f.at.Load()
	part, err := httpget.GetRange(context.Background(), f.client, at, from, to, f.version)
	var se *httpget.StatusError
	if at != f.url && errors.As(err, &se) {
		part, err = httpget.GetRange(context.Background(), f.client, f.url, from, to, f.version)
		if err == nil {
			at = part.URL
			f.at.Store(&at)
		}
	}
	if err != nil {
		return 0, f.opened(err)
	}
	defer part.Body.Close()
	if part.Whole && f.version.Differs(part.Version) {
		return 0, &httpget.ChangedError{URL: f.url, Was: f.version, Now: part.Version}
	}
	if part.Whole && (from != 0 || to+1 != f.size) {
		return 0, fmt.Errorf("GET %s bytes=%d-%d: the server ignored the Range header and sent the whole file; it must support Range requests", f.url, from, to)
	}
	if part.Total >= 0 && part.Total != f.size {
		return 0, fmt.Errorf("GET %s: the file is now %d bytes, %d when it was opened: it changed on the server while it was read", f.url, part.Total, f.size)
	}
	gap := make([]byte, off-from)
	if _, err := f.body(part.Body, gap, from, false); err != nil {
		return 0, err
	}
	n, err := f.body(part.Body, p, off, part.Whole && to == last)
	if err != nil {
		return n, err
	}
	tail := make([]byte, to-last)
	if _, err := f.body(part.Body, tail, last+1, part.Whole); err != nil {
		return 0, err
	}
	for _, b := range []struct {
		bytes []byte
		at    int64
	}{{gap, from}, {p, off}, {tail, last + 1}} {
		if err := f.digest.add(b.bytes, b.at, f.size, f.url); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// body fills p from r. A whole file must also end there, or size was wrong.
func (f *httpFile) body(r io.Reader, p []byte, off int64, whole bool) (int, error) {
	n, err := io.ReadFull(r, p)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return n, fmt.Errorf("GET %s: body ended after %d of %d bytes at offset %d: %w", f.url, n, len(p), off, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return n, fmt.Errorf("GET %s: at offset %d: %w", f.url, off, err)
	}
	if whole {
		if m, _ := r.Read(make([]byte, 1)); m > 0 {
			return n, fmt.Errorf("GET %s: the file is longer than the %d bytes its size said", f.url, f.size)
		}
	}
	return n, nil
}

// opened names the file in a failure to read it; a missing file stays
// fs.ErrNotExist.
func (f *httpFile) opened(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &fs.PathError{Op: "open", Path: f.url, Err: fs.ErrNotExist}
	}
	return err
}
