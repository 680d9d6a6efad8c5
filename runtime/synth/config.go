package synth

import (
	"encoding/json"
	"fmt"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// hfConfig is the subset of a Hugging Face PhiConfig that describes the
// model; fields appear in config.json in this order.
type hfConfig struct {
	Architectures         []string  `json:"architectures"`
	ModelType             string    `json:"model_type"`
	VocabSize             int       `json:"vocab_size"`
	HiddenSize            int       `json:"hidden_size"`
	IntermediateSize      int       `json:"intermediate_size"`
	NumHiddenLayers       int       `json:"num_hidden_layers"`
	NumAttentionHeads     int       `json:"num_attention_heads"`
	NumKeyValueHeads      int       `json:"num_key_value_heads"`
	PartialRotaryFactor   float64   `json:"partial_rotary_factor"`
	RopeTheta             float64   `json:"rope_theta"`
	RopeScaling           *struct{} `json:"rope_scaling"`
	LayerNormEps          float64   `json:"layer_norm_eps"`
	HiddenAct             string    `json:"hidden_act"`
	MaxPositionEmbeddings int       `json:"max_position_embeddings"`
	BOSTokenID            *int      `json:"bos_token_id"` // null when outside the vocabulary
	EOSTokenID            *int      `json:"eos_token_id"`
	QKLayernorm           bool      `json:"qk_layernorm"`
	TieWordEmbeddings     bool      `json:"tie_word_embeddings"`
	TorchDtype            string    `json:"torch_dtype"`
}

var torchDTypes = map[tensor.DType]string{
	tensor.F32: "float32", tensor.F16: "float16", tensor.BF16: "bfloat16",
}

// endOfText is Phi-2's bos and eos token, <|endoftext|>.
const endOfText = 50256

func configJSON(o Options) ([]byte, error) {
	var eot *int
	if endOfText < o.Vocab {
		eot = new(int)
		*eot = endOfText
	}
	c := hfConfig{
		Architectures:         []string{"PhiForCausalLM"},
		ModelType:             "phi",
		VocabSize:             o.Vocab,
		HiddenSize:            o.Hidden,
		IntermediateSize:      o.Intermediate,
		NumHiddenLayers:       o.Layers,
		NumAttentionHeads:     o.Heads,
		NumKeyValueHeads:      o.Heads,
		PartialRotaryFactor:   o.PartialRotaryFactor,
		RopeTheta:             o.RopeTheta,
		LayerNormEps:          1e-5,
		HiddenAct:             "gelu_new",
		MaxPositionEmbeddings: o.MaxPositions,
		BOSTokenID:            eot,
		EOSTokenID:            eot,
		TorchDtype:            torchDTypes[o.DType],
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("synth: config.json: %v", err)
	}
	return append(b, '\n'), nil
}
