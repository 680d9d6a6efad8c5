package chromium

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// wasmExecJS returns the wasm_exec.js beside the program, else the one of
// the Go installation (`go env GOROOT`), which must match the Go that
// built the program.
func wasmExecJS(wasm string) ([]byte, error) {
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(wasm), "wasm_exec.js")); err == nil {
		return b, nil
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("chromium: no wasm_exec.js beside %s, and `go env GOROOT` failed: %v", wasm, err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	return b, nil
}
