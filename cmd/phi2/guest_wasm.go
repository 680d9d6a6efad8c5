package main

import (
	"flag"
	"io"
	"os"

	"github.com/phi2web/phi2web"
)

// engines: a wasm build's one engine computes in this process, on the
// backends of the build (a page's, or wasm/host's under wazero), or on
// the facade's choice among them (auto).
var engines = map[string][]string{"native": append([]string{"auto"}, phi2web.Backends...)}

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
