package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// engineFlags are the flags that choose where the model runs.
type engineFlags struct {
	model   string
	engine  string
	backend string
	context int
	kvCache string
	threads int
	quant   string
	profile bool // bench --profile
	// watch, when set, sees the load's progress reports too (bench: where
	// the weights came from).
	watch func(load.Progress)
	// browserPeak is the most memory the chromium engine's browser held
	// during a bench, in bytes; loadPeak what it had held when the guest
	// said its model was loaded (loadedMarker).
	browserPeak, loadPeak int64
}

func (e *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.model, "model", "", "model: a converted model directory, a Hugging Face directory or a .gguf file, as a path or an http(s) URL")
	fs.StringVar(&e.engine, "engine", "native", "where the engine runs: "+engineList())
	fs.StringVar(&e.backend, "backend", "", "what computes (default: the engine's first): "+backendList())
	fs.IntVar(&e.context, "context", 0, "KV cache size in tokens, at most the model's max_position_embeddings (0: that)")
	fs.StringVar(&e.kvCache, "kv-cache", "f16", "KV cache dtype: f16, f32 for the exact path at twice the memory, or q8 for half of f16's (cpu and simd backends)")
	registerQuiet(fs)
}

// registerQuant adds --quant, for commands whose other flags do not use
// the name.
func (e *engineFlags) registerQuant(fs *flag.FlagSet) {
	fs.StringVar(&e.quant, "quant", "", "quantize while loading: q4, q8, f16 or f32 (for unquantized models such as Hugging Face ones; default: as stored)")
}

// registerThreads adds --threads, for commands that have no such flag of
// their own.
func (e *engineFlags) registerThreads(fs *flag.FlagSet) {
	fs.IntVar(&e.threads, "threads", 0, "threads that compute (0: the number of CPUs)")
}

// checkSizes refuses a --context or --threads (the engine flag, or a
// command's own) outside the engine's limits, before anything is sized by
// them on any engine.
func (e *engineFlags) checkSizes(fs *flag.FlagSet) error {
	if e.context < 0 {
		return usageErr("--context %d: want a number of tokens, or 0 for the model's", e.context)
	}
	if err := weights.MaxContext.Check(int64(e.context)); err != nil {
		return usageErr("--context: %v", err)
	}
	if f := fs.Lookup("threads"); f != nil {
		n, err := strconv.Atoi(f.Value.String())
		if err == nil && n < 0 {
			return usageErr("--threads %d: want a number of threads, or 0 for one per CPU", n)
		}
		if err := weights.MaxThreads.Check(int64(n)); err != nil {
			return usageErr("--threads: %v", err)
		}
	}
	return nil
}

// open loads the model on the chosen backend, in this process (the other
// engines run the whole command elsewhere: delegate). A model URL goes
// through the platform's store (phi2web.OpenStore), so that it is fetched
// once and loads offline afterwards; PHI2_STORE=off reads it in place,
// PHI2_STORE_QUOTA (bytes) lowers the store's quota, for tests.
func (e *engineFlags) open() (*phi2web.Model, error) {
	if e.model == "" {
		return nil, usageErr("--model is required: give a model directory or a .gguf file")
	}
	if kv := strings.ToLower(e.kvCache); kv != "f32" && kv != "f16" && kv != "q8" {
		return nil, usageErr("--kv-cache %q: want f32, f16 or q8", e.kvCache)
	}
	backends, ok := engines[e.engine]
	if !ok {
		return nil, usageErr("unknown engine %q (available: %s)", e.engine, engineList())
	}
	if e.engine != "native" {
		return nil, usageErr("engine %q runs only logits, generate, perplexity and bench", e.engine)
	}
	if e.backend == "" {
		e.backend = backends[0]
	}
	if !slices.Contains(backends, e.backend) {
		return nil, usageErr("backend %q is not available on engine %q (available: %v)", e.backend, e.engine, backends)
	}
	ctx := context.Background()
	var m *phi2web.Model
	o := phi2web.Options{
		Backend: e.backend, Threads: e.threads, Quant: e.quant, Context: e.context, KVCache: e.kvCache,
		InPlace: os.Getenv("PHI2_STORE") == "off", Progress: progressReporter(e.watch),
		WebGPUFault: os.Getenv("PHI2_WEBGPU_FAULT"), Profile: e.profile,
		OnFallback: func(reason string) {
			fmt.Fprintf(os.Stderr, "phi2: %s; continuing on %s\n", reason, m.Backend())
		},
	}
	st, closeStore, err := e.store(ctx)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	o.Store = st
	m, err = phi2web.Open(ctx, e.model, o)
	if errors.Is(err, load.ErrQuant) {
		return nil, usageErr("--quant: %v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.model, err)
	}
	announce(m, e.backend)
	return m, nil
}

// store opens the platform's store with PHI2_STORE_QUOTA applied, and
// PHI2_STORE_DAMAGE's shard damaged (damageStored); nil (the facade opens
// it) when neither is set.
func (e *engineFlags) store(ctx context.Context) (store.Store, func(), error) {
	q, qerr := strconv.ParseInt(os.Getenv("PHI2_STORE_QUOTA"), 10, 64)
	damage := os.Getenv("PHI2_STORE_DAMAGE")
	if qerr != nil && damage == "" {
		return nil, func() {}, nil
	}
	st, closeStore, err := phi2web.OpenStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	if damage != "" {
		if err := damageStored(st, strings.TrimSuffix(e.model, "/")+"/", damage); err != nil {
			closeStore()
			return nil, nil, err
		}
	}
	if qerr == nil {
		st = store.LowerQuota(st, q)
	}
	return st, closeStore, nil
}

// engineList names the engines of this build.
func engineList() string {
	names := make([]string, 0, len(engines))
	for name := range engines {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// backendList names the backends of every engine.
func backendList() string {
	var parts []string
	for _, name := range strings.Split(engineList(), ", ") {
		parts = append(parts, fmt.Sprintf("%s on %s", strings.Join(engines[name], " or "), name))
	}
	return strings.Join(parts, "; ")
}

// exitStatus is the exit status of a command that ran elsewhere and has
// already reported its errors.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// isURL reports whether a --model value is an http(s) URL.
func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// announce says on stderr which GPU computes, or why the backend asked for
// by name does not (auto says so in the results only).
func announce(m *phi2web.Model, asked string) {
	switch {
	case m.Fallback() != "" && asked != "auto":
		fmt.Fprintf(os.Stderr, "phi2: computing on %s instead of %s: %s\n", m.Adapter(), "WebGPU", m.Fallback())
	case m.Backend() == "webgpu":
		fmt.Fprintf(os.Stderr, "phi2: computing on WebGPU: %s\n", m.Adapter())
	}
}
