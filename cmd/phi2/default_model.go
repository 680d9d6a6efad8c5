//go:build !wasm

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/web"
)

// defaultModelDescription is what the demo page says of the default model.
const defaultModelDescription = web.DefaultModelDescription

// defaultModelDir returns a directory holding the embedded default model,
// writing it into the cache the first time: beside its place, then renamed
// into it, so a directory there is always complete. Its name carries the
// manifest's hash, so a new model gets a new directory.
func defaultModelDir() (string, error) {
	model := web.DefaultModel()
	manifest, err := fs.ReadFile(model, modeldir.ManifestFile)
	if err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	root, err := phi2web.CacheDir()
	if err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	sum := sha256.Sum256(manifest)
	name := web.DefaultModelName + "-" + hex.EncodeToString(sum[:6])
	dir := filepath.Join(root, name)
	if fileExists(filepath.Join(dir, modeldir.ManifestFile)) {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	work, err := os.MkdirTemp(root, name+".tmp-")
	if err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	defer os.RemoveAll(work)
	if err := os.CopyFS(filepath.Join(work, "model"), model); err != nil {
		return "", fmt.Errorf("default model: %w", err)
	}
	if err := os.Rename(filepath.Join(work, "model"), dir); err != nil && !fileExists(filepath.Join(dir, modeldir.ManifestFile)) {
		return "", fmt.Errorf("default model: %w", err) // not made by another process meanwhile
	}
	return dir, nil
}

// useDefaultModel points a command without --model at the default model
// and returns args with it, for the engines that run the command elsewhere.
func (e *engineFlags) useDefaultModel(args []string) ([]string, error) {
	if e.model != "" {
		return args, nil
	}
	dir, err := defaultModelDir()
	if err != nil {
		return nil, err
	}
	e.model = dir
	return append(args[:len(args):len(args)], "--model="+dir), nil
}
