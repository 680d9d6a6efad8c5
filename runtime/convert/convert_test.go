package convert_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/gguf"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// checkpoint writes a synthetic Hugging Face checkpoint and returns its directory.
func checkpoint(t testing.TB, o synth.Options) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "hf")
	if err := synth.Write(dir, o); err != nil {
		t.Fatal(err)
	}
	return dir
}

// converted converts the model at path and returns the output directory.
func converted(t testing.TB, path string, o convert.Options) string {
	t.Helper()
	if o.ShardSize == 0 {
		o.ShardSize = 1 << 20 // several shards even for the tiny model
	}
	out := filepath.Join(t.TempDir(), "out")
	err := load.Open(context.Background(), path, load.Options{}, func(src *load.Model) error {
		return convert.Run(src, out, o)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// allLogits loads the model at path and returns the logits of every
// position of ids.
func allLogits(t testing.TB, path string, ids []int32) []float32 {
	t.Helper()
	be := cpu.New()
	defer be.Close()
	var m *phi2.Model
	err := load.Open(context.Background(), path, load.Options{}, func(src *load.Model) (err error) {
		m, err = phi2.Load(src, be, phi2.Options{MaxBatch: len(ids)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := make([]float32, len(ids)*m.Config.VocabSize)
	if err := s.FeedAll(ids, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func sequence(n, vocab int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32((i*7919 + 13) % vocab)
	}
	return ids
}

func maxAbsDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// F32 and F16 shards must compute what the checkpoint computes, and so
// reproduce the independent goldens.
func TestFloatShardsReproduceGoldens(t *testing.T) {
	cases, err := synth.LoadGoldens("../../testdata/goldens/goldens.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range cases {
		if !strings.HasSuffix(g.Name, "-known") && !strings.Contains(g.Name, "s42") {
			continue
		}
		quant := tensor.F32
		if g.DType == "F16" {
			quant = tensor.F16 // the stored F16 matrices pass through unchanged
		}
		t.Run(g.Name, func(t *testing.T) {
			dir := converted(t, checkpoint(t, g.Options()), convert.Options{Quant: quant, EmbedQuant: quant})
			prompt := make([]int32, len(g.Prompt))
			for i, id := range g.Prompt {
				prompt[i] = int32(id)
			}
			logits := allLogits(t, dir, prompt)
			last := logits[(len(prompt)-1)*g.Vocab:]
			if d := maxAbsDiff(last[:len(g.LastLogitsHead)], g.LastLogitsHead); d > 1e-4 {
				t.Fatalf("last logits differ from the golden by %.3g", d)
			}
		})
	}
}

// A GGUF file converts to exactly the bytes of a direct conversion, and its
// quantized tensors pass through unchanged.
func TestGGUFImportIsExact(t *testing.T) {
	hf := checkpoint(t, synth.Tiny())
	for _, c := range []struct {
		ggml  string
		quant tensor.DType
	}{{"Q8_0", tensor.Q8}, {"Q4_0", tensor.Q4}, {"F16", tensor.F16}} {
		t.Run(c.ggml, func(t *testing.T) {
			src, err := weights.Open(weights.Dir(hf))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var buf bytes.Buffer
			if err := gguf.WritePhi2(&buf, src, c.ggml); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "tiny.gguf")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			o := convert.Options{Quant: c.quant, EmbedQuant: c.quant}
			fromGGUF, direct := tensors(t, converted(t, path, o)), tensors(t, converted(t, hf, o))
			if len(fromGGUF) != len(direct) {
				t.Fatalf("%d tensors from GGUF, %d direct", len(fromGGUF), len(direct))
			}
			for name, want := range direct {
				if !bytes.Equal(fromGGUF[name], want) {
					t.Errorf("tensor %s differs between GGUF import and direct conversion", name)
				}
			}
		})
	}
}

// tensors reads every tensor of a model directory.
func tensors(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m, err := modeldir.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	err = m.Each(func(name string, _ tensor.DType, _ []int, data []byte) error {
		out[name] = bytes.Clone(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
