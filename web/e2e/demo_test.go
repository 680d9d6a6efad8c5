package e2e

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDemo walks through the demo page as a visitor: load the default
// model on auto, which leaves Chromium's software adapter for wasm SIMD and
// says why; stream, stop mid-way, generate again; the same on WebGPU asked
// for by name; then, with the server gone, reload and run from what the
// browser stored.
func TestDemo(t *testing.T) {
	ctx := timeout(t)
	s := serve(t)
	b := browser(t, ctx, true, t.TempDir())
	pg := open(t, ctx, b, s.URL)
	pg.state("idle")
	pg.shot("demo-start")

	pg.set("#backend", "auto")
	recordProgress(pg)
	pg.click("#load")
	pg.state("ready")
	noUnknownTimeLeft(pg)
	if got := pg.attr("#badge", "data-backend"); got != "simd" {
		t.Fatalf("auto on a software adapter: the badge says backend %q, want simd (%s)", got, pg.text("#badge"))
	}
	if note := pg.text("#fallback-note"); !strings.Contains(note, "software adapter") || !visible(pg, "#fallback-note") {
		t.Errorf("auto on a software adapter: the page does not say why WebGPU is not used: %q", note)
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
	pg.shot("demo-simd")

	pg.set("#backend", "webgpu")
	pg.click("#load")
	pg.state("ready")
	if got := pg.attr("#badge", "data-backend"); got != "webgpu" {
		t.Fatalf("badge says backend %q after asking for webgpu (%s)", got, pg.text("#badge"))
	}
	if visible(pg, "#fallback-note") {
		t.Errorf("WebGPU asked for and used, yet the page shows a fallback note: %q", pg.text("#fallback-note"))
	}
	if got := generateText(pg, "24"); got != first {
		t.Errorf("greedy text on WebGPU differs from wasm SIMD:\n%q\n%q", got, first)
	}
	pg.shot("demo-webgpu")
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

// recordProgress keeps every text the progress detail shows from now on.
func recordProgress(pg *page) {
	pg.eval(`(() => { const el = document.querySelector("#progress-detail"); window.progressTexts = [];
		new MutationObserver(() => window.progressTexts.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
		return true })()`, nil)
}

// The time left is the last part of the detail, after " · " when others
// precede it; "1 min 0 s left" would be a known time, not an unknown one.
var zeroLeft = regexp.MustCompile(`(^|· )0 s left`)

// noUnknownTimeLeft fails the test when the progress showed a time left of
// 0 s: the time left is shown only once it is known, and then it is more.
func noUnknownTimeLeft(pg *page) {
	pg.t.Helper()
	var texts []string
	pg.eval(`window.progressTexts`, &texts)
	if len(texts) == 0 {
		pg.t.Error("the load showed no progress detail")
	}
	for _, s := range texts {
		if zeroLeft.MatchString(s) {
			pg.t.Errorf("the progress says %q: a time left shown before it is known", s)
		}
	}
}

// visible reports whether the element selector names is shown.
func visible(pg *page, selector string) bool {
	var shown bool
	pg.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && !e.hidden && e.getClientRects().length > 0 })()`,
		strconv.Quote(selector)), &shown)
	return shown
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
