package weights

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// tinyPhiTensors regenerates the §7 tiny checkpoint (seed 1, default shape)
// from its splitmix64 recipe, in the recipe's order.
func tinyPhiTensors(t *testing.T, dt tensor.DType) []NamedTensor {
	cfg, err := ParseConfig([]byte(`{"vocab_size": 51200, "hidden_size": 64, "num_hidden_layers": 2,
		"num_attention_heads": 4, "intermediate_size": 256, "partial_rotary_factor": 0.4}`))
	if err != nil {
		t.Fatal(err)
	}
	const golden = 0x9E3779B97F4A7C15
	seed, k := uint64(1), uint64(0)
	next := func() float64 {
		z := seed + (k+1)*golden
		k++
		z ^= z >> 30
		z *= 0xBF58476D1CE4E5B9
		z ^= z >> 27
		z *= 0x94D049BB133111EB
		z ^= z >> 31
		return 2*float64(z>>11)*0x1p-53 - 1
	}
	var out []NamedTensor
	for _, s := range cfg.Expected() { // Expected lists them in the recipe's order
		scale, offset := 1.0, 0.0
		name := s.Name
		switch {
		case name == "model.embed_tokens.weight":
		case strings.HasSuffix(name, "layernorm.weight"):
			scale, offset = 0.2, 1
		case strings.HasSuffix(name, "layernorm.bias"):
			scale = 0.1
		case strings.HasSuffix(name, ".bias"):
			scale = 0.1
		default: // Linear weight [out, in]
			scale = math.Sqrt(3 / float64(s.Shape[1]))
		}
		vals := make([]float32, tensor.NumElements(s.Shape))
		for i := range vals {
			vals[i] = float32(offset + scale*next())
		}
		out = append(out, NamedTensor{name, dt, s.Shape, encode(vals, dt)})
	}
	return out
}

// TestWriterMatchesSpecChecksums checks the writer byte for byte against the
// sha256 sums published for the tiny checkpoint.
func TestWriterMatchesSpecChecksums(t *testing.T) {
	want := map[tensor.DType]string{
		tensor.F32:  "b5f23c9baa8fedaca073bd3641326fe84c1b6e63b1135f9be414a302291a595c",
		tensor.F16:  "d7c3c41382556326e6ea18a3601cdc72a3a6fa5b2f2636b86bcb8a0f932798de",
		tensor.BF16: "c652f587cdc3a942408ff99343f6118a85c1a8c1078682cc5aac56aa0196b91b",
	}
	for dt, sum := range want {
		data := safetensorsBytes(t, tinyPhiTensors(t, dt))
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%v: sha256 %x, want %s", dt, got, sum)
		}
	}
}

func TestOpenSpecTinyCheckpoint(t *testing.T) {
	ts := tinyPhiTensors(t, tensor.BF16)
	src := MemSource{
		ConfigFile: []byte(`{"model_type": "phi", "vocab_size": 51200, "hidden_size": 64, "num_hidden_layers": 2,
			"num_attention_heads": 4, "intermediate_size": 256, "rope_theta": 10000.0, "partial_rotary_factor": 0.4,
			"bos_token_id": 50256, "eos_token_id": 50256, "layer_norm_eps": 1e-05}`),
		SingleFile: safetensorsBytes(t, ts),
	}
	ck, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	if c := ck.Config(); c.RotaryDim != 6 || c.HeadDim != 16 || c.EOSTokenID != 50256 {
		t.Errorf("config %+v", c)
	}
	last := ts[len(ts)-1] // lm_head.bias
	vals, err := ck.ReadF32(last.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		if bits := math.Float32bits(v); bits>>16 != uint32(last.Data[2*i])|uint32(last.Data[2*i+1])<<8 || bits&0xffff != 0 {
			t.Fatalf("%s[%d] = %v does not widen the stored BF16 bits", last.Name, i, v)
		}
	}
}
