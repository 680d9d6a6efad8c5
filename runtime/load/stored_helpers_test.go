package load_test

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// tinyOptions is the tiny synthetic model with its vocabulary cut to 2048,
// so that it is small.
func tinyOptions() synth.Options {
	o := synth.Tiny()
	o.Vocab = 2048
	return o
}

// checkpointDir writes the tiny checkpoint as a Hugging Face directory.
func checkpointDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := synth.Write(dir, tinyOptions()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// convertedDir converts the checkpoint in dir to quant, in shards of
// shardSize raw bytes (0: the default), and returns the directory and the
// size of its shards.
func convertedDir(t *testing.T, dir string, quant tensor.DType, shardSize int64) (string, int64) {
	t.Helper()
	ck, err := weights.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	out := t.TempDir()
	if err := convert.Run(ck, out, convert.Options{Quant: quant, ShardSize: shardSize}); err != nil {
		t.Fatal(err)
	}
	m, err := modeldir.Open(weights.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, s := range m.Shards() {
		total += s.CompressedSize
	}
	return out, total
}

// storedSizes returns what the model directory dir takes in a store: its
// tensor bytes (what a load reads) and the room its download needs, the
// larger of each shard's compressed and decoded bytes.
func storedSizes(t *testing.T, dir string) (tensorBytes, room int64) {
	t.Helper()
	m, err := modeldir.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range m.Tensors() {
		tensorBytes += x.Length
	}
	for _, s := range m.Shards() {
		room += max(s.CompressedSize, s.RawSize)
	}
	return tensorBytes, room
}

// viaNetHTTP reaches the test servers, which a JavaScript host's fetch
// cannot under Node.
var viaNetHTTP = nethttp.New(nil)

// serve serves dir over HTTP (with Range) and counts the requests.
func serve(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv
}

// digests digests every tensor of m.
func digests(m weights.Loader) (map[string]string, error) {
	out := map[string]string{}
	err := m.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		out[name] = fmt.Sprintf("%v %v %x", dt, shape, sha256.Sum256(data))
		return nil
	})
	return out, err
}

// sameAs returns a use function checking that the stored model holds the
// tensors of the directory dir; it records the model's key in key.
func sameAs(t *testing.T, dir string, key *string) func(*load.Model) error {
	md, err := modeldir.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	want, err := digests(md)
	if err != nil {
		t.Fatal(err)
	}
	return func(m *load.Model) error {
		*key = m.Key
		got, err := digests(m)
		if err != nil {
			return err
		}
		if !maps.Equal(got, want) {
			t.Errorf("the stored model's %d tensors differ from the directory's %d", len(got), len(want))
		}
		return nil
	}
}

// recorder collects progress reports; safe for concurrent use.
type recorder struct {
	mu     sync.Mutex
	events []load.Progress
}

func (r *recorder) add(p load.Progress) {
	r.mu.Lock()
	r.events = append(r.events, p)
	r.mu.Unlock()
}

// phases lists the phases reported, each run of one phase once.
func (r *recorder) phases() []string {
	var out []string
	for _, ev := range r.events {
		if len(out) == 0 || out[len(out)-1] != ev.Phase {
			out = append(out, ev.Phase)
		}
	}
	return out
}

// checkPhase checks that the reports of phase never go back and end at
// their total, total when it is positive.
func (r *recorder) checkPhase(t *testing.T, phase string, total int64) {
	t.Helper()
	var last load.Progress
	seen := false
	for _, ev := range r.events {
		if ev.Phase != phase {
			continue
		}
		if seen && ev.Done < last.Done {
			t.Fatalf("%s: Done went back from %d to %d", phase, last.Done, ev.Done)
		}
		last, seen = ev, true
	}
	if !seen || last.Done != last.Total || last.Total <= 0 || (total > 0 && last.Total != total) {
		t.Fatalf("%s: last report %+v, want Done = Total = %d", phase, last, total)
	}
}

func stored(t *testing.T, st store.Store) []store.ModelInfo {
	t.Helper()
	list, err := st.Models()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func hasComplete(st store.Store) bool {
	list, _ := st.Models()
	return slices.ContainsFunc(list, func(m store.ModelInfo) bool { return m.Complete })
}
