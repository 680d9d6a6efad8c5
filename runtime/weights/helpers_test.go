package weights

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// tinyConfig is a small Phi config: head_dim 16, rotary_dim int(16·0.4) = 6.
func tinyConfig() map[string]any {
	return map[string]any{
		"model_type":              "phi",
		"architectures":           []string{"PhiForCausalLM"},
		"vocab_size":              40,
		"hidden_size":             32,
		"intermediate_size":       64,
		"num_hidden_layers":       2,
		"num_attention_heads":     2,
		"num_key_value_heads":     2,
		"partial_rotary_factor":   0.4,
		"rope_theta":              10000.0,
		"layer_norm_eps":          1e-5,
		"max_position_embeddings": 2048,
		"hidden_act":              "gelu_new",
		"qk_layernorm":            false,
		"tie_word_embeddings":     false,
		"bos_token_id":            3,
		"eos_token_id":            3,
		"torch_dtype":             "float32",
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testValue is element i of the j-th tensor: exactly representable in F32,
// F16 and BF16, and different between neighbouring tensors.
func testValue(j, i int) float32 { return float32(i%16)/4 - 2 + float32(j%8) }

// encode stores float32 values as little-endian elements of dt.
func encode(vals []float32, dt tensor.DType) []byte {
	out := make([]byte, len(vals)*dt.Size())
	for i, v := range vals {
		switch dt {
		case tensor.F32:
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		case tensor.F16:
			binary.LittleEndian.PutUint16(out[2*i:], tensor.F32ToF16(v))
		case tensor.BF16:
			binary.LittleEndian.PutUint16(out[2*i:], tensor.F32ToBF16(v))
		}
	}
	return out
}

// tensorsFor makes every tensor cfg expects, filled with testValue.
func tensorsFor(t testing.TB, cfgJSON []byte, dt tensor.DType) []NamedTensor {
	t.Helper()
	cfg, err := ParseConfig(cfgJSON)
	if err != nil {
		t.Fatal(err)
	}
	var out []NamedTensor
	for j, s := range cfg.Expected() {
		vals := make([]float32, tensor.NumElements(s.Shape))
		for i := range vals {
			vals[i] = testValue(j, i)
		}
		out = append(out, NamedTensor{s.Name, dt, s.Shape, encode(vals, dt)})
	}
	return out
}

func safetensorsBytes(t testing.TB, ts []NamedTensor) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSafetensors(&b, ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tinySource is a complete single-file checkpoint of the tiny config.
func tinySource(t testing.TB, dt tensor.DType) MemSource {
	cfg := mustJSON(t, tinyConfig())
	return MemSource{ConfigFile: cfg, SingleFile: safetensorsBytes(t, tensorsFor(t, cfg, dt))}
}

// rawFile builds a safetensors file from a literal header and dataLen zero bytes.
func rawFile(header string, dataLen int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, dataLen)...)
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q does not contain %q", msg, p)
		}
	}
}
