package weights

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

const (
	shard1 = "model-00001-of-00002.safetensors"
	shard2 = "model-00002-of-00002.safetensors"
)

// shardedSource splits the tiny checkpoint: layer 1 and the head go to the
// second shard, the rest to the first. edit may change the weight map and
// the shard contents before they are written.
func shardedSource(t *testing.T, edit func(weightMap map[string]any, shards map[string][]NamedTensor)) MemSource {
	cfg := mustJSON(t, tinyConfig())
	weightMap := map[string]any{}
	shards := map[string][]NamedTensor{}
	for _, nt := range tensorsFor(t, cfg, tensor.BF16) {
		shard := shard1
		if strings.HasPrefix(nt.Name, "model.layers.1.") || strings.HasPrefix(nt.Name, "lm_head.") {
			shard = shard2
		}
		weightMap[nt.Name] = shard
		shards[shard] = append(shards[shard], nt)
	}
	if edit != nil {
		edit(weightMap, shards)
	}
	src := MemSource{ConfigFile: cfg}
	src[IndexFile] = mustJSON(t, map[string]any{"metadata": map[string]any{"total_size": 1}, "weight_map": weightMap})
	for name, ts := range shards {
		src[name] = safetensorsBytes(t, ts)
	}
	return src
}

func named(name string) func(NamedTensor) bool {
	return func(nt NamedTensor) bool { return nt.Name == name }
}

func TestOpenSharded(t *testing.T) {
	ck, err := Open(shardedSource(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	for j, s := range ck.Config().Expected() {
		info, _ := ck.Info(s.Name)
		want := shard1
		if strings.HasPrefix(s.Name, "model.layers.1.") || strings.HasPrefix(s.Name, "lm_head.") {
			want = shard2
		}
		if info.File != want {
			t.Errorf("%s in %s, want %s", s.Name, info.File, want)
		}
		vals, err := ck.ReadF32(s.Name)
		if err != nil {
			t.Fatal(err)
		}
		if vals[len(vals)-1] != testValue(j, len(vals)-1) {
			t.Errorf("%s: last value %v, want %v", s.Name, vals[len(vals)-1], testValue(j, len(vals)-1))
		}
	}
}

func TestOpenShardedErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(map[string]any, map[string][]NamedTensor)
		want []string
	}{
		{"missing shard", func(_ map[string]any, shards map[string][]NamedTensor) {
			delete(shards, shard2)
		}, []string{"model.safetensors.index.json: shard " + shard2, "not exist"}},
		{"tensor not in its shard", func(_ map[string]any, shards map[string][]NamedTensor) {
			shards[shard2] = slices.DeleteFunc(shards[shard2], named("lm_head.bias"))
		}, []string{"model.safetensors.index.json: tensor lm_head.bias is listed for shard " + shard2 + ", which does not hold it"}},
		{"tensor not in index", func(wm map[string]any, _ map[string][]NamedTensor) {
			delete(wm, "lm_head.weight")
		}, []string{shard2 + ": tensor lm_head.weight is not listed in model.safetensors.index.json"}},
		{"tensor in two shards", func(_ map[string]any, shards map[string][]NamedTensor) {
			i := slices.IndexFunc(shards[shard2], named("lm_head.bias"))
			shards[shard1] = append(shards[shard1], shards[shard2][i])
		}, []string{shard1 + ": tensor lm_head.bias is also stored here", "places it in " + shard2}},
		{"path separator", func(wm map[string]any, _ map[string][]NamedTensor) {
			wm["lm_head.bias"] = "sub/" + shard2
		}, []string{"weight_map: tensor lm_head.bias", "shard file name sub/" + shard2}},
		{"parent directory", func(wm map[string]any, _ map[string][]NamedTensor) {
			wm["lm_head.bias"] = ".."
		}, []string{"shard file name ..:"}},
		{"backslash", func(wm map[string]any, _ map[string][]NamedTensor) {
			wm["lm_head.bias"] = `..\x`
		}, []string{`shard file name ..\x:`}},
		{"not a string", func(wm map[string]any, _ map[string][]NamedTensor) {
			wm["lm_head.bias"] = 2
		}, []string{"weight_map: tensor lm_head.bias maps to 2"}},
		{"wrong shape in shard", func(_ map[string]any, shards map[string][]NamedTensor) {
			shards[shard2][slices.IndexFunc(shards[shard2], named("lm_head.bias"))].Shape = []int{20, 2}
		}, []string{shard2 + ": tensor lm_head.bias: shape [20 2], config wants [40]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(shardedSource(t, tc.edit))
			wantErr(t, err, tc.want...)
			if tc.name == "missing shard" && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("missing shard: errors.Is(err, fs.ErrNotExist) is false")
			}
		})
	}

	src := shardedSource(t, nil)
	for _, tc := range []struct{ index, want string }{
		{`{"weight_map": {"a": "x.safetensors"}`, "model.safetensors.index.json: invalid JSON"},
		{`{"metadata": {}}`, "model.safetensors.index.json: missing weight_map"},
		{`{"weight_map": {"a": "x", "a": "y"}}`, "model.safetensors.index.json: duplicate key a"},
	} {
		src[IndexFile] = []byte(tc.index)
		_, err := Open(src)
		wantErr(t, err, tc.want)
	}
}
