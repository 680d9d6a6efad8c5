package web

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// WriteDir writes every file the site serves into dir, at the path it is
// served at (index.html, the module, the engine, models.json and
// models/<name>/…), as they are: a copy of the site that any static file
// server can host. dir must not exist or be empty.
func (s *Site) WriteDir(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("web: %s is not empty", dir)
	}
	names := make([]string, 0, len(s.assets))
	for name := range s.assets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(name)), s.assets[name].data); err != nil {
			return err
		}
	}
	for name, m := range s.models {
		if err := copyModel(m.root.FS(), filepath.Join(dir, "models", name)); err != nil {
			return fmt.Errorf("web: model %s: %w", name, err)
		}
	}
	return nil
}

// copyModel copies the regular files of a model directory, streaming
// them: a model's files may be larger than memory.
func copyModel(src fs.FS, dst string) error {
	return fs.WalkDir(src, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		in, err := src.Open(name)
		if err != nil {
			return err
		}
		defer in.Close()
		path := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
