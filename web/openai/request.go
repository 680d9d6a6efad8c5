package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/sample"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// request is a checked chat or text completion request.
type request struct {
	chat       bool
	model      string // "" when not given
	stream     bool
	messages   []Message // chat
	truncation string    // chat: "auto" or "disabled"
	prompt     string    // completions: the text, or
	promptIDs  []int32   // its token ids
	opts       generate.Options
}

// The fields each endpoint takes: OpenAI's, and the JS API's extensions
// (top_k, min_p, repetition_penalty, truncation) plus ignore_eos.
var (
	commonKeys = []string{"model", "stream", "stream_options", "max_tokens", "temperature", "top_p", "top_k", "min_p",
		"repetition_penalty", "seed", "stop", "n", "presence_penalty", "frequency_penalty", "user", "ignore_eos"}
	chatKeys       = append([]string{"messages", "max_completion_tokens", "truncation"}, commonKeys...)
	completionKeys = append([]string{"prompt", "echo", "best_of", "suffix", "logprobs"}, commonKeys...)
)

// fields is a request body's top-level fields, a JSON null counting as
// absent.
type fields map[string]json.RawMessage

func (f fields) has(key string) bool {
	v, ok := f[key]
	return ok && string(v) != "null"
}

// parseRequest checks a chat (chat true) or text completion body and fills
// the defaults of the JS API (protocol.DefaultOptions, a random seed).
func parseRequest(body []byte, chat bool, vocab int) (*request, *apiError) {
	r, err := readRequest(body, chat, vocab)
	var aerr *apiError
	switch {
	case err == nil:
		return r, nil
	case errors.As(err, &aerr):
		return nil, aerr
	}
	return nil, badParam("", "invalid_value", "%v", err)
}

