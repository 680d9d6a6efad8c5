package e2e

import (
	"testing"
)

// TestErrors meets what a visitor can meet, on a browser without WebGPU:
// each shows a message, a hint and a way forward in the page, and reaches
// the JS API as a typed error.
func TestErrors(t *testing.T) {
	ctx := timeout(t)
	s := serve(t)
	b := browser(t, ctx, false, t.TempDir())
	pg := open(t, ctx, b, s.URL)
	pg.state("idle")

	// Not enough storage: refused before a byte is stored.
	var quota map[string]any
	pg.eval(`import("./phi2.js").then(({ Phi2 }) => Phi2.load({ model: Phi2.defaultModel, backend: "simd", maxStorageBytes: 1000 }))
		.then(() => ({ code: "loaded" }), (e) => ({ code: e.code, message: e.message, hint: e.hint, name: e.name }))`, &quota)
	if quota["code"] != "quota" || quota["hint"] == "" {
		t.Errorf("a model over the storage limit gave %v, want a quota error with a hint", quota)
	}

	// The same in the page: the way forward opens the stored-models panel.
	small := open(t, ctx, b, s.URL+"?maxStorageMB=0.001&backend=simd")
	small.state("idle")
	small.click("#load")
	small.state("error")
	if got := small.attr("#error", "data-code"); got != "quota" {
		t.Errorf("the page shows error %q under a storage limit, want quota (%s)", got, small.text("#error"))
	}
	small.shot("error-quota")
	small.click("#error-action")
	small.wait("the stored-models panel", `document.querySelector("#cache").open`)
	small.p.Close()

	cases := []struct{ name, model, backend, code string }{
		{"no-webgpu", "", "webgpu", "webgpu-unavailable"},
		{"not-found", s.URL + "no-such-model/", "simd", "not-found"},
		{"network", "http://127.0.0.1:9/model/", "simd", "network"},
	}
	for _, c := range cases {
		if c.model != "" {
			pg.set("#model", "custom")
			pg.set("#custom-url", c.model)
		} else {
			pg.eval(`document.querySelector("#model").selectedIndex = 0, document.querySelector("#model").dispatchEvent(new Event("change")), true`, nil)
		}
		pg.set("#backend", c.backend)
		pg.click("#load")
		pg.state("error")
		if got := pg.attr("#error", "data-code"); got != c.code {
			t.Errorf("%s: error code %q, want %q (%s)", c.name, got, c.code, pg.text("#error"))
		}
		if pg.text("#error-action") == "" {
			t.Errorf("%s: the error offers no way forward: %s", c.name, pg.text("#error"))
		}
		pg.shot("error-" + c.name)
		if c.code == "webgpu-unavailable" {
			pg.click("#error-action") // "Use wasm SIMD"
			pg.state("ready")
			if got := pg.attr("#badge", "data-backend"); got != "simd" {
				t.Errorf("after the way forward the backend is %q, want simd", got)
			}
		}
	}
	s.checkCSP(t)
}
