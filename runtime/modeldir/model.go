package modeldir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/phi2web/phi2web/runtime/weights"
)

// Model is an opened model directory whose manifest has been validated. The
// shards are checked as Each reads them.
type Model struct {
	src       weights.Source
	meta      Meta
	shardSize int64
	tensors   []TensorInfo
	shards    []ShardInfo
	codec     *Codec // nil: the Go brotli decoder and crypto/sha256
	raw       bool   // the source's shard files hold decoded bytes
	readers   int    // with raw: shards read at once, ahead of their use
}

var _ weights.Loader = (*Model)(nil)

// Open reads and validates src's manifest.json: the format name and
// version, the config, the tokenizer identity, that the tensors are exactly
// those the config expects, with the expected shapes and sizes, and that
// they tile the stream of shards. The first problem is reported.
func Open(src weights.Source) (*Model, error) {
	data, err := readManifest(src)
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, err
	}
	m.src = src
	return m, nil
}

func readManifest(src weights.Source) ([]byte, error) {
	f, err := src.Open(ManifestFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is missing: the model directory is incomplete; download or convert it again", ManifestFile)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", ManifestFile, err)
	}
	defer f.Close()
	size := f.Size()
	if size <= 0 || size > MaxManifestSize {
		return nil, fmt.Errorf("%s: size %d bytes is outside 1..%d", ManifestFile, size, MaxManifestSize)
	}
	data := make([]byte, size)
	if n, err := f.ReadAt(data, 0); n < len(data) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%s: read %d of %d bytes: %v", ManifestFile, n, size, err)
	}
	return data, nil
}

// Config returns the model's validated configuration.
func (m *Model) Config() weights.Config { return m.meta.Config }

// Meta returns what the manifest records besides tensors and shards.
func (m *Model) Meta() Meta {
	meta := m.meta
	meta.ConfigJSON = slices.Clone(meta.ConfigJSON)
	return meta
}

// ShardSize is the raw size of every shard but the last.
func (m *Model) ShardSize() int64 { return m.shardSize }

// Tensors lists the tensors in stream order.
func (m *Model) Tensors() []TensorInfo {
	out := slices.Clone(m.tensors)
	for i := range out {
		out[i].Shape = slices.Clone(out[i].Shape)
	}
	return out
}

// Shards lists the shard files in stream order, with their sizes and
// hashes, for a downloader to fetch and verify.
func (m *Model) Shards() []ShardInfo { return slices.Clone(m.shards) }
