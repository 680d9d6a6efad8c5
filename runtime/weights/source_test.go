package weights

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

func TestSourcesMissingFile(t *testing.T) {
	for name, src := range map[string]Source{"dir": Dir(t.TempDir()), "mem": MemSource{}} {
		if _, err := src.Open("config.json"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want fs.ErrNotExist", name, err)
		}
	}
	for _, bad := range []string{"../config.json", "/etc/passwd", `a\b`, ""} {
		if f, err := Dir(t.TempDir()).Open(bad); err == nil {
			f.Close()
			t.Errorf("Dir opened %q", bad)
		}
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	if _, err := Dir(dir).Open("sub"); err == nil {
		t.Error("Dir opened a directory")
	}
}

func TestDirCheckpointTruncatedOnDisk(t *testing.T) {
	dir := t.TempDir()
	for name, data := range tinySource(t, tensor.F16) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ck, err := Open(Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	if _, err := ck.ReadF32("lm_head.weight"); err != nil {
		t.Fatal(err)
	}

	// The file shrinks after the header was checked: reads report the gap.
	info, _ := ck.Info("model.layers.1.self_attn.v_proj.weight")
	cut := info.Offset + 100
	if err := os.Truncate(filepath.Join(dir, SingleFile), cut); err != nil {
		t.Fatal(err)
	}
	_, err = ck.ReadF32("model.layers.1.self_attn.v_proj.weight")
	wantErr(t, err, "model.safetensors: tensor model.layers.1.self_attn.v_proj.weight", "read 100 of 2048 bytes at offset")
	err = ck.Read("model.layers.1.self_attn.v_proj.weight", make([]byte, info.Size))
	wantErr(t, err, "read 100 of 2048 bytes")
}
