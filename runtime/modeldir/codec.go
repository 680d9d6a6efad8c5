package modeldir

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"

	"github.com/phi2web/phi2web/runtime/weights"
)

// Codec supplies brotli decompression and SHA-256 from outside the Go
// code, for builds where a faster implementation is at hand (the wasip1
// engine hands both to its native host). The Model trusts it: a shard
// passes its checks when Sum256 says its hashes match.
type Codec struct {
	// Decompress decodes the whole brotli stream src into dst and returns
	// the number of bytes written. When the stream decodes to more than
	// len(dst) bytes it returns io.ErrShortBuffer, when src ends before
	// the stream does io.ErrUnexpectedEOF, and any other error when src is
	// not valid brotli.
	Decompress func(dst, src []byte) (int, error)
	// Sum256 returns the SHA-256 digest of p.
	Sum256 func(p []byte) [32]byte
}

// Decompress is the Go brotli decoder as a Codec's Decompress, for a codec
// that brings only its own hash or its own decoder where it has one.
func Decompress(dst, src []byte) (int, error) {
	dec := brotli.NewReader(bytes.NewReader(src))
	n := 0
	for n < len(dst) {
		k, err := dec.Read(dst[n:])
		n += k
		if err == io.EOF {
			return n, nil // ended before filling dst: the caller compares n
		}
		if err != nil {
			return n, err
		}
	}
	var one [1]byte
	switch _, err := dec.Read(one[:]); err {
	case io.EOF:
		return n, nil
	case nil:
		return n, io.ErrShortBuffer
	default:
		return n, err
	}
}

// Options configures OpenWith. The zero value is what Open does.
type Options struct {
	// Codec, when set, makes Each read each shard's compressed bytes
	// whole (the manifest bounds their size) and hand them to the codec,
	// instead of streaming them through the Go brotli decoder. Memory
	// grows by one buffer of the largest compressed shard. The checks and
	// their messages are the same.
	Codec *Codec
	// Raw says the source's shard files hold the decoded bytes of the
	// shards (a store that decoded them once, when it downloaded them):
	// Each reads each whole and checks its size and sha256 against the
	// manifest's raw ones, with the Codec's Sum256 when set, or the file's
	// own hash when it is a RawFile; nothing is decompressed.
	Raw bool
	// Readers is how many decoded shards (Raw) are read and checked at
	// once, ahead of their use, each into a buffer of its own (so memory
	// grows by a shard per reader); 0 means 1. More than one only pays
	// where reads and hashes run outside Go (a browser's store), and
	// needs a source whose files may be opened and read at once.
	Readers int
}

// OpenWith is Open with options.
func OpenWith(src weights.Source, o Options) (*Model, error) {
	if c := o.Codec; c != nil && (c.Decompress == nil || c.Sum256 == nil) {
		return nil, errors.New("modeldir: Options.Codec needs both Decompress and Sum256")
	}
	m, err := Open(src)
	if err != nil {
		return nil, err
	}
	m.codec, m.raw, m.readers = o.Codec, o.Raw, o.Readers
	return m, nil
}

// decodeWhole reads the compressed bytes whole and checks them with the
// codec before it decompresses them.
func (r *shardReader) decodeWhole(s ShardInfo, f weights.File, raw []byte) error {
	c := r.m.codec
	comp := r.comp[:s.CompressedSize]
	if n, err := f.ReadAt(comp, 0); n < len(comp) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%s: read: %v", s.File, err)
	}
	if sum := c.Sum256(comp); hex.EncodeToString(sum[:]) != s.CompressedSHA256 {
		return compressedMismatch(s)
	}
	n, err := c.Decompress(raw, comp)
	if err := decodedLength(n, err, len(raw)); err != nil {
		return badStream(s, err)
	}
	if sum := c.Sum256(raw); hex.EncodeToString(sum[:]) != s.RawSHA256 {
		return rawMismatch(s)
	}
	return nil
}

// decodedLength turns a Codec.Decompress result into the errors of
// decodeExactly.
func decodedLength(n int, err error, want int) error {
	switch {
	case errors.Is(err, io.ErrShortBuffer):
		return fmt.Errorf("decompresses to more than %d bytes", want)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("brotli stream ends early")
	case err != nil:
		return fmt.Errorf("invalid brotli data (%v)", err)
	case n < 0 || n > want:
		return fmt.Errorf("the brotli decoder reports %d bytes written to a %d-byte buffer", n, want)
	case n < want:
		return fmt.Errorf("decompresses to %d bytes, %s says %d", n, ManifestFile, want)
	}
	return nil
}
