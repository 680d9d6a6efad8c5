package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/phi2web/phi2web/runtime/store"
)

// streamEncoded reads the whole answer to a shard request that declared a
// Content-Encoding. A browser has decoded it already (natively, off the Go
// thread, the fastest decoder a page has): when the body is the shard's
// decoded bytes, matching the raw sha256, they are stored as they are and
// the shard needs no decode (d.decoded). When it is the compressed file
// (a client that does not decode, such as Go's for br), it goes the usual
// way. Anything else counts as a mismatch, fetched again. Such an answer
// cannot be resumed (a Range would apply to the encoded bytes), so it is
// kept in memory until it is whole, and a cut one starts again.
func (d *shardDownload) streamEncoded(body io.Reader, url string) error {
	s := d.s
	buf := d.f.answerBuffer(s)
	n, err := d.readReporting(body, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return &retryableError{fmt.Errorf("GET %s: at byte %d: %w", url, n, err)}
	}
	var one [1]byte
	longer := err == nil && func() bool { k, _ := io.ReadFull(body, one[:]); return k > 0 }()
	switch {
	case longer:
	case int64(n) == s.RawSize && n > 0 && s.RawSize != s.CompressedSize && d.f.overlaps():
		// Checked and stored in the background (background.go).
		if err := d.f.finishLater(d, buf[:n]); err != nil {
			return err
		}
		d.decoded = true
	case int64(n) == s.RawSize && d.sum(buf[:n]) == s.RawSHA256:
		if err := d.storeDecoded(buf[:n]); err != nil {
			return err
		}
		d.decoded = true
	case int64(n) == s.CompressedSize:
		d.f.prog.restart() // stream reports these bytes again
		return d.stream(&byteReader{p: buf[:n]}, url)
	case n < len(buf):
		return &retryableError{fmt.Errorf("GET %s: the response ended at byte %d (Content-Encoding: %s; %d bytes decoded, %d compressed)", url, n, d.encoding, s.RawSize, s.CompressedSize)}
	}
	// Done with this answer: stored decoded, or a mismatch that the hash
	// check after the download finds (nothing was stored).
	d.size, d.hashed = s.CompressedSize, s.CompressedSize
	return nil
}

// readReporting fills buf from body as io.ReadFull does, reporting the
// progress as it goes in the shard's compressed bytes (the total counts
// those), scaled from the decoded ones that arrive.
func (d *shardDownload) readReporting(body io.Reader, buf []byte) (int, error) {
	scale := float64(d.s.CompressedSize) / float64(max(d.s.RawSize, 1))
	var n int
	var reported int64
	for n < len(buf) {
		k, err := io.ReadFull(body, buf[n:min(len(buf), n+int(d.f.o.ChunkSize))])
		n += k
		if now := min(int64(float64(n)*scale), d.s.CompressedSize); now > reported {
			d.f.prog.received(d.i, now-reported)
			reported = now
		}
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return n, io.ErrUnexpectedEOF
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// storeDecoded stores a shard's checked decoded bytes as a decode does. It
// changes nothing in d: a finisher calls it while d's fetcher goes on.
func (d *shardDownload) storeDecoded(raw []byte) error {
	if err := storeRaw(d.f.o.Store, d.f.key, d.s.File, raw); err != nil {
		return fmt.Errorf("store %s: %v", d.s.File, err)
	}
	return nil
}

// sum is the hex SHA-256 of p: the store's where it hashes beside the
// caller (store.Digester: a page's reader workers), else the Codec's or
// Go's.
func (d *shardDownload) sum(p []byte) string {
	if dg, ok := store.AsDigester(d.f.o.Store); ok {
		if h, err := dg.SHA256(p); err == nil {
			return hex.EncodeToString(h[:])
		}
	}
	var h [32]byte
	if c := d.f.o.Codec; c != nil {
		h = c.Sum256(p)
	} else {
		h = sha256.Sum256(p)
	}
	return hex.EncodeToString(h[:])
}

// byteReader reads p (a bytes.Reader without the import of its Seek).
type byteReader struct{ p []byte }

func (r *byteReader) Read(b []byte) (int, error) {
	if len(r.p) == 0 {
		return 0, io.EOF
	}
	n := copy(b, r.p)
	r.p = r.p[n:]
	return n, nil
}
