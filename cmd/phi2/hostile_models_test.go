//go:build !wasm

package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

const contextLimit = "context length 2147483647 is larger than 1048576, the most this engine supports"

// TestHostileConfigs: config.json values a model must not be loaded with,
// through every command that reads one.
func TestHostileConfigs(t *testing.T) {
	set := func(key string, v any) func(*testing.T) string {
		return func(t *testing.T) string { return hfModel(t, func(c map[string]any) { c[key] = v }) }
	}
	absurd := set("max_position_embeddings", math.MaxInt32)
	runHostile(t, []hostileInput{
		{"absurd context", func(t *testing.T) []string { return logitsOn(absurd(t)) }, 1, "config.json: max_position_embeddings: " + contextLimit},
		{"absurd context, converted", func(t *testing.T) []string {
			return []string{"convert", "--in", absurd(t), "--out", filepath.Join(t.TempDir(), "out")}
		}, 1, contextLimit},
		{"absurd context, by URL", func(t *testing.T) []string {
			t.Setenv("PHI2_CACHE", t.TempDir())
			return logitsOn(newModelServer(t, absurd(t)).URL + "/")
		}, 1, contextLimit},
		{"large context", func(t *testing.T) []string { return logitsOn(set("max_position_embeddings", 50000000)(t)) }, 1,
			"context length 50000000 is larger than 1048576"},
		{"absurd layers", func(t *testing.T) []string { return logitsOn(set("num_hidden_layers", 100000000)(t)) }, 1,
			"num_hidden_layers: layer count 100000000 is larger than 1024"},
		{"absurd vocabulary", func(t *testing.T) []string { return logitsOn(set("vocab_size", 1e11)(t)) }, 1,
			"vocab_size = 100000000000: want an integer of magnitude below 2^31"},
		{"heads not dividing", func(t *testing.T) []string { return logitsOn(set("num_attention_heads", 3)(t)) }, 1,
			"hidden_size = 64 is not divisible by num_attention_heads = 3"},
		{"rotary factor", func(t *testing.T) []string { return logitsOn(set("partial_rotary_factor", 2)(t)) }, 1,
			"partial_rotary_factor = 2: must be in (0, 1]"},
		{"RoPE scaling", func(t *testing.T) []string {
			return logitsOn(set("rope_scaling", map[string]any{"type": "linear", "factor": 2})(t))
		}, 1,
			`rope_scaling.type = "linear": only "default" RoPE is supported`},
		{"not an object", func(t *testing.T) []string { return logitsOn(hfFiles(t, []byte(`[]`), nil)) }, 1,
			"config.json: want a JSON object"},
		{"huge file", func(t *testing.T) []string { return logitsOn(hfFiles(t, bytes.Repeat([]byte(" "), 17<<20), nil)) }, 1,
			"config.json"},
	})
}

// TestHostileConfigsWazero: the wasip1 build refuses an absurd context
// the same way, where it once failed allocating the rotary table.
func TestHostileConfigsWazero(t *testing.T) {
	useGuest(t)
	runHostile(t, []hostileInput{
		{"absurd context", func(t *testing.T) []string {
			model := hfModel(t, func(c map[string]any) { c["max_position_embeddings"] = math.MaxInt32 })
			return append(logitsOn(model), "--engine", "wazero")
		}, 1, contextLimit},
	})
}

