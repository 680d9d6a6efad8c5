package gguf

import (
	"fmt"
	"strings"
)

// Tensor names of llama.cpp's phi2 architecture and the Hugging Face names
// they stand for. Per-layer names carry the block number: blk.N.… and
// model.layers.N.….
var (
	globalNames = map[string]string{
		"model.embed_tokens.weight":    "token_embd.weight",
		"model.final_layernorm.weight": "output_norm.weight",
		"model.final_layernorm.bias":   "output_norm.bias",
		"lm_head.weight":               "output.weight",
		"lm_head.bias":                 "output.bias",
	}
	layerNames = map[string]string{
		"input_layernorm":  "attn_norm",
		"self_attn.q_proj": "attn_q",
		"self_attn.k_proj": "attn_k",
		"self_attn.v_proj": "attn_v",
		"self_attn.dense":  "attn_output",
		"mlp.fc1":          "ffn_up",
		"mlp.fc2":          "ffn_down",
	}
)

// fusedQKV is the one tensor some phi2 files hold instead of attn_q,
// attn_k and attn_v: their rows stacked, q first.
const fusedQKV = "attn_qkv"

// ggufName returns the llama.cpp name of a Hugging Face Phi tensor name,
// the layer it belongs to (-1 for none) and the layer-local part of the
// GGUF name (attn_q, …).
func ggufName(hf string) (name string, layer int, part string, ok bool) {
	if g, ok := globalNames[hf]; ok {
		return g, -1, "", true
	}
	rest, found := strings.CutPrefix(hf, "model.layers.")
	if !found {
		return "", 0, "", false
	}
	num, rest, found := strings.Cut(rest, ".")
	if !found {
		return "", 0, "", false
	}
	if _, err := fmt.Sscanf(num, "%d", &layer); err != nil || fmt.Sprint(layer) != num {
		return "", 0, "", false
	}
	base, kind, found := cutLast(rest, ".")
	if !found || (kind != "weight" && kind != "bias") {
		return "", 0, "", false
	}
	part, ok = layerNames[base]
	if !ok {
		return "", 0, "", false
	}
	return fmt.Sprintf("blk.%d.%s.%s", layer, part, kind), layer, part, true
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
