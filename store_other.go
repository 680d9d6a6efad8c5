//go:build !js

package phi2web

import (
	"context"
	"os"
	"path/filepath"

	"github.com/phi2web/phi2web/runtime/store"
)

// OpenStore opens the platform's model store, the directory CacheDir.
func OpenStore(context.Context) (store.Store, func(), error) {
	dir, err := CacheDir()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Dir(dir)
	return st, func() {}, err
}

// CacheDir is where models are kept: $PHI2_CACHE, else phi2web/models in
// the user's cache directory.
func CacheDir() (string, error) {
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
var lockModel func(context.Context, string) (func(), error)
