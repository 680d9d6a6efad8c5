package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/fetch"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
	"github.com/phi2web/phi2web/wasm/idb"
)

// storeName is the IndexedDB database of downloaded models.
const storeName = "phi2web-models"

// openStored loads a converted model directory given by URL through the
// browser's model store: downloaded once (one download across tabs: Web
// Locks), verified, resumable, and loaded from IndexedDB later, offline
// too. Other models (Hugging Face URLs, anything the page cannot store) are
// left to the direct path. PHI2_STORE=off skips the store;
// PHI2_STORE_QUOTA (bytes) lowers the quota, for tests.
func openStored(model string, be backend.Backend, po phi2.Options) (*phi2.Model, bool, error) {
	if !isURL(model) || os.Getenv("PHI2_STORE") == "off" {
		return nil, false, nil
	}
	if _, err := weights.HTTP(model, nil).Open(modeldir.ManifestFile); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil // not a converted model directory
	}
	ctx := context.Background()
	db, err := idb.Open(ctx, storeName)
	if err != nil {
		return nil, true, err
	}
	defer db.Close()
	var st store.Store = db
	if q, err := strconv.ParseInt(os.Getenv("PHI2_STORE_QUOTA"), 10, 64); err == nil {
		st = quotaStore{Store: db, quota: q}
	}
	idb.Persist()
	o := fetch.Options{Store: st, Progress: progressReporter()}
	release, err := idb.Lock(ctx, "phi2web download "+model)
	if err != nil {
		return nil, true, err
	}
	_, err = fetch.Fetch(ctx, model, o) // the other tabs wait here, then find it stored
	release()
	if err != nil {
		return nil, true, err
	}
	var m *phi2.Model
	err = fetch.Load(ctx, model, o, func(src weights.Source) error {
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

// quotaStore is a store with a smaller quota.
type quotaStore struct {
	store.Store
	quota int64
}

func (q quotaStore) Estimate() (int64, int64, error) {
	usage, quota, err := q.Store.Estimate()
	if quota == 0 || q.quota < quota {
		quota = q.quota
	}
	return usage, quota, err
}

// progressReporter prints the download's phases and every tenth of it to
// stderr.
func progressReporter() func(fetch.Progress) {
	last := -1
	return func(p fetch.Progress) {
		tenth := 0
		if p.Total > 0 {
			tenth = int(10 * p.Done / p.Total)
		}
		if p.Phase == fetch.PhaseDownload && tenth == last {
			return
		}
		last = tenth
		src := "network"
		if p.FromCache {
			src = "stored"
		}
		fmt.Fprintf(os.Stderr, "phi2: %s %.1f/%.1f MB (%s, shard %d of %d, %.1f MB/s)\n", p.Phase,
			float64(p.Done)/1e6, float64(p.Total)/1e6, src, p.Shard+1, p.Shards, p.BytesPerSecond/1e6)
	}
}
