package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/modeldir"
)

// fetchShard makes shard i stored decoded and verified: it downloads the
// compressed bytes that are missing, and when they do not match their hash
// it drops them and downloads the shard once more; then it decodes them.
// Compressed bytes stored and verified before (a conversion's, or those of
// a decode cut short) are decoded without a download, and downloaded again
// when they do not decode to the manifest's raw sha256.
func (f *fetcher) fetchShard(i int) error {
	s := f.shards[i]
	if ok, err := f.decoded(s); err != nil {
		return err
	} else if ok {
		f.prog.cached(i, s.CompressedSize)
		return f.dropLeftover(s)
	}
	if err := f.markIncomplete(); err != nil {
		return err
	}
	held, err := f.state(s.File)
	if err != nil {
		return err
	}
	if held.Verified && held.Size == s.CompressedSize {
		f.prog.mark()
		var bad *decodeError
		switch err := f.decode(i); {
		case err == nil:
			f.prog.verified(i, s.CompressedSize)
			return nil
		case !errors.As(err, &bad):
			return err
		}
		if err := f.o.Store.DeleteShard(f.key, s.File); err != nil {
			return err
		}
		held.Size = 0
	}
	decoded, err := f.download(i, held.Size)
	if err != nil {
		return err
	}
	if decoded { // the browser decoded it (Content-Encoding)
		f.prog.finish(s.CompressedSize)
		return nil
	}
	if err := f.decode(i); err != nil {
		var bad *decodeError
		if errors.As(err, &bad) {
			f.o.Store.DeleteShard(f.key, s.File)
			return fmt.Errorf("GET %s: the bytes match their sha256 but not what they decode to: the server's copy is corrupt (%v)", f.fileURL(s.File), err)
		}
		return err
	}
	f.prog.finish(s.CompressedSize)
	return nil
}

// download makes shard i's compressed bytes stored and verified, or its
// decoded bytes when the answer came decoded (decoded). stored is how
// many of them the store holds, which the caller has just asked.
func (f *fetcher) download(i int, stored int64) (decoded bool, err error) {
	s := f.shards[i]
	var hint string
	first := 0
	if f.refetch[i] { // its decoded answer mismatched in the background
		first = 1
		delete(f.refetch, i)
	}
	for attempt := first; attempt < 2; attempt++ {
		d := &shardDownload{f: f, i: i, s: s, size: stored, hash: sha256.New(), refetch: attempt > 0}
		if err := d.download(); err != nil {
			return false, err
		}
		if d.decoded {
			return true, nil
		}
		if hex.EncodeToString(d.hash.Sum(nil)) == s.CompressedSHA256 {
			return false, f.o.Store.SetVerified(f.key, s.File, true)
		}
		if err := f.o.Store.DeleteShard(f.key, s.File); err != nil {
			return false, err
		}
		stored = 0
		f.prog.restart()
		if d.encoding != "" {
			hint = fmt.Sprintf(" (it came with Content-Encoding: %s, and neither as the .br file nor decoded)", d.encoding)
		}
	}
	return false, fmt.Errorf("GET %s: the bytes mismatched their sha256 twice: the server's copy is corrupt%s", f.fileURL(s.File), hint)
}

// shardDownload brings one shard to its full size. hash always covers the
// first hashed stored bytes: those received are hashed as they are
// stored, and a stored prefix from before is read back.
type shardDownload struct {
	f        *fetcher
	i        int
	s        modeldir.ShardInfo
	size     int64 // bytes stored
	hash     hash.Hash
	hashed   int64
	encoding string // a Content-Encoding the server declared, which alters the bytes
	decoded  bool   // the answer came decoded, and its decoded bytes are stored
	// refetch marks the download after a mismatch: its URL carries a query
	// that no cache has seen, so that a browser's HTTP cache cannot answer
	// with the corrupt bytes again.
	refetch bool
	// high is the most bytes stored so far: a failed request that stored
	// bytes past it made progress. served is the furthest byte the
	// server's answers reached.
	high, served int64
	// version pins resumed requests to the file that the stored bytes
	// came from, once an answer has named it.
	version httpget.Version
}

// download starts from the d.size bytes stored.
func (d *shardDownload) download() error {
	if d.size > d.s.CompressedSize {
		if err := d.restart(); err != nil {
			return err
		}
	}
	d.high = d.size
	d.f.prog.startShard(d.i, d.size)
	stuck, failures, resumes := 0, 0, max(d.f.o.Resumes, 0)
	for d.size < d.s.CompressedSize {
		if err := d.rehash(); err != nil {
			return err
		}
		high := d.high
		err := d.request()
		var retry *retryableError
		if err == nil {
			continue
		} else if !errors.As(err, &retry) || d.f.ctx.Err() != nil {
			return err
		}
		failures++
		var timeout *httpget.TimeoutError
		if d.high > high && resumes > 0 && !errors.As(err, &timeout) {
			resumes--
			stuck = 0
		}
		if stuck >= max(d.f.o.Retries, 0) {
			return d.gaveUp(err, failures)
		}
		if err := d.f.sleep(d.f.o.Backoff << min(stuck, 8)); err != nil {
			return err
		}
		stuck++
	}
	return d.rehash()
}

// gaveUp is the error of a shard whose retries are spent: the last
// failure, and how far the server's answers went of the bytes the
// manifest gives the shard.
func (d *shardDownload) gaveUp(err error, failures int) error {
	tried := "1 failed request"
	if failures > 1 {
		tried = fmt.Sprintf("%d failed requests", failures)
	}
	if d.served == 0 {
		return fmt.Errorf("%w (%s: gave up after %s)", err, d.s.File, tried)
	}
	return fmt.Errorf("%w (%s: gave up after %s; its manifest says %d bytes, the server sent no more than %d)", err, d.s.File, tried, d.s.CompressedSize, d.served)
}

// rehash reads back the stored bytes that hash does not cover.
func (d *shardDownload) rehash() error {
	if d.hashed == d.size {
		return nil
	}
	d.f.prog.event(PhaseVerify, d.i, false)
	d.hash.Reset()
	d.hashed = 0
	buf := d.f.chunk()
	for d.hashed < d.size {
		p := buf[:min(int64(len(buf)), d.size-d.hashed)]
		if err := readFull(d.f.o.Store, d.f.key, d.s.File, d.hashed, p); err != nil {
			return err
		}
		d.hash.Write(p)
		d.keep(d.hashed, p)
		d.hashed += int64(len(p))
	}
	return nil
}

// keep copies p, the stored bytes at off, into the fetcher's buffer of
// the shard's compressed bytes, so that the decode after the download
// reads them from memory, not from the store. The buffer holds only a
// prefix of the shard: bytes that do not extend it drop what it held.
func (d *shardDownload) keep(off int64, p []byte) {
	f := d.f
	if off == 0 {
		f.decodeBuffers(d.s)
		f.held, f.heldSize = d.s.File, 0
	}
	if f.held != d.s.File || f.heldSize != off {
		f.held = ""
		return
	}
	f.heldSize += int64(copy(f.comp[off:d.s.CompressedSize], p))
}

// restart drops the stored bytes.
func (d *shardDownload) restart() error {
	if err := d.f.o.Store.DeleteShard(d.f.key, d.s.File); err != nil {
		return err
	}
	d.size, d.hashed = 0, 0
	d.version = httpget.Version{}
	d.hash.Reset()
	d.f.prog.restart()
	return nil
}
