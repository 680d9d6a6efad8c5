package main

import (
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/tensor"
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
}

func (e *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.model, "model", "", "model: a converted model directory, a Hugging Face directory or a .gguf file, as a path or an http(s) URL")
	fs.StringVar(&e.engine, "engine", "native", "where the engine runs: "+engineList())
	fs.StringVar(&e.backend, "backend", "", "what computes (default: the engine's first): "+backendList())
	fs.IntVar(&e.context, "context", 0, "KV cache size in tokens (0: the model's max_position_embeddings)")
	fs.StringVar(&e.kvCache, "kv-cache", "f32", "KV cache dtype: f32, or f16 for half the memory")
}

// cacheType is the dtype --kv-cache names.
func (e *engineFlags) cacheType() (tensor.DType, error) {
	switch strings.ToLower(e.kvCache) {
	case "f32":
		return tensor.F32, nil
	case "f16":
		return tensor.F16, nil
	}
	return 0, usageErr("--kv-cache %q: want f32 or f16", e.kvCache)
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

// fallback is why the backend asked for is not the one computing, when
// another took over (a browser without usable WebGPU, a lost device).
var fallback string

// loadOptions are how this build opens models; the wasip1 build sets a
// codec the host runs natively.
var loadOptions load.Options

// open loads the model on the chosen engine and backend, in this process.
func (e *engineFlags) open() (*phi2.Model, error) {
	if e.model == "" {
		return nil, usageErr("--model is required: give a model directory or a .gguf file")
	}
	kv, err := e.cacheType()
	if err != nil {
		return nil, err
	}
	backends, ok := engines[e.engine]
	if !ok {
		return nil, usageErr("unknown engine %q (available: %s)", e.engine, engineList())
	}
	if e.backend == "" {
		e.backend = backends[0]
	}
	if !contains(backends, e.backend) {
		return nil, usageErr("backend %q is not available on engine %q (available: %v)", e.backend, e.engine, backends)
	}
	be, err := newBackend(e.engine, e.backend, e.threads)
	if err != nil {
		return nil, err
	}
	po := phi2.Options{MaxContext: e.context, KVCache: kv}
	if m, ok, err := openStored(e, be, po); ok {
		if err != nil {
			be.Close()
			return nil, fmt.Errorf("%s: %w", e.model, err)
		}
		return m, nil
	}
	src, err := load.OpenWith(e.model, loadOptions)
	if err != nil {
		be.Close()
		return nil, fmt.Errorf("%s: %w", e.model, err)
	}
	defer src.Close()
	var loader weights.Loader = src
	if e.quant != "" {
		q, err := convert.ParseQuant(e.quant)
		if err == nil {
			loader, err = convert.Quantized(src, convert.Options{Quant: q})
		}
		if err != nil {
			be.Close()
			return nil, usageErr("--quant: %v", err)
		}
	}
	m, err := phi2.Load(loader, be, po)
	if err != nil {
		be.Close()
		return nil, fmt.Errorf("%s: %w", e.model, err)
	}
	return m, nil
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

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// isURL reports whether a --model value is an http(s) URL.
func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
