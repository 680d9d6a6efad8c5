package fetch

import (
	"errors"
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
	d.f.prog.mark()
	part, err := httpget.GetRange(d.f.ctx, d.f.o.Client, url, d.size, -1, httpget.Version{})
	var se *httpget.StatusError
	switch {
	case errors.As(err, &se) && se.StatusCode == 416 && d.size > 0:
		return d.restart() // more is stored than the server has: take it from the start
	case errors.As(err, &se) && se.Temporary():
		return &retryableError{err}
	case errors.As(err, &se):
		return err
	case err != nil:
		return &retryableError{err}
	}
	defer part.Body.Close()
	if e := part.Header.Get("Content-Encoding"); e != "" && e != "identity" {
		d.encoding = e
	}
	if part.Whole && d.size > 0 { // Range ignored: the whole file comes
		if err := d.restart(); err != nil {
			return err
		}
	}
	return d.stream(part.Body, url)
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
