package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/remote"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// openStored loads a model given by URL through this build's model store
// (IndexedDB in a page, a cache directory elsewhere), so that it is
// fetched once and loads offline afterwards (runtime/remote): a converted
// model directory is downloaded (resumable, verified); a Hugging Face
// repository is read with Range requests and quantized here (--quant,
// default q4) into the same form. With several pages of a site, one does
// the work while the others wait (Web Locks), then loads what it stored.
// PHI2_STORE=off skips the store; PHI2_STORE_QUOTA (bytes) lowers the
// quota, for tests.
func openStored(e *engineFlags, be backend.Backend, po phi2.Options) (*phi2.Model, bool, error) {
	if !isURL(e.model) || os.Getenv("PHI2_STORE") == "off" || strings.HasSuffix(strings.ToLower(e.model), ".gguf") {
		return nil, false, nil // a .gguf file is read in place, by Range requests
	}
	ctx := context.Background()
	st, closeStore, err := openModelStore(ctx)
	if err != nil {
		return nil, true, err
	}
	defer closeStore()
	var m *phi2.Model
	_, err = remote.Open(ctx, e.model, remoteOptions(st, e), func(src weights.Source) error {
		if m != nil {
			m.Close()
			m = nil
		}
		md, err := modeldir.Open(src)
		if err != nil {
			return err
		}
		m, err = phi2.Load(md, be, po)
		return err
	})
	return m, true, quantUsage(err)
}

// fillStore makes the model of e.model complete in st and returns its key.
func fillStore(ctx context.Context, st store.Store, e *engineFlags) (string, error) {
	key, err := remote.Fill(ctx, e.model, remoteOptions(st, e))
	return key, quantUsage(err)
}

func remoteOptions(st store.Store, e *engineFlags) remote.Options {
	if q, err := strconv.ParseInt(os.Getenv("PHI2_STORE_QUOTA"), 10, 64); err == nil {
		st = remote.LowerQuota(st, q)
	}
	return remote.Options{Store: st, Quant: e.quant, Lock: lockModel, Progress: progressReporter()}
}

// quantUsage makes a bad --quant a usage error.
func quantUsage(err error) error {
	if errors.Is(err, remote.ErrQuant) {
		return usageErr("--quant: %v", err)
	}
	return err
}
