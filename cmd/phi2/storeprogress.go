package main

import (
	"fmt"
	"os"

	"github.com/phi2web/phi2web/runtime/fetch"
	"github.com/phi2web/phi2web/runtime/store"
)

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
