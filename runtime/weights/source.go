package weights

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Source opens the files of a model directory by name ("config.json",
// "model.safetensors", ...). A missing file gives an error for which
// errors.Is(err, fs.ErrNotExist) holds.
type Source interface {
	Open(name string) (File, error)
}

// File is an open, random-access, read-only file of known size.
type File interface {
	io.ReaderAt
	Size() int64
	Close() error
}

// Dir returns a Source reading the directory at path on the local file system.
// Names must be slash-separated paths inside the directory.
func Dir(path string) Source { return dirSource(path) }

type dirSource string

func (d dirSource) Open(name string) (File, error) {
	if !fs.ValidPath(name) || strings.Contains(name, `\`) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.Open(filepath.Join(string(d), filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open %s: is a directory", f.Name())
	}
	return osFile{f, st.Size()}, nil
}

// osFile remembers the size seen at open time, so that a file shrinking
// later is reported as a short read rather than silently trusted.
type osFile struct {
	*os.File
	size int64
}

func (f osFile) Size() int64 { return f.size }

// MemSource is a Source over in-memory files, keyed by name. It is handy for
// tests and for checkpoints already fetched into memory.
type MemSource map[string][]byte

// Open returns a reader over the named entry.
func (m MemSource) Open(name string) (File, error) {
	data, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return memFile{bytes.NewReader(data)}, nil
}

type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

// readSmall reads a whole small file (config or index), refusing files over
// limit bytes so that a bad source cannot make us allocate without bound.
func readSmall(src Source, name string, limit int64) ([]byte, error) {
	f, err := src.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := f.Size()
	if size < 0 || size > limit {
		return nil, fmt.Errorf("%s: size %d bytes is outside 0..%d", name, size, limit)
	}
	buf := make([]byte, size)
	if err := readFull(f, buf, 0); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return buf, nil
}

// readFull fills buf from f at off. io.ReaderAt may return io.EOF together
// with a full read; only a short read is an error.
func readFull(f io.ReaderAt, buf []byte, off int64) error {
	n, err := f.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read %d of %d bytes at offset %d: %v", n, len(buf), off, err)
}
