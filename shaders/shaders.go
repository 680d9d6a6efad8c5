// Package shaders holds the WGSL compute kernels of the WebGPU backend, one
// kernel family per file. Source returns a file with the shared helpers of
// common.wgsl prepended; tuning knobs are WGSL override constants, set when
// a pipeline is made.
package shaders

import (
	"embed"
	"fmt"
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
	return string(common) + "\n" + string(body), nil
}

// Names lists the kernel files (common.wgsl excluded).
func Names() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, e := range entries {
		if e.Name() != "common.wgsl" {
			out = append(out, e.Name())
		}
	}
	return out
}
