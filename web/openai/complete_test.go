package openai

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/sample"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	var m map[string]any
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %s %v", resp.Status, body, err)
	}
	return m
}

// events reads a stream's data lines, which must end with [DONE].
func events(t *testing.T, resp *http.Response) []map[string]any {
	t.Helper()
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("%s, Content-Type %q", resp.Status, ct)
	}
	var out []map[string]any
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		data, ok := strings.CutPrefix(lines.Text(), "data: ")
		switch {
		case lines.Text() == "":
		case !ok:
			t.Fatalf("line %q is not a data line", lines.Text())
		case data == "[DONE]":
			if lines.Scan() && lines.Text() != "" || lines.Scan() {
				t.Errorf("more after [DONE]: %q", lines.Text())
			}
			return out
		default:
			var m map[string]any
			if err := json.Unmarshal([]byte(data), &m); err != nil {
				t.Fatalf("event %q: %v", data, err)
			}
			out = append(out, m)
		}
	}
	t.Fatalf("the stream ended without [DONE] after %d events", len(out))
	return nil
}

// The request's options reach the generation as the JS API maps them;
// the missing ones take its defaults.
func TestOptions(t *testing.T) {
	f := &fakeEngine{tokens: []string{"x"}, context: 64}
	srv := newTestServer(t, f, Options{})
	decode(t, post(t, srv.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_tokens":9,"temperature":0.25,
		"top_p":0.5,"top_k":3,"min_p":0.125,"repetition_penalty":1.5,"seed":18446744073709551615,"stop":["###"],"ignore_eos":true}`))
	decode(t, post(t, srv.URL+"/v1/completions", `{"prompt":"hi","stop":"\n"}`))
	decode(t, post(t, srv.URL+"/v1/completions", `{"prompt":[50256,464],"max_tokens":2}`))
	decode(t, post(t, srv.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":3}`))
	want := generate.Options{MaxTokens: 9, Sample: sample.Options{Temperature: 0.25, TopP: 0.5, TopK: 3, MinP: 0.125, RepeatPenalty: 1.5,
		Seed: 1<<64 - 1}, Stop: []string{"###", "\nInstruct:", "<|endoftext|>"}, EOS: tokenizer.EndOfText, IgnoreEOS: true}
	if !reflect.DeepEqual(f.opts[0], want) {
		t.Errorf("chat options %+v, want %+v", f.opts[0], want)
	}
	d := protocol.DefaultOptions()
	got := f.opts[1]
	if got.MaxTokens != int(d.MaxTokens) || got.Sample.Temperature != float32(d.Temperature) || got.Sample.TopK != int(d.TopK) ||
		got.Sample.TopP != float32(d.TopP) || got.Sample.MinP != float32(d.MinP) || got.Sample.RepeatPenalty != float32(d.RepeatPenalty) ||
		!slices.Equal(got.Stop, []string{"\n"}) || got.EOS != tokenizer.EndOfText || got.IgnoreEOS {
		t.Errorf("completion options %+v: want the JS API's defaults (%+v) and the stop", got, d)
	}
	if f.opts[1].Sample.Seed == f.opts[2].Sample.Seed {
		t.Error("two requests without a seed were given the same one")
	}
	tok, _ := tokenizer.Default()
	if wantIDs := tok.Encode("Instruct: hi\nOutput:"); !slices.Equal(f.prompts[0], wantIDs) {
		t.Errorf("chat prompt %v, want %v", f.prompts[0], wantIDs)
	}
	if !slices.Equal(f.prompts[2], []int32{50256, 464}) || f.opts[2].MaxTokens != 2 {
		t.Errorf("token prompt %v with %d tokens, want [50256 464] with 2", f.prompts[2], f.opts[2].MaxTokens)
	}
	if f.opts[3].MaxTokens != 3 {
		t.Errorf("max_completion_tokens 3 gave %d", f.opts[3].MaxTokens)
	}
}

// The answers have OpenAI's shapes; a chat reply is trimmed.
func TestAnswers(t *testing.T) {
	f := &fakeEngine{tokens: []string{" ", " Rome", " is", " its", " capital", ".", "\n", " "}, context: 64}
	srv := newTestServer(t, f, Options{})
	chat := decode(t, post(t, srv.URL+"/v1/chat/completions", `{"model":"phi-test","messages":[{"role":"user","content":"Capital of Italy?"}]}`))
	prompt := len(f.prompts[0])
	wantChat := map[string]any{
		"object": "chat.completion", "model": "phi-test", "dropped_messages": 0.0,
		"choices": []any{map[string]any{"index": 0.0, "message": map[string]any{"role": "assistant", "content": "Rome is its capital."}, "logprobs": nil, "finish_reason": "stop"}},
		"usage":   map[string]any{"prompt_tokens": float64(prompt), "completion_tokens": 9.0, "total_tokens": float64(prompt + 9)},
	}
	checkHead(t, chat, "chatcmpl-")
	if !reflect.DeepEqual(chat, wantChat) {
		t.Errorf("chat answer %v,\nwant %v", chat, wantChat)
	}
	text := decode(t, post(t, srv.URL+"/v1/completions", `{"prompt":"Capital","max_tokens":3}`))
	checkHead(t, text, "cmpl-")
	wantText := map[string]any{
		"object": "text_completion", "model": "phi-test",
		"choices": []any{map[string]any{"index": 0.0, "text": "  Rome is", "logprobs": nil, "finish_reason": "length"}},
		"usage":   map[string]any{"prompt_tokens": 1.0, "completion_tokens": 3.0, "total_tokens": 4.0},
	}
	if !reflect.DeepEqual(text, wantText) {
		t.Errorf("text answer %v,\nwant %v", text, wantText)
	}
}

