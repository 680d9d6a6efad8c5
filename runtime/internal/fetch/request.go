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
	part, err := httpget.GetRange(d.f.ctx, d.f.o.Client, url, d.size, -1, d.version)
	var se *httpget.StatusError
	var changed *httpget.ChangedError
	switch {
	case errors.As(err, &se) && se.StatusCode == 416 && d.size > 0:
		if se.Total >= 0 && se.Total != d.s.CompressedSize {
			return d.wrongSize(url, se.Total)
		}
		if err := d.restart(); err != nil {
			return err
		}
		return &retryableError{fmt.Errorf("%v: the server has fewer bytes than were stored; the shard starts again", err)}
	case errors.As(err, &changed) && d.size > 0:
		if err := d.restart(); err != nil {
			return err
		}
		return &retryableError{fmt.Errorf("%v; the shard starts again", err)}
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
	} else if part.Total >= 0 && part.Total != d.s.CompressedSize {
		return d.wrongSize(url, part.Total)
	}
	if part.Whole && d.size > 0 { // Range ignored, or the file changed: the whole file comes
		if err := d.restart(); err != nil {
			return err
		}
	}
	if d.size == 0 || !d.version.Known() {
		d.version = part.Version
	}
	if d.encoding != "" && d.size == 0 {
		return d.streamEncoded(part.Body, url)
	}
	return d.stream(part.Body, url)
}

// wrongSize is the error of a server whose copy of the shard has another
// size than the manifest gives it; no request can mend that.
func (d *shardDownload) wrongSize(url string, has int64) error {
	return fmt.Errorf("GET %s: the server has %d bytes of %s, but its manifest says %d: the server's copy does not match the manifest", url, has, d.s.File, d.s.CompressedSize)
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
			d.keep(d.size, buf[:n])
			d.size += int64(n)
			d.hashed = d.size
			d.high, d.served = max(d.high, d.size), max(d.served, d.size)
			d.f.prog.received(d.i, int64(n))
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return &retryableError{fmt.Errorf("GET %s: the response ended at byte %d of %d", url, d.size, d.s.CompressedSize)}
		}
		if err != nil {
			return &retryableError{fmt.Errorf("GET %s: at byte %d: %w", url, d.size, err)}
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
