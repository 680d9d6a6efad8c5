package e2e

import "testing"

// TestJSAPIKVCache loads the default model with the 8-bit KV cache and a
// smaller context, as a site short of memory would: the info says so, and
// the greedy text is the native CLI's with the same cache and context.
func TestJSAPIKVCache(t *testing.T) {
	ctx := timeout(t)
	s := serve(t)
	b := browser(t, ctx, false, t.TempDir())
	pg := open(t, ctx, b, s.URL)
	var r struct {
		IDs     []int32 `json:"ids"`
		KVCache string  `json:"kvCache"`
		Context int     `json:"context"`
	}
	pg.eval(`(async () => {
		const { Phi2 } = await import("./phi2.js");
		const engine = await Phi2.load({ model: Phi2.defaultModel, backend: "simd", kvCache: "q8", context: 96 });
		const ids = [];
		for await (const c of engine.generate("The quick brown fox", { maxTokens: 12, temperature: 0, repeatPenalty: 1 })) {
			if (c.token >= 0) ids.push(c.token);
		}
		const info = await engine.info();
		await engine.unload();
		return { ids, kvCache: info.model.kvCache, context: info.model.contextLength };
	})()`, &r)
	if r.KVCache != "q8" || r.Context != 96 {
		t.Errorf("info.model: kvCache %q, contextLength %d; want q8, 96", r.KVCache, r.Context)
	}
	if len(r.IDs) == 0 {
		t.Fatal("no tokens")
	}
	sameAsNative(t, s.URL+"models/default/", "The quick brown fox", r.IDs, "--kv-cache", "q8", "--context", "96", "--backend", "cpu")
}
