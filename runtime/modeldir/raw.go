package modeldir

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/phi2web/phi2web/runtime/weights"
)

// RawFile is a shard file of a source of decoded shards (Options.Raw) that
// hashes its bytes itself as it reads them, such as a browser store handing
// them to its native SHA-256 before they reach Go.
type RawFile interface {
	weights.File
	// ReadAllSHA256 reads the whole file into p (len(p) == Size()) and
	// returns the SHA-256 of the bytes read.
	ReadAllSHA256(p []byte) ([32]byte, error)
}

// StagingFile is a RawFile that can also read and hash its bytes ahead
// into room of its own (a browser store's reader workers keep them in
// their shared buffers), so that a load reading shards ahead holds no
// buffer of its own for them. A source's StagingFiles must allow
// Options.Readers shards staged at once; more Stage calls wait for a
// Take or Drop.
type StagingFile interface {
	RawFile
	Stage() (Staged, error)
}

// Staged is a file's bytes read and hashed ahead, holding their room until
// taken or dropped (store.StagedShard is one).
type Staged interface {
	// Take copies the bytes into p (len(p) == the file's size) and frees
	// their room, also when it fails.
	Take(p []byte) error
	// Sum is the SHA-256 of the bytes, once taken.
	Sum() [32]byte
	// Drop frees their room unread.
	Drop()
}

// checkRawSize checks a decoded shard's stored size against the manifest.
func checkRawSize(s ShardInfo, f weights.File) error {
	switch size := f.Size(); {
	case size < s.RawSize:
		return fmt.Errorf("%s: truncated: %d of %d decoded bytes (stored copy is incomplete): %s", s.File, size, s.RawSize, redo)
	case size > s.RawSize:
		return fmt.Errorf("%s: %d decoded bytes, %s says %d (stored copy is corrupt): %s", s.File, size, ManifestFile, s.RawSize, redo)
	}
	return nil
}

// checkRawSum checks a decoded shard's sha256, the guard against bytes
// changed where they were kept.
func checkRawSum(s ShardInfo, sum [32]byte) error {
	if hex.EncodeToString(sum[:]) != s.RawSHA256 {
		return rawMismatch(s)
	}
	return nil
}

// readRaw reads a decoded shard whole and checks its size and sha256.
func (r *shardReader) readRaw(s ShardInfo, f weights.File, raw []byte) error {
	if err := checkRawSize(s, f); err != nil {
		return err
	}
	var sum [32]byte
	if rf, ok := f.(RawFile); ok {
		var err error
		if sum, err = rf.ReadAllSHA256(raw); err != nil {
			return fmt.Errorf("%s: read: %v", s.File, err)
		}
	} else {
		if n, err := f.ReadAt(raw, 0); n < len(raw) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("%s: read: %v", s.File, err)
		}
		sum = r.m.sum256(raw)
	}
	return checkRawSum(s, sum)
}

// readAhead reads decoded shard s for the prefetcher: staged where its
// file is a StagingFile, else checked into the buffer buf returns.
func (r *shardReader) readAhead(s ShardInfo, buf func() []byte) ([]byte, Staged, error) {
	f, err := r.m.src.Open(s.File)
	if err != nil {
		return nil, nil, openError(s, err)
	}
	defer f.Close()
	sf, ok := f.(StagingFile)
	if !ok {
		raw := buf()[:s.RawSize]
		if err := r.readRaw(s, f, raw); err != nil {
			return nil, nil, err
		}
		return raw, nil, nil
	}
	if err := checkRawSize(s, f); err != nil {
		return nil, nil, err
	}
	st, err := sf.Stage()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read: %v", s.File, err)
	}
	return nil, st, nil
}

func (m *Model) sum256(p []byte) [32]byte {
	if m.codec != nil {
		return m.codec.Sum256(p)
	}
	return sha256.Sum256(p)
}

// DecodeShard decodes the compressed bytes comp of shard s into raw
// (len(raw) == s.RawSize) and checks the result's size and sha256, with c
// when it is set, else with the Go brotli decoder and crypto/sha256. It
// does not hash comp: a downloader has checked it as it stored it, and
// bytes changed since would not decode to the raw sha256. Errors name the
// shard file as Each's do.
func DecodeShard(s ShardInfo, comp, raw []byte, c *Codec) error {
	if int64(len(raw)) != s.RawSize {
		return fmt.Errorf("%s: a %d-byte buffer for %d decoded bytes", s.File, len(raw), s.RawSize)
	}
	var sum [32]byte
	if c != nil {
		n, err := c.Decompress(raw, comp)
		if err := decodedLength(n, err, len(raw)); err != nil {
			return fmt.Errorf("%s: %v: %s", s.File, err, redo)
		}
		sum = c.Sum256(raw)
	} else {
		if err := decodeExactly(brotli.NewReader(bytes.NewReader(comp)), raw); err != nil {
			return fmt.Errorf("%s: %v: %s", s.File, err, redo)
		}
		sum = sha256.Sum256(raw)
	}
	if hex.EncodeToString(sum[:]) != s.RawSHA256 {
		return rawMismatch(s)
	}
	return nil
}
