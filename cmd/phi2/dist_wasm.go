//go:build wasm

package main

import (
	"errors"
	"io"
)

// runDist reads the host's files: it runs in the native build only.
func runDist([]string, io.Writer) error {
	return errors.New("dist runs in the native build of phi2 only (build/phi2 after make build)")
}
