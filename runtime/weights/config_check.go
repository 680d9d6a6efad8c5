package weights

import (
	"fmt"
	"math"
)

// Validate checks that c describes a model this package can load: positive
// sizes, plain multi-head attention, gelu_new, no qk_layernorm, untied
// embeddings, and derived HeadDim and RotaryDim consistent with the rest.
func (c Config) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("config: %v", err)
	}
	return nil
}

func (c Config) validate() error {
	for _, s := range []struct {
		key   string
		value int
		limit Limit
	}{
		{"vocab_size", c.VocabSize, MaxVocab},
		{"hidden_size", c.HiddenSize, MaxHidden},
		{"intermediate_size", c.IntermediateSize, MaxIntermediate},
		{"num_hidden_layers", c.NumLayers, MaxLayers},
		{"num_attention_heads", c.NumHeads, MaxHeads},
		{"num_key_value_heads", c.NumKVHeads, MaxHeads},
		{"max_position_embeddings", c.MaxPositions, MaxContext},
	} {
		if s.value <= 0 {
			return fmt.Errorf("%s = %d: must be positive", s.key, s.value)
		}
		if err := s.limit.Check(int64(s.value)); err != nil {
			return fmt.Errorf("%s: %v", s.key, err)
		}
	}
	if c.HiddenSize%c.NumHeads != 0 {
		return fmt.Errorf("hidden_size = %d is not divisible by num_attention_heads = %d", c.HiddenSize, c.NumHeads)
	}
	if c.NumKVHeads != c.NumHeads {
		return fmt.Errorf("num_key_value_heads = %d: grouped-query attention is not supported (it must equal num_attention_heads = %d)", c.NumKVHeads, c.NumHeads)
	}
	if want := c.HiddenSize / c.NumHeads; c.HeadDim != want {
		return fmt.Errorf("head_dim = %d: only hidden_size / num_attention_heads = %d is supported", c.HeadDim, want)
	}
	if err := MaxParameters.Check(c.Parameters()); err != nil {
		return err
	}
	if c.HiddenAct != "gelu_new" {
		return fmt.Errorf("hidden_act = %q: only \"gelu_new\" is supported", c.HiddenAct)
	}
	if c.QKLayerNorm {
		return fmt.Errorf("qk_layernorm = true: not supported")
	}
	if c.TieWordEmbeddings {
		return fmt.Errorf("tie_word_embeddings = true: not supported (Phi has a separate lm_head with a bias)")
	}
	if err := c.validateRope(); err != nil {
		return err
	}
	if !(c.LayerNormEps > 0) || math.IsInf(c.LayerNormEps, 0) {
		return fmt.Errorf("layer_norm_eps = %v: must be positive and finite", c.LayerNormEps)
	}
	for _, t := range []struct {
		key string
		id  int
	}{{"bos_token_id", c.BOSTokenID}, {"eos_token_id", c.EOSTokenID}} {
		if t.id != -1 && (t.id < 0 || t.id >= c.VocabSize) {
			return fmt.Errorf("%s = %d: outside the vocabulary 0..%d", t.key, t.id, c.VocabSize-1)
		}
	}
	return nil
}

func (c Config) validateRope() error {
	f := c.PartialRotaryFactor
	if !(f > 0 && f <= 1) {
		return fmt.Errorf("partial_rotary_factor = %v: must be in (0, 1] (rotary_dim may not exceed head_dim = %d)", f, c.HeadDim)
	}
	r := rotaryDim(c.HeadDim, f)
	switch {
	case c.RotaryDim != r:
		return fmt.Errorf("rotary_dim = %d: int(head_dim %d · partial_rotary_factor %v) is %d", c.RotaryDim, c.HeadDim, f, r)
	case r <= 0:
		return fmt.Errorf("partial_rotary_factor = %v gives rotary_dim = int(%d · %v) = %d: must be positive", f, c.HeadDim, f, r)
	case r%2 != 0:
		return fmt.Errorf("partial_rotary_factor = %v gives rotary_dim = int(%d · %v) = %d: must be even", f, c.HeadDim, f, r)
	}
	if !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) {
		return fmt.Errorf("rope_theta = %v: must be positive and finite", c.RopeTheta)
	}
	return nil
}

// Parameters is the number of values in the tensors Expected lists, for a
// configuration whose sizes are within their limits (so it fits an int64).
func (c Config) Parameters() int64 {
	d, ff, v, l := int64(c.HiddenSize), int64(c.IntermediateSize), int64(c.VocabSize), int64(c.NumLayers)
	q := int64(c.NumHeads) * int64(c.HeadDim)
	perLayer := 2*d + 3*(q*d+q) + d*q + d + ff*d + ff + d*ff + d
	return v*d + l*perLayer + 2*d + v*d + v
}
