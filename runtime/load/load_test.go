package load_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
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
	"github.com/phi2web/phi2web/runtime/weights"
)

func TestOpenFindsTheFormat(t *testing.T) {
	o := synth.Tiny()
	o.Vocab = 300
	hf := filepath.Join(t.TempDir(), "hf")
	if err := synth.Write(hf, o); err != nil {
		t.Fatal(err)
	}
	src, err := opened(hf, load.Options{})
	if err != nil || src.Format != load.HuggingFace || src.Bytes != synth.FileSize(o)-headerSize(t, hf) {
		t.Fatalf("Open(hf) = %+v, %v", src, err)
	}
	out := convertTo(t, hf, tensor.Q8)
	md, err := opened(out, load.Options{})
	if err != nil || md.Format != load.ModelDir || md.Config.HiddenSize != o.Hidden || md.Quant != "q8" || md.Key != "" {
		t.Fatalf("Open(model dir) = %+v, %v", md, err)
	}
	q4, err := opened(hf, load.Options{Quant: "q4"})
	if err != nil || q4.Format != load.HuggingFace || q4.Quant != "q4" {
		t.Fatalf("Open(hf, q4) = %+v, %v", q4, err)
	}
	if _, err := opened(hf, load.Options{Quant: "q3"}); !errors.Is(err, load.ErrQuant) {
		t.Errorf("Open(hf, q3) = %v, want ErrQuant", err)
	}

	for path, want := range map[string]string{
		filepath.Join(hf, "config.json"): "not a .gguf file",
		t.TempDir():                      "config.json",
		filepath.Join(hf, "nothing"):     "o such file", // "No such file" under wasm
	} {
		if _, err := opened(path, load.Options{}); err == nil || !strings.Contains(err.Error(), want) {
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
	out := convertTo(t, hf, tensor.Q4)
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
	got := map[string][]byte{}
	err := load.Open(context.Background(), path, o, func(m *load.Model) error {
		return m.Each(func(name string, _ tensor.DType, _ []int, data []byte) error {
			got[name] = bytes.Clone(data)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// found is what Open found of a model.
type found struct {
	load.Model
	Config weights.Config
}

// opened opens ref with o and returns what it found, the model released.
func opened(ref string, o load.Options) (found, error) {
	var f found
	err := load.Open(context.Background(), ref, o, func(m *load.Model) error {
		f = found{*m, m.Config()}
		return nil
	})
	return f, err
}

// convertTo converts the model at ref to quant in a new directory.
func convertTo(t *testing.T, ref string, quant tensor.DType) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	err := load.Open(context.Background(), ref, load.Options{}, func(m *load.Model) error {
		return convert.Run(m, out, convert.Options{Quant: quant})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenInPlaceReportsLoad: a model read in place, converted or not,
// reports its tensor bytes as they load, then ready.
func TestOpenInPlaceReportsLoad(t *testing.T) {
	hf := filepath.Join(t.TempDir(), "hf")
	if err := synth.Write(hf, synth.Tiny()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, ref, quant string }{
		{"hf", hf, ""}, {"hf quantized while loading", hf, "q8"}, {"model dir", convertTo(t, hf, tensor.Q4), ""},
	} {
		var rec recorder
		var total int64
		err := load.Open(context.Background(), c.ref, load.Options{Quant: c.quant, Progress: rec.add}, func(m *load.Model) error {
			total = m.Bytes
			return m.Each(func(string, tensor.DType, []int, []byte) error { return nil })
		})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := strings.Join(rec.phases(), ","); got != "load,ready" {
			t.Errorf("%s: phases %s, want load,ready", c.name, got)
		}
		rec.checkPhase(t, load.PhaseLoad, total)
	}
}
