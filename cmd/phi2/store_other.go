//go:build !js

package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/phi2web/phi2web/runtime/store"
)

// openModelStore opens the cache directory of downloaded models:
// $PHI2_CACHE, else phi2web/models in the user's cache directory.
func openModelStore(context.Context) (store.Store, func(), error) {
	dir, err := cacheDir()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Dir(dir)
	return st, func() {}, err
}

func cacheDir() (string, error) {
	if dir := os.Getenv("PHI2_CACHE"); dir != "" {
		return dir, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "phi2web", "models"), nil
}

// lockModel: one process at a time is assumed here.
func lockModel(context.Context, string) (func(), error) { return func() {}, nil }
