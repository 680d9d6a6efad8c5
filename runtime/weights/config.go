package weights

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Config is the model configuration read from config.json, with the derived
// sizes filled in. Build it with ParseConfig, or by hand followed by Validate.
type Config struct {
	VocabSize        int
	HiddenSize       int // d
	IntermediateSize int // MLP width
	NumLayers        int // num_hidden_layers
	NumHeads         int // num_attention_heads
	NumKVHeads       int // num_key_value_heads; must equal NumHeads

	HeadDim             int     // derived: HiddenSize / NumHeads
	RotaryDim           int     // derived: int(HeadDim · PartialRotaryFactor)
	PartialRotaryFactor float64 // share of each head that is rotated
	RopeTheta           float64
	LayerNormEps        float64
	MaxPositions        int // max_position_embeddings (training context)

	BOSTokenID int // -1 when null or absent
	EOSTokenID int // -1 when null or absent

	QKLayerNorm       bool
	TieWordEmbeddings bool
	HiddenAct         string
}

// ParseConfig reads a Hugging Face Phi config.json. Absent keys take the
// PhiConfig defaults; rope_theta and partial_rotary_factor are read at top
// level or inside rope_parameters. The result is validated (see Validate).
func ParseConfig(data []byte) (Config, error) {
	k := configKeys{raw: make(map[string]json.RawMessage)}
	if err := eachMember(data, func(key string, v json.RawMessage) error {
		k.raw[key] = v
		return nil
	}); err != nil {
		return Config{}, fmt.Errorf("config.json: %v", err)
	}
	if mt, ok := k.raw["model_type"]; ok && k.str("model_type", "phi") != "phi" {
		return Config{}, fmt.Errorf("config.json: model_type = %s: only \"phi\" is supported", clip(mt))
	}
	c := Config{
		VocabSize:         k.int("vocab_size", 51200),
		HiddenSize:        k.int("hidden_size", 2048),
		IntermediateSize:  k.int("intermediate_size", 8192),
		NumLayers:         k.int("num_hidden_layers", 24),
		NumHeads:          k.int("num_attention_heads", 32),
		LayerNormEps:      k.float("layer_norm_eps", 1e-5),
		MaxPositions:      k.int("max_position_embeddings", 2048),
		BOSTokenID:        k.optInt("bos_token_id"),
		EOSTokenID:        k.optInt("eos_token_id"),
		QKLayerNorm:       k.bool("qk_layernorm", false),
		TieWordEmbeddings: k.bool("tie_word_embeddings", false),
		HiddenAct:         k.str("hidden_act", "gelu_new"),
	}
	c.NumKVHeads = k.optInt("num_key_value_heads")
	if c.NumKVHeads == -1 { // HF: None means plain multi-head attention
		c.NumKVHeads = c.NumHeads
	}
	c.RopeTheta, c.PartialRotaryFactor = k.rope()
	headDim := k.optInt("head_dim")
	if k.err != nil {
		return Config{}, fmt.Errorf("config.json: %v", k.err)
	}

	if c.NumHeads > 0 {
		c.HeadDim = c.HiddenSize / c.NumHeads
	}
	if headDim != -1 {
		c.HeadDim = headDim // validate insists it equals hidden_size / num_attention_heads
	}
	if f := c.PartialRotaryFactor; f > 0 && f <= 1 {
		c.RotaryDim = rotaryDim(c.HeadDim, f)
	}
	if err := c.validate(); err != nil {
		return Config{}, fmt.Errorf("config.json: %v", err)
	}
	return c, nil
}

// rotaryDim is HF's int(head_dim * partial_rotary_factor): a binary64
// product truncated toward zero.
func rotaryDim(headDim int, factor float64) int { return int(float64(headDim) * factor) }

// configKeys reads typed values out of the raw members of config.json,
// remembering the first problem.
type configKeys struct {
	raw map[string]json.RawMessage
	err error
}

func (k *configKeys) fail(key string, raw json.RawMessage, want string) {
	if k.err == nil {
		k.err = fmt.Errorf("%s = %s: want %s", key, clip(raw), want)
	}
}

func (k *configKeys) int(key string, def int) int {
	raw, ok := k.raw[key]
	if !ok {
		return def
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		k.fail(key, raw, "an integer")
		return 0
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		k.fail(key, raw, "an integer of magnitude below 2^31")
		return 0
	}
	return int(v)
}

// optInt returns -1 for an absent or null key.
func (k *configKeys) optInt(key string) int {
	if raw, ok := k.raw[key]; !ok || string(raw) == "null" {
		return -1
	}
	return k.int(key, -1)
}

func (k *configKeys) float(key string, def float64) float64 {
	raw, ok := k.raw[key]
	if !ok {
		return def
	}
	return k.floatValue(key, raw)
}

func (k *configKeys) floatValue(key string, raw json.RawMessage) float64 {
	v, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		k.fail(key, raw, "a number")
		return 0
	}
	return v
}

func (k *configKeys) bool(key string, def bool) bool {
	raw, ok := k.raw[key]
	if !ok {
		return def
	}
	switch string(raw) {
	case "true":
		return true
	case "false":
		return false
	}
	k.fail(key, raw, "true or false")
	return def
}

func (k *configKeys) str(key, def string) string {
	raw, ok := k.raw[key]
	if !ok {
		return def
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		k.fail(key, raw, "a string")
		return def
	}
	return s
}
