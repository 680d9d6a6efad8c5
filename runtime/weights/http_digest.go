package weights

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
)

// publishedSHA256 is the sha256 a server gives for a file's bytes, in
// lower-case hex: Hugging Face's X-Linked-Etag (a file stored with LFS),
// else the ETag of a Hugging Face answer (X-Repo-Commit set) when it is a
// sha256; "" when there is none. Other servers' ETags are not taken for
// hashes, whatever they look like.
func publishedSHA256(h httpget.Header) string {
	if sum := sha256ETag(h.Get("X-Linked-Etag")); sum != "" {
		return sum
	}
	if h.Get("X-Repo-Commit") != "" {
		return sha256ETag(h.Get("ETag"))
	}
	return ""
}

// sha256ETag is the hash a strong ETag holds, or "".
func sha256ETag(etag string) string {
	s := strings.ToLower(strings.Trim(etag, `"`))
	if len(s) != 2*sha256.Size || strings.HasPrefix(etag, "W/") {
		return ""
	}
	if _, err := hex.DecodeString(s); err != nil {
		return ""
	}
	return s
}

// maxGap is the most bytes a read skips, or leaves at the end of the
// file, that are fetched anyway, so that the hash sees every byte of a file
// read in order with small gaps (the alignment padding of a GGUF file's
// tensors).
const maxGap = 64 << 10

// digest hashes a file's bytes as the reads bring them, front to back, and
// checks them against the published sha256 once every byte has come: no
// pass of its own over the file. A read that skips more than maxGap bytes
// (or comes out of order) leaves the file unchecked.
type digest struct {
	mu   sync.Mutex
	want string // "" when nothing is published
	h    hash.Hash
	at   int64 // bytes hashed, from the start of the file
	lost bool  // a read skipped bytes
	err  error // the mismatch, for every read after it
}

func newDigest(want string) *digest { return &digest{want: want, h: sha256.New()} }

// from is where a read at off starts so that the hash misses nothing.
func (d *digest) from(off int64) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.want != "" && !d.lost && off > d.at && off-d.at <= maxGap {
		return d.at
	}
	return off
}

// to is where a read ending at last (inclusive) ends so that the hash
// misses nothing: last, or the file's last byte when a small tail (such as
// the padding after a GGUF file's last tensor) would be left unread.
func (d *digest) to(last, size int64) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.want != "" && !d.lost && last < size-1 && size-1-last <= maxGap {
		return size - 1
	}
	return last
}

// add hashes b, read at off of a file of size bytes at url; once all of
// it is hashed, a sum other than the published one is an error.
func (d *digest) add(b []byte, off, size int64, url string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.want == "" || d.lost || d.err != nil {
		return d.err
	}
	if off > d.at {
		d.lost = true
		return nil
	}
	if end := off + int64(len(b)); end > d.at {
		d.h.Write(b[d.at-off:])
		d.at = end
		if d.at == size {
			if sum := hex.EncodeToString(d.h.Sum(nil)); sum != d.want {
				d.err = fmt.Errorf("GET %s: the file's bytes have sha256 %s, but the server published %s: the file is corrupt or changed while it was read; not using it", url, sum, d.want)
			}
		}
	}
	return d.err
}

// failed returns the mismatch found, if any.
func (d *digest) failed() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}
