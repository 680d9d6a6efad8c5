//go:build !wasm

package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/phi2web/phi2web/web"
	"github.com/phi2web/phi2web/web/openai"
)

// apiOptions configure the OpenAI-compatible API of serve: the backend
// flags of generate, the key and the queue.
type apiOptions struct {
	engine   engineFlags
	key      string
	queue    int
	onFinish func(openai.Finished) // tests: told of every generation
}

func (a *apiOptions) registerServe(fs *flag.FlagSet) {
	fs.StringVar(&a.engine.backend, "backend", "auto", "what computes the API's generations, in this process: auto, cpu or webgpu")
	fs.IntVar(&a.engine.threads, "threads", 0, "threads that compute (0: the number of CPUs)")
	fs.IntVar(&a.engine.context, "context", 0, "KV cache size in tokens, at most the model's max_position_embeddings (0: that)")
	fs.StringVar(&a.engine.kvCache, "kv-cache", "f16", "KV cache dtype: f16, f32 for the exact path at twice the memory, or q8 for half of f16's (cpu and simd backends)")
	fs.StringVar(&a.engine.quant, "quant", "", "quantize while loading: q4, q8, f16 or f32 (default: as stored)")
	fs.StringVar(&a.key, "api-key", "", "require this key as 'Authorization: Bearer KEY' on /v1/ (default: $PHI2_API_KEY; none: open)")
	fs.IntVar(&a.queue, "queue", 8, "API requests that may wait behind the one generating; more are refused with 503")
	registerQuiet(fs)
}

// check refuses flag values out of range before anything starts.
func (a *apiOptions) check(fs *flag.FlagSet) error {
	if a.queue < 0 {
		return usageErr("--queue %d: want a number of requests ≥ 0", a.queue)
	}
	if a.key == "" {
		a.key = os.Getenv("PHI2_API_KEY") // read here, so that -h does not print it
	}
	e := &a.engine
	e.engine = "native"
	if !slices.Contains(engines["native"], e.backend) {
		return usageErr("--backend %q: want one of %s (the API runs in this process)", e.backend, strings.Join(engines["native"], ", "))
	}
	if kv := strings.ToLower(e.kvCache); kv != "f32" && kv != "f16" && kv != "q8" {
		return usageErr("--kv-cache %q: want f32, f16 or q8", e.kvCache)
	}
	if q := strings.ToLower(e.quant); q != "" && !slices.Contains([]string{"q4", "q8", "f16", "f32"}, q) {
		return usageErr("--quant %q: want q4, q8, f16 or f32", e.quant)
	}
	return e.checkSizes(fs)
}

// newAPI makes the API handler over model (the default model's directory
// def when empty), loaded at its first request; it names the model id.
func newAPI(o serveOptions, def string, stdout io.Writer) (*openai.Handler, string, error) {
	ef := o.api.engine
	ef.engine, ef.model = "native", o.model
	id := filepath.Base(filepath.Clean(o.model))
	if o.model == "" {
		ef.model, id = def, web.DefaultModelName
	}
	if ef.kvCache == "" {
		ef.kvCache = "f16"
	}
	queue := o.api.queue
	if queue == 0 {
		queue = -1 // none: the handler's 0 is its default
	}
	var mu sync.Mutex // OnFinish runs on request goroutines
	h, err := openai.New(openai.Options{
		Model:    id,
		APIKey:   o.api.key,
		MaxQueue: queue,
		Open: func() (openai.Engine, error) {
			m, err := ef.open()
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(stdout, "phi2: API model %s loaded on %s\n", id, m.Backend())
			return m, nil
		},
		OnFinish: func(f openai.Finished) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stdout, "phi2: %s: %d prompt tokens, %d generated (%s)\n", f.Endpoint, f.PromptTokens, f.Tokens, f.StopReason)
			if o.api.onFinish != nil {
				o.api.onFinish(f)
			}
		},
	})
	return h, id, err
}

// warnOpen says when the API is reachable beyond this machine without a
// key.
func warnOpen(w io.Writer, addr net.Addr, key string) {
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() && key == "" {
		fmt.Fprintf(w, "phi2: the API at %s is open to the network without a key: give --api-key to require one\n", addr)
	}
}
