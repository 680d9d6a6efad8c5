package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// foreignPage is a site on another origin that embeds the chat box with one
// script tag and themes it.
const foreignPage = `<!doctype html>
<meta charset="utf-8">
<title>Another site</title>
<style>body { font: 16px sans-serif; margin: 2em } phi2-chat { --phi2-accent: #b3261e; height: 420px; display: block }</style>
<h1>Another site</h1>
<p>It embeds the chat box below.</p>
<script type="module" src="%[1]sphi2-chat.js"></script>
<phi2-chat model="%[1]smodels/default/" backend="simd" max-tokens="12" temperature="0" autoload></phi2-chat>
`

// TestChatComponent embeds <phi2-chat> in a page of another origin, loads
// the default model, sends a message and reads the streamed reply.
func TestChatComponent(t *testing.T) {
	ctx := timeout(t)
	s := serve(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, foreignPage, s.URL)
	}))
	defer site.Close()
	b := browser(t, ctx, true, t.TempDir())
	pg := open(t, ctx, b, site.URL)
	const host = `document.querySelector("phi2-chat")`
	const part = host + `.shadowRoot.querySelector('[part~="%s"]')`
	pg.wait("the component ready", host+`.dataset.state === "ready" || (`+host+`.dataset.state === "error" && (() => { throw new Error(`+host+`.shadowRoot.textContent) })())`)
	pg.shot("component-ready")
	pg.eval(fmt.Sprintf(`(() => { const i = %s; i.value = "<img src=x onerror=\"document.title='pwned'\"> <script>document.title='pwned'<\/script> hello";
		i.dispatchEvent(new Event("input", {bubbles: true})); %s.click(); return true })()`,
		fmt.Sprintf(part, "input"), fmt.Sprintf(part, "send")), nil)
	pg.wait("a reply", host+`.dataset.state === "ready" && `+fmt.Sprintf(part, "log")+`.textContent.includes("hello")`)
	pg.wait("the reply's end", host+`.dataset.state === "ready"`)
	var r struct {
		Log    string
		Images int
		Title  string
	}
	pg.eval(fmt.Sprintf(`({ log: %s.textContent, images: %s.shadowRoot.querySelectorAll("img, script").length, title: document.title })`,
		fmt.Sprintf(part, "log"), host), &r)
	if r.Images != 0 || r.Title == "pwned" {
		t.Errorf("the message was rendered as HTML: %d elements, title %q", r.Images, r.Title)
	}
	if want := `<img src=x onerror="document.title='pwned'">`; !strings.Contains(r.Log, want) {
		t.Errorf("the transcript does not show the message as text; it reads %q", r.Log)
	}
	pg.shot("component-reply")

	// A message longer than the whole context: the way forward is a new
	// conversation, not a retry that fails the same way.
	pg.eval(host+`.send("x ".repeat(600)).then(() => true)`, nil)
	pg.wait("the error", host+`.dataset.state === "error"`)
	var label string
	pg.eval(fmt.Sprintf(part, "error")+`.querySelector("button").textContent`, &label)
	if label != "New conversation" {
		t.Errorf("a message longer than the context offers %q, want New conversation", label)
	}
	pg.eval(fmt.Sprintf(part, "error")+`.querySelector("button").click(), true`, nil)
	var after struct {
		State    string
		Messages int
	}
	pg.eval(fmt.Sprintf(`({ state: %s.dataset.state, messages: %s.querySelectorAll(".msg").length })`, host, fmt.Sprintf(part, "log")), &after)
	if after.State != "ready" || after.Messages != 0 {
		t.Errorf("after New conversation: state %q, %d messages shown; want ready and none", after.State, after.Messages)
	}
	s.checkCSP(t)
}
