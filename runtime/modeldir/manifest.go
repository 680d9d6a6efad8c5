package modeldir

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Names and constants of the format (docs/format.md).
const (
	ManifestFile  = "manifest.json"
	FormatName    = "phi2web-model"
	FormatVersion = 1

	// Alignment is the byte boundary every tensor starts on in the stream.
	// Shard sizes are multiples of it, so offsets within a shard are too.
	Alignment = 256

	DefaultShardSize = 32 << 20
	MaxShardSize     = 1 << 30

	MaxManifestSize = 16 << 20 // Phi-2's manifest is about 100 KB; a larger one is refused unread
)

// ShardName is the file name of shard i as the Writer names it.
func ShardName(i int) string { return fmt.Sprintf("shard-%05d.bin.br", i) }

// IsModelFile reports whether a file of that name in a model directory is
// one the Writer makes (manifest, shards, or their temporary files), so
// that a directory holding only such files is an earlier conversion.
func IsModelFile(name string) bool {
	name = strings.TrimSuffix(name, ".tmp")
	if name == ManifestFile {
		return true
	}
	digits, ok := strings.CutPrefix(name, "shard-")
	digits, ok2 := strings.CutSuffix(digits, ".bin.br")
	return ok && ok2 && len(digits) >= 5 && strings.Trim(digits, "0123456789") == ""
}

// Tokenizer identifies the vocabulary a model was converted with.
type Tokenizer struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"` // of the embedded vocabulary data, lowercase hex
}

// Meta is what a model directory records besides its tensors.
type Meta struct {
	ConfigJSON []byte         // config.json as read; embedded as the manifest's "config" object
	Config     weights.Config // parsed from ConfigJSON
	Tokenizer  Tokenizer
	Quant      string // dtype of the linear weights: "F32", "F16", "Q8" or "Q4"
	EmbedQuant string // dtype of the embedding and the LM head
}

// TensorInfo describes one stored tensor and where its bytes lie.
type TensorInfo struct {
	Name   string
	DType  tensor.DType
	Shape  []int
	Shard  int   // index of the shard holding the first byte
	Offset int64 // of the first byte within that shard's raw bytes
	Length int64 // tensor.ByteSize of the dtype and shape; may run on into later shards
}

// ShardInfo describes one shard file.
type ShardInfo struct {
	File             string
	RawSize          int64
	RawSHA256        string // lowercase hex
	CompressedSize   int64
	CompressedSHA256 string
}

// manifestJSON is manifest.json as stored.
type manifestJSON struct {
	Format     string          `json:"format"`
	Version    int             `json:"version"`
	Config     json.RawMessage `json:"config"`
	Tokenizer  Tokenizer       `json:"tokenizer"`
	Quant      string          `json:"quant"`
	EmbedQuant string          `json:"embed_quant"`
	ShardSize  int64           `json:"shard_size"`
	Tensors    []tensorJSON    `json:"tensors"`
	Shards     []shardJSON     `json:"shards"`
}

type tensorJSON struct {
	Name   string `json:"name"`
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	Shard  int    `json:"shard"`
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
}

type shardJSON struct {
	File             string `json:"file"`
	RawSize          int64  `json:"raw_size"`
	RawSHA256        string `json:"raw_sha256"`
	CompressedSize   int64  `json:"compressed_size"`
	CompressedSHA256 string `json:"compressed_sha256"`
}