// checkHead checks and removes the id and created time.
func checkHead(t *testing.T, m map[string]any, prefix string) {
	t.Helper()
	id, _ := m["id"].(string)
	created, _ := m["created"].(float64)
	if !strings.HasPrefix(id, prefix) || len(id) != len(prefix)+24 || time.Since(time.Unix(int64(created), 0)) > time.Minute {
		t.Errorf("id %q, created %v: want %s and 24 hex digits, and the time", id, m["created"], prefix)
	}
	delete(m, "id")
	delete(m, "created")
}

// Streams send the text as it is made, trimmed as the whole reply is for
// a chat, end with the finish reason and usage, then [DONE].
func TestStreams(t *testing.T) {
	f := &fakeEngine{tokens: []string{" ", " Rome", " is", " its", " capital", ".", "\n", " "}, context: 64}
	srv := newTestServer(t, f, Options{})
	chunks := events(t, post(t, srv.URL+"/v1/chat/completions", `{"stream":true,"max_tokens":20,"messages":[{"role":"user","content":"Capital of Italy?"}]}`))
	id := chunks[0]["id"]
	var text []string
	for i, c := range chunks {
		if c["id"] != id || c["object"] != "chat.completion.chunk" || c["model"] != "phi-test" {
			t.Errorf("chunk %d: %v", i, c)
		}
		choice := c["choices"].([]any)[0].(map[string]any)
		delta := choice["delta"].(map[string]any)
		switch {
		case i == 0:
			if !reflect.DeepEqual(delta, map[string]any{"role": "assistant", "content": ""}) || choice["finish_reason"] != nil {
				t.Errorf("first chunk %v: want the role", c)
			}
		case i == len(chunks)-1:
			usage, _ := c["usage"].(map[string]any)
			if len(delta) != 0 || choice["finish_reason"] != "stop" || usage["completion_tokens"] != 9.0 {
				t.Errorf("last chunk %v: want no text, finish_reason stop and usage", c)
			}
		default:
			s, _ := delta["content"].(string)
			if s == "" || choice["finish_reason"] != nil || c["usage"] != nil {
				t.Errorf("chunk %d: %v", i, c)
			}
			text = append(text, s)
		}
	}
	if got := strings.Join(text, ""); got != "Rome is its capital." {
		t.Errorf("streamed %q, want the trimmed reply", got)
	}
	chunks = events(t, post(t, srv.URL+"/v1/completions", `{"stream":true,"prompt":"x","max_tokens":4}`))
	text = nil
	for _, c := range chunks {
		choice := c["choices"].([]any)[0].(map[string]any)
		text = append(text, choice["text"].(string))
	}
	last := chunks[len(chunks)-1]
	if got := strings.Join(text, ""); got != "  Rome is its" || last["choices"].([]any)[0].(map[string]any)["finish_reason"] != "length" || last["usage"] == nil {
		t.Errorf("streamed %q, last %v", got, last)
	}
}

// A conversation longer than the context loses its oldest turns, whole.
func TestChatTruncation(t *testing.T) {
	f := &fakeEngine{tokens: []string{"x"}, context: 48}
	srv := newTestServer(t, f, Options{})
	var messages []Message
	for i := range 6 {
		messages = append(messages, Message{Role: "user", Content: "question number " + string(rune('a'+i))}, Message{Role: "assistant", Content: "answer"})
	}
	messages = append(messages, Message{Role: "user", Content: "last"})
	var list []map[string]string
	for _, m := range messages {
		list = append(list, map[string]string{"role": m.Role, "content": m.Content})
	}
	body, _ := json.Marshal(map[string]any{"messages": list, "max_tokens": 8})
	res := decode(t, post(t, srv.URL+"/v1/chat/completions", string(body)))
	tok, _ := tokenizer.Default()
	prompt, dropped := FitChat(messages, 8, 48, func(s string) int { return len(tok.Encode(s)) })
	if dropped == 0 || res["dropped_messages"] != float64(dropped) || !slices.Equal(f.prompts[0], tok.Encode(prompt)) {
		t.Errorf("dropped %v, want %d of a prompt that fits", res["dropped_messages"], dropped)
	}
}

