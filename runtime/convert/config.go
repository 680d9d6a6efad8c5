package convert

import (
	"encoding/json"

	"github.com/phi2web/phi2web/runtime/weights"
)

// ConfigJSON writes cfg as a Hugging Face Phi config.json, so that a
// converted model carries the same configuration whatever its source was.
func ConfigJSON(cfg weights.Config) []byte {
	id := func(v int) any {
		if v < 0 {
			return nil
		}
		return v
	}
	out, err := json.Marshal(map[string]any{
		"architectures":           []string{"PhiForCausalLM"},
		"model_type":              "phi",
		"vocab_size":              cfg.VocabSize,
		"hidden_size":             cfg.HiddenSize,
		"intermediate_size":       cfg.IntermediateSize,
		"num_hidden_layers":       cfg.NumLayers,
		"num_attention_heads":     cfg.NumHeads,
		"num_key_value_heads":     cfg.NumKVHeads,
		"partial_rotary_factor":   cfg.PartialRotaryFactor,
		"rope_theta":              cfg.RopeTheta,
		"layer_norm_eps":          cfg.LayerNormEps,
		"hidden_act":              cfg.HiddenAct,
		"max_position_embeddings": cfg.MaxPositions,
		"bos_token_id":            id(cfg.BOSTokenID),
		"eos_token_id":            id(cfg.EOSTokenID),
		"qk_layernorm":            cfg.QKLayerNorm,
		"tie_word_embeddings":     cfg.TieWordEmbeddings,
	})
	if err != nil {
		panic(err) // a map of plain values always marshals
	}
	return out
}