// TestHostileSafetensors: model.safetensors files that lie about their
// contents.
func TestHostileSafetensors(t *testing.T) {
	st := func(t *testing.T) []byte { return readFile(t, filepath.Join(tinyDir, weights.SingleFile)) }
	config := func(t *testing.T) []byte { return readFile(t, filepath.Join(tinyDir, weights.ConfigFile)) }
	header := func(json string, dataLen int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(json)))
		return append(append(b, json...), make([]byte, dataLen)...)
	}
	runHostile(t, []hostileInput{
		{"truncated", func(t *testing.T) []string {
			data := st(t)
			return logitsOn(hfFiles(t, config(t), data[:len(data)/2]))
		}, 1, "run past the end of the"},
		{"header length past the end", func(t *testing.T) []string {
			data := bytes.Clone(st(t))
			binary.LittleEndian.PutUint64(data, 1<<40)
			return logitsOn(hfFiles(t, config(t), data))
		}, 1, "header length 1099511627776 exceeds the limit"},
		{"header not JSON", func(t *testing.T) []string { return logitsOn(hfFiles(t, config(t), header("{nope", 0))) }, 1,
			"model.safetensors: header: invalid JSON"},
		{"integer tensor", func(t *testing.T) []string {
			return logitsOn(hfFiles(t, config(t), header(`{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, 8)))
		}, 1, `tensor x: unsupported dtype "I64" (want F32, F16 or BF16)`},
		{"another model's tensors", func(t *testing.T) []string {
			var b bytes.Buffer
			weights.WriteSafetensors(&b, []weights.NamedTensor{{Name: "x", DType: tensor.F32, Shape: []int{1}, Data: make([]byte, 4)}}, nil)
			return logitsOn(hfFiles(t, config(t), b.Bytes()))
		}, 1, "model.embed_tokens.weight"},
		{"tensor over the size limit", func(t *testing.T) []string {
			dir := hfModel(t, func(c map[string]any) { c["vocab_size"], c["hidden_size"], c["intermediate_size"] = 262145, 1024, 1024 })
			size := 262145 * 1024 * 4
			path := filepath.Join(dir, weights.SingleFile)
			os.Remove(path)
			writeFile(t, path, header(fmt.Sprintf(`{"model.embed_tokens.weight":{"dtype":"F32","shape":[262145,1024],"data_offsets":[0,%d]}}`, size), 0))
			if err := os.Truncate(path, int64(8+size+200)); err != nil { // sparse: nothing is written
				t.Fatal(err)
			}
			return logitsOn(dir)
		}, 1, "tensor size 1073745920 bytes is larger than 1073741824 bytes, the most this engine supports"},
		{"index escaping the directory", func(t *testing.T) []string {
			dir := hfFiles(t, config(t), nil)
			os.Remove(filepath.Join(dir, weights.SingleFile))
			writeFile(t, filepath.Join(dir, weights.IndexFile), []byte(`{"weight_map":{"lm_head.bias":"../model.safetensors"}}`))
			return logitsOn(dir)
		}, 1, "../model.safetensors"},
	})
}

// TestHostileManifests: converted models whose manifest.json is not what
// the converter writes.
func TestHostileManifests(t *testing.T) {
	manifest := func(data string) func(*testing.T) []string {
		return func(t *testing.T) []string {
			return logitsOn(convertedModel(t, func(f map[string][]byte) { f[modeldir.ManifestFile] = []byte(data) }))
		}
	}
	edit := func(e func(m map[string]any)) func(*testing.T) []string {
		return func(t *testing.T) []string {
			return logitsOn(convertedModel(t, func(f map[string][]byte) { editManifestJSON(t, f, e) }))
		}
	}
	runHostile(t, []hostileInput{
		{"an array", manifest(`[]`), 1, "manifest.json: want a JSON object, found array"},
		{"a string", manifest(`"phi2web-model"`), 1, "manifest.json: want a JSON object, found string"},
		{"empty object", manifest(`{}`), 1, "not a phi2web-model manifest (format is missing)"},
		{"not JSON", manifest(`{"format":`), 1, "manifest.json: invalid JSON"},
		{"too large", manifest(strings.Repeat(" ", 17<<20)), 1, "manifest.json: size 17825792 bytes is outside"},
		{"another version", edit(func(m map[string]any) { m["version"] = 2 }), 1, "format version 2 is not supported"},
		{"absurd context", edit(func(m map[string]any) { m["config"].(map[string]any)["max_position_embeddings"] = math.MaxInt32 }), 1,
			"config: max_position_embeddings: " + contextLimit},
		{"shards not a list", edit(func(m map[string]any) { m["shards"] = map[string]any{} }), 1, "shards: want an array, found object"},
		{"tensor offset", edit(func(m map[string]any) { m["tensors"].([]any)[1].(map[string]any)["offset"] = 3 }), 1,
			"offset 3 is not a multiple of 256"},
	})
}

// TestHostileShards: converted models whose shard files are not those
// the manifest describes.
func TestHostileShards(t *testing.T) {
	shard := func(e func(data []byte) []byte) func(*testing.T) []string {
		return func(t *testing.T) []string {
			return logitsOn(convertedModel(t, func(f map[string][]byte) { f[modeldir.ShardName(1)] = e(f[modeldir.ShardName(1)]) }))
		}
	}
	runHostile(t, []hostileInput{
		{"missing", shard(func([]byte) []byte { return nil }), 1, modeldir.ShardName(1)},
		{"truncated", shard(func(d []byte) []byte { return d[:len(d)/2] }), 1, modeldir.ShardName(1)},
		{"a flipped byte", shard(func(d []byte) []byte { d = bytes.Clone(d); d[len(d)/2] ^= 1; return d }), 1, modeldir.ShardName(1)},
		{"not brotli", shard(func(d []byte) []byte { return bytes.Repeat([]byte{0xff}, len(d)) }), 1, modeldir.ShardName(1)},
		{"longer", shard(func(d []byte) []byte { return append(bytes.Clone(d), 0) }), 1, modeldir.ShardName(1)},
	})
}

// TestHostileGGUF: phi2 GGUF files that are malformed or ask for absurd
// sizes.
func TestHostileGGUF(t *testing.T) {
	file := func(e func(data []byte) []byte) func(*testing.T) []string {
		return func(t *testing.T) []string {
			data, err := tinyGGUF()
			if err != nil {
				t.Fatal(err)
			}
			return logitsOn(ggufBytes(t, e(bytes.Clone(data))))
		}
	}
	meta := func(key string, v any) func(*testing.T) []string {
		return func(t *testing.T) []string { return logitsOn(ggufModel(t, setGGUF(key, v))) }
	}
	runHostile(t, []hostileInput{
		{"bad magic", file(func(d []byte) []byte { copy(d, "GGML"); return d }), 1, `bad magic "GGML"`},
		{"truncated", file(func(d []byte) []byte { return d[:len(d)/2] }), 1, "run past the end of the file"},
		{"header only", file(func(d []byte) []byte { return d[:64] }), 1, "gguf: at byte"},
		{"absurd context", meta("phi2.context_length", uint32(math.MaxInt32)), 1, contextLimit},
		{"absurd block count", meta("phi2.block_count", uint32(100000000)), 1, "layer count 100000000 is larger than 1024"},
		{"another architecture", meta("general.architecture", "llama"), 1, `general.architecture = "llama": only "phi2" is supported`},
		{"context not an integer", meta("phi2.context_length", "2048"), 1, "phi2.context_length has type string, want an integer"},
		{"absurd tensor count", file(func(d []byte) []byte { binary.LittleEndian.PutUint64(d[8:], 1<<40); return d }), 1,
			"tensor count 1099511627776 cannot fit"},
	})
}
