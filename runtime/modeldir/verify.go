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
)

// redo is the advice given for any shard that fails its checks.
const redo = "delete the model directory and download or convert it again"

// readShard decompresses shard s into buf and checks it: the file's size
// and sha256, then the size and sha256 of what it decompresses to. The
// compressed bytes are hashed as they are decoded, so each is read once.
func (m *Model) readShard(s ShardInfo, buf []byte, dec *brotli.Reader) ([]byte, error) {
	f, err := m.src.Open(s.File)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: missing from the model directory: %s", s.File, redo)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", s.File, err)
	}
	defer f.Close()
	switch size := f.Size(); {
	case size < s.CompressedSize:
		return nil, fmt.Errorf("%s: truncated: %d of %d bytes (file is incomplete): %s", s.File, size, s.CompressedSize, redo)
	case size > s.CompressedSize:
		return nil, fmt.Errorf("%s: %d bytes, %s says %d (file is corrupt): %s", s.File, size, ManifestFile, s.CompressedSize, redo)
	}

	in := &hashingReader{r: io.NewSectionReader(f, 0, s.CompressedSize), h: sha256.New()}
	dec.Reset(in)
	raw := buf[:s.RawSize]
	decErr := decodeExactly(dec, raw)
	if in.err == nil {
		io.Copy(io.Discard, in) // hash what the decoder left unread
	}
	if in.err != nil {
		return nil, fmt.Errorf("%s: read: %v", s.File, in.err)
	}
	if hex.EncodeToString(in.h.Sum(nil)) != s.CompressedSHA256 {
		return nil, fmt.Errorf("%s: sha256 mismatch (file is corrupt or incomplete): %s", s.File, redo)
	}
	if decErr != nil {
		return nil, fmt.Errorf("%s: %v, though the file matches its sha256: %s", s.File, decErr, redo)
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != s.RawSHA256 {
		return nil, fmt.Errorf("%s: sha256 of the decompressed bytes mismatch (file is corrupt): %s", s.File, redo)
	}
	return raw, nil
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
