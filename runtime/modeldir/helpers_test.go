package modeldir

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// testConfigJSON is a small Phi config: 2 layers, hidden 32, so 33 tensors
// of 128 bytes (F32 vectors) to 8 KiB (F32 [64, 32] matrices).
const testConfigJSON = `{
  "model_type": "phi", "vocab_size": 40, "hidden_size": 32, "intermediate_size": 64,
  "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 2,
  "partial_rotary_factor": 0.4, "rope_theta": 10000.0, "layer_norm_eps": 1e-05,
  "max_position_embeddings": 2048, "hidden_act": "gelu_new", "bos_token_id": 3, "eos_token_id": 3
}`

func testMeta() Meta {
	return Meta{ConfigJSON: []byte(testConfigJSON),
		Tokenizer: Tokenizer{Name: "phi-2", SHA256: strings.Repeat("0123456789abcdef", 4)},
		Quant:     "Q4", EmbedQuant: "Q8"}
}

// stored is a tensor as written, for comparison with what is read back.
type stored struct {
	name  string
	dt    tensor.DType
	shape []int
	data  []byte
}

// testTensors gives every tensor of the test config random bytes, matrices
// cycling through F32, F16, Q8 and Q4.
func testTensors(t testing.TB, seed uint64) []stored {
	cfg, err := weights.ParseConfig([]byte(testConfigJSON))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	dts := []tensor.DType{tensor.F32, tensor.F16, tensor.Q8, tensor.Q4}
	var out []stored
	for i, s := range cfg.Expected() {
		dt := tensor.F32
		if len(s.Shape) == 2 {
			dt = dts[i%len(dts)]
		}
		data := make([]byte, tensorBytes(dt, s.Shape))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		out = append(out, stored{s.Name, dt, s.Shape, data})
	}
	return out
}

// writeDir writes ts into a new directory and returns its path.
func writeDir(t testing.TB, ts []stored, opts WriterOptions) string {
	t.Helper()
	dir := t.TempDir()
	w, err := NewWriter(dir, testMeta(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ts {
		if err := w.Add(s.name, s.dt, s.shape, s.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readDir loads a directory into memory so that tests can damage it.
func readDir(t testing.TB, dir string) weights.MemSource {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := weights.MemSource{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		src[e.Name()] = data
	}
	return src
}

// editManifest decodes src's manifest, lets edit change it and stores it back.
func editManifest(t testing.TB, src weights.MemSource, edit func(m *manifestJSON)) {
	t.Helper()
	var m manifestJSON
	if err := json.Unmarshal(src[ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	edit(&m)
	data, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	src[ManifestFile] = data
}

// collect reads every tensor through Each, copying the bytes.
func collect(m *Model) (map[string][]byte, []string, error) {
	got := map[string][]byte{}
	var order []string
	err := m.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		got[name] = bytes.Clone(data)
		order = append(order, name)
		return nil
	})
	return got, order, err
}

func f32Bytes(v []float32) []byte {
	out := make([]byte, 0, 4*len(v))
	for _, f := range v {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
	}
	return out
}

func writeSynth(t testing.TB, dir string) {
	t.Helper()
	if err := synth.Write(dir, synth.Tiny()); err != nil {
		t.Fatal(err)
	}
}
