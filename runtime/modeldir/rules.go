package modeldir

// The rules a manifest must follow (docs/format.md), in one place: the
// reader applies them all before any shard is read, the writer those about
// what it is given.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// checkManifest validates everything but the shard contents and builds the
// Model (without a Source).
func checkManifest(mj *manifestJSON) (*Model, error) {
	if len(mj.Config) == 0 || string(mj.Config) == "null" {
		return nil, errors.New("config is missing")
	}
	cfg, err := weights.ParseConfig(mj.Config)
	if err != nil {
		return nil, fmt.Errorf("config: %s", strings.TrimPrefix(err.Error(), "config.json: "))
	}
	var cfgJSON bytes.Buffer
	json.Compact(&cfgJSON, mj.Config) // ParseConfig accepted it, so it is valid JSON
	meta := Meta{ConfigJSON: cfgJSON.Bytes(), Config: cfg, Tokenizer: mj.Tokenizer,
		Quant: mj.Quant, EmbedQuant: mj.EmbedQuant}
	if err := checkMeta(meta); err != nil {
		return nil, err
	}
	if err := checkShardSize(mj.ShardSize); err != nil {
		return nil, err
	}
	shards, err := checkShards(mj.Shards, mj.ShardSize)
	if err != nil {
		return nil, err
	}
	tensors, err := checkTensors(mj.Tensors, cfg.Expected(), shards, mj.ShardSize)
	if err != nil {
		return nil, err
	}
	return &Model{meta: meta, shardSize: mj.ShardSize, tensors: tensors, shards: shards}, nil
}

// checkMeta validates the fields shared by reader and writer.
func checkMeta(m Meta) error {
	switch {
	case m.Tokenizer.Name == "":
		return errors.New("tokenizer name is empty")
	case !isSHA256(m.Tokenizer.SHA256):
		return fmt.Errorf("tokenizer sha256 %s: want 64 lowercase hex digits", showValue(&m.Tokenizer.SHA256))
	}
	if _, err := storedDType(m.Quant); err != nil {
		return fmt.Errorf("quant: %v", err)
	}
	if _, err := storedDType(m.EmbedQuant); err != nil {
		return fmt.Errorf("embed_quant: %v", err)
	}
	return nil
}

