//go:build wasm

package main

import (
	"errors"
	"io"
)

// runServe needs a network listener and the host's files: it runs in the
// native build only.
func runServe([]string, io.Writer) error {
	return errors.New("serve runs in the native build of phi2 only (build/phi2 after make build)")
}
