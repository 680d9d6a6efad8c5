package e2e

import "testing"

// TestJSAPIKVCache loads the default model with the 8-bit KV cache, as a
// site with long conversations would: the info says so, and the greedy
// text is the native CLI's with the same cache.
func TestJSAPIKVCache(t *testing.T) {
	ctx := timeout(t)
	s := serve(t)
	b := browser(t, ctx, false, t.TempDir())
	pg := open(t, ctx, b, s.URL)
	var r struct {
		IDs     []int32 `json:"ids"`
		KVCache string  `json:"kvCache"`
	}
	pg.eval(`(async () => {
		const { Phi2 } = await import("./phi2.js");
		const engine = await Phi2.load({ model: Phi2.defaultModel, backend: "simd", kvCache: "q8" });
		const ids = [];
		for await (const c of engine.generate("The quick brown fox", { maxTokens: 12, temperature: 0, repeatPenalty: 1 })) {
			if (c.token >= 0) ids.push(c.token);
		}
		const info = await engine.info();
		await engine.unload();
		return { ids, kvCache: info.model.kvCache };
	})()`, &r)
	if r.KVCache != "q8" {
		t.Errorf("info.model.kvCache = %q, want q8", r.KVCache)
	}
	if len(r.IDs) == 0 {
		t.Fatal("no tokens")
	}
	sameAsNative(t, s.URL+"models/default/", "The quick brown fox", r.IDs, "--kv-cache", "q8", "--backend", "cpu")
}