func readRequest(body []byte, chat bool, vocab int) (*request, error) {
	var f fields
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&f); err != nil || dec.More() || f == nil {
		msg := "the body is not a JSON object"
		if err != nil {
			msg = "the body is not valid JSON: " + err.Error()
		}
		return nil, &apiError{status: 400, message: msg + "; send the request as a JSON object", kind: "invalid_request_error", code: "invalid_json"}
	}
	keys := completionKeys
	if chat {
		keys = chatKeys
	}
	for key := range f {
		if !slices.Contains(keys, key) {
			return nil, badParam(key, "unknown_parameter", "unknown parameter %q; this endpoint takes %s", key, strings.Join(keys, ", "))
		}
	}
	r := &request{chat: chat}
	if err := r.readCommon(f); err != nil {
		return nil, err
	}
	var err error
	if chat {
		err = r.readChat(f)
	} else {
		err = r.readCompletion(f, vocab)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// readCommon reads the fields both endpoints take.
func (r *request) readCommon(f fields) error {
	d := protocol.DefaultOptions()
	r.opts = generate.Options{
		MaxTokens: int(d.MaxTokens),
		Sample: sample.Options{Temperature: float32(d.Temperature), TopK: int(d.TopK), TopP: float32(d.TopP), MinP: float32(d.MinP),
			RepeatPenalty: float32(d.RepeatPenalty), Seed: uint64(rand.Uint32())},
		EOS: tokenizer.EndOfText,
	}
	if f.has("model") && json.Unmarshal(f["model"], &r.model) != nil {
		return badParam("model", "invalid_type", "model must be a string; GET /v1/models lists the model served")
	}
	var err error
	read := func(e error) {
		if err == nil {
			err = e
		}
	}
	read(flag(f, "stream", &r.stream))
	read(flag(f, "ignore_eos", &r.opts.IgnoreEOS))
	if f.has("stream_options") {
		var so map[string]json.RawMessage
		if json.Unmarshal(f["stream_options"], &so) != nil {
			read(badParam("stream_options", "invalid_type", "stream_options must be an object"))
		}
	}
	maxKey := "max_tokens"
	if f.has("max_completion_tokens") {
		if f.has("max_tokens") {
			read(badParam("max_completion_tokens", "invalid_value", "give max_tokens or max_completion_tokens, not both; they mean the same"))
		}
		maxKey = "max_completion_tokens"
	}
	read(integer(f, maxKey, &r.opts.MaxTokens, 1, math.MaxInt32, "the most tokens to generate (default 256)"))
	read(real32(f, "temperature", &r.opts.Sample.Temperature, 0, math.MaxFloat32, "a number ≥ 0", "0 is greedy decoding; the default is 0.7"))
	read(real32(f, "top_p", &r.opts.Sample.TopP, 0, 1, "a number in [0, 1]", "the probability mass kept; 1 keeps all (default 0.95)"))
	read(integer(f, "top_k", &r.opts.Sample.TopK, 0, math.MaxInt32, "keep the k most likely tokens; 0 keeps all (default 40)"))
	read(real32(f, "min_p", &r.opts.Sample.MinP, 0, 1, "a number in [0, 1]", "drops tokens less likely than min_p × the top one; 0 keeps all (default 0.05)"))
	read(real32(f, "repetition_penalty", &r.opts.Sample.RepeatPenalty, math.SmallestNonzeroFloat32, math.MaxFloat32, "a number > 0", "1 is no penalty (default 1.1)"))
	read(seed(f, &r.opts.Sample.Seed))
	for _, key := range []string{"presence_penalty", "frequency_penalty"} {
		var v float32
		if e := real32(f, key, &v, -2, 2, "a number in [-2, 2]", "0 is no penalty"); e != nil {
			read(e)
		} else if v != 0 {
			read(badParam(key, "unsupported_parameter", "%s is not supported (got %v); give 0, or repetition_penalty (1 is none, 1.1 by default)", key, v))
		}
	}
	n := 1
	read(integer(f, "n", &n, 1, math.MaxInt32, "the number of choices; only 1 is generated"))
	if n != 1 {
		read(badParam("n", "unsupported_value", "n must be 1 (got %d); one choice is generated per request", n))
	}
	if f.has("stop") {
		stops, e := stopList(f["stop"])
		read(e)
		r.opts.Stop = stops
	}
	return err
}

// readChat reads the chat endpoint's own fields.
func (r *request) readChat(f fields) error {
	if !f.has("messages") {
		return badParam("messages", "missing_required_parameter", `messages is required: give at least one {"role": "user", "content": …}`)
	}
	var err error
	if r.messages, err = ParseMessages(f["messages"]); err != nil {
		return badParam("messages", "invalid_value", "%v", err)
	}
	r.truncation = "auto"
	if f.has("truncation") {
		if json.Unmarshal(f["truncation"], &r.truncation) != nil || (r.truncation != "auto" && r.truncation != "disabled") {
			return badParam("truncation", "invalid_value", `truncation must be "auto" or "disabled" (got %s); "auto" leaves out the oldest turns that do not fit the context, "disabled" sends them all`, f["truncation"])
		}
	}
	r.opts.Stop = append(r.opts.Stop, ChatStops...)
	return nil
}

// readCompletion reads the text completion endpoint's own fields: one
// prompt, as text or token ids (below vocab), and the options it does not support at
// their neutral values only.
func (r *request) readCompletion(f fields, vocab int) error {
	if !f.has("prompt") {
		return badParam("prompt", "missing_required_parameter", "prompt is required: give the text to continue")
	}
	raw := f["prompt"]
	var one []string
	switch {
	case json.Unmarshal(raw, &r.prompt) == nil:
	case json.Unmarshal(raw, &r.promptIDs) == nil && len(r.promptIDs) > 0:
	case json.Unmarshal(raw, &one) == nil && len(one) == 1:
		r.prompt = one[0]
	default:
		return badParam("prompt", "invalid_value", "prompt must be a string, an array of token ids or an array of one string; one prompt is completed per request")
	}
	if r.prompt == "" && r.promptIDs == nil {
		return badParam("prompt", "invalid_value", "prompt is empty; give the text to continue")
	}
	for i, id := range r.promptIDs {
		if id < 0 || int(id) >= vocab {
			return badParam("prompt", "invalid_value", "prompt[%d] = %d is not a token id (want 0 to %d)", i, id, vocab-1)
		}
	}
	neutral := []struct{ key, value, what string }{
		{"echo", "false", "the prompt is not repeated in the reply"},
		{"best_of", "1", "one choice is generated per request"},
		{"suffix", `""`, "text is only continued, never inserted"},
		{"logprobs", "0", "log probabilities are not returned"},
	}
	for _, n := range neutral {
		if f.has(n.key) && compact(f[n.key]) != n.value && !(n.key == "logprobs" && compact(f[n.key]) == "false") {
			return badParam(n.key, "unsupported_parameter", "%s %s is not supported; %s (leave it out)", n.key, f[n.key], n.what)
		}
	}
	return nil
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// flag reads a boolean field.
func flag(f fields, key string, v *bool) error {
	if f.has(key) && json.Unmarshal(f[key], v) != nil {
		return badParam(key, "invalid_type", "%s must be true or false (got %s)", key, f[key])
	}
	return nil
}

// integer reads an integer field within [lo, hi].
func integer(f fields, key string, v *int, lo, hi int64, hint string) error {
	if !f.has(key) {
		return nil
	}
	n, err := strconv.ParseFloat(string(f[key]), 64)
	if err != nil || n != math.Trunc(n) || n < float64(lo) || n > float64(hi) {
		want := fmt.Sprintf("an integer ≥ %d", lo)
		if hi < math.MaxInt32 {
			want = fmt.Sprintf("an integer in [%d, %d]", lo, hi)
		}
		return badParam(key, "invalid_value", "%s must be %s (got %s); %s", key, want, f[key], hint)
	}
	*v = int(n)
	return nil
}

// real32 reads a number field within [lo, hi].
func real32(f fields, key string, v *float32, lo, hi float64, want, hint string) error {
	if !f.has(key) {
		return nil
	}
	n, err := strconv.ParseFloat(string(f[key]), 64)
	if err != nil || !(n >= lo && n <= hi) {
		return badParam(key, "invalid_value", "%s must be %s (got %s); %s", key, want, f[key], hint)
	}
	*v = float32(n)
	return nil
}

// seed reads the seed: an integer in [0, 2^64).
func seed(f fields, v *uint64) error {
	if !f.has("seed") {
		return nil
	}
	s := string(f["seed"])
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		// 7.0 and 1e3 are integers too.
		if x, ferr := strconv.ParseFloat(s, 64); ferr == nil && x == math.Trunc(x) && x >= 0 && x < 1<<64 {
			n, err = uint64(x), nil
		}
	}
	if err != nil {
		return badParam("seed", "invalid_value", "seed must be an integer in [0, 2^64) (got %s); the same seed and settings give the same text", f["seed"])
	}
	*v = n
	return nil
}

// stopList reads stop: a string or an array of non-empty strings.
func stopList(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}, nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && !slices.Contains(list, "") {
		return list, nil
	}
	return nil, badParam("stop", "invalid_value", "stop must be a non-empty string or an array of them; stop strings end the generation where they appear")
}
