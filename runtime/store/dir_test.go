package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
)

const testURL = "https://example.com/m/?a=b"

func openDir(t *testing.T, path string) store.Store {
	t.Helper()
	s, err := store.Dir(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fill stores a manifest and a verified shard and marks the model complete.
func fill(t *testing.T, s store.Store) {
	t.Helper()
	for _, err := range []error{
		s.PutManifest(testURL, []byte("{}")),
		s.AppendShard(testURL, "a.br", 0, []byte("hello ")),
		s.AppendShard(testURL, "a.br", 6, []byte("world")),
		s.SetVerified(testURL, "a.br", true),
		s.SetComplete(testURL, true),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestDirPersists(t *testing.T) {
	root := t.TempDir()
	fill(t, openDir(t, root))
	s := openDir(t, root)
	list, err := s.Models()
	if err != nil || len(list) != 1 || list[0] != (store.ModelInfo{URL: testURL, Bytes: 11, Complete: true}) {
		t.Fatalf("Models after reopening = %+v, %v", list, err)
	}
	p := make([]byte, 11)
	if n, _ := s.ReadShard(testURL, "a.br", 0, p); n != 11 || string(p) != "hello world" {
		t.Errorf("shard after reopening = %q", p[:n])
	}
	if ok, err := s.Verified(testURL, "a.br"); !ok || err != nil {
		t.Errorf("Verified after reopening = %v, %v", ok, err)
	}
}

func TestDirOtherSchemaEmptied(t *testing.T) {
	root := t.TempDir()
	fill(t, openDir(t, root))
	foreign := filepath.Join(root, "notes.txt")
	os.WriteFile(foreign, []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(root, "schema"), []byte("0\n"), 0o644)

	s := openDir(t, root)
	if list, err := s.Models(); err != nil || len(list) != 0 {
		t.Errorf("Models of a store of another schema = %+v, %v; want none", list, err)
	}
	if _, err := s.Manifest(testURL); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Manifest = %v, want ErrNotFound", err)
	}
	if data, err := os.ReadFile(foreign); err != nil || string(data) != "mine" {
		t.Errorf("a file the store did not write was touched: %q, %v", data, err)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "schema")); string(data) != "1\n" {
		t.Errorf("schema file = %q, want the current version", data)
	}
}

func TestDirFileNames(t *testing.T) {
	root := t.TempDir()
	s := openDir(t, root)
	fill(t, s)
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if strings.Contains(path, "example") || strings.Contains(path, "?") {
			t.Errorf("file name %s reveals the model URL", path)
		}
		return nil
	})
	for _, name := range []string{"../escape", "a/b", "..", "", `a\b`} {
		if err := s.AppendShard(testURL, name, 0, []byte{1}); err == nil {
			t.Errorf("AppendShard accepted the shard name %q", name)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "escape")); err == nil {
		t.Error("a shard name escaped the model directory")
	}
}

// A temporary file left by a write that a crash interrupted is ignored.
func TestDirInterruptedWrite(t *testing.T) {
	root := t.TempDir()
	s := openDir(t, root)
	fill(t, s)
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "meta.json"))
	if len(dirs) != 1 {
		t.Fatalf("found %d meta.json files, want 1", len(dirs))
	}
	os.WriteFile(dirs[0]+".tmp", []byte(`{"url":"half`), 0o644)
	if list, err := openDir(t, root).Models(); err != nil || len(list) != 1 || !list[0].Complete {
		t.Errorf("Models with a stale temporary file = %+v, %v", list, err)
	}
}

func TestMemQuota(t *testing.T) {
	s := store.MemWithQuota(100)
	if err := s.PutManifest(testURL, []byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendShard(testURL, "a", 0, make([]byte, 90)); err != nil {
		t.Fatalf("an append that fits the quota: %v", err)
	}
	err := s.AppendShard(testURL, "a", 90, make([]byte, 1))
	if !errors.Is(err, store.ErrNoSpace) {
		t.Errorf("an append past the quota = %v, want ErrNoSpace", err)
	}
	usage, quota, err := s.Estimate()
	if usage != 100 || quota != 100 || err != nil {
		t.Errorf("Estimate = %d, %d, %v; want 100, 100", usage, quota, err)
	}
	if n, _ := s.ShardSize(testURL, "a"); n != 90 {
		t.Errorf("a refused append changed the size to %d", n)
	}
}
