package fetch_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

const (
	testShardSize = 64 << 10
	testChunk     = 16 << 10
)

// tinyModel converts the tiny synthetic model, with a vocabulary cut to
// 2048 so that it is ~340 KB, into 64 KiB shards, and returns the
// directory and its shards.
func tinyModel(t *testing.T, seed uint64) (string, []modeldir.ShardInfo) {
	t.Helper()
	o := synth.Tiny()
	o.Vocab, o.Seed = 2048, seed
	mem, err := synth.Memory(o)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(mem)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := convert.Run(ck, dir, convert.Options{Quant: tensor.Q4, ShardSize: testShardSize}); err != nil {
		t.Fatal(err)
	}
	m, err := modeldir.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Shards()) < 4 {
		t.Fatalf("the test model has %d shards, want several", len(m.Shards()))
	}
	return dir, m.Shards()
}

func totalSize(shards []modeldir.ShardInfo) int64 {
	var n int64
	for _, s := range shards {
		n += s.CompressedSize
	}
	return n
}

func rawSize(shards []modeldir.ShardInfo) int64 {
	var n int64
	for _, s := range shards {
		n += s.RawSize
	}
	return n
}

// tensors opens a model directory and returns a digest of every tensor;
// raw: src serves decoded shards (a fetch's Source), not files on disk.
func tensors(t *testing.T, src weights.Source, raw bool) (map[string]string, error) {
	t.Helper()
	m, err := modeldir.OpenWith(src, modeldir.Options{Raw: raw})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	err = m.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		out[name] = fmt.Sprintf("%v %v %x", dt, shape, sha256.Sum256(data))
		return nil
	})
	return out, err
}

// sameTensors checks that src holds the tensors of the directory dir.
func sameTensors(t *testing.T, src weights.Source, dir string) {
	t.Helper()
	want, err := tensors(t, weights.Dir(dir), false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tensors(t, src, true)
	if err != nil {
		t.Fatalf("loading the stored model: %v", err)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("the stored model's %d tensors differ from the directory's %d", len(got), len(want))
	}
}

func options(st store.Store, srv *server) fetch.Options {
	return fetch.Options{Store: st, Client: nethttp.New(srv.Client()), ChunkSize: testChunk, Backoff: time.Millisecond}
}

func mustFetch(t *testing.T, url string, o fetch.Options) *fetch.Result {
	t.Helper()
	res, err := fetch.Fetch(context.Background(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func modelInfo(t *testing.T, st store.Store, url string) store.ModelInfo {
	t.Helper()
	list, err := st.Models()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list, func(m store.ModelInfo) bool { return m.URL == url })
	if i < 0 {
		t.Fatalf("%s is not stored (models: %+v)", url, list)
	}
	return list[i]
}

func shardSize(t *testing.T, st store.Store, url, shard string) int64 {
	t.Helper()
	n, err := st.ShardSize(url, shard)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// recorder collects progress events.
type recorder struct{ events []fetch.Progress }

func (r *recorder) add(p fetch.Progress) { r.events = append(r.events, p) }

// checkMonotonic checks that Done never decreases and Total is total on
// every event after the manifest.
func (r *recorder) checkMonotonic(t *testing.T, total int64) {
	t.Helper()
	var done int64
	for i, ev := range r.events {
		if ev.Done < done {
			t.Fatalf("event %d (%s): Done went back from %d to %d", i, ev.Phase, done, ev.Done)
		}
		done = ev.Done
		if ev.Phase != fetch.PhaseManifest && ev.Total != total {
			t.Fatalf("event %d (%s): Total = %d, want %d", i, ev.Phase, ev.Total, total)
		}
	}
	if last := r.events[len(r.events)-1]; last.Phase != fetch.PhaseReady || last.Done != total {
		t.Fatalf("last event = %+v, want ready with Done = %d", last, total)
	}
}
