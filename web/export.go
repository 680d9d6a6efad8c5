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
		if err := copyModel(m, filepath.Join(dir, "models", name)); err != nil {
			return fmt.Errorf("web: model %s: %w", name, err)
		}
	}
	return nil
}

// copyModel copies the files the site serves of a model (m.files, what
// its model names), streaming them: a model's files may be larger than
// memory.
func copyModel(m *modelFiles, dst string) error {
	names := make([]string, 0, len(m.files))
	for name := range m.files {
		names = append(names, name)
	}
	slices.Sort(names)
	src := m.root.FS()
	for _, name := range names {
		if err := copyFile(src, name, filepath.Join(dst, filepath.FromSlash(name))); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies the regular file name of src to path; what is not a
// regular file is left out, as the site does not serve it.
func copyFile(src fs.FS, name, path string) error {
	in, err := src.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil || !st.Mode().IsRegular() {
		return err
	}
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
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
