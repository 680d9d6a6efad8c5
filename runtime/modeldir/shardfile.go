package modeldir

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"
)

// shardFile is the shard being written: raw bytes are hashed and fed to
// the compressor, whose output is hashed, counted and buffered into a
// temporary file that is renamed when the shard is complete.
type shardFile struct {
	name, path, tmp string
	f               *os.File
	out             *bufio.Writer
	raw, comp       hash.Hash
	rawSize         int64
	compSize        int64
}

func createShard(dir, name string, enc *brotli.Writer) (*shardFile, error) {
	path := filepath.Join(dir, name)
	s := &shardFile{name: name, path: path, tmp: path + ".tmp", raw: sha256.New(), comp: sha256.New()}
	f, err := os.Create(s.tmp)
	if err != nil {
		return nil, err
	}
	s.f = f
	s.out = bufio.NewWriterSize(f, 1<<20)
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

// finish ends the compressed stream, makes the file durable and gives it
// its final name.
func (s *shardFile) finish(enc *brotli.Writer) (shardJSON, error) {
	err := enc.Close()
	if err == nil {
		err = s.out.Flush()
	}
	if err == nil {
		err = s.f.Sync()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	if err == nil {
		err = os.Rename(s.tmp, s.path)
	}
	if err != nil {
		return shardJSON{}, fmt.Errorf("%s: %v", s.name, err)
	}
	return shardJSON{File: s.name, RawSize: s.rawSize, RawSHA256: hex.EncodeToString(s.raw.Sum(nil)),
		CompressedSize: s.compSize, CompressedSHA256: hex.EncodeToString(s.comp.Sum(nil))}, nil
}

// discard closes and removes the temporary file.
func (s *shardFile) discard() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	os.Remove(s.tmp)
}

var _ io.Writer = (*shardFile)(nil)