func checkShardSize(n int64) error {
	if n <= 0 || n > MaxShardSize || n%Alignment != 0 {
		return fmt.Errorf("shard_size %d: want a positive multiple of %d up to %d", n, Alignment, MaxShardSize)
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isPlainName accepts a short file name of letters, digits, '.', '-' and
// '_' that is neither "." nor "..": it can name no other directory, and it
// prints on one line.
func isPlainName(s string) bool {
	if s == "" || len(s) > 255 || strings.Contains(s, "..") || s == "." {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// maxCompressed bounds a shard's compressed size: brotli stores
// incompressible data with a few bytes of framing per block.
func maxCompressed(raw int64) int64 { return raw + raw/16 + 4096 }

// checkShards validates the shard list: plain, distinct file names, sizes
// that cut the stream into shard_size pieces, and well-formed hashes.
func checkShards(list []shardJSON, shardSize int64) ([]ShardInfo, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("no shards listed")
	}
	seen := make(map[string]bool, len(list))
	shards := make([]ShardInfo, len(list))
	for i, s := range list {
		if !isPlainName(s.File) {
			return nil, fmt.Errorf("shards[%d]: file %s: want a plain file name (letters, digits, '.', '-', '_')", i, showValue(&s.File))
		}
		if seen[s.File] {
			return nil, fmt.Errorf("shards[%d]: file %s is listed twice", i, s.File)
		}
		seen[s.File] = true
		last := i == len(list)-1
		switch {
		case !last && s.RawSize != shardSize:
			return nil, fmt.Errorf("shard %s: raw_size %d: want shard_size %d (only the last shard is shorter)", s.File, s.RawSize, shardSize)
		case last && (s.RawSize <= 0 || s.RawSize > shardSize):
			return nil, fmt.Errorf("shard %s: raw_size %d: want 1..%d", s.File, s.RawSize, shardSize)
		case s.CompressedSize <= 0 || s.CompressedSize > maxCompressed(s.RawSize):
			return nil, fmt.Errorf("shard %s: compressed_size %d: want 1..%d", s.File, s.CompressedSize, maxCompressed(s.RawSize))
		case !isSHA256(s.RawSHA256):
			return nil, fmt.Errorf("shard %s: raw_sha256 %s: want 64 lowercase hex digits", s.File, showValue(&s.RawSHA256))
		case !isSHA256(s.CompressedSHA256):
			return nil, fmt.Errorf("shard %s: compressed_sha256 %s: want 64 lowercase hex digits", s.File, showValue(&s.CompressedSHA256))
		}
		shards[i] = ShardInfo{File: s.File, RawSize: s.RawSize, RawSHA256: s.RawSHA256,
			CompressedSize: s.CompressedSize, CompressedSHA256: s.CompressedSHA256}
	}
	return shards, nil
}

// checkTensors validates the tensor list against the config's expected
// tensors and lays it over the stream: the first tensor at byte 0, each next
// one at the first multiple of Alignment after the previous one, and the
// stream ending with the last tensor.
func checkTensors(list []tensorJSON, expected []weights.Spec, shards []ShardInfo, shardSize int64) ([]TensorInfo, error) {
	want := make(map[string][]int, len(expected))
	for _, s := range expected {
		want[s.Name] = s.Shape
	}
	streamSize := int64(len(shards)-1)*shardSize + shards[len(shards)-1].RawSize
	tensors := make([]TensorInfo, 0, len(list))
	var end int64 // of the previous tensor in the stream
	for i, t := range list {
		shape, ok := want[t.Name]
		if !ok {
			if slices.ContainsFunc(tensors, func(x TensorInfo) bool { return x.Name == t.Name }) {
				return nil, fmt.Errorf("tensor %s is listed twice", t.Name)
			}
			return nil, fmt.Errorf("tensors[%d]: %s is not a tensor of this model's config", i, showValue(&t.Name))
		}
		delete(want, t.Name)
		dt, err := storedDType(t.DType)
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %v", t.Name, err)
		}
		if !slices.Equal(t.Shape, shape) {
			return nil, fmt.Errorf("tensor %s: shape %s but the config expects %s", t.Name, shapeString(t.Shape), shapeString(shape))
		}
		if err := checkDType(dt, shape); err != nil {
			return nil, fmt.Errorf("tensor %s: %v", t.Name, err)
		}
		if n := tensorBytes(dt, shape); t.Length != n {
			return nil, fmt.Errorf("tensor %s: length %d: want %d for %v %s", t.Name, t.Length, n, dt, shapeString(shape))
		}
		if err := weights.MaxTensorBytes.Check(t.Length); err != nil {
			return nil, fmt.Errorf("tensor %s: %v", t.Name, err)
		}
		if t.Shard < 0 || t.Shard >= len(shards) {
			return nil, fmt.Errorf("tensor %s: shard %d: want 0..%d", t.Name, t.Shard, len(shards)-1)
		}
		if t.Offset < 0 || t.Offset >= shards[t.Shard].RawSize {
			return nil, fmt.Errorf("tensor %s: offset %d is outside shard %d (%d bytes)", t.Name, t.Offset, t.Shard, shards[t.Shard].RawSize)
		}
		if t.Offset%Alignment != 0 {
			return nil, fmt.Errorf("tensor %s: offset %d is not a multiple of %d", t.Name, t.Offset, Alignment)
		}
		start := int64(t.Shard)*shardSize + t.Offset
		next := alignUp(end)
		switch {
		case start < end:
			return nil, fmt.Errorf("tensor %s: starts at stream byte %d, inside %s, which ends at byte %d", t.Name, start, tensors[i-1].Name, end)
		case start != next:
			return nil, fmt.Errorf("tensor %s: starts at stream byte %d, want %d (tensors are laid end to end, each %d-byte aligned)", t.Name, start, next, Alignment)
		case start+t.Length > streamSize:
			return nil, fmt.Errorf("tensor %s: ends at stream byte %d, past the end of the shards (%d bytes)", t.Name, start+t.Length, streamSize)
		}
		end = start + t.Length
		tensors = append(tensors, TensorInfo{Name: t.Name, DType: dt, Shape: shape,
			Shard: t.Shard, Offset: t.Offset, Length: t.Length})
	}
	for _, s := range expected {
		if _, missing := want[s.Name]; missing {
			return nil, fmt.Errorf("tensor %s is missing", s.Name)
		}
	}
	if end != streamSize {
		return nil, fmt.Errorf("the shards hold %d bytes but the tensors end at byte %d", streamSize, end)
	}
	return tensors, nil
}

// storedDType reads a dtype name a model directory may use: BF16 is only
// ever read from checkpoints, never stored.
func storedDType(s string) (tensor.DType, error) {
	d, err := tensor.ParseDType(s)
	if err != nil || d == tensor.BF16 {
		return 0, fmt.Errorf("dtype %q: want F32, F16, Q8 or Q4", s)
	}
	return d, nil
}

// tensorBytes is the stored size of a tensor; a vector is one row.
func tensorBytes(d tensor.DType, shape []int) int64 {
	if len(shape) == 1 {
		return tensor.ByteSize(d, 1, shape[0])
	}
	return tensor.ByteSize(d, shape[0], shape[1])
}

// checkDType applies the format's rule: vectors are F32, matrices any
// stored dtype.
func checkDType(d tensor.DType, shape []int) error {
	if len(shape) == 1 && d != tensor.F32 {
		return fmt.Errorf("dtype %v: vectors are stored as F32", d)
	}
	return nil
}

func alignUp(n int64) int64 { return (n + Alignment - 1) / Alignment * Alignment }
