package load_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// A stored model, loaded with progress reports, still hands out a tensor
// that spans shards in parts (weights.PartLoader through the load's
// wrappers), and the parts join into the directory's tensor.
func TestStoredLoadInParts(t *testing.T) {
	dir, _ := convertedDir(t, checkpointDir(t), tensor.Q4, 64<<10)
	md, err := modeldir.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	if err := md.Each(func(name string, _ tensor.DType, _ []int, data []byte) error {
		want[name] = bytes.Clone(data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, dir)
	var rec recorder
	o := load.Options{Client: viaNetHTTP, Store: store.Mem(), Progress: rec.add}
	for _, round := range []string{"download", "stored"} {
		got, parts := map[string][]byte{}, 0
		err := load.Open(context.Background(), srv.URL, o, func(m *load.Model) error {
			pl, ok := m.Loader.(weights.PartLoader)
			if !ok {
				t.Fatalf("%s: the loader, a %T, hands out no parts", round, m.Loader)
			}
			all := func(string, tensor.DType, []int) bool { return false }
			return pl.EachPart(all, func(name string, _ tensor.DType, _ []int, off int64, data []byte) error {
				if off > 0 {
					parts++
				}
				got[name] = append(got[name], data...)
				return nil
			})
		})
		if err != nil {
			t.Fatalf("%s: %v", round, err)
		}
		if parts == 0 {
			t.Errorf("%s: no tensor came in parts", round)
		}
		for name, data := range want {
			if !bytes.Equal(got[name], data) {
				t.Errorf("%s: tensor %s: %d bytes differ from the directory's %d", round, name, len(got[name]), len(data))
			}
		}
	}
}
