package main

import (
	"flag"
	"io"
	"os"
)

// reportedEngine is the engine named in results: the host that runs this
// build (wazero or Chromium) names itself in PHI2_ENGINE.
func reportedEngine(name string) string {
	if host := os.Getenv("PHI2_ENGINE"); host != "" {
		return host
	}
	return name
}

// delegate runs nothing elsewhere: every engine of a wasm build is here.
func (e *engineFlags) delegate(*flag.FlagSet, string, []string, io.Writer) (bool, error) {
	return false, nil
}
