package gguf

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

func fileOf(b []byte) weights.File { return memFile{bytes.NewReader(b)} }

var (
	tinyOnce sync.Once
	tinyRoot string
	tinyErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if tinyRoot != "" {
		os.RemoveAll(tinyRoot)
	}
	os.Exit(code)
}

// tiny opens the tiny synthetic checkpoint stored as dt (F32 or F16),
// written once per test run.
func tiny(t testing.TB, dt tensor.DType) *weights.Checkpoint {
	t.Helper()
	tinyOnce.Do(func() {
		tinyRoot, tinyErr = os.MkdirTemp("", "gguf-test")
		for _, d := range []tensor.DType{tensor.F32, tensor.F16} {
			if tinyErr == nil {
				o := synth.Tiny()
				o.DType = d
				tinyErr = synth.Write(filepath.Join(tinyRoot, d.String()), o)
			}
		}
	})
	if tinyErr != nil {
		t.Fatal(tinyErr)
	}
	c, err := weights.Open(weights.Dir(filepath.Join(tinyRoot, dt.String())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fakeLoader is a small in-memory model for header and mapping tests.
type fakeLoader struct {
	cfg     weights.Config
	tensors []weights.NamedTensor
}

func (l *fakeLoader) Config() weights.Config { return l.cfg }

func (l *fakeLoader) Each(f func(string, tensor.DType, []int, []byte) error) error {
	for _, t := range l.tensors {
		if err := f(t.Name, t.DType, t.Shape, t.Data); err != nil {
			return err
		}
	}
	return nil
}

// small is a two-layer F32 model with vocabulary 62 and hidden size 32.
func small() *fakeLoader { return smallVocab(62) }

// smallVocab is small with another vocabulary size.
func smallVocab(vocab int) *fakeLoader {
	cfg := weights.Config{VocabSize: vocab, HiddenSize: 32, IntermediateSize: 64, NumLayers: 2,
		NumHeads: 2, NumKVHeads: 2, HeadDim: 16, RotaryDim: 8, PartialRotaryFactor: 0.5,
		RopeTheta: 10000, LayerNormEps: 1e-5, MaxPositions: 128, BOSTokenID: -1, EOSTokenID: 5,
		HiddenAct: "gelu_new"}
	l := &fakeLoader{cfg: cfg}
	k := 0
	for _, s := range cfg.Expected() {
		n := int(tensor.NumElements(s.Shape))
		vals := make([]float32, n)
		for i := range vals {
			k++
			vals[i] = float32(math.Sin(float64(k)*0.37)) * float32(1+k%7)
		}
		l.tensors = append(l.tensors, weights.NamedTensor{Name: s.Name, DType: tensor.F32, Shape: s.Shape, Data: f32Bytes(vals)})
	}
	return l
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func writePhi2(t testing.TB, l weights.Loader, typ string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WritePhi2(&b, l, typ); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// got is one tensor delivered by a Loader.
type got struct {
	dt    tensor.DType
	shape []int
	data  []byte
}

// collect walks l and keeps a copy of every tensor, and the order.
func collect(t testing.TB, l weights.Loader) (map[string]got, []string) {
	t.Helper()
	out := map[string]got{}
	var order []string
	err := l.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		if _, dup := out[name]; dup {
			t.Errorf("tensor %s delivered twice", name)
		}
		out[name] = got{dt, slices.Clone(shape), slices.Clone(data)}
		order = append(order, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, order
}

// rewrite parses a GGUF file and writes it back with edit applied to its
// metadata and tensors.
func rewrite(t testing.TB, data []byte, edit func(kv []KV, ts []Tensor) ([]KV, []Tensor)) []byte {
	t.Helper()
	g, err := Parse(fileOf(data))
	if err != nil {
		t.Fatal(err)
	}
	var ts []Tensor
	for _, info := range g.Tensors {
		b := make([]byte, info.Size)
		if err := g.ReadTensor(info, b); err != nil {
			t.Fatal(err)
		}
		ts = append(ts, Tensor{info.Name, info.Type, info.Dims, b})
	}
	kv, ts := edit(slices.Clone(g.KV), ts)
	var out bytes.Buffer
	if err := Write(&out, kv, ts); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
