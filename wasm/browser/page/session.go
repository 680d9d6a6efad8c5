package page

import (
	"strings"

	"github.com/phi2web/phi2web/runtime/remote"
	"github.com/phi2web/phi2web/runtime/tensor"
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

// KVCache is the KV cache dtype for a model of quant on backend ("webgpu"
// or "wasm"): F32, except on wasm for models above 4 bits, whose weights
// leave too little of the 4 GiB device memory for an F32 cache of the
// full context.
func KVCache(backend, quant string) tensor.DType {
	if backend == "wasm" && !strings.EqualFold(quant, "q4") {
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
