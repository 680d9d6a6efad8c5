package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Where a bench's weights came from (benchResult.LoadSource).
const (
	sourceNetwork = "network" // downloaded, or read in place over HTTP
	sourceStore   = "store"   // every shard found stored
	sourceFile    = "file"    // a local path read in place
)

// loadSource tells from a load's progress where its weights came from.
type loadSource struct {
	downloaded, stored bool
	busy               time.Duration // the load's time in uploads (Progress.Busy)
}

func (l *loadSource) watch(p load.Progress) {
	switch {
	case p.Phase == load.PhaseLoad:
		l.busy = max(l.busy, p.Busy)
	case p.Phase == load.PhaseDownload && p.FromCache:
		l.stored = true
	case p.Phase == load.PhaseDownload, p.Phase == load.PhaseConvert:
		l.downloaded = true
	}
}

// of names the source of model (a --model value) after its load.
func (l *loadSource) of(model string) string {
	switch {
	case !isURL(model):
		return sourceFile
	case l.downloaded || os.Getenv("PHI2_STORE") == "off":
		return sourceNetwork
	case l.stored:
		return sourceStore
	}
	return sourceNetwork
}

// storeReadRates reads every stored shard of the model at url once more,
// after its load, to give the load a yardstick measured in the same run:
// the store's plain read rate (into Go, 32 MiB at a time) and, where the
// store hashes natively (store.Hasher), its rate reading and hashing.
// Rates are in MB/s (10⁶ bytes); 0 when not measured.
func storeReadRates(ctx context.Context, url, quant string) (plain, hashed float64, err error) {
	st, closeStore, err := phi2web.OpenStore(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer closeStore()
	key, converted := load.Keys(url, quant)
	manifest, err := st.Manifest(key)
	if errors.Is(err, store.ErrNotFound) { // a Hugging Face checkpoint, stored converted
		key = converted
		manifest, err = st.Manifest(key)
	}
	if err != nil {
		return 0, 0, err
	}
	md, err := modeldir.Open(weights.MemSource{modeldir.ManifestFile: manifest})
	if err != nil {
		return 0, 0, err
	}
	var buf []byte
	var total int64
	start := time.Now()
	for _, s := range md.Shards() {
		buf = slices.Grow(buf[:0], int(s.RawSize))[:s.RawSize]
		if n, err := st.ReadShard(key, store.RawShard(s.File), 0, buf); int64(n) != s.RawSize {
			return 0, 0, fmt.Errorf("read %s: %d of %d bytes: %v", s.File, n, s.RawSize, err)
		}
		total += s.RawSize
	}
	plain = float64(total) / 1e6 / time.Since(start).Seconds()
	h, ok := st.(store.Hasher)
	if !ok {
		return plain, 0, nil
	}
	start = time.Now()
	for _, s := range md.Shards() {
		buf = buf[:s.RawSize]
		if _, err := h.ReadShardSHA256(key, store.RawShard(s.File), buf); err != nil {
			return 0, 0, err
		}
	}
	return plain, float64(total) / 1e6 / time.Since(start).Seconds(), nil
}
