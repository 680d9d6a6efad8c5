package synth

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// odd is a shape unlike the tiny default in every option.
var odd = Options{
	Seed: 9, Vocab: 300, Hidden: 24, Layers: 3, Heads: 2, Intermediate: 40,
	PartialRotaryFactor: 0.5, DType: tensor.BF16, MaxPositions: 512, RopeTheta: 5000,
}

type entry struct {
	DType   string  `json:"dtype"`
	Shape   []int   `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// readSafetensors parses a safetensors file by the container rules alone,
// returning the header names in file order, the entries and the data section.
func readSafetensors(t *testing.T, data []byte) ([]string, map[string]entry, []byte) {
	t.Helper()
	n := binary.LittleEndian.Uint64(data)
	if n%8 != 0 || 8+n > uint64(len(data)) {
		t.Fatalf("header length %d: not a multiple of 8 or past the end of %d bytes", n, len(data))
	}
	head := data[8 : 8+n]
	dec := json.NewDecoder(bytes.NewReader(head))
	var names []string
	entries := map[string]entry{}
	dec.Token() // {
	for dec.More() {
		tok, _ := dec.Token()
		name := tok.(string)
		names = append(names, name)
		if name == "__metadata__" {
			var meta map[string]string
			if err := dec.Decode(&meta); err != nil || meta["format"] != "pt" || len(meta) != 1 {
				t.Fatalf("__metadata__ = %v (%v), want {format: pt}", meta, err)
			}
			continue
		}
		var e entry
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		entries[name] = e
	}
	if rest := bytes.TrimRight(head[dec.InputOffset()+1:], " "); len(rest) != 0 {
		t.Fatalf("header padding holds %q, want spaces only", rest)
	}
	return names, entries, data[8+n:]
}

func TestNonDefaultCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, odd); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	names, entries, body := readSafetensors(t, data)
	if names[0] != "__metadata__" || !sort.StringsAreSorted(names[1:]) {
		t.Errorf("header keys not __metadata__ then sorted: %v", names)
	}
	if want := 5 + 14*odd.Layers; len(entries) != want { // embed, final LN ×2, lm_head ×2
		t.Errorf("%d tensors, want %d", len(entries), want)
	}
	var end int64
	for _, name := range names[1:] {
		e := entries[name]
		size := tensor.NumElements(e.Shape) * 2
		if e.DType != "BF16" || e.Offsets[0] != end || e.Offsets[1]-e.Offsets[0] != size {
			t.Fatalf("%s: %+v, want BF16 at offset %d with %d bytes", name, e, end, size)
		}
		end = e.Offsets[1]
	}
	if end != int64(len(body)) {
		t.Errorf("data section is %d bytes, tensors cover %d", len(body), end)
	}

	at := func(name string, i int) float32 {
		off := entries[name].Offsets[0] + int64(2*i)
		return tensor.BF16ToF32(binary.LittleEndian.Uint16(body[off:]))
	}
	// Stream positions from the parameter count: the embedding comes first,
	// lm_head.bias last.
	d, I, V := odd.Hidden, odd.Intermediate, odd.Vocab
	perLayer := 2*d + 4*(d*d+d) + 2*I*d + I + d
	total := V*d + odd.Layers*perLayer + 2*d + V*d + V
	expect := func(k int, scale, offset float64) float32 {
		u := float64(splitmix64(odd.Seed, uint64(k))>>11) / (1 << 53)
		return tensor.BF16ToF32(tensor.F32ToBF16(float32(offset + scale*(2*u-1))))
	}
	for _, c := range []struct {
		name          string
		i, k          int
		scale, offset float64
	}{
		{"model.embed_tokens.weight", 0, 0, 1, 0},
		{"model.embed_tokens.weight", V*d - 1, V*d - 1, 1, 0},
		{"model.layers.0.input_layernorm.weight", 0, V * d, 0.2, 1},
		{"model.layers.0.self_attn.q_proj.weight", 5, V*d + 2*d + 5, math.Sqrt(3.0 / 24), 0},
		{"model.layers.1.input_layernorm.bias", 0, V*d + perLayer + d, 0.1, 0},
		{"model.layers.2.mlp.fc2.weight", 0, V*d + 3*perLayer - d - I*d, math.Sqrt(3.0 / 40), 0},
		{"lm_head.bias", V - 1, total - 1, 0.1, 0},
	} {
		if got, want := at(c.name, c.i), expect(c.k, c.scale, c.offset); got != want {
			t.Errorf("%s[%d] = %v, want %v (stream value %d)", c.name, c.i, got, want, c.k)
		}
	}
}

func TestConfigJSON(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, odd); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"model_type": "phi", "vocab_size": 300.0, "hidden_size": 24.0, "num_hidden_layers": 3.0,
		"num_attention_heads": 2.0, "num_key_value_heads": 2.0, "intermediate_size": 40.0,
		"partial_rotary_factor": 0.5, "rope_theta": 5000.0, "layer_norm_eps": 1e-5,
		"hidden_act": "gelu_new", "max_position_embeddings": 512.0, "bos_token_id": nil,
		"eos_token_id": nil, "qk_layernorm": false, "tie_word_embeddings": false,
		"torch_dtype": "bfloat16",
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("config.json %s = %v, want %v", k, c[k], v)
		}
	}
	if a, _ := c["architectures"].([]any); len(a) != 1 || a[0] != "PhiForCausalLM" {
		t.Errorf("architectures = %v", c["architectures"])
	}

	data, err = configJSON(Tiny()) // a vocabulary that holds <|endoftext|>
	if err != nil {
		t.Fatal(err)
	}
	var tiny map[string]any
	if err := json.Unmarshal(data, &tiny); err != nil {
		t.Fatal(err)
	}
	if tiny["bos_token_id"] != 50256.0 || tiny["eos_token_id"] != 50256.0 || tiny["torch_dtype"] != "float32" {
		t.Errorf("tiny config bos %v, eos %v, torch_dtype %v", tiny["bos_token_id"], tiny["eos_token_id"], tiny["torch_dtype"])
	}
}
