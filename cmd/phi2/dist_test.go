//go:build !wasm

package main

import (
	"path/filepath"
	"testing"
)

// TestDistNPMFlags: the npm package holds the default model only, so
// --npm with --model is a wrong command line, refused before anything is
// written.
func TestDistNPMFlags(t *testing.T) {
	runHostile(t, []hostileInput{
		{"npm with a model", func(t *testing.T) []string {
			return []string{"dist", "--npm", "--out", filepath.Join(t.TempDir(), "pkg"), "--model", tinyDir}
		}, 2, "--model has no place in the npm package"},
		{"npm without out", func(*testing.T) []string { return []string{"dist", "--npm"} }, 2, "--out is required"},
	})
}
