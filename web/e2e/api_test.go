package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// apiResult is what the page script below reports.
type apiResult struct {
	Chunks     []string       `json:"chunks"`
	IDs        []int32        `json:"ids"`
	Stats      map[string]any `json:"stats"`
	Info       map[string]any `json:"info"`
	Chat       map[string]any `json:"chat"`
	StreamText string         `json:"streamText"`
	LastFinish string         `json:"lastFinish"`
	ChunkKind  string         `json:"chunkKind"`
	Long       map[string]any `json:"long"`
	Fitted     map[string]any `json:"fitted"`
	Unfitted   map[string]any `json:"unfitted"`
	Cached     []any          `json:"cached"`
	AfterDel   []any          `json:"afterDelete"`
}

const apiScript = `(async () => {
	const { Phi2 } = await import("./phi2.js");
	const engine = await Phi2.load({ model: Phi2.defaultModel, backend: "simd" });
	const r = { chunks: [], ids: [] };
	// No repeat penalty, as the native command by default.
	const gen = engine.generate("The quick brown fox", { maxTokens: 12, temperature: 0, repeatPenalty: 1 });
	for await (const c of gen) {
		r.chunks.push(c.text);
		if (c.token >= 0) r.ids.push(c.token);
	}
	r.stats = await gen.result;
	r.info = await engine.info();
	r.chat = await engine.chat.completions.create({ messages: [{ role: "user", content: "Say hi" }], max_tokens: 6, temperature: 0 });
	r.streamText = "";
	const stream = await engine.chat.completions.create({ messages: [{ role: "user", content: "Say hi" }], max_tokens: 6, temperature: 0, stream: true });
	for await (const c of stream) {
		r.chunkKind = c.object;
		r.streamText += c.choices[0].delta.content ?? "";
		if (c.choices[0].finish_reason) r.lastFinish = c.choices[0].finish_reason;
	}
	// A conversation of about 1300 tokens, beyond the context of 512.
	const said = "func f() { return }\n".repeat(30);
	const long = [];
	for (let i = 0; i < 3; i++) long.push({ role: "user", content: said }, { role: "assistant", content: said });
	long.push({ role: "user", content: "Say hi" });
	const fitted = await engine.chat.completions.create({ messages: long, max_tokens: 4, temperature: 0 });
	r.fitted = { dropped: fitted.dropped_messages, promptTokens: fitted.usage.prompt_tokens, finish: fitted.choices[0].finish_reason };
	r.unfitted = await engine.chat.completions.create({ messages: long, max_tokens: 4, truncation: "disabled" })
		.then(() => ({ code: "none" }), (e) => ({ code: e.code }));
	try {
		await engine.generate("x ".repeat(5000), { maxTokens: 4 }).result;
		r.long = { code: "none" };
	} catch (e) {
		r.long = { code: e.code, message: e.message, hint: e.hint, isError: e instanceof Error };
	}
	r.cached = await Phi2.cache.list();
	await engine.unload();
	await Phi2.cache.delete(r.info.model.url);
	r.afterDelete = await Phi2.cache.list();
	return r;
})()`

