package openai

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/phi2web/phi2web/runtime/generate"
)

// complete answers a chat (chat true) or text completion request.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, chat bool) *apiError {
	body, aerr := h.readBody(w, r)
	if aerr != nil {
		return aerr
	}
	req, aerr := parseRequest(body, chat, h.tok.VocabSize())
	if aerr != nil {
		return aerr
	}
	if req.model != "" && req.model != h.o.Model {
		return h.unknownModel(req.model)
	}
	leave, aerr := h.admit(w)
	if aerr != nil {
		return aerr
	}
	defer leave()
	ctx := r.Context()
	select { // wait for the generation ahead; a client that leaves meanwhile is gone
	case h.running <- struct{}{}:
		defer func() { <-h.running }()
	case <-ctx.Done():
		return nil
	}
	engine, aerr := h.open()
	if aerr != nil {
		return aerr
	}
	prompt, dropped, aerr := h.promptIDs(req, engine.MaxContext())
	if aerr != nil {
		return aerr
	}
	g := &generation{h: h, w: w, req: req, prompt: prompt, dropped: dropped, created: time.Now().Unix(), id: newID(chat)}
	res, gerr := engine.Generate(ctx, prompt, req.opts, g.onToken)
	if ctx.Err() != nil || g.gone {
		res.StopReason, gerr = generate.StopCancelled, nil // a client that left ends the generation
	}
	if h.o.OnFinish != nil {
		h.o.OnFinish(Finished{Endpoint: g.endpoint(), PromptTokens: len(prompt), Tokens: len(res.IDs), StopReason: res.StopReason})
	}
	if gerr != nil {
		aerr := &apiError{status: http.StatusInternalServerError, message: "the generation failed: " + gerr.Error(), kind: "server_error", code: "generation_failed"}
		if g.started {
			g.event(aerr.body()) // in the stream already: its last event
			return nil
		}
		return aerr
	}
	if res.StopReason == generate.StopCancelled {
		return nil
	}
	g.finish(res)
	return nil
}

// promptIDs tokenizes the request's prompt, leaving out the oldest turns
// of a chat that does not fit, and refuses a prompt longer than context.
func (h *Handler) promptIDs(req *request, context int) ([]int32, int, *apiError) {
	ids, param, dropped := req.promptIDs, "prompt", 0
	switch {
	case req.chat:
		param = "messages"
		text, _ := ChatPrompt(req.messages)
		if req.truncation == "auto" {
			text, dropped = FitChat(req.messages, req.opts.MaxTokens, context, func(s string) int { return len(h.tok.Encode(s)) })
		}
		ids = h.tok.Encode(text)
	case ids == nil:
		ids = h.tok.Encode(req.prompt)
	}
	if len(ids) > context {
		return nil, 0, &apiError{status: http.StatusBadRequest, kind: "invalid_request_error", param: param, code: "context_length_exceeded",
			message: fmt.Sprintf("the prompt is %d tokens long and the model's context is %d tokens; shorten it", len(ids), context)}
	}
	return ids, dropped, nil
}

// newID is a completion's id: chatcmpl- or cmpl- and 24 hex digits.
func newID(chat bool) string {
	b := make([]byte, 12)
	rand.Read(b)
	if chat {
		return "chatcmpl-" + hex.EncodeToString(b)
	}
	return "cmpl-" + hex.EncodeToString(b)
}

// finishReason names a stop reason as OpenAI does.
func finishReason(stop string) string {
	switch stop {
	case generate.StopMaxTokens, generate.StopContext:
		return "length"
	}
	return "stop" // the end of text or a stop string
}

// generation writes one request's answer: as one JSON object, or as
// server-sent events while it generates.
type generation struct {
	h       *Handler
	w       http.ResponseWriter
	req     *request
	prompt  []int32
	dropped int
	created int64
	id      string

	started bool   // the event stream has begun
	replied bool   // chat: text has been sent (leading space is dropped before)
	held    string // chat: trailing space, sent when more text follows
	gone    bool   // a write failed: the client has left
}

func (g *generation) endpoint() string {
	if g.req.chat {
		return "chat.completions"
	}
	return "completions"
}

// head is the fields every object of the answer carries.
func (g *generation) head(object string) map[string]any {
	m := map[string]any{"id": g.id, "object": object, "created": g.created, "model": g.h.o.Model}
	if g.req.chat {
		m["dropped_messages"] = g.dropped // as the JS API: the turns left out to fit the context
	}
	return m
}

// onToken streams a token's text; an error (the client has gone) ends
// the generation.
func (g *generation) onToken(ev generate.Event) error {
	if !g.req.stream {
		return nil
	}
	if !g.started {
		g.start()
	}
	text := ev.Text
	if g.req.chat {
		// Trimmed as the whole reply is: leading space dropped, trailing
		// space held back until more text follows it.
		t := g.held + text
		if !g.replied {
			t = strings.TrimLeftFunc(t, unicode.IsSpace)
		}
		text = strings.TrimRightFunc(t, unicode.IsSpace)
		g.held = t[len(text):]
		if text == "" {
			return nil
		}
		g.replied = true
		return g.event(g.chatChunk(map[string]any{"content": text}, nil))
	}
	if text == "" {
		return nil
	}
	return g.event(g.textChunk(text, nil))
}

// start begins the event stream; a chat's first chunk gives the role.
func (g *generation) start() {
	g.started = true
	h := g.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	g.w.WriteHeader(http.StatusOK)
	if g.req.chat {
		g.event(g.chatChunk(map[string]any{"role": "assistant", "content": ""}, nil))
	}
}

func (g *generation) chatChunk(delta map[string]any, finish any) map[string]any {
	m := g.head("chat.completion.chunk")
	m["choices"] = []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}
	return m
}

func (g *generation) textChunk(text string, finish any) map[string]any {
	m := g.head("text_completion")
	m["choices"] = []any{map[string]any{"index": 0, "text": text, "logprobs": nil, "finish_reason": finish}}
	return m
}

// event writes one server-sent event and sends it on.
func (g *generation) event(v any) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := fmt.Fprintf(g.w, "data: %s\n", b.String())
	if err == nil {
		err = http.NewResponseController(g.w).Flush()
	}
	g.gone = g.gone || err != nil
	return err
}

// finish writes the answer of a generation that ended: the whole object,
// or the stream's last chunk (with usage) and [DONE].
func (g *generation) finish(res generate.Result) {
	usage := map[string]any{"prompt_tokens": len(g.prompt), "completion_tokens": len(res.IDs), "total_tokens": len(g.prompt) + len(res.IDs)}
	finish := finishReason(res.StopReason)
	if g.req.stream {
		if !g.started {
			g.start()
		}
		last := g.textChunk("", finish)
		if g.req.chat {
			last = g.chatChunk(map[string]any{}, finish)
		}
		last["usage"] = usage
		if g.event(last) == nil {
			fmt.Fprint(g.w, "data: [DONE]\n\n")
			http.NewResponseController(g.w).Flush()
		}
		return
	}
	var m map[string]any
	if g.req.chat {
		m = g.head("chat.completion")
		m["choices"] = []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": strings.TrimSpace(res.Text)},
			"logprobs": nil, "finish_reason": finish}}
	} else {
		m = g.head("text_completion")
		m["choices"] = []any{map[string]any{"index": 0, "text": res.Text, "logprobs": nil, "finish_reason": finish}}
	}
	m["usage"] = usage
	writeJSON(g.w, m)
}
