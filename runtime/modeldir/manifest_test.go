package modeldir

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/weights"
)

// TestBadManifests edits a valid manifest in one way at a time and checks
// that Open rejects it with a one-line message saying what is wrong.
func TestBadManifests(t *testing.T) {
	dir := writeDir(t, testTensors(t, 3), WriterOptions{ShardSize: 2048})
	fc1 := "model.layers.0.mlp.fc1.weight"
	index := func(m *manifestJSON, name string) int {
		for i, tj := range m.Tensors {
			if tj.Name == name {
				return i
			}
		}
		t.Fatalf("no tensor %s", name)
		return -1
	}
	for _, c := range []struct {
		name string
		edit func(m *manifestJSON)
		want string
	}{
		{"version 2", func(m *manifestJSON) { m.Version = 2 },
			"manifest.json: format version 2 is not supported by this build (supports 1): convert the model again or update"},
		{"other format", func(m *manifestJSON) { m.Format = "gguf" }, `not a phi2web-model manifest (format is "gguf")`},
		{"shape disagrees with config", func(m *manifestJSON) { m.Tensors[index(m, fc1)].Shape = []int{32, 64} },
			"tensor " + fc1 + ": shape [32, 64] but the config expects [64, 32]"},
		{"overlapping offsets", func(m *manifestJSON) {
			i := index(m, fc1)
			m.Tensors[i].Shard, m.Tensors[i].Offset = m.Tensors[i-1].Shard, m.Tensors[i-1].Offset
		}, "tensor " + fc1 + ": starts at stream byte"},
		{"unaligned offset", func(m *manifestJSON) { m.Tensors[index(m, fc1)].Offset += 8 },
			"tensor " + fc1 + ": offset 8 is not a multiple of 256"},
		{"gap", func(m *manifestJSON) { m.Tensors[index(m, fc1)].Offset += 256 }, "want"},
		{"length", func(m *manifestJSON) { m.Tensors[index(m, fc1)].Length-- }, "tensor " + fc1 + ": length"},
		{"vector not F32", func(m *manifestJSON) { m.Tensors[1].DType = "F16" }, "vectors are stored as F32"},
		{"BF16 stored", func(m *manifestJSON) { m.Tensors[0].DType = "BF16" }, `dtype "BF16": want F32, F16, Q8 or Q4`},
		{"unknown tensor", func(m *manifestJSON) { m.Tensors[0].Name = "extra" }, `"extra" is not a tensor of this model's config`},
		{"tensor twice", func(m *manifestJSON) { m.Tensors[2].Name = m.Tensors[1].Name }, "is listed twice"},
		{"tensor missing", func(m *manifestJSON) { m.Tensors = m.Tensors[:len(m.Tensors)-1] }, "tensor lm_head.bias is missing"},
		{"shard index", func(m *manifestJSON) { m.Tensors[3].Shard = 99 }, "shard 99: want 0.."},
		{"offset past shard", func(m *manifestJSON) { m.Tensors[3].Offset = 4096 }, "offset 4096 is outside shard"},
		{"past the end", func(m *manifestJSON) { m.Shards = m.Shards[:len(m.Shards)-1]; m.Shards[len(m.Shards)-1].RawSize = 2048 },
			"past the end of the shards"},
		{"trailing stream bytes", func(m *manifestJSON) { m.Shards[len(m.Shards)-1].RawSize = 2048 },
			"the shards hold"},
		{"short middle shard", func(m *manifestJSON) { m.Shards[1].RawSize = 1000 }, "raw_size 1000: want shard_size 2048"},
		{"no shards", func(m *manifestJSON) { m.Shards = nil }, "no shards listed"},
		{"path in file name", func(m *manifestJSON) { m.Shards[0].File = "../x.br" }, "want a plain file name"},
		{"backslash in file name", func(m *manifestJSON) { m.Shards[0].File = `a\b` }, "want a plain file name"},
		{"file twice", func(m *manifestJSON) { m.Shards[1].File = m.Shards[0].File }, "is listed twice"},
		{"bad hash", func(m *manifestJSON) { m.Shards[0].RawSHA256 = strings.ToUpper(m.Shards[0].RawSHA256) }, "raw_sha256"},
		{"short hash", func(m *manifestJSON) { m.Shards[0].CompressedSHA256 = "abc" }, "compressed_sha256"},
		{"empty shard file", func(m *manifestJSON) { m.Shards[0].CompressedSize = 0 }, "compressed_size 0"},
		{"huge raw size", func(m *manifestJSON) { m.ShardSize = 2 << 30 }, "shard_size 2147483648"},
		{"unaligned shard size", func(m *manifestJSON) { m.ShardSize = 1000 }, "shard_size 1000: want a positive multiple of 256"},
		{"quant", func(m *manifestJSON) { m.Quant = "Q3" }, `quant: dtype "Q3"`},
		{"tokenizer hash", func(m *manifestJSON) { m.Tokenizer.SHA256 = "" }, "tokenizer sha256"},
		{"config", func(m *manifestJSON) { m.Config = []byte(`{"model_type":"llama"}`) }, "config: model_type"},
		{"no config", func(m *manifestJSON) { m.Config = nil }, "config is missing"},
		{"context over the limit", func(m *manifestJSON) { m.Config = setConfig(t, m.Config, "max_position_embeddings", 2147483647) },
			"config: max_position_embeddings: context length 2147483647 is larger than 1048576, the most this engine supports"},
		{"tensor over the limit", func(m *manifestJSON) {
			m.Config = setConfig(t, m.Config, "vocab_size", 524289)
			m.Config = setConfig(t, m.Config, "hidden_size", 512)
			m.Tensors[0].DType, m.Tensors[0].Shape, m.Tensors[0].Length = "F32", []int{524289, 512}, 524289*512*4
		}, "tensor model.embed_tokens.weight: tensor size 1073743872 bytes is larger than 1073741824 bytes, the most this engine supports"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := readDir(t, dir)
			editManifest(t, src, c.edit)
			_, err := Open(src)
			checkMessage(t, err, c.want)
		})
	}
}

