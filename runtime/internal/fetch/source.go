package fetch

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Source returns the stored model as a weights.Source for modeldir.OpenWith
// with Options.Raw: manifest.json and the shards' decoded bytes by their
// manifest names. A shard file is a modeldir.RawFile, hashed by the store
// when it is a store.Hasher (Readers gives Options.Readers). Small reads are served from a window of
// Options.ChunkSize bytes read ahead, so that a decoder's stream of small
// reads costs one store read per chunk. Like the store, it serves one
// goroutine at a time.
func (r *Result) Source() weights.Source {
	names := make(map[string]bool, len(r.f.shards))
	for _, s := range r.f.shards {
		names[s.File] = true
	}
	sum := sha256.Sum256
	if c := r.f.o.Codec; c != nil {
		sum = c.Sum256
	}
	return storeSource{st: r.f.o.Store, key: r.f.key, manifest: r.f.manifest, names: names, window: r.f.o.ChunkSize, sum: sum}
}

type storeSource struct {
	st       store.Store
	key      string
	manifest []byte
	names    map[string]bool
	window   int
	sum      func([]byte) [32]byte
}

func (s storeSource) Open(name string) (weights.File, error) {
	if name == modeldir.ManifestFile {
		return bytesFile{bytes.NewReader(s.manifest)}, nil
	}
	if !s.names[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	size, err := s.st.ShardSize(s.key, RawName(name))
	if err != nil {
		return nil, fmt.Errorf("open %s: %v", name, err)
	}
	if size == 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f := &shardFile{s: s, name: RawName(name), size: size}
	if st, ok := store.AsStager(s.st); ok {
		return stagingFile{f, st}, nil
	}
	return f, nil
}

// stagingFile is a shard of a store that reads shards ahead into room of
// its own (modeldir.StagingFile).
type stagingFile struct {
	*shardFile
	st store.Stager
}

func (f stagingFile) Stage() (modeldir.Staged, error) {
	return f.st.StageShard(f.s.key, f.name, f.size)
}

type bytesFile struct{ *bytes.Reader }

func (bytesFile) Close() error { return nil }

// shardFile reads a stored shard; size is the stored size at open time.
// window holds the bytes at windowAt, read ahead by the last small read.
type shardFile struct {
	s        storeSource
	name     string
	size     int64
	window   []byte
	windowAt int64
}

func (f *shardFile) Size() int64 { return f.size }

// ReadAllSHA256 reads the whole shard into p and hashes it, through the
// store when it can hash.
func (f *shardFile) ReadAllSHA256(p []byte) ([32]byte, error) {
	if int64(len(p)) != f.size {
		return [32]byte{}, fmt.Errorf("read %s: a %d-byte buffer for %d bytes", f.name, len(p), f.size)
	}
	if h, ok := store.AsHasher(f.s.st); ok {
		return h.ReadShardSHA256(f.s.key, f.name, p)
	}
	if err := readFull(f.s.st, f.s.key, f.name, 0, p); err != nil {
		return [32]byte{}, err
	}
	return f.s.sum(p), nil
}

func (f *shardFile) Close() error {
	f.window = nil
	return nil
}

func (f *shardFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %s: negative offset %d", f.name, off)
	}
	want := p[:max(0, min(int64(len(p)), f.size-off))]
	for n := 0; n < len(want); {
		at := off + int64(n)
		if at >= f.windowAt && at < f.windowAt+int64(len(f.window)) {
			n += copy(want[n:], f.window[at-f.windowAt:])
			continue
		}
		if len(want)-n >= f.s.window { // large: read directly
			if err := readFull(f.s.st, f.s.key, f.name, at, want[n:]); err != nil {
				return n, err
			}
			break
		}
		if f.window == nil { // made on the first small read: a whole read needs none
			f.window = make([]byte, 0, f.s.window)
		}
		f.window = f.window[:min(int64(f.s.window), f.size-at)]
		f.windowAt = at
		if err := readFull(f.s.st, f.s.key, f.name, at, f.window); err != nil {
			f.window = f.window[:0]
			return n, err
		}
	}
	if len(want) < len(p) {
		return len(want), io.EOF
	}
	return len(p), nil
}

// readFull fills p from a stored shard at off; a store may return fewer
// bytes than asked without reaching the end.
func readFull(st store.Store, key, shard string, off int64, p []byte) error {
	for n := 0; n < len(p); {
		k, err := st.ReadShard(key, shard, off+int64(n), p[n:])
		n += k
		if n == len(p) {
			break
		}
		if err == io.EOF || (err == nil && k == 0) {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return fmt.Errorf("read %s: %d of %d bytes at offset %d: %v", shard, n, len(p), off, err)
		}
	}
	return nil
}

// Readers is the number of shards a load from st should read at once
// (modeldir.Options.Readers): three where the store hashes natively and
// may be read from several goroutines (store.Hasher: IndexedDB's three
// store reader workers), so that reads and hashes overlap, but no more
// than a store.Stager has room to stage; else one.
func Readers(st store.Store) int {
	if s, ok := store.AsStager(st); ok {
		return max(1, min(3, s.Stages()))
	}
	if _, ok := store.AsHasher(st); ok {
		return 3
	}
	return 1
}
