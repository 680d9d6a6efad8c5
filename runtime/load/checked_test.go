package load_test

import (
	"errors"
	"testing"

	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Checked marks a corrupt shard as a bad model, and leaves the
// callback's own errors alone.
func TestChecked(t *testing.T) {
	dir, _ := convertedDir(t, checkpointDir(t), tensor.Q4, 0)
	files := weights.MemSource{}
	m, err := modeldir.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append([]string{modeldir.ManifestFile}, m.Shards()[0].File) {
		f, err := weights.Dir(dir).Open(name)
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, f.Size())
		if _, err := f.ReadAt(data, 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
		files[name] = data
	}
	mine := errors.New("out of device memory")
	good, err := modeldir.Open(files)
	if err != nil {
		t.Fatal(err)
	}
	err = load.Checked(good).Each(func(string, tensor.DType, []int, []byte) error { return mine })
	if err != mine {
		t.Errorf("callback failing: %v, want its error as it is", err)
	}
	shard := files[m.Shards()[0].File]
	shard[len(shard)/2] ^= 1
	bad, err := modeldir.Open(files)
	if err != nil {
		t.Fatal(err)
	}
	err = load.Checked(bad).Each(func(string, tensor.DType, []int, []byte) error { return nil })
	if !errors.Is(err, load.ErrBadModel) {
		t.Errorf("corrupt shard: %v, want ErrBadModel", err)
	}
}
