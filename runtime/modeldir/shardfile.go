package modeldir

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/andybalholm/brotli"
)

// shardFile is the shard being written: raw bytes are hashed and fed to
// the compressor, whose output is hashed, counted and handed to the
// sink's ShardWriter, which keeps it once the shard is complete.
type shardFile struct {
	name      string
	out       ShardWriter
	raw, comp hash.Hash
	rawSize   int64
	compSize  int64
}

func createShard(sink Sink, name string, enc *brotli.Writer) (*shardFile, error) {
	out, err := sink.CreateShard(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &shardFile{name: name, out: out, raw: sha256.New(), comp: sha256.New()}
	enc.Reset(s)
	return s, nil
}

// Write receives the compressor's output.
func (s *shardFile) Write(p []byte) (int, error) {
	s.comp.Write(p)
	s.compSize += int64(len(p))
	return s.out.Write(p)
}

// add compresses raw stream bytes into the shard.
func (s *shardFile) add(enc *brotli.Writer, p []byte) error {
	s.raw.Write(p)
	s.rawSize += int64(len(p))
	_, err := enc.Write(p)
	return err
}

// finish ends the compressed stream and commits the shard.
func (s *shardFile) finish(enc *brotli.Writer) (shardJSON, error) {
	err := enc.Close()
	if err == nil {
		err = s.out.Commit()
	}
	if err != nil {
		return shardJSON{}, fmt.Errorf("%s: %w", s.name, err)
	}
	return shardJSON{File: s.name, RawSize: s.rawSize, RawSHA256: hex.EncodeToString(s.raw.Sum(nil)),
		CompressedSize: s.compSize, CompressedSHA256: hex.EncodeToString(s.comp.Sum(nil))}, nil
}

// discard drops an unfinished shard.
func (s *shardFile) discard() { s.out.Discard() }

var _ io.Writer = (*shardFile)(nil)
