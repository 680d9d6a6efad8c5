package main

import (
	"flag"
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/phi2"
)

// engineFlags are the flags that choose where the model runs.
type engineFlags struct {
	model   string
	engine  string
	backend string
	context int
}

func (e *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.model, "model", "", "model: a converted model directory, a Hugging Face directory or a .gguf file")
	fs.StringVar(&e.engine, "engine", "native", "where the engine runs: native")
	fs.StringVar(&e.backend, "backend", "cpu", "what computes: cpu")
	fs.IntVar(&e.context, "context", 0, "KV cache size in tokens (0: the model's max_position_embeddings)")
}

// engines lists, per engine, the backends it offers.
var engines = map[string][]string{
	"native": {"cpu"},
}

// open loads the model on the chosen engine and backend.
func (e *engineFlags) open() (*phi2.Model, error) {
	if e.model == "" {
		return nil, usageErr("--model is required: give a model directory or a .gguf file")
	}
	backends, ok := engines[e.engine]
	if !ok {
		return nil, usageErr("unknown engine %q (available: native)", e.engine)
	}
	var be backend.Backend
	switch {
	case e.backend == "cpu" && contains(backends, "cpu"):
		be = cpu.New()
	default:
		return nil, usageErr("backend %q is not available on engine %q (available: %v)", e.backend, e.engine, backends)
	}
	src, err := load.Open(e.model)
	if err != nil {
		be.Close()
		return nil, fmt.Errorf("%s: %w", e.model, err)
	}
	defer src.Close()
	m, err := phi2.Load(src, be, phi2.Options{MaxContext: e.context})
	if err != nil {
		be.Close()
		return nil, fmt.Errorf("%s: %w", e.model, err)
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
