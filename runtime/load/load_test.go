package load_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

func TestOpenFindsTheFormat(t *testing.T) {
	o := synth.Tiny()
	o.Vocab = 300
	hf := filepath.Join(t.TempDir(), "hf")
	if err := synth.Write(hf, o); err != nil {
		t.Fatal(err)
	}
	src, err := load.Open(hf)
	if err != nil || src.Format != load.HuggingFace || src.Bytes != synth.FileSize(o)-headerSize(t, hf) {
		t.Fatalf("Open(hf) = %+v, %v", src, err)
	}
	out := filepath.Join(t.TempDir(), "q8")
	if err := convert.Run(src, out, convert.Options{Quant: tensor.Q8}); err != nil {
		t.Fatal(err)
	}
	src.Close()
	md, err := load.Open(out)
	if err != nil || md.Format != load.ModelDir || md.Config().HiddenSize != o.Hidden {
		t.Fatalf("Open(model dir) = %+v, %v", md, err)
	}
	md.Close()

	for path, want := range map[string]string{
		filepath.Join(hf, "config.json"): "not a .gguf file",
		t.TempDir():                      "config.json",
		filepath.Join(hf, "nothing"):     "o such file", // "No such file" under wasm
	} {
		if _, err := load.Open(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%s) = %v, want an error with %q", path, err, want)
		}
	}
}

// headerSize is the size of the safetensors header (length word included).
func headerSize(t *testing.T, dir string) int64 {
	data, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	n := int64(data[0]) | int64(data[1])<<8 | int64(data[2])<<16 | int64(data[3])<<24
	return 8 + n
}
