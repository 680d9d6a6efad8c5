package e2e

import (
	"strings"
	"testing"
)

// TestDemo walks through the demo page as a visitor: load the default
// model (WebGPU on the software adapter), stream, stop mid-way, generate
// again; the same on wasm SIMD; then, with the server gone, reload and run
// from what the browser stored.
func TestDemo(t *testing.T) {
	ctx := timeout(t)
	s := serve(t)
	b := browser(t, ctx, true, t.TempDir())
	pg := open(t, ctx, b, s.URL)
	pg.state("idle")
	pg.shot("demo-start")

	pg.set("#backend", "auto")
	pg.click("#load")
	pg.state("ready")
	if got := pg.attr("#badge", "data-backend"); got != "webgpu" {
		t.Fatalf("badge says backend %q, want webgpu (%s)", got, pg.text("#badge"))
	}
	pg.shot("demo-loaded")
	greedy(pg, "200")
	pg.set("#prompt", "The quick brown fox")
	pg.click("#generate")
	pg.wait("streamed text", `document.body.dataset.state === "generating" && document.querySelector("#output").textContent.length > 0`)
	pg.shot("demo-streaming")
	pg.click("#stop")
	pg.state("ready")
	if got := pg.attr("#stats", "data-finish"); got != "aborted" {
		t.Errorf("after Stop the finish reason is %q, want aborted", got)
	}
	pg.shot("demo-stopped")

	first := generateText(pg, "24")
	pg.shot("demo-webgpu")

	pg.set("#backend", "simd")
	pg.click("#load")
	pg.state("ready")
	if got := pg.attr("#badge", "data-backend"); got != "simd" {
		t.Fatalf("badge says backend %q after switching to simd", got)
	}
	if got := generateText(pg, "24"); got != first {
		t.Errorf("greedy text on wasm SIMD differs from WebGPU:\n%q\n%q", got, first)
	}
	pg.shot("demo-simd")
	markupShownAsText(pg)

	s.checkCSP(t)
	pg.wait("the service worker", `navigator.serviceWorker.ready.then((r) => !!r.active && !!navigator.serviceWorker.controller)`)
	s.stop() // offline from here: the service worker and IndexedDB hold the app and the model
	pg.eval(`location.reload(), true`, nil)
	pg.state("idle")
	pg.set("#backend", "auto")
	pg.click("#load")
	pg.state("ready")
	if got := generateText(pg, "24"); got != first {
		t.Errorf("greedy text offline differs:\n%q\n%q", got, first)
	}
	pg.shot("demo-offline")
}

// greedy sets the sampling settings to greedy decoding of at most max tokens.
func greedy(pg *page, max string) {
	pg.set("#temperature", "0")
	pg.set("#max-tokens", max)
}

// generateText generates greedily after a fixed prompt and returns the output.
func generateText(pg *page, max string) string {
	pg.t.Helper()
	greedy(pg, max)
	pg.set("#prompt", "The quick brown fox")
	pg.eval(`document.querySelector("#stats").dataset.finish = "", true`, nil)
	pg.click("#generate")
	pg.wait("the generation's end", `document.body.dataset.state === "ready" && document.querySelector("#stats").dataset.finish`)
	if f := pg.attr("#stats", "data-finish"); f != "length" && f != "eos" {
		pg.t.Errorf("finish reason %q, want length or eos", f)
	}
	out := pg.text("#output")
	if out == "" {
		pg.t.Error("no output")
	}
	return out
}

// markupShownAsText sends a chat message that looks like markup: the
// transcript shows it literally and nothing of it runs.
func markupShownAsText(pg *page) {
	pg.t.Helper()
	const msg = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script> hi`
	pg.set("#mode", "chat")
	pg.set("#prompt", msg)
	pg.eval(`document.querySelector("#stats").dataset.finish = "", true`, nil)
	pg.click("#generate")
	pg.wait("the chat reply", `document.body.dataset.state === "ready" && document.querySelector("#stats").dataset.finish`)
	var r struct {
		Text     string
		Elements int
		Title    string
	}
	pg.eval(`({ text: document.querySelector("#output").textContent,
		elements: document.querySelectorAll("#output img, #output script").length, title: document.title })`, &r)
	if r.Elements != 0 || r.Title == "pwned" || !strings.Contains(r.Text, msg) {
		pg.t.Errorf("a markup-like message: %d elements made, title %q, transcript %q", r.Elements, r.Title, r.Text)
	}
	pg.shot("demo-chat-markup")
	pg.set("#mode", "completion")
}
