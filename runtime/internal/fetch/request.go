package fetch

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
)

// request asks for the bytes after those stored and stores what arrives.
func (d *shardDownload) request() error {
	url := d.f.fileURL(d.s.File)
	if d.refetch {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + "phi2-refetch=" + strconv.FormatInt(d.f.o.Now().UnixNano(), 36)
	}
	req := &httpget.Request{Method: "GET", URL: url}
	var rng string
	if d.size > 0 {
		rng = "bytes=" + strconv.FormatInt(d.size, 10) + "-"
		req.Header = map[string]string{"Range": rng}
	}
	d.f.prog.mark()
	resp, err := d.f.o.Client.Do(d.f.ctx, req)
	if err != nil {
		return &retryableError{fmt.Errorf("GET %s: %v", url, err)}
	}
	defer resp.Body.Close()
	if e := resp.Header.Get("Content-Encoding"); e != "" && e != "identity" {
		d.encoding = e
	}
	switch {
	case resp.StatusCode == 206:
		// A browser hides Content-Range from a cross-origin response that
		// does not expose it; then the 206 is taken as the answer asked for.
		if cr := resp.Header.Get("Content-Range"); cr != "" && rangeStart(cr) != d.size {
			return fmt.Errorf("GET %s %s: the server sent the range %q", url, rng, cr)
		}
	case resp.StatusCode == 200 && d.size > 0: // Range ignored: the whole file comes
		if err := d.restart(); err != nil {
			return err
		}
	case resp.StatusCode == 200:
	case resp.StatusCode == 416 && d.size > 0:
		return d.restart() // more is stored than the server has: take it from the start
	default:
		err := fmt.Errorf("GET %s %s: the server answered %s", url, rng, resp.Status)
		if c := resp.StatusCode; c >= 500 || c == 408 || c == 429 { // 408 Request Timeout, 429 Too Many Requests
			return &retryableError{err}
		}
		return err
	}
	return d.stream(resp.Body, url)
}

// stream stores the body in chunks until the shard is whole. The bytes of
// a body cut short stay stored.
func (d *shardDownload) stream(body io.Reader, url string) error {
	buf := d.f.chunk()
	for d.size < d.s.CompressedSize {
		n, err := io.ReadFull(body, buf[:min(int64(len(buf)), d.s.CompressedSize-d.size)])
		if n > 0 {
			if err := d.f.o.Store.AppendShard(d.f.key, d.s.File, d.size, buf[:n]); err != nil {
				return fmt.Errorf("store %s: %v", d.s.File, err)
			}
			d.hash.Write(buf[:n])
			d.size += int64(n)
			d.hashed = d.size
			d.f.prog.received(d.i, int64(n))
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return &retryableError{fmt.Errorf("GET %s: the response ended at byte %d of %d", url, d.size, d.s.CompressedSize)}
		}
		if err != nil {
			return &retryableError{fmt.Errorf("GET %s: at byte %d: %v", url, d.size, err)}
		}
	}
	return nil
}

// rangeStart is the first byte of a Content-Range "bytes a-b/n" (-1 when
// it is not one).
func rangeStart(cr string) int64 {
	spec, ok := strings.CutPrefix(cr, "bytes ")
	first, _, ok2 := strings.Cut(spec, "-")
	n, err := strconv.ParseInt(first, 10, 64)
	if !ok || !ok2 || err != nil {
		return -1
	}
	return n
}

// retryableError is a failure that a later request may not meet: the
// network, or the server for the moment.
type retryableError struct{ err error }

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

func (f *fetcher) sleep(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.ctx.Done():
		return f.ctx.Err()
	case <-t.C:
		return nil
	}
}

func (f *fetcher) chunk() []byte {
	if f.buf == nil {
		f.buf = make([]byte, f.o.ChunkSize)
	}
	return f.buf
}
