package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/fetch"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// openStored loads a model given by URL through this build's model store
// (IndexedDB in a page, a cache directory elsewhere), so that it is
// fetched once and loads offline afterwards: a converted model directory
// is downloaded (resumable, verified); a Hugging Face repository is read
// with Range requests and quantized here (--quant, default q4) into the
// same form. With several pages of a site, one does the work while the
// others wait (Web Locks), then loads what it stored. PHI2_STORE=off skips
// the store; PHI2_STORE_QUOTA (bytes) lowers the quota, for tests.
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
	key, err := fillStore(ctx, st, e)
	if err != nil {
		return nil, true, err
	}
	o := fetch.Options{Store: st, Progress: progressReporter()}
	var m *phi2.Model
	err = fetch.Load(ctx, key, o, func(src weights.Source) error {
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
	return m, true, err
}

// fillStore makes the model of e.model complete in st and returns its key.
func fillStore(ctx context.Context, st store.Store, e *engineFlags) (string, error) {
	if q, err := strconv.ParseInt(os.Getenv("PHI2_STORE_QUOTA"), 10, 64); err == nil {
		st = quotaStore{Store: st, quota: q}
	}
	url := strings.TrimSuffix(e.model, "/") + "/"
	if e.quant == "" {
		e.quant = "q4"
	}
	// A Hugging Face conversion is kept under a path no server has.
	key, hfKey := url, url+".phi2web-"+strings.ToLower(e.quant)+"/"
	_, err := weights.HTTP(url, nil).Open(modeldir.ManifestFile)
	hf := errors.Is(err, fs.ErrNotExist) || (err != nil && complete(st, hfKey))
	if hf {
		key = hfKey
	}
	release, err := lockModel(ctx, key)
	if err != nil {
		return "", err
	}
	defer release()
	_, err = fetch.Fetch(ctx, key, fetch.Options{Store: st, Progress: progressReporter()}) // other pages wait for the lock, then find it stored
	if err != nil && hf {
		err = convertInto(st, key, url, e.quant)
	}
	return key, err
}

// convertInto reads the Hugging Face checkpoint at url and stores its
// conversion to quant under key.
func convertInto(st store.Store, key, url, quant string) error {
	q, err := convert.ParseQuant(quant)
	if err != nil {
		return usageErr("--quant: %v", err)
	}
	src, err := load.Open(url)
	if err != nil {
		return err
	}
	defer src.Close()
	fmt.Fprintf(os.Stderr, "phi2: converting %s to %s (%.1f MB to read)\n", url, quant, float64(src.Bytes)/1e6)
	return convert.RunTo(src, store.Sink(st, key), convert.Options{Quant: q})
}

// complete reports whether the store holds a usable model under key.
func complete(st store.Store, key string) bool {
	models, _ := st.Models()
	for _, m := range models {
		if m.URL == key {
			return m.Complete
		}
	}
	return false
}
