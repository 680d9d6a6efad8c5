package load_test

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
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

// TestOpenWithCodec: a converted directory opened with a codec reads its
// tensors through it, the same bytes as without; a Hugging Face directory
// does not use it.
func TestOpenWithCodec(t *testing.T) {
	hf := filepath.Join(t.TempDir(), "hf")
	if err := synth.Write(hf, synth.Tiny()); err != nil {
		t.Fatal(err)
	}
	src, err := load.Open(hf)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := filepath.Join(t.TempDir(), "q4")
	if err := convert.Run(src, out, convert.Options{Quant: tensor.Q4}); err != nil {
		t.Fatal(err)
	}
	var decodes, sums int
	codec := &modeldir.Codec{
		Decompress: func(dst, src []byte) (int, error) {
			decodes++
			n, err := io.ReadFull(brotli.NewReader(bytes.NewReader(src)), dst)
			if err == io.ErrUnexpectedEOF {
				err = nil // shorter than dst: modeldir compares n
			}
			return n, err
		},
		Sum256: func(p []byte) [32]byte { sums++; return sha256.Sum256(p) },
	}
	plain := readAll(t, out, load.Options{})
	if decodes+sums != 0 {
		t.Fatalf("Open without a codec called it %d times", decodes+sums)
	}
	viaCodec := readAll(t, out, load.Options{Codec: codec})
	if decodes == 0 || sums != 2*decodes {
		t.Errorf("codec: %d decodes, %d sums; want some, and two sums per decode", decodes, sums)
	}
	if len(plain) == 0 || len(plain) != len(viaCodec) {
		t.Fatalf("%d tensors without the codec, %d with it", len(plain), len(viaCodec))
	}
	for name, data := range plain {
		if !bytes.Equal(viaCodec[name], data) {
			t.Errorf("tensor %s differs through the codec", name)
		}
	}
	decodes, sums = 0, 0
	if len(readAll(t, hf, load.Options{Codec: codec})) == 0 || decodes+sums != 0 {
		t.Errorf("Hugging Face directory: codec called %d times, want none", decodes+sums)
	}
}

// readAll opens path with o and copies out every tensor.
func readAll(t *testing.T, path string, o load.Options) map[string][]byte {
	t.Helper()
	m, err := load.OpenWith(path, o)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got := map[string][]byte{}
	err = m.Each(func(name string, _ tensor.DType, _ []int, data []byte) error {
		got[name] = bytes.Clone(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
