package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Delete removes the manifest first: from then on the entry is absent,
// even if removing the rest is interrupted.
func (s *dirStore) Delete(url string) error {
	return removeModel(s.modelDir(url))
}

func (s *dirStore) DeleteAll() error {
	dirs, err := s.modelDirs()
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		if err := removeModel(dir); err != nil {
			return err
		}
	}
	return nil
}

func removeModel(dir string) error {
	err := os.Remove(filepath.Join(dir, manifestFile))
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		err = os.RemoveAll(dir)
	}
	if err != nil {
		return fmt.Errorf("store: %v", err)
	}
	return nil
}

// Estimate reports the bytes of every file under the directory; the quota
// is unknown.
func (s *dirStore) Estimate() (usage, quota int64, err error) {
	n, err := dirBytes(s.root)
	if err != nil {
		return 0, 0, fmt.Errorf("store: %v", err)
	}
	return n, 0, nil
}
