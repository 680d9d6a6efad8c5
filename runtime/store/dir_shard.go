package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// shardPath is the file of a shard, refusing names that are not plain file
// names (a manifest's shard names always are).
func shardPath(dir, url, shard string) (string, error) {
	if !isPlainName(shard) {
		return "", fmt.Errorf("model %s: shard name %q: want letters, digits, '.', '-' and '_'", url, shard)
	}
	return filepath.Join(dir, shardsDir, shard), nil
}

func (s *dirStore) shard(url, shard string) (string, *meta, string, error) {
	dir, m, err := s.entry(url)
	if err != nil {
		return "", nil, "", err
	}
	path, err := shardPath(dir, url, shard)
	return dir, m, path, err
}

func (s *dirStore) ShardSize(url, shard string) (int64, error) {
	_, _, path, err := s.shard(url, shard)
	if err != nil {
		return 0, err
	}
	return fileSize(path)
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// AppendShard clears the shard's verified mark before it writes, and syncs
// the bytes before it returns; a failed write is cut off again.
func (s *dirStore) AppendShard(url, shard string, offset int64, chunk []byte) error {
	dir, m, path, err := s.shard(url, shard)
	if err != nil {
		return err
	}
	size, err := fileSize(path)
	if err != nil {
		return fmt.Errorf("model %s: shard %s: %v", url, shard, err)
	}
	if offset != size {
		return fmt.Errorf("model %s: shard %s: append at offset %d, but %d bytes are stored", url, shard, offset, size)
	}
	if len(chunk) == 0 {
		return nil
	}
	if m.verified(shard) {
		m.setVerified(shard, false)
		if err := writeMeta(dir, m); err != nil {
			return fmt.Errorf("model %s: %v", url, spaceError(err))
		}
	}
	if err := appendSynced(path, offset, chunk); err != nil {
		return fmt.Errorf("model %s: shard %s: %v", url, shard, spaceError(err))
	}
	return nil
}

func appendSynced(path string, offset int64, chunk []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(chunk, offset)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Truncate(offset) // keep the file at the size callers know
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *dirStore) ReadShard(url, shard string, off int64, p []byte) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("model %s: shard %s: negative offset %d", url, shard, off)
	}
	_, _, path, err := s.shard(url, shard)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, io.EOF // nothing stored yet
	}
	if err != nil {
		return 0, fmt.Errorf("model %s: shard %s: %v", url, shard, err)
	}
	defer f.Close()
	n, err := f.ReadAt(p, off)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("model %s: shard %s: %v", url, shard, err)
	}
	return n, err
}

// DeleteShard clears the verified mark before it removes the bytes.
func (s *dirStore) DeleteShard(url, shard string) error {
	dir, m, path, err := s.shard(url, shard)
	if err != nil {
		return err
	}
	if m.verified(shard) {
		m.setVerified(shard, false)
		if err := writeMeta(dir, m); err != nil {
			return fmt.Errorf("model %s: %v", url, err)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("model %s: shard %s: %v", url, shard, err)
	}
	return nil
}

func (s *dirStore) SetVerified(url, shard string, ok bool) error {
	dir, m, _, err := s.shard(url, shard)
	if err != nil {
		return err
	}
	if m.verified(shard) == ok {
		return nil
	}
	m.setVerified(shard, ok)
	if err := writeMeta(dir, m); err != nil {
		return fmt.Errorf("model %s: %v", url, spaceError(err))
	}
	return nil
}

func (s *dirStore) Verified(url, shard string) (bool, error) {
	_, m, _, err := s.shard(url, shard)
	if err != nil {
		return false, err
	}
	return m.verified(shard), nil
}

var _ Lister = (*dirStore)(nil)

func (s *dirStore) Shards(url string) (map[string]ShardState, error) {
	dir, m, err := s.entry(url)
	if err != nil {
		return nil, err
	}
	files, err := os.ReadDir(filepath.Join(dir, shardsDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("model %s: %v", url, err)
	}
	out := make(map[string]ShardState, len(files))
	for _, f := range files {
		info, err := f.Info()
		if err != nil {
			return nil, fmt.Errorf("model %s: %v", url, err)
		}
		if isPlainName(f.Name()) && info.Mode().IsRegular() {
			out[f.Name()] = ShardState{Size: info.Size()}
		}
	}
	for _, name := range m.Verified {
		st := out[name]
		st.Verified = true
		out[name] = st
	}
	return out, nil
}