// TestManifestText covers what a struct edit cannot express.
func TestManifestText(t *testing.T) {
	dir := writeDir(t, testTensors(t, 4), WriterOptions{})
	good := readDir(t, dir)[ManifestFile]
	for _, c := range []struct{ name, data, want string }{
		{"not JSON", "hello", "manifest.json: invalid JSON"},
		{"truncated", string(good[:len(good)/2]), "manifest.json: invalid JSON"},
		{"trailing data", string(good) + "{}", "after top-level value"},
		{"unknown field", strings.Replace(string(good), `"quant"`, `"extra": 1, "quant"`, 1), `manifest.json: unknown field "extra"`},
		{"version not a number", strings.Replace(string(good), `"version": 1`, `"version": "1"`, 1), `version "1": want an integer`},
		{"version missing", strings.Replace(string(good), `"version": 1,`, ``, 1), "version missing: want an integer"},
		{"fractional offset", strings.Replace(string(good), `"offset":0`, `"offset":0.5`, 1), "manifest.json: tensors.offset: want an integer, found number 0.5"},
		{"array", "[]", "manifest.json: want a JSON object, found array"},
		{"string", `"phi2web-model"`, "manifest.json: want a JSON object, found string"},
		{"format a number", `{"format": 1}`, "manifest.json: format: want a string, found number"},
		{"shards an object", strings.Replace(string(good), `"shards": [`, `"shards": {"a": [`, 1) + "}", "manifest.json: shards: want an array, found object"},
		{"empty", "", "manifest.json: size 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := readDir(t, dir)
			src[ManifestFile] = []byte(c.data)
			_, err := Open(src)
			checkMessage(t, err, c.want)
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := Open(weights.MemSource{})
		checkMessage(t, err, "manifest.json is missing: the model directory is incomplete")
	})
	if !bytes.HasPrefix(good, []byte("{\n  \"format\": \"phi2web-model\",\n  \"version\": 1,\n")) {
		t.Errorf("manifest starts %q", good[:60])
	}
}

// setConfig sets one key of a config object.
func setConfig(t *testing.T, cfg json.RawMessage, key string, value any) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(cfg, &m); err != nil {
		t.Fatal(err)
	}
	m[key] = value
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
