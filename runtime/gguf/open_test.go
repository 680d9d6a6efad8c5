package gguf

import (
	"math"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// setKV replaces (or, with a nil value, removes) a metadata entry; a key
// not present is appended.
func setKV(key string, value any) func([]KV, []Tensor) ([]KV, []Tensor) {
	return func(kv []KV, ts []Tensor) ([]KV, []Tensor) {
		i := slices.IndexFunc(kv, func(e KV) bool { return e.Key == key })
		switch {
		case i < 0:
			kv = append(kv, KV{key, value})
		case value == nil:
			kv = slices.Delete(kv, i, i+1)
		default:
			kv[i].Value = value
		}
		return kv, ts
	}
}

// editTensor applies f to the named tensor; f returning false drops it.
func editTensor(name string, f func(t *Tensor) bool) func([]KV, []Tensor) ([]KV, []Tensor) {
	return func(kv []KV, ts []Tensor) ([]KV, []Tensor) {
		i := slices.IndexFunc(ts, func(t Tensor) bool { return t.Name == name })
		if !f(&ts[i]) {
			ts = slices.Delete(ts, i, i+1)
		}
		return kv, ts
	}
}

// TestOpenMalformed breaks a valid phi2 file one way at a time and checks
// for a one-line error naming the problem.
func TestOpenMalformed(t *testing.T) {
	good := writePhi2(t, small(), "F32")
	if _, err := Open(fileOf(good)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func([]KV, []Tensor) ([]KV, []Tensor)
		want string
	}{
		{"wrong architecture", setKV("general.architecture", "llama"), `general.architecture = "llama": only "phi2" is supported`},
		{"architecture not a string", setKV("general.architecture", uint32(2)), "general.architecture = 2 (uint32)"},
		{"no architecture", setKV("general.architecture", nil), "missing metadata key general.architecture"},
		{"missing key", setKV("phi2.block_count", nil), "missing metadata key phi2.block_count"},
		{"missing eps", setKV("phi2.attention.layer_norm_epsilon", nil), "missing metadata key phi2.attention.layer_norm_epsilon"},
		{"string count", setKV("phi2.block_count", "2"), "phi2.block_count has type string, want an integer"},
		{"absurd context", setKV("phi2.context_length", uint32(math.MaxInt32)),
			"phi2 metadata: config: max_position_embeddings: context length 2147483647 is larger than 1048576, the most this engine supports"},
		{"absurd block count", setKV("phi2.block_count", uint32(100000000)), "layer count 100000000 is larger than 1024"},
		{"zero count", setKV("phi2.block_count", uint32(0)), "phi2.block_count = 0: want a positive integer"},
		{"integer eps", setKV("phi2.attention.layer_norm_epsilon", uint32(1)), "phi2.attention.layer_norm_epsilon has type uint32, want float32"},
		{"heads not dividing", setKV("phi2.attention.head_count", uint32(3)), "phi2 metadata: config: hidden_size = 32 is not divisible by num_attention_heads = 3"},
		{"grouped kv heads", setKV("phi2.attention.head_count_kv", uint32(1)), "grouped-query attention is not supported"},
		{"eos outside vocabulary", setKV("tokenizer.ggml.eos_token_id", uint32(62)), "eos_token_id = 62: outside the vocabulary"},
		{"odd rotary dim", setKV("phi2.rope.dimension_count", uint32(7)), "must be even"},
		{"missing tensor", editTensor("blk.1.ffn_up.weight", func(*Tensor) bool { return false }), "missing tensor blk.1.ffn_up.weight"},
		{"missing embedding", editTensor("token_embd.weight", func(*Tensor) bool { return false }), "missing tensor token_embd.weight"},
		{"3-D embedding", editTensor("token_embd.weight", func(t *Tensor) bool { t.Dims = []int64{32, 62, 1}; return true }),
			"token_embd.weight: dims [32 62 1], want [embedding_length, vocabulary size]"},
		{"wrong shape", editTensor("blk.0.ffn_up.weight", func(t *Tensor) bool { t.Dims = []int64{64, 32}; return true }),
			"tensor blk.0.ffn_up.weight: dims [64 32] (shape [32 64]), config wants shape [64 32]"},
		{"unexpected tensor", func(kv []KV, ts []Tensor) ([]KV, []Tensor) {
			return kv, append(ts, Tensor{"rope_freqs.weight", TypeF32, []int64{4}, make([]byte, 16)})
		}, `unexpected tensor "rope_freqs.weight"`},
		{"quantized vector", editTensor("blk.0.attn_norm.weight", func(t *Tensor) bool {
			t.Type, t.Data = TypeQ8_0, make([]byte, 34)
			return true
		}), "tensor blk.0.attn_norm.weight: type Q8_0, but vectors must be F32 or F16"},
		{"fused and separate", func(kv []KV, ts []Tensor) ([]KV, []Tensor) {
			return kv, append(ts, Tensor{"blk.0.attn_qkv.bias", TypeF32, []int64{96}, make([]byte, 384)})
		}, "both blk.0.attn_qkv.bias and blk.0.attn_q.bias present"},
	} {
		t.Run(tc.name, func(t *testing.T) { expectError(t, rewrite(t, good, tc.edit), Open, tc.want) })
	}
}

// TestOpenBF16 reads BF16 matrices and F16 vectors as stored.
func TestOpenBF16(t *testing.T) {
	src := small()
	data := rewrite(t, writePhi2(t, src, "F32"), func(kv []KV, ts []Tensor) ([]KV, []Tensor) {
		for i := range ts {
			vals := make([]float32, len(ts[i].Data)/4)
			tensor.DecodeF32(vals, ts[i].Data, tensor.F32)
			var b []byte
			for _, v := range vals {
				h := tensor.F32ToBF16(v)
				if len(ts[i].Dims) == 1 {
					h = tensor.F32ToF16(v)
				}
				b = append(b, byte(h), byte(h>>8))
			}
			ts[i].Type, ts[i].Data = TypeBF16, b
			if len(ts[i].Dims) == 1 {
				ts[i].Type = TypeF16
			}
		}
		return kv, ts
	})
	m, err := Open(fileOf(data))
	if err != nil {
		t.Fatal(err)
	}
	have, _ := collect(t, m)
	for _, w := range src.tensors {
		h := have[w.Name]
		want, wantDT := tensor.BF16, tensor.F32ToBF16
		if len(w.Shape) == 1 {
			want, wantDT = tensor.F16, tensor.F32ToF16
		}
		vals := make([]float32, len(w.Data)/4)
		tensor.DecodeF32(vals, w.Data, tensor.F32)
		if h.dt != want || len(h.data) != 2*len(vals) {
			t.Fatalf("%s: %v, %d bytes; want %v", w.Name, h.dt, len(h.data), want)
		}
		for i, v := range vals {
			if got := uint16(h.data[2*i]) | uint16(h.data[2*i+1])<<8; got != wantDT(v) {
				t.Fatalf("%s[%d] = %#04x, want %#04x", w.Name, i, got, wantDT(v))
			}
		}
	}
}

// TestWritePhi2Metadata checks the keys llama.cpp reads, with their types.
func TestWritePhi2Metadata(t *testing.T) {
	g, err := Parse(fileOf(writePhi2(t, small(), "Q4_0")))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{
		"general.architecture":              "phi2",
		"general.file_type":                 uint32(2),
		"general.quantization_version":      uint32(2),
		"phi2.context_length":               uint32(128),
		"phi2.embedding_length":             uint32(32),
		"phi2.feed_forward_length":          uint32(64),
		"phi2.block_count":                  uint32(2),
		"phi2.attention.head_count":         uint32(2),
		"phi2.attention.head_count_kv":      uint32(2),
		"phi2.attention.layer_norm_epsilon": float32(1e-5),
		"phi2.rope.dimension_count":         uint32(8),
		"tokenizer.ggml.model":              "gpt2",
		"tokenizer.ggml.eos_token_id":       uint32(5),
		"tokenizer.ggml.add_bos_token":      false,
	} {
		if v, ok := g.Value(key); !ok || v != want {
			t.Errorf("%s = %v (%T), want %v (%T)", key, v, v, want, want)
		}
	}
	if _, ok := g.Value("tokenizer.ggml.bos_token_id"); ok {
		t.Error("bos_token_id written for a config without one")
	}
	info, ok := g.Tensor("blk.1.attn_v.weight")
	if !ok || info.Type != TypeQ4_0 || !slices.Equal(info.Dims, []int64{32, 32}) {
		t.Errorf("blk.1.attn_v.weight: %+v", info)
	}
	if info, _ := g.Tensor("output.bias"); info.Type != TypeF32 {
		t.Errorf("output.bias is %v, want F32", info.Type)
	}
}