// TestJSAPI drives the module as an embedding site would and checks its
// greedy text against the native CLI on the same served model.
func TestJSAPI(t *testing.T) {
	ctx := timeout(t)
	s := serve(t)
	b := browser(t, ctx, false, t.TempDir())
	pg := open(t, ctx, b, s.URL)
	var r apiResult
	pg.eval(apiScript, &r)

	text := strings.Join(r.Chunks, "")
	if text != r.Stats["text"] {
		t.Errorf("streamed chunks %q do not add up to the result text %q", text, r.Stats["text"])
	}
	if n, _ := r.Stats["completionTokens"].(float64); n < 1 || n > 12 {
		t.Errorf("completionTokens = %v, want 1..12", r.Stats["completionTokens"])
	}
	sameAsNative(t, s.URL+"models/default/", "The quick brown fox", r.IDs)

	if r.Info["backend"] != "simd" || r.Info["model"] == nil {
		t.Errorf("info = %v", r.Info)
	}
	if r.Chat["object"] != "chat.completion" {
		t.Errorf("chat completion object = %v", r.Chat["object"])
	}
	choices, _ := r.Chat["choices"].([]any)
	if len(choices) != 1 {
		t.Fatalf("chat choices = %v", r.Chat["choices"])
	}
	msg := choices[0].(map[string]any)["message"].(map[string]any)
	if msg["role"] != "assistant" || msg["content"] != r.StreamText {
		t.Errorf("chat message %v; the same request streamed %q", msg, r.StreamText)
	}
	if r.ChunkKind != "chat.completion.chunk" || r.LastFinish == "" {
		t.Errorf("stream chunks: object %q, last finish_reason %q", r.ChunkKind, r.LastFinish)
	}
	if d, _ := r.Fitted["dropped"].(float64); d < 2 || d > 6 || r.Fitted["promptTokens"].(float64)+4 > 512 || (r.Fitted["finish"] != "length" && r.Fitted["finish"] != "stop") {
		t.Errorf("a conversation longer than the context gave %v: want its oldest turns left out and a reply", r.Fitted)
	}
	if r.Unfitted["code"] != "context-full" {
		t.Errorf("the same with truncation disabled gave %v, want context-full", r.Unfitted)
	}
	if r.Long["code"] != "context-full" || r.Long["isError"] != true || r.Long["hint"] == "" {
		t.Errorf("a prompt longer than the context gave %v, want a Phi2Error context-full with a hint", r.Long)
	}
	if !listed(r.Cached, r.Info) || listed(r.AfterDel, r.Info) {
		t.Errorf("cache list before delete %v, after %v", r.Cached, r.AfterDel)
	}
	s.checkCSP(t)
}

func listed(models []any, info map[string]any) bool {
	url := info["model"].(map[string]any)["url"]
	for _, m := range models {
		if m.(map[string]any)["url"] == url {
			return true
		}
	}
	return false
}

// sameAsNative checks greedy ids made in the page against the native CLI's
// on the same model ("": the CLI's default model), run with flags: equal,
// or parting only where the native logits of the two choices are within
// the backends' tolerance (a near tie that float rounding may break either
// way).
func sameAsNative(t *testing.T, model, prompt string, ids []int32, flags ...string) {
	t.Helper()
	cache := t.TempDir()
	var native struct{ IDs []int32 }
	var withModel []string // the CLI's default model, unless model is given
	if model != "" {
		withModel = []string{"--model", model}
	}
	withModel = append(withModel, flags...)
	phi2(t, cache, &native, append([]string{"generate", "--prompt", prompt, "--max-tokens", fmt.Sprint(len(ids)), "--temperature", "0", "--json"}, withModel...)...)
	i := 0
	for i < len(ids) && i < len(native.IDs) && ids[i] == native.IDs[i] {
		i++
	}
	if i == len(ids) && i == len(native.IDs) {
		return
	}
	if i == len(ids) || i == len(native.IDs) {
		t.Fatalf("the page made %v, the native CLI %v", ids, native.IDs)
	}
	tok, err := tokenizer.New()
	if err != nil {
		t.Fatal(err)
	}
	context := append(tok.Encode(prompt), native.IDs[:i]...)
	list := make([]string, len(context))
	for k, id := range context {
		list[k] = fmt.Sprint(id)
	}
	var logits struct{ Logits []float32 }
	phi2(t, cache, &logits, append([]string{"logits", "--ids", strings.Join(list, ",")}, withModel...)...)
	if gap := logits.Logits[native.IDs[i]] - logits.Logits[ids[i]]; gap > 2e-3 {
		t.Errorf("token %d: the page chose %d, the native CLI %d, whose logit is higher by %.3g: more than a tie", i, ids[i], native.IDs[i], gap)
	}
	t.Logf("the page and the native CLI part at token %d, a near tie", i)
}

// phi2 runs the native command and decodes its JSON output into out.
func phi2(t *testing.T, cache string, out any, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "phi2"), args...)
	cmd.Env = append(cmd.Environ(), "PHI2_CACHE="+cache)
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("phi2 %s: %v", args[0], err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("phi2 %s: %v", args[0], err)
	}
}