// One generation at a time: MaxQueue wait, and more are refused with 503
// and Retry-After; all the admitted ones are answered.
func TestQueue(t *testing.T) {
	f := &fakeEngine{tokens: []string{"a", "b"}, context: 64, hold: make(chan struct{})}
	srv := newTestServer(t, f, Options{MaxQueue: 2, RetryAfter: 1500 * time.Millisecond})
	var wg sync.WaitGroup
	codes := make(chan int, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := post(t, srv.URL+"/v1/completions", `{"prompt":"a"}`)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	waitFor(t, func() bool { return f.calls() == 1 }) // one runs, two wait
	time.Sleep(50 * time.Millisecond)
	resp := post(t, srv.URL+"/v1/completions", `{"prompt":"a"}`)
	if e := errorOf(t, resp); resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "2" || e["type"] != "server_error" || e["code"] != "server_busy" {
		t.Errorf("a fourth request: %s, Retry-After %q, %v; want 503 after 2 s", resp.Status, resp.Header.Get("Retry-After"), e)
	}
	close(f.hold)
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != 200 {
			t.Errorf("an admitted request: %d", code)
		}
	}
	if f.most != 1 {
		t.Errorf("%d generations ran at once", f.most)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// A client that leaves stops its generation, streamed or not; one that
// leaves while waiting never starts one.
func TestClientLeaves(t *testing.T) {
	endless := make([]string, 10000)
	for i := range endless {
		endless[i] = "x"
	}
	f := &fakeEngine{tokens: endless, pause: time.Millisecond, context: 64}
	done := &finishes{c: make(chan Finished, 4)}
	srv := newTestServer(t, f, Options{OnFinish: done.add})
	for _, stream := range []bool{true, false} {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/completions", strings.NewReader(`{"prompt":"a","max_tokens":5000,"stream":`+map[bool]string{true: "true", false: "false"}[stream]+`}`))
		req.Header.Set("Content-Type", "application/json")
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			resp, err := http.DefaultClient.Do(req.WithContext(ctx))
			if err == nil {
				bufio.NewReader(resp.Body).ReadString('\n') // the first event
				cancel()
				resp.Body.Close()
			}
		}()
		if !stream {
			time.Sleep(100 * time.Millisecond)
			cancel()
		}
		select {
		case got := <-done.c:
			if got.StopReason != generate.StopCancelled || got.Tokens >= 1000 {
				t.Errorf("stream %v: the generation ended %s after %d tokens; want cancelled early", stream, got.StopReason, got.Tokens)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("stream %v: the generation did not end within 5 s of the client leaving", stream)
		}
		cancel()
	}
}

// A stream outlives the server's read timeout, which bounds only the
// request's arrival.
func TestStreamOutlivesReadTimeout(t *testing.T) {
	f := &fakeEngine{tokens: strings.Split("abcdefghijklmnopqrst", ""), pause: 30 * time.Millisecond, context: 64}
	done := &finishes{}
	h, err := New(Options{Model: "m", Open: func() (Engine, error) { return f, nil }, OnFinish: done.add})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()
	chunks := events(t, post(t, srv.URL+"/v1/completions", `{"stream":true,"prompt":"a","max_tokens":100}`))
	if len(chunks) != 21 || done.list[0].StopReason != generate.StopEOS {
		t.Errorf("%d chunks, ended %+v; want 20 tokens in 0.6 s, then the end", len(chunks), done.list)
	}
}

// A model that fails to load is an error object, and is tried again.
func TestOpenFails(t *testing.T) {
	tries := 0
	h, err := New(Options{Model: "m", Open: func() (Engine, error) {
		if tries++; tries == 1 {
			return nil, errors.New("no such file")
		}
		return &fakeEngine{tokens: []string{"x"}, context: 64}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp := post(t, srv.URL+"/v1/completions", `{"prompt":"a"}`)
	if e := errorOf(t, resp); resp.StatusCode != 500 || e["code"] != "model_load_failed" || !strings.Contains(e["message"].(string), "no such file") {
		t.Errorf("%s %v", resp.Status, e)
	}
	decode(t, post(t, srv.URL+"/v1/completions", `{"prompt":"a"}`))
}

func TestModels(t *testing.T) {
	srv := newTestServer(t, &fakeEngine{context: 64}, Options{})
	resp, err := client.Get(srv.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	list := decode(t, resp)
	data, _ := list["data"].([]any)
	if list["object"] != "list" || len(data) != 1 || data[0].(map[string]any)["id"] != "phi-test" || data[0].(map[string]any)["object"] != "model" {
		t.Errorf("/v1/models: %v", list)
	}
	resp, err = client.Get(srv.URL + "/v1/models/phi-test")
	if err != nil {
		t.Fatal(err)
	}
	if m := decode(t, resp); m["id"] != "phi-test" {
		t.Errorf("/v1/models/phi-test: %v", m)
	}
}
