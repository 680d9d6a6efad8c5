package page

import (
	"strings"

	"github.com/phi2web/phi2web/runtime/remote"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Reuse is how many tokens of the session's cache a prompt keeps: the
// tokens it starts with, but never the whole prompt, since the prediction
// after its last token must be computed.
func Reuse(cached, prompt []int32) int {
	n := 0
	for n < len(cached) && n < len(prompt) && cached[n] == prompt[n] {
		n++
	}
	return max(min(n, len(prompt)-1), 0)
}

// kvBudget is how much of the 4 GiB of wasm device memory weights and an
// F32 KV cache may take together, leaving room for activations.
const kvBudget = 3 << 30

// KVCache is the KV cache dtype on backend ("webgpu" or "wasm") for a model
// of cfg whose weights take weightBytes: F32, except on wasm when the
// weights and an F32 cache of the full context would not fit the device
// memory (Phi-2 above 4 bits), where F16 halves the cache.
func KVCache(backend string, cfg weights.Config, weightBytes int64) tensor.DType {
	cache := int64(2*4) * int64(cfg.NumLayers) * int64(cfg.MaxPositions) * int64(cfg.HiddenSize)
	if backend == "wasm" && weightBytes+cache > kvBudget {
		return tensor.F16
	}
	return tensor.F32
}

// StoredKeys returns the keys among stored that a cache delete of url
// removes: the model directory's and those of its conversions.
func StoredKeys(url string, stored []string) []string {
	dir, _ := remote.Keys(url, "")
	var out []string
	for _, k := range stored {
		rest, ok := strings.CutPrefix(k, dir)
		if ok && (rest == "" || strings.HasPrefix(rest, ".phi2web-")) {
			out = append(out, k)
		}
	}
	return out
}
