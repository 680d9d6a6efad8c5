package openai

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// Engine generates: a *phi2web.Model.
type Engine interface {
	Generate(ctx context.Context, prompt []int32, o generate.Options, onToken func(generate.Event) error) (generate.Result, error)
	MaxContext() int
}

// Options configure a Handler.
type Options struct {
	// Model is the id the model is listed and asked for by.
	Model string
	// Open loads the model; it is called at the first request that needs
	// it, and again after a failure.
	Open func() (Engine, error)
	// APIKey, when set, must come as "Authorization: Bearer <key>".
	APIKey string
	// MaxQueue is how many requests may wait behind the one generating
	// (0: 8; negative: none).
	MaxQueue int
	// MaxBody bounds a request body in bytes (0: 1 MiB).
	MaxBody int64
	// RetryAfter is what a refused request is told to wait (0: 2 s).
	RetryAfter time.Duration
	// OnFinish, when set, is told of every generation as it ends.
	OnFinish func(Finished)
}

// Finished describes a generation that ended.
type Finished struct {
	Endpoint     string // "chat.completions" or "completions"
	PromptTokens int
	Tokens       int    // generated
	StopReason   string // generate's: eos, stop, max_tokens, context, cancelled
}

// Handler serves the API under /v1/.
type Handler struct {
	o       Options
	queue   chan struct{} // one entry per admitted request, running or waiting
	running chan struct{} // held by the request generating
	tok     *tokenizer.Tokenizer
	created int64

	mu     sync.Mutex // guards engine
	engine Engine
}

// New makes a Handler.
func New(o Options) (*Handler, error) {
	if o.Open == nil || o.Model == "" {
		return nil, errors.New("openai: Options.Model and Options.Open are required")
	}
	switch {
	case o.MaxQueue == 0:
		o.MaxQueue = 8
	case o.MaxQueue < 0:
		o.MaxQueue = 0
	}
	if o.MaxBody == 0 {
		o.MaxBody = 1 << 20
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = 2 * time.Second
	}
	tok, err := tokenizer.Default()
	if err != nil {
		return nil, err
	}
	return &Handler{o: o, queue: make(chan struct{}, 1+o.MaxQueue), running: make(chan struct{}, 1), tok: tok, created: time.Now().Unix()}, nil
}

// ServeHTTP answers the API's requests; every failure is an OpenAI error
// object.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := h.authorize(r); err != nil {
		w.Header().Set("WWW-Authenticate", "Bearer")
		err.write(w)
		return
	}
	var err *apiError
	switch p := strings.TrimSuffix(r.URL.Path, "/"); {
	case p == "/v1/models":
		err = onlyMethod(r, http.MethodGet)
		if err == nil {
			writeJSON(w, map[string]any{"object": "list", "data": []any{h.modelObject()}})
		}
	case strings.HasPrefix(p, "/v1/models/"):
		if err = onlyMethod(r, http.MethodGet); err == nil {
			if id := strings.TrimPrefix(p, "/v1/models/"); id != h.o.Model {
				err = h.unknownModel(id)
			} else {
				writeJSON(w, h.modelObject())
			}
		}
	case p == "/v1/chat/completions", p == "/v1/completions":
		if err = onlyMethod(r, http.MethodPost); err == nil {
			err = h.complete(w, r, p == "/v1/chat/completions")
		}
	default:
		err = &apiError{status: http.StatusNotFound, message: fmt.Sprintf("no endpoint %s %s; the API has GET /v1/models, POST /v1/chat/completions and POST /v1/completions", r.Method, r.URL.Path), kind: "invalid_request_error", code: "unknown_url"}
	}
	if err != nil {
		err.write(w)
	}
}

func (h *Handler) modelObject() map[string]any {
	return map[string]any{"id": h.o.Model, "object": "model", "created": h.created, "owned_by": "phi2web"}
}

func (h *Handler) unknownModel(id string) *apiError {
	return &apiError{status: http.StatusNotFound, message: fmt.Sprintf("model %q is not served here; use %q (GET /v1/models)", id, h.o.Model),
		kind: "invalid_request_error", param: "model", code: "model_not_found"}
}

// authorize checks the bearer token when a key is set.
func (h *Handler) authorize(r *http.Request) *apiError {
	if h.o.APIKey == "" {
		return nil
	}
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(h.o.APIKey)) == 1 {
		return nil
	}
	msg := "missing API key; send it as Authorization: Bearer <key> (the server's --api-key)"
	if auth != "" {
		msg = "incorrect API key; send the server's --api-key as Authorization: Bearer <key>"
	}
	return &apiError{status: http.StatusUnauthorized, message: msg, kind: "invalid_request_error", code: "invalid_api_key"}
}

func onlyMethod(r *http.Request, method string) *apiError {
	if r.Method == method {
		return nil
	}
	return &apiError{status: http.StatusMethodNotAllowed, message: fmt.Sprintf("%s takes %s, not %s", r.URL.Path, method, r.Method), kind: "invalid_request_error", code: "method_not_allowed"}
}

// readBody reads a JSON request body of at most MaxBody bytes. Requiring
// the JSON type keeps other sites' pages out: a browser sends it
// cross-origin only after a preflight, which is not answered.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, &apiError{status: http.StatusUnsupportedMediaType, message: "send the request body as JSON with Content-Type: application/json", kind: "invalid_request_error", code: "unsupported_media_type"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.o.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, message: fmt.Sprintf("the request body is over %d bytes; shorten the prompt or the conversation", h.o.MaxBody),
			kind: "invalid_request_error", code: "request_too_large"}
	case err != nil:
		return nil, &apiError{status: http.StatusBadRequest, message: "the request body could not be read: " + err.Error(), kind: "invalid_request_error", code: "invalid_body"}
	}
	return body, nil
}

// admit takes a place in the queue, or refuses with 503; the function it
// returns gives the place back.
func (h *Handler) admit(w http.ResponseWriter) (func(), *apiError) {
	select {
	case h.queue <- struct{}{}:
		return func() { <-h.queue }, nil
	default:
	}
	w.Header().Set("Retry-After", strconv.Itoa(int((h.o.RetryAfter+time.Second-1)/time.Second)))
	return nil, &apiError{status: http.StatusServiceUnavailable, kind: "server_error", code: "server_busy",
		message: fmt.Sprintf("the server is busy: one generation runs and %d wait; try again after Retry-After seconds", h.o.MaxQueue)}
}

// open is the engine, loaded at the first call.
func (h *Handler) open() (Engine, *apiError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.engine == nil {
		e, err := h.o.Open()
		if err != nil {
			return nil, &apiError{status: http.StatusInternalServerError, message: "the model could not be loaded: " + err.Error(), kind: "server_error", code: "model_load_failed"}
		}
		h.engine = e
	}
	return h.engine, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// Close waits for the generation in progress, if any, and closes the
// engine (with its Close method, where it has one). Requests that arrive
// after it find the engine closed: close the server first.
func (h *Handler) Close() {
	h.running <- struct{}{}
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.engine.(interface{ Close() }); ok {
		c.Close()
	}
	h.engine = nil
}
