package gguf

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/weights"
)

// Architecture is the general.architecture value this package maps.
const Architecture = "phi2"

// Model is an opened phi2 GGUF file: its validated configuration and a plan
// that delivers every tensor under its Hugging Face name. It implements
// weights.Loader. The file stays owned by the caller.
type Model struct {
	file  *File
	cfg   weights.Config
	parts []part
}

var _ weights.Loader = (*Model)(nil)

// Open parses a GGUF file of architecture "phi2", builds its configuration
// from the phi2.* metadata and the token embedding's shape, validates it,
// and checks that the tensors are exactly those of a Phi model with that
// configuration, in types the project computes on.
func Open(f weights.File) (*Model, error) {
	g, err := Parse(f)
	if err != nil {
		return nil, err
	}
	arch, ok := g.Value("general.architecture")
	if !ok {
		return nil, fmt.Errorf("gguf: missing metadata key general.architecture")
	}
	if arch != Architecture {
		return nil, fmt.Errorf("gguf: general.architecture = %s: only %q is supported", show(arch), Architecture)
	}
	cfg, err := phi2Config(g)
	if err != nil {
		return nil, err
	}
	// Check the count first: a hostile block_count must not make plan list
	// millions of expected tensors.
	if n, min := len(g.Tensors), 5+10*cfg.NumLayers; n < min {
		return nil, fmt.Errorf("gguf: %d tensors, but a phi2 model of %d blocks has at least %d", n, cfg.NumLayers, min)
	}
	parts, err := plan(g, cfg)
	if err != nil {
		return nil, err
	}
	return &Model{file: g, cfg: cfg, parts: parts}, nil
}

// Config returns the validated configuration.
func (m *Model) Config() weights.Config { return m.cfg }

// File returns the parsed GGUF header, for its metadata.
func (m *Model) File() *File { return m.file }

// phi2Config reads the configuration the way llama.cpp does for phi2.
func phi2Config(g *File) (weights.Config, error) {
	k := meta{g: g}
	c := weights.Config{
		MaxPositions:     k.size("phi2.context_length", -1),
		HiddenSize:       k.size("phi2.embedding_length", -1),
		IntermediateSize: k.size("phi2.feed_forward_length", -1),
		NumLayers:        k.size("phi2.block_count", -1),
		NumHeads:         k.size("phi2.attention.head_count", -1),
		LayerNormEps:     k.float("phi2.attention.layer_norm_epsilon", math.NaN()),
		RopeTheta:        k.float("phi2.rope.freq_base", 10000),
		BOSTokenID:       k.id("tokenizer.ggml.bos_token_id"),
		EOSTokenID:       k.id("tokenizer.ggml.eos_token_id"),
		HiddenAct:        "gelu_new",
	}
	c.NumKVHeads = k.size("phi2.attention.head_count_kv", c.NumHeads)
	if c.NumHeads > 0 {
		c.HeadDim = c.HiddenSize / c.NumHeads
	}
	c.RotaryDim = k.size("phi2.rope.dimension_count", c.HeadDim)
	c.PartialRotaryFactor = rotaryFactor(c.RotaryDim, c.HeadDim)
	if k.err != nil {
		return weights.Config{}, k.err
	}
	embd, ok := g.Tensor("token_embd.weight")
	if !ok {
		return weights.Config{}, fmt.Errorf("gguf: missing tensor token_embd.weight")
	}
	if len(embd.Dims) != 2 || embd.Dims[1] > math.MaxInt32 {
		return weights.Config{}, fmt.Errorf("gguf: tensor token_embd.weight: dims %v, want [embedding_length, vocabulary size]", embd.Dims)
	}
	c.VocabSize = int(embd.Dims[1])
	if err := c.Validate(); err != nil {
		return weights.Config{}, fmt.Errorf("gguf: phi2 metadata: %v", err)
	}
	return c, nil
}

// rotaryFactor is a partial_rotary_factor f with int(headDim·f) == rot,
// the way Config derives RotaryDim.
func rotaryFactor(rot, headDim int) float64 {
	if headDim <= 0 {
		return 0
	}
	f := float64(rot) / float64(headDim)
	for int(float64(headDim)*f) < rot {
		f = math.Nextafter(f, math.Inf(1))
	}
	return f
}
