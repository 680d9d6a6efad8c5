//go:build !wasm

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// The default model of `phi2 serve`: the spec's deterministic tiny
// checkpoint (synth.Tiny, seed 1) converted to Q4, the quantization a page
// loads Phi-2 with, so the demo runs the same kernels at a size (7 MB)
// that downloads at once.
const (
	defaultModelQuant       = tensor.Q4
	defaultModelDescription = "tiny deterministic test model (random weights, seed 1, Q4): it shows the page works, not what Phi-2 writes"
)

// defaultModelRecipe names the default model's directory in the cache:
// what went into it, so a change of recipe or format makes a new one.
func defaultModelRecipe() string {
	o := synth.Tiny()
	return fmt.Sprintf("serve-tiny-seed%d-%s-v%d", o.Seed, strings.ToLower(defaultModelQuant.String()), modeldir.FormatVersion)
}

// defaultModelDir returns the default model's directory, making it the
// first time: synthesized and converted beside it, then renamed into
// place, so a directory there is always complete.
func defaultModelDir() (string, error) {
	root, err := cacheDir()
	if err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	dir := filepath.Join(root, defaultModelRecipe())
	if fileExists(filepath.Join(dir, modeldir.ManifestFile)) {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	work, err := os.MkdirTemp(root, defaultModelRecipe()+".tmp-")
	if err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	defer os.RemoveAll(work)
	if err := makeDefaultModel(work); err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	if err := os.Rename(filepath.Join(work, "model"), dir); err != nil && !fileExists(filepath.Join(dir, modeldir.ManifestFile)) {
		return "", fmt.Errorf("default model: %w", err) // not made by another process meanwhile
	}
	return dir, nil
}

// makeDefaultModel writes the checkpoint into work/hf and its conversion
// into work/model.
func makeDefaultModel(work string) error {
	hf := filepath.Join(work, "hf")
	if err := synth.Write(hf, synth.Tiny()); err != nil {
		return err
	}
	src, err := load.Open(hf)
	if err != nil {
		return err
	}
	defer src.Close()
	return convert.Run(src, filepath.Join(work, "model"), convert.Options{Quant: defaultModelQuant})
}
