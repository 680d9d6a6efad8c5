package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestDemoChat chats with the default model, phi-nano (a context of 512
// tokens), in the demo page as a newcomer would: the page speaks of
// phi-nano, not Phi-2; turns that no longer fit the context are left out,
// and the page says so, where the next send used to fail for good; a
// single message longer than the context offers a new conversation.
func TestDemoChat(t *testing.T) {
	ctx := timeout(t)
	s := serve(t)
	b := browser(t, ctx, false, t.TempDir())
	pg := open(t, ctx, b, s.URL)
	pg.state("idle")
	if p := pg.value("#prompt"); p == "" || strings.Contains(p, "sky") {
		t.Errorf("with phi-nano picked, the prompt offered is %q: want one that suits a model of Go source", p)
	}
	pg.click("#load")
	pg.state("ready")
	pg.set("#mode", "chat")
	if note := pg.text("#mode-note"); strings.Contains(note, "base model") || !strings.Contains(note, "phi-nano is not Phi-2") {
		t.Errorf("the chat note for phi-nano reads %q", note)
	}
	if p := pg.value("#prompt"); p == "" || strings.Contains(p, "sky") {
		t.Errorf("in chat mode the prompt offered for phi-nano is %q", p)
	}
	greedy(pg, "64")

	// About 210 tokens a message: from the second turn on, the first no
	// longer fits with room for a reply of 64.
	msg := strings.Repeat("func f() { return }\n", 30)
	for turn := 1; turn <= 3; turn++ {
		sendChat(pg, msg)
	}
	var r struct {
		Dropped, Turns int
		Note           string
		Who            []string
	}
	pg.eval(`({ dropped: document.querySelectorAll("#output .turn.dropped").length, turns: document.querySelectorAll("#output .turn").length,
		note: document.querySelector("#output .context-note")?.textContent ?? "",
		who: [...document.querySelectorAll("#output .turn.assistant .who")].map((e) => e.textContent) })`, &r)
	if r.Turns != 6 || r.Dropped < 2 || r.Dropped >= r.Turns {
		t.Errorf("after 3 turns: %d turns shown, %d marked as left out; want 6, some but not all", r.Turns, r.Dropped)
	}
	if !strings.Contains(r.Note, "no longer fit") || !strings.Contains(r.Note, "phi-nano's context of 512 tokens") {
		t.Errorf("the page does not say that turns were left out: note %q", r.Note)
	}
	for _, who := range r.Who {
		if who != "phi-nano" {
			t.Errorf("a reply is labelled %q, want phi-nano", who)
		}
	}
	pg.shot("chat-context")

	// One message longer than the whole context: no retry can help.
	long := strings.Repeat("x ", 600)
	pg.set("#prompt", long)
	pg.click("#generate")
	pg.state("error")
	if code, action := pg.attr("#error", "data-code"), pg.text("#error-action"); code != "context-full" || action != "New conversation" {
		t.Errorf("a message longer than the context: error %q with action %q, want context-full and New conversation", code, action)
	}
	pg.shot("chat-context-full")
	pg.click("#error-action")
	pg.state("ready")
	if n := pg.count("#output .turn"); n != 0 || pg.value("#prompt") != long {
		t.Errorf("after New conversation: %d turns shown, prompt kept %v; want none, and the message kept to shorten", n, pg.value("#prompt") == long)
	}

	// The stored models list names the model.
	pg.eval(`document.querySelector("#cache").open = true`, nil)
	pg.wait("the stored model listed", `!!document.querySelector("#cache-list li[data-url] .cache-name")`)
	if name := pg.text("#cache-list li[data-url] .cache-name"); !strings.HasPrefix(name, "phi-nano") {
		t.Errorf("the stored model is listed as %q, want its title", name)
	}
	s.checkCSP(t)
}

// sendChat sends a chat message and waits for the whole reply.
func sendChat(pg *page, msg string) {
	pg.t.Helper()
	pg.set("#prompt", msg)
	pg.eval(`document.querySelector("#stats").dataset.finish = "", true`, nil)
	pg.click("#generate")
	pg.wait("the chat reply", `document.body.dataset.state === "error" ||
		document.body.dataset.state === "ready" && !!document.querySelector("#stats").dataset.finish`)
	if code := pg.attr("#error", "data-code"); code != "" {
		pg.shot("failed-" + sanitize(pg.t.Name()))
		pg.t.Fatalf("a chat turn failed with %s: %s", code, pg.text("#error-message"))
	}
}

func (pg *page) value(selector string) string {
	var s string
	pg.eval(fmt.Sprintf("document.querySelector(%s)?.value ?? ''", strconv.Quote(selector)), &s)
	return s
}

func (pg *page) count(selector string) int {
	var n int
	pg.eval(fmt.Sprintf("document.querySelectorAll(%s).length", strconv.Quote(selector)), &n)
	return n
}
