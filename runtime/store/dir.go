package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Dir returns a Store keeping models in the directory at path, created if
// needed. Each model has a subdirectory named by the hex sha256 of its URL:
//
//	schema                   the layout version (SchemaVersion)
//	<sha256 of URL>/meta.json      URL, completeness, verified shards
//	<sha256 of URL>/manifest.json  present exactly while the entry exists
//	<sha256 of URL>/shards/<name>  the bytes stored so far
//
// A shard's stored size is its file's size, and every append is synced
// before it returns, so a process killed at any point leaves each shard
// holding exactly the bytes its size claims. A directory of another
// schema version loses its models (only the subdirectories this layout
// names; other files are left alone).
func Dir(path string) (Store, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("store: %v", err)
	}
	s := &dirStore{root: path}
	if err := s.checkSchema(); err != nil {
		return nil, fmt.Errorf("store %s: %v", path, err)
	}
	return s, nil
}

type dirStore struct{ root string }

var _ Store = (*dirStore)(nil)

const (
	schemaFile   = "schema"
	metaFile     = "meta.json"
	manifestFile = "manifest.json"
	shardsDir    = "shards"
)

// checkSchema empties a store written with another layout and records the
// current version.
func (s *dirStore) checkSchema() error {
	want := strconv.Itoa(SchemaVersion) + "\n"
	got, err := os.ReadFile(filepath.Join(s.root, schemaFile))
	if err == nil && string(got) == want {
		return nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := s.DeleteAll(); err != nil {
		return err
	}
	return writeFileSynced(filepath.Join(s.root, schemaFile), []byte(want))
}

// modelDir is the directory of url: a name that cannot escape root and
// that reveals nothing of the URL.
func (s *dirStore) modelDir(url string) string {
	sum := sha256.Sum256([]byte(url))
	return filepath.Join(s.root, hex.EncodeToString(sum[:]))
}

// entry returns the directory and metadata of a stored model.
func (s *dirStore) entry(url string) (string, *meta, error) {
	dir := s.modelDir(url)
	if _, err := os.Stat(filepath.Join(dir, manifestFile)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("model %s: %w", url, ErrNotFound)
		}
		return "", nil, fmt.Errorf("model %s: %v", url, err)
	}
	m, err := readMeta(dir)
	if err != nil {
		return "", nil, fmt.Errorf("model %s: %v", url, err)
	}
	if m.URL != url { // a hash collision; treat as absent rather than mix models
		return "", nil, fmt.Errorf("model %s: %w", url, ErrNotFound)
	}
	return dir, m, nil
}

func (s *dirStore) Models() ([]ModelInfo, error) {
	dirs, err := s.modelDirs()
	if err != nil {
		return nil, err
	}
	var out []ModelInfo
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, manifestFile)); err != nil {
			continue // an entry being created or deleted
		}
		m, err := readMeta(dir)
		if err != nil {
			return nil, fmt.Errorf("store: %v", err)
		}
		n, err := dirBytes(filepath.Join(dir, shardsDir))
		if err != nil {
			return nil, fmt.Errorf("store: model %s: %v", m.URL, err)
		}
		out = append(out, ModelInfo{URL: m.URL, Bytes: n, Complete: m.Complete})
	}
	slices.SortFunc(out, func(a, b ModelInfo) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}

// modelDirs lists the model directories under root.
func (s *dirStore) modelDirs() ([]string, error) {
	ents, err := os.ReadDir(s.root)
	if err != nil {
		return nil, fmt.Errorf("store: %v", err)
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir() && isHexName(e.Name()) {
			dirs = append(dirs, filepath.Join(s.root, e.Name()))
		}
	}
	return dirs, nil
}

func (s *dirStore) Manifest(url string) ([]byte, error) {
	dir, _, err := s.entry(url)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, fmt.Errorf("model %s: %v", url, err)
	}
	return data, nil
}

// PutManifest writes the new metadata before dropping the shards and the
// manifest last, so that an interrupted replacement leaves an incomplete
// entry, never the old shards under the new manifest.
func (s *dirStore) PutManifest(url string, data []byte) error {
	dir := s.modelDir(url)
	if old, err := os.ReadFile(filepath.Join(dir, manifestFile)); err == nil && bytes.Equal(old, data) {
		if m, err := readMeta(dir); err == nil && m.URL == url {
			return nil
		}
	}
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = writeMeta(dir, &meta{URL: url})
	}
	if err == nil {
		err = os.RemoveAll(filepath.Join(dir, shardsDir))
	}
	if err == nil {
		err = writeFileSynced(filepath.Join(dir, manifestFile), data)
	}
	if err != nil {
		return fmt.Errorf("model %s: %v", url, spaceError(err))
	}
	return nil
}

// RewriteManifest marks the entry incomplete before it writes the
// manifest, so that an interruption never leaves a complete entry with
// either manifest.
func (s *dirStore) RewriteManifest(url string, data []byte) error {
	dir, m, err := s.entry(url)
	if err != nil {
		return err
	}
	if m.Complete {
		m.Complete = false
		if err := writeMeta(dir, m); err != nil {
			return fmt.Errorf("model %s: %v", url, spaceError(err))
		}
	}
	if err := writeFileSynced(filepath.Join(dir, manifestFile), data); err != nil {
		return fmt.Errorf("model %s: %v", url, spaceError(err))
	}
	return nil
}

func (s *dirStore) SetComplete(url string, complete bool) error {
	dir, m, err := s.entry(url)
	if err != nil {
		return err
	}
	if m.Complete == complete {
		return nil
	}
	m.Complete = complete
	if err := writeMeta(dir, m); err != nil {
		return fmt.Errorf("model %s: %v", url, spaceError(err))
	}
	return nil
}
