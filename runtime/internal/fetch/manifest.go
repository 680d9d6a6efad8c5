package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"strings"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// fetcher holds one model's fetch: the options with defaults applied, the
// model's URL and, once known, its manifest.
type fetcher struct {
	ctx      context.Context
	o        Options
	base     *neturl.URL
	key      string // base as a string, the model's key in the store
	manifest []byte
	shards   []modeldir.ShardInfo
	prog     *progress
	buf      []byte // one chunk, allocated on first use
	// comp and raw hold a shard being decoded, allocated on first use.
	// comp holds the first heldSize compressed bytes of the shard file
	// held, as the download stored them ("": none).
	comp, raw []byte
	held      string
	heldSize  int64
	// pending is the shard being checked and stored in the background,
	// spare the buffer it gave back (background.go); mismatched lists the
	// shards it found wrong, refetch those to download with the second
	// attempt's query, and inOrder turns the background off.
	pending    *finisher
	spare      []byte
	mismatched []int
	refetch    map[int]bool
	inOrder    bool
	// states is what the store held of each shard when the download began
	// (listShards), asked the names already answered from it.
	states map[string]store.ShardState
	asked  map[string]bool
	// incomplete: this fetch has taken the model's complete mark away.
	incomplete bool
}

func newFetcher(ctx context.Context, url string, o Options) (*fetcher, error) {
	if o.Store == nil {
		return nil, errors.New("fetch: Options.Store is nil")
	}
	base, err := neturl.Parse(url)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("fetch: model URL %q: want an http:// or https:// URL of a directory", url)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base = base.JoinPath("/")
	}
	o.Client = httpget.Or(o.Client)
	if o.ChunkSize <= 0 {
		o.ChunkSize = 4 << 20
	}
	if o.Retries == 0 {
		o.Retries = 2
	}
	if o.Resumes == 0 {
		o.Resumes = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &fetcher{ctx: ctx, o: o, base: base, key: base.String(), prog: newProgress(o.Progress, o.Now)}, nil
}

// fileURL is the URL of a file of the model directory.
func (f *fetcher) fileURL(name string) string { return f.base.JoinPath(name).String() }

// getManifest fetches and validates the served manifest.
func (f *fetcher) getManifest() ([]byte, error) {
	url := f.fileURL(modeldir.ManifestFile)
	resp, err := f.o.Client.Do(f.ctx, &httpget.Request{Method: "GET", URL: url})
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: the server answered %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, modeldir.MaxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(data) > modeldir.MaxManifestSize {
		return nil, fmt.Errorf("GET %s: more than %d bytes; not a model manifest", url, modeldir.MaxManifestSize)
	}
	if err := f.useManifest(data); err != nil {
		return nil, fmt.Errorf("%s: %v", f.key, err)
	}
	return data, nil
}

// useManifest makes data the manifest of the fetch.
func (f *fetcher) useManifest(data []byte) error {
	shards, err := parseShards(data)
	if err != nil {
		return err
	}
	f.manifest, f.shards = data, shards
	f.prog.setTotal(shards)
	return nil
}

// parseShards validates a manifest with modeldir's checks and lists its
// shards.
func parseShards(data []byte) ([]modeldir.ShardInfo, error) {
	m, err := modeldir.Open(weights.MemSource{modeldir.ManifestFile: data})
	if err != nil {
		return nil, err
	}
	return m.Shards(), nil
}
