package modeldir

import (
	"fmt"
	"slices"

	"github.com/phi2web/phi2web/runtime/weights"
)

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
