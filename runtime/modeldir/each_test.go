package modeldir

import (
	"bytes"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// EachPart hands a tensor spanning shards out a part per shard, in order
// and covering it once, where whole says so, and every other tensor whole;
// the parts join into what Each gives.
func TestEachPart(t *testing.T) {
	dir := writeDir(t, testTensors(t, 3), WriterOptions{ShardSize: corruptShardSize})
	want, order, err := collect(mustOpen(t, readDir(t, dir), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	matrices := func(_ string, _ tensor.DType, shape []int) bool { return len(shape) != 2 }
	for _, c := range []struct {
		name string
		m    *Model
	}{
		{"compressed", mustOpen(t, readDir(t, dir), Options{})},
		{"decoded", mustOpen(t, rawSource(t, dir), Options{Raw: true, Readers: 2})},
	} {
		var pl weights.PartLoader = c.m
		got := map[string][]byte{}
		var seen []string
		parted := 0
		err := pl.EachPart(matrices, func(name string, dt tensor.DType, shape []int, off int64, data []byte) error {
			if off == 0 {
				seen = append(seen, name)
			} else {
				parted++
			}
			switch {
			case seen[len(seen)-1] != name:
				t.Errorf("%s: a part of %s at %d inside %s", c.name, name, off, seen[len(seen)-1])
			case off != int64(len(got[name])):
				t.Errorf("%s: %s: a part at %d after %d bytes", c.name, name, off, len(got[name]))
			case off > 0 && len(shape) != 2:
				t.Errorf("%s: vector %s in parts", c.name, name)
			}
			got[name] = append(got[name], data...)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if parted == 0 {
			t.Errorf("%s: no tensor came in parts", c.name)
		}
		if len(seen) != len(order) {
			t.Errorf("%s: %d tensors, want %d", c.name, len(seen), len(order))
		}
		for i, name := range order {
			if i < len(seen) && seen[i] != name || !bytes.Equal(got[name], want[name]) {
				t.Errorf("%s: tensor %d %s: %d bytes, want %s's %d as Each gives them", c.name, i, name, len(got[name]), order[i], len(want[name]))
			}
		}
	}
}
