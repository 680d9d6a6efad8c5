// Package convert turns a model from any weights.Loader (a Hugging Face
// checkpoint, a GGUF file) into the project's model directory: tensors in
// the chosen quantization, brotli shards with sha256 (docs/format.md).
package convert

import (
	"fmt"
	"strings"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// Options choose the output formats.
type Options struct {
	Quant      tensor.DType // linear weights: Q4, Q8, F16 or F32
	EmbedQuant tensor.DType // embedding and LM head; 0 picks DefaultEmbedQuant(Quant)
	ShardSize  int64        // raw bytes per shard; 0 is the writer's default
	// Progress, when set, is called with the source bytes consumed so far.
	Progress func(done int64)
}

// DefaultEmbedQuant keeps the embedding and LM head at Q8 under a 4-bit
// quant: they are a tenth of the model but decide every logit.
func DefaultEmbedQuant(q tensor.DType) tensor.DType {
	if q == tensor.Q4 {
		return tensor.Q8
	}
	return q
}

// ParseQuant reads a --quant value: q4, q8, f16 or f32.
func ParseQuant(s string) (tensor.DType, error) {
	switch strings.ToLower(s) {
	case "q4":
		return tensor.Q4, nil
	case "q8":
		return tensor.Q8, nil
	case "f16":
		return tensor.F16, nil
	case "f32":
		return tensor.F32, nil
	}
	return 0, fmt.Errorf("unknown quantization %q (want q4, q8, f16 or f32)", s)
}

// target is the stored dtype of a tensor: vectors (norms, biases) stay F32.
func (o Options) target(name string, shape []int) tensor.DType {
	switch {
	case len(shape) != 2:
		return tensor.F32
	case name == "model.embed_tokens.weight" || name == "lm_head.weight":
		return o.EmbedQuant
	}
	return o.Quant
}
