package openai

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// errorOf reads an OpenAI error object, failing unless the body is one.
func errorOf(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct{ Error map[string]any }
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
		t.Fatalf("%s: body %q is not an error object", resp.Status, body)
	}
	if keys := slices.Sorted(maps.Keys(e.Error)); !slices.Equal(keys, []string{"code", "message", "param", "type"}) {
		t.Errorf("error fields %v, want code, message, param, type", keys)
	}
	if msg, _ := e.Error["message"].(string); msg == "" || strings.Contains(msg, "\n") {
		t.Errorf("message %q: want one line", msg)
	}
	return e.Error
}

// Every bad request is answered with its status and an OpenAI error
// object naming the field at fault.
func TestBadRequests(t *testing.T) {
	srv := newTestServer(t, &fakeEngine{tokens: []string{"x"}, context: 64}, Options{MaxBody: 4096})
	chat := srv.URL + "/v1/chat/completions"
	completions := srv.URL + "/v1/completions"
	user := `"messages":[{"role":"user","content":"hi"}]`
	for _, c := range []struct {
		url, body   string
		status      int
		param, code string
		message     string // a part of it
	}{
		{chat, `{"messages":`, 400, "", "invalid_json", "not valid JSON"},
		{chat, `[1]`, 400, "", "invalid_json", "not valid JSON"},
		{chat, `{"model":"x"} {}`, 400, "", "invalid_json", "not a JSON object"},
		{chat, `{"model":"gpt-4",` + user + `}`, 404, "model", "model_not_found", `"phi-test"`},
		{completions, `{"model":"gpt-4","prompt":"a"}`, 404, "model", "model_not_found", "GET /v1/models"},
		{chat, `{"n":2,` + user + `}`, 400, "n", "unsupported_value", "n must be 1"},
		{completions, `{"n":3,"prompt":"a"}`, 400, "n", "unsupported_value", "n must be 1"},
		{chat, `{"messages":[{"role":"user","content":"` + strings.Repeat("a", 5000) + `"}]}`, 413, "", "request_too_large", "over 4096 bytes"},
		{completions, `{"prompt":"` + strings.Repeat("a ", 100) + `"}`, 400, "prompt", "context_length_exceeded", "context is 64 tokens"},
		{chat, `{"truncation":"disabled","messages":[{"role":"user","content":"` + strings.Repeat("a ", 100) + `"}]}`, 400, "messages", "context_length_exceeded", "shorten it"},
		{chat, `{"presence_penalty":0.5,` + user + `}`, 400, "presence_penalty", "unsupported_parameter", "repetition_penalty"},
		{completions, `{"frequency_penalty":1,"prompt":"a"}`, 400, "frequency_penalty", "unsupported_parameter", "give 0"},
		{chat, `{"frequency_penalty":9,` + user + `}`, 400, "frequency_penalty", "invalid_value", "in [-2, 2]"},
		{chat, `{"top_p":3,` + user + `}`, 400, "top_p", "invalid_value", "top_p must be a number in [0, 1] (got 3)"},
		{chat, `{"temperature":-1,` + user + `}`, 400, "temperature", "invalid_value", "≥ 0"},
		{chat, `{"temperature":"hot",` + user + `}`, 400, "temperature", "invalid_value", `(got "hot")`},
		{chat, `{"max_tokens":0,` + user + `}`, 400, "max_tokens", "invalid_value", "an integer ≥ 1"},
		{chat, `{"max_tokens":2.5,` + user + `}`, 400, "max_tokens", "invalid_value", "an integer ≥ 1"},
		{chat, `{"max_tokens":4,"max_completion_tokens":4,` + user + `}`, 400, "max_completion_tokens", "invalid_value", "not both"},
		{chat, `{"top_k":-1,` + user + `}`, 400, "top_k", "invalid_value", "≥ 0"},
		{chat, `{"seed":-1,` + user + `}`, 400, "seed", "invalid_value", "[0, 2^64)"},
		{chat, `{"seed":1.5,` + user + `}`, 400, "seed", "invalid_value", "[0, 2^64)"},
		{chat, `{"stop":"",` + user + `}`, 400, "stop", "invalid_value", "non-empty string"},
		{chat, `{"stop":[1],` + user + `}`, 400, "stop", "invalid_value", "non-empty string"},
		{chat, `{"stream":"yes",` + user + `}`, 400, "stream", "invalid_type", "true or false"},
		{chat, `{"tools":[],` + user + `}`, 400, "tools", "unknown_parameter", `unknown parameter "tools"`},
		{chat, `{}`, 400, "messages", "missing_required_parameter", "messages is required"},
		{chat, `{"messages":[{"role":"tool","content":"x"}]}`, 400, "messages", "invalid_value", `messages[0].role "tool" is not supported; roles`},
		{chat, `{"truncation":"oldest",` + user + `}`, 400, "truncation", "invalid_value", `"auto" or "disabled"`},
		{completions, `{}`, 400, "prompt", "missing_required_parameter", "prompt is required"},
		{completions, `{"prompt":["a","b"]}`, 400, "prompt", "invalid_value", "one prompt"},
		{completions, `{"prompt":""}`, 400, "prompt", "invalid_value", "empty"},
		{completions, `{"prompt":[50256,60000]}`, 400, "prompt", "invalid_value", "prompt[1] = 60000 is not a token id"},
		{completions, `{"prompt":"a","echo":true}`, 400, "echo", "unsupported_parameter", "leave it out"},
		{completions, `{"prompt":"a","suffix":"b"}`, 400, "suffix", "unsupported_parameter", "leave it out"},
		{completions, `{"prompt":"a","logprobs":5}`, 400, "logprobs", "unsupported_parameter", "leave it out"},
	} {
		resp := post(t, c.url, c.body)
		e := errorOf(t, resp)
		param, _ := e["param"].(string)
		msg, _ := e["message"].(string)
		if resp.StatusCode != c.status || param != c.param || e["code"] != c.code || !strings.Contains(msg, c.message) {
			t.Errorf("%s %.60s: %d %v; want %d with param %q, code %q and a message with %q", c.url[len(srv.URL):], c.body, resp.StatusCode, e, c.status, c.param, c.code, c.message)
		}
		if wantType := "invalid_request_error"; e["type"] != wantType {
			t.Errorf("%.60s: type %v, want %s", c.body, e["type"], wantType)
		}
	}
}

