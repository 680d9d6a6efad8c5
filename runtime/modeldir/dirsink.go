package modeldir

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// DirSink returns a Sink writing a model directory in dir, as NewWriter
// does: Begin creates dir if needed and removes an existing manifest.json,
// each shard is written to a temporary file, synced and renamed into place
// when committed, and Commit writes manifest.json the same way, after
// removing shard files of an earlier conversion that the new manifest does
// not list. Abort removes the shard files and temporary files written.
func DirSink(dir string) Sink { return &dirSink{dir: dir} }

type dirSink struct {
	dir    string
	shards []string // committed, in order
}

func (d *dirSink) Begin() error {
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(d.dir, ManifestFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func (d *dirSink) CreateShard(name string) (ShardWriter, error) {
	path := filepath.Join(d.dir, name)
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return nil, err
	}
	return &dirShard{d: d, name: name, path: path, f: f, out: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (d *dirSink) Commit(manifest []byte) error {
	for i := len(d.shards); ; i++ {
		err := os.Remove(filepath.Join(d.dir, ShardName(i)))
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return fmt.Errorf("removing a stale shard: %v", err)
		}
	}
	path := filepath.Join(d.dir, ManifestFile)
	f, err := os.Create(path + ".tmp")
	if err == nil {
		_, err = f.Write(manifest)
		err = syncClose(f, err)
	}
	if err == nil {
		err = os.Rename(path+".tmp", path)
	}
	if err != nil {
		os.Remove(path + ".tmp")
		return fmt.Errorf("writing %s: %v", ManifestFile, err)
	}
	return nil
}

func (d *dirSink) Abort() {
	for _, name := range d.shards {
		os.Remove(filepath.Join(d.dir, name))
	}
	d.shards = nil
	os.Remove(filepath.Join(d.dir, ManifestFile+".tmp"))
}

// dirShard is a shard being written to its temporary file.
type dirShard struct {
	d          *dirSink
	name, path string
	f          *os.File
	out        *bufio.Writer
}

func (s *dirShard) Write(p []byte) (int, error) { return s.out.Write(p) }

func (s *dirShard) Commit() error {
	err := syncClose(s.f, s.out.Flush())
	s.f = nil
	if err == nil {
		err = os.Rename(s.path+".tmp", s.path)
	}
	if err != nil {
		os.Remove(s.path + ".tmp")
		return err
	}
	s.d.shards = append(s.d.shards, s.name)
	return nil
}

func (s *dirShard) Discard() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	os.Remove(s.path + ".tmp")
}

// syncClose makes f durable and closes it, after err, the result of
// writing it, which it returns first.
func syncClose(f *os.File, err error) error {
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
