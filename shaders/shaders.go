// Package shaders holds the WGSL compute kernels of the WebGPU backend, one
// kernel family per file. Source returns a file with the shared helpers of
// common.wgsl prepended and its "//!include name.wgsl" lines replaced by
// that file (WGSL has no imports); tuning knobs are WGSL override
// constants, set when a pipeline is made.
package shaders

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed *.wgsl
var files embed.FS

// Source is the WGSL of the named kernel file (e.g. "matmul_q.wgsl"),
// helpers included.
func Source(name string) (string, error) {
	common, err := files.ReadFile("common.wgsl")
	if err != nil {
		return "", err
	}
	body, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("shaders: no kernel file %q", name)
	}
	lines := strings.Split(string(body), "\n")
	for i, line := range lines {
		if inc, ok := strings.CutPrefix(line, "//!include "); ok {
			part, err := files.ReadFile(strings.TrimSpace(inc))
			if err != nil {
				return "", fmt.Errorf("shaders: %s includes a missing %q", name, inc)
			}
			lines[i] = string(part)
		}
	}
	return string(common) + "\n" + strings.Join(lines, "\n"), nil
}

// Names lists the kernel files (the included helpers excluded).
func Names() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, e := range entries {
		if e.Name() != "common.wgsl" && !strings.HasSuffix(e.Name(), "_common.wgsl") {
			out = append(out, e.Name())
		}
	}
	return out
}