// Neutral values of what is not supported are accepted: clients send them.
func TestNeutralValues(t *testing.T) {
	srv := newTestServer(t, &fakeEngine{tokens: []string{"x"}, context: 64}, Options{})
	for url, body := range map[string]string{
		"/v1/chat/completions": `{"model":"phi-test","n":1,"presence_penalty":0,"frequency_penalty":0,"stream":false,"user":"u","stream_options":null,"seed":7.0,"messages":[{"role":"user","content":"hi"}]}`,
		"/v1/completions":      `{"model":"phi-test","prompt":["a"],"echo":false,"best_of":1,"suffix":null,"logprobs":null}`,
	} {
		if resp := post(t, srv.URL+url, body); resp.StatusCode != 200 {
			t.Errorf("%s: %s", url, errorOf(t, resp)["message"])
		}
	}
}

func TestMethodsAndPaths(t *testing.T) {
	srv := newTestServer(t, &fakeEngine{context: 64}, Options{})
	for _, c := range []struct {
		method, path, contentType string
		status                    int
		code                      string
	}{
		{"GET", "/v1/chat/completions", "", 405, "method_not_allowed"},
		{"POST", "/v1/models", "application/json", 405, "method_not_allowed"},
		{"GET", "/v1/engines", "", 404, "unknown_url"},
		{"GET", "/v1/models/gpt-4", "", 404, "model_not_found"},
		{"POST", "/v1/completions", "text/plain", 415, "unsupported_media_type"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(`{"prompt":"a"}`))
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if e := errorOf(t, resp); resp.StatusCode != c.status || e["code"] != c.code {
			t.Errorf("%s %s: %d %v, want %d %s", c.method, c.path, resp.StatusCode, e, c.status, c.code)
		}
	}
}

func TestAPIKey(t *testing.T) {
	srv := newTestServer(t, &fakeEngine{context: 64}, Options{APIKey: "s3cret"})
	for auth, want := range map[string]int{"": 401, "Bearer nope": 401, "s3cret": 401, "Bearer s3cret": 200} {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/models", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Errorf("Authorization %q: %s, want %d", auth, resp.Status, want)
		}
		if want == 401 {
			if e := errorOf(t, resp); e["code"] != "invalid_api_key" || resp.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("Authorization %q: %v, WWW-Authenticate %q", auth, e, resp.Header.Get("WWW-Authenticate"))
			}
		}
		resp.Body.Close()
	}
}
