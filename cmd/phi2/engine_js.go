package main

import (
	"flag"
	"io"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
)

// engines lists the backends of this build's one engine.
var engines = map[string][]string{
	"native": {"cpu"},
}

// newBackend makes a backend in this process.
func newBackend(_, _ string, threads int) (backend.Backend, error) {
	if threads > 0 {
		return cpu.New(cpu.WithWorkers(threads)), nil
	}
	return cpu.New(), nil
}

// reportedEngine is the engine named in results.
func reportedEngine(name string) string { return name }

// delegate runs nothing elsewhere: every engine of this build is here.
func (e *engineFlags) delegate(*flag.FlagSet, string, []string, io.Writer) (bool, error) {
	return false, nil
}
