package gguf

import (
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// phi2Tokens is the number of ids of Phi-2's tokenizer.
const phi2Tokens = 50295

// fileTypes are llama.cpp's general.file_type values.
var fileTypes = map[Type]uint32{TypeF32: 0, TypeF16: 1, TypeQ4_0: 2, TypeQ8_0: 7}

// WritePhi2 writes the model l provides as a GGUF file of architecture
// "phi2", with llama.cpp's tensor names and metadata keys: separate attn_q,
// attn_k and attn_v tensors, as llama.cpp's converter writes for
// PhiForCausalLM checkpoints. Matrices take typ ("F32", "F16", "Q8_0" or
// "Q4_0"); norms and biases are F32, as the converter keeps them. Values
// are converted and quantized by tensor.Quantize; Q8 and Q4 sources written
// as Q8_0 and Q4_0 keep their blocks exactly.
//
// The tokenizer section names the model ("gpt2", pre-tokenizer "phi-2")
// and the special token ids, and, when the embedding has a row for every
// token of Phi-2's tokenizer (real Phi-2 shapes), the vocabulary and merges
// too, so that llama.cpp loads the file (smaller test vocabularies get
// none). The tensors are converted in memory
// before anything is written: memory use is about the output size.
func WritePhi2(w io.Writer, l weights.Loader, typ string) error {
	t, err := ParseType(typ)
	if _, ok := fileTypes[t]; err != nil || !ok {
		return fmt.Errorf("gguf: WritePhi2 type %q: want F32, F16, Q8_0 or Q4_0", typ)
	}
	cfg := l.Config()
	order := map[string]int{}
	for i, s := range cfg.Expected() {
		name, _, _, _ := ggufName(s.Name)
		order[name] = i
	}
	var tensors []Tensor
	err = l.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		g, _, _, ok := ggufName(name)
		if _, expected := order[g]; !ok || !expected {
			return fmt.Errorf("gguf: unexpected tensor %s (not in a Phi model with this config)", name)
		}
		out := t
		if len(shape) == 1 {
			out = TypeF32
		}
		enc, err := encode(out, dt, shape, data)
		if err != nil {
			return fmt.Errorf("gguf: tensor %s: %v", name, err)
		}
		dims := make([]int64, len(shape))
		for i, d := range shape {
			dims[len(shape)-1-i] = int64(d)
		}
		tensors = append(tensors, Tensor{g, out, dims, enc})
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortStableFunc(tensors, func(a, b Tensor) int { return cmp.Compare(order[a.Name], order[b.Name]) })
	return Write(w, phi2Metadata(cfg, t), tensors)
}

func phi2Metadata(cfg weights.Config, t Type) []KV {
	kv := []KV{
		{"general.architecture", Architecture},
		{"general.file_type", fileTypes[t]},
		{"phi2.context_length", uint32(cfg.MaxPositions)},
		{"phi2.embedding_length", uint32(cfg.HiddenSize)},
		{"phi2.feed_forward_length", uint32(cfg.IntermediateSize)},
		{"phi2.block_count", uint32(cfg.NumLayers)},
		{"phi2.attention.head_count", uint32(cfg.NumHeads)},
		{"phi2.attention.head_count_kv", uint32(cfg.NumKVHeads)},
		{"phi2.attention.layer_norm_epsilon", float32(cfg.LayerNormEps)},
		{"phi2.rope.dimension_count", uint32(cfg.RotaryDim)},
		{"phi2.rope.freq_base", float32(cfg.RopeTheta)},
	}
	if t.quantized() {
		kv = append(kv, KV{"general.quantization_version", uint32(2)})
	}
	kv = append(kv, KV{"tokenizer.ggml.model", "gpt2"}, KV{"tokenizer.ggml.pre", "phi-2"})
	if cfg.BOSTokenID >= 0 {
		kv = append(kv, KV{"tokenizer.ggml.bos_token_id", uint32(cfg.BOSTokenID)})
	}
	if cfg.EOSTokenID >= 0 {
		kv = append(kv, KV{"tokenizer.ggml.eos_token_id", uint32(cfg.EOSTokenID)})
	}
	kv = append(kv, KV{"tokenizer.ggml.add_bos_token", false})
	if cfg.VocabSize >= phi2Tokens {
		kv = append(kv, phi2Vocabulary(cfg.VocabSize)...)
	}
	return kv
}

// encode converts a tensor delivered by a Loader into the GGML encoding of
// type out, through tensor.Quantize for a change of type.
func encode(out Type, dt tensor.DType, shape []int, data []byte) ([]byte, error) {
	if len(shape) != 1 && len(shape) != 2 {
		return nil, fmt.Errorf("shape %v: want a vector or a matrix", shape)
	}
	rows, cols := 1, shape[0]
	if len(shape) == 2 {
		rows, cols = shape[0], shape[1]
	}
	if int64(len(data)) != tensor.ByteSize(dt, rows, cols) {
		return nil, fmt.Errorf("%d bytes do not hold %v %v", len(data), dt, shape)
	}
	if ggmlType(dt) == out && (!dt.Quantized() || cols%blockSize == 0) {
		if !dt.Quantized() {
			return slices.Clone(data), nil
		}
		enc := make([]byte, rows*cols/blockSize*int(out.blockBytes()))
		fromPlanar(enc, data, dt, rows, cols)
		return enc, nil
	}
	vals := make([]float32, rows*cols)
	tensor.Dequantize(vals, data, dt, rows, cols)
	to, _ := ourType(out)
	if out != TypeF32 {
		if err := tensor.CheckQuantizable(to, vals); err != nil {
			return nil, err
		}
	}
	if !to.Quantized() {
		return tensor.Quantize(to, vals, rows, cols), nil
	}
	if cols%blockSize != 0 {
		return nil, fmt.Errorf("%s needs rows of whole blocks of %d, not %d", out, blockSize, cols)
	}
	enc := make([]byte, rows*cols/blockSize*int(out.blockBytes()))
	fromPlanar(enc, tensor.Quantize(to, vals, rows, cols), to, rows, cols)
	return enc, nil
}
