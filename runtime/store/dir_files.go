package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// meta is a model's meta.json.
type meta struct {
	URL      string   `json:"url"`
	Complete bool     `json:"complete"`
	Verified []string `json:"verified,omitempty"` // shards whose stored bytes matched their hash
}

func (m *meta) verified(shard string) bool { return slices.Contains(m.Verified, shard) }

func (m *meta) setVerified(shard string, ok bool) {
	m.Verified = slices.DeleteFunc(m.Verified, func(s string) bool { return s == shard })
	if ok {
		m.Verified = append(m.Verified, shard)
	}
}

func readMeta(dir string) (*meta, error) {
	data, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, err
	}
	var m meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, metaFile), err)
	}
	return &m, nil
}

func writeMeta(dir string, m *meta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return writeFileSynced(filepath.Join(dir, metaFile), data)
}

// writeFileSynced replaces path with data through a synced temporary file
// and a rename, so that a crash leaves the old or the new content.
func writeFileSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename durable where the system allows it; where it does
// not, the rename is still atomic.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// dirBytes sums the sizes of the files under dir (0 when it is absent).
func dirBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// spaceError marks a full disk as ErrNoSpace.
func spaceError(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%v: %w", err, ErrNoSpace)
	}
	return err
}

func isHexName(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// isPlainName accepts a file name of letters, digits, '.', '-' and '_'
// that names no directory ("." or "..").
func isPlainName(s string) bool {
	if s == "" || len(s) > 255 || s == "." || s == ".." {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
