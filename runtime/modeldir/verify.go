package modeldir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"

	"github.com/andybalholm/brotli"
	"github.com/phi2web/phi2web/runtime/weights"
)

// redo is the advice given for any shard that fails its checks.
const redo = "delete the model directory and download or convert it again"

// shardReader reads and checks shards into buffers reused from one shard
// to the next.
type shardReader struct {
	m    *Model
	raw  []byte         // holds the largest shard's raw bytes
	comp []byte         // with a codec: holds the largest compressed shard
	dec  *brotli.Reader // without one
}

func (m *Model) newShardReader() *shardReader {
	var maxRaw, maxComp int64
	for _, s := range m.shards {
		maxRaw = max(maxRaw, s.RawSize)
		maxComp = max(maxComp, s.CompressedSize)
	}
	r := &shardReader{m: m, raw: make([]byte, maxRaw)}
	switch {
	case m.raw:
	case m.codec != nil:
		r.comp = make([]byte, maxComp)
	default:
		r.dec = brotli.NewReader(nil)
	}
	return r
}

// openError says why shard s's file did not open.
func openError(s ShardInfo, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: missing from the model directory: %s", s.File, redo)
	}
	return fmt.Errorf("%s: %v", s.File, err)
}

// read decompresses shard s and checks it: the file's size and sha256,
// then the size and sha256 of what it decompresses to. The result is valid
// until the next read.
func (r *shardReader) read(s ShardInfo) ([]byte, error) {
	f, err := r.m.src.Open(s.File)
	if err != nil {
		return nil, openError(s, err)
	}
	defer f.Close()
	raw := r.raw[:s.RawSize]
	if r.m.raw {
		if err := r.readRaw(s, f, raw); err != nil {
			return nil, err
		}
		return raw, nil
	}
	switch size := f.Size(); {
	case size < s.CompressedSize:
		return nil, fmt.Errorf("%s: truncated: %d of %d bytes (file is incomplete): %s", s.File, size, s.CompressedSize, redo)
	case size > s.CompressedSize:
		return nil, fmt.Errorf("%s: %d bytes, %s says %d (file is corrupt): %s", s.File, size, ManifestFile, s.CompressedSize, redo)
	}
	if r.m.codec != nil {
		err = r.decodeWhole(s, f, raw)
	} else {
		err = r.decodeStream(s, f, raw)
	}
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// decodeStream hashes the compressed bytes as they are decoded, so each is
// read once.
func (r *shardReader) decodeStream(s ShardInfo, f weights.File, raw []byte) error {
	in := &hashingReader{r: io.NewSectionReader(f, 0, s.CompressedSize), h: sha256.New()}
	r.dec.Reset(in)
	decErr := decodeExactly(r.dec, raw)
	if in.err == nil {
		io.Copy(io.Discard, in) // hash what the decoder left unread
	}
	if in.err != nil {
		return fmt.Errorf("%s: read: %v", s.File, in.err)
	}
	if hex.EncodeToString(in.h.Sum(nil)) != s.CompressedSHA256 {
		return compressedMismatch(s)
	}
	if decErr != nil {
		return badStream(s, decErr)
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != s.RawSHA256 {
		return rawMismatch(s)
	}
	return nil
}

func compressedMismatch(s ShardInfo) error {
	return fmt.Errorf("%s: sha256 mismatch (file is corrupt or incomplete): %s", s.File, redo)
}

func rawMismatch(s ShardInfo) error {
	return fmt.Errorf("%s: sha256 of the decompressed bytes mismatch (file is corrupt): %s", s.File, redo)
}

// badStream reports a brotli stream that fails although its bytes are
// those the manifest lists.
func badStream(s ShardInfo, err error) error {
	return fmt.Errorf("%s: %v, though the file matches its sha256: %s", s.File, err, redo)
}

// decodeExactly fills raw from dec and checks that the stream ends there.
func decodeExactly(dec io.Reader, raw []byte) error {
	n := 0
	for n < len(raw) {
		k, err := dec.Read(raw[n:])
		n += k
		switch {
		case err == io.EOF && n < len(raw):
			return fmt.Errorf("decompresses to %d bytes, %s says %d", n, ManifestFile, len(raw))
		case err == io.ErrUnexpectedEOF:
			return errors.New("brotli stream ends early")
		case err != nil && err != io.EOF:
			return fmt.Errorf("invalid brotli data (%v)", err)
		}
	}
	var one [1]byte
	switch _, err := io.ReadFull(dec, one[:]); err {
	case nil:
		return fmt.Errorf("decompresses to more than %d bytes", len(raw))
	case io.EOF:
		return nil
	case io.ErrUnexpectedEOF:
		return errors.New("brotli stream ends early")
	default:
		return fmt.Errorf("invalid brotli data (%v)", err)
	}
}

// hashingReader hashes and counts what passes through it and keeps the
// first read error other than io.EOF, telling a failing file apart from a
// bad brotli stream.
type hashingReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	err error
}

func (r *hashingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.Write(p[:n])
	r.n += int64(n)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}
