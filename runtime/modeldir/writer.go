package modeldir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/andybalholm/brotli"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// DefaultQuality is the brotli quality used unless WriterOptions says
// otherwise. Weight bytes are close to noise: on quantized and f16 data,
// qualities 5 to 9 compress alike while 5 runs twice as fast as 7 and three
// times as fast as 9; 10 and 11 gain a few percent at a hundredth of the
// speed (see the benchmarks).
const DefaultQuality = 5

// WriterOptions tunes a Writer. The zero value gives the defaults.
type WriterOptions struct {
	ShardSize int64               // raw bytes per shard, a multiple of Alignment; 0 means DefaultShardSize
	Quality   int                 // brotli quality 1..11; 0 means DefaultQuality
	Progress  func(rawDone int64) // called as stream bytes are compressed, if set
}

// Writer writes a model directory, to a directory or another Sink. Tensors
// are added in stream order and compressed as they come; a shard's file is
// complete and committed as soon as it fills, and Close writes
// manifest.json last. Memory is
// bounded by the compressor state and a small buffer, whatever the model
// size.
//
// After any error the Writer accepts nothing more: Close reports the error
// and removes the files written, as Abort does.
type Writer struct {
	sink Sink
	opts WriterOptions
	meta Meta

	pending  map[string][]int // expected tensors not yet added, with their shapes
	expected []weights.Spec
	tensors  []tensorJSON
	shards   []shardJSON
	pos      int64 // stream bytes written

	enc   *brotli.Writer
	cur   *shardFile
	chunk []byte // AddStream's read buffer
	err   error
	done  bool
}

// chunkSize bounds the bytes compressed between Progress calls.
const chunkSize = 1 << 20

var errClosed = errors.New("modeldir: writer is closed")

// NewWriter starts a model directory in dir, creating dir if needed. m.Config
// may be left zero; it is parsed from m.ConfigJSON. An existing manifest.json
// is removed first, so that the directory reads as incomplete until Close.
func NewWriter(dir string, m Meta, opts WriterOptions) (*Writer, error) {
	return NewWriterTo(DirSink(dir), m, opts)
}

// NewWriterTo is NewWriter writing the model directory's files to sink.
// Meta and options are checked before sink.Begin is called. The sink's
// errors are wrapped (%w) in those of the Writer, so that a caller can
// tell, say, a full store with errors.Is.
func NewWriterTo(sink Sink, m Meta, opts WriterOptions) (*Writer, error) {
	cfg, err := weights.ParseConfig(m.ConfigJSON)
	if err != nil {
		return nil, fmt.Errorf("modeldir: %v", err)
	}
	if m.Config != (weights.Config{}) && m.Config != cfg {
		return nil, errors.New("modeldir: Meta.Config differs from the config parsed from Meta.ConfigJSON")
	}
	m.Config = cfg
	var compact bytes.Buffer
	json.Compact(&compact, m.ConfigJSON) // valid: ParseConfig accepted it
	m.ConfigJSON = compact.Bytes()
	if err := checkMeta(m); err != nil {
		return nil, fmt.Errorf("modeldir: %v", err)
	}
	if opts.ShardSize == 0 {
		opts.ShardSize = DefaultShardSize
	}
	if err := checkShardSize(opts.ShardSize); err != nil {
		return nil, fmt.Errorf("modeldir: %v", err)
	}
	if opts.Quality == 0 {
		opts.Quality = DefaultQuality
	}
	if opts.Quality < 1 || opts.Quality > 11 {
		return nil, fmt.Errorf("modeldir: brotli quality %d: want 1..11", opts.Quality)
	}
	if err := sink.Begin(); err != nil {
		sink.Abort()
		return nil, fmt.Errorf("modeldir: %w", err)
	}
	w := &Writer{sink: sink, opts: opts, meta: m, expected: cfg.Expected(),
		enc: brotli.NewWriterOptions(nil, brotli.WriterOptions{Quality: opts.Quality})}
	w.pending = make(map[string][]int, len(w.expected))
	for _, s := range w.expected {
		w.pending[s.Name] = s.Shape
	}
	return w, nil
}

// Add appends a tensor of the given dtype and shape (a vector is one row);
// data holds its tensor.ByteSize bytes. Tensors must be added in the order
// the manifest is to list them.
func (w *Writer) Add(name string, dt tensor.DType, shape []int, data []byte) error {
	n, err := w.begin(name, dt, shape)
	if err != nil {
		return err
	}
	if int64(len(data)) != n {
		return w.fail(fmt.Errorf("modeldir: tensor %s: %d bytes, want %d for %v %s", name, len(data), n, dt, shapeString(shape)))
	}
	return w.write(data)
}

// AddStream is Add with the tensor's bytes read from r, exactly as many as
// the dtype and shape take.
func (w *Writer) AddStream(name string, dt tensor.DType, shape []int, r io.Reader) error {
	n, err := w.begin(name, dt, shape)
	if err != nil {
		return err
	}
	if w.chunk == nil {
		w.chunk = make([]byte, chunkSize)
	}
	for done := int64(0); done < n; {
		k, err := io.ReadFull(r, w.chunk[:min(n-done, chunkSize)])
		if err != nil {
			return w.fail(fmt.Errorf("modeldir: tensor %s: read %d of %d bytes: %v", name, done+int64(k), n, err))
		}
		if err := w.write(w.chunk[:k]); err != nil {
			return err
		}
		done += int64(k)
	}
	return nil
}

// begin checks a tensor against the config, pads the stream to its start
// and records it, returning its length.
func (w *Writer) begin(name string, dt tensor.DType, shape []int) (int64, error) {
	if w.err != nil {
		return 0, w.err
	}
	want, ok := w.pending[name]
	switch {
	case !ok && slices.ContainsFunc(w.tensors, func(t tensorJSON) bool { return t.Name == name }):
		return 0, w.fail(fmt.Errorf("modeldir: tensor %s is added twice", name))
	case !ok:
		return 0, w.fail(fmt.Errorf("modeldir: %s is not a tensor of this model's config", strconv.Quote(name)))
	case !slices.Equal(shape, want):
		return 0, w.fail(fmt.Errorf("modeldir: tensor %s: shape %s but the config expects %s", name, shapeString(shape), shapeString(want)))
	}
	if _, err := storedDType(dt.String()); err != nil {
		return 0, w.fail(fmt.Errorf("modeldir: tensor %s: %v", name, err))
	}
	if err := checkDType(dt, want); err != nil {
		return 0, w.fail(fmt.Errorf("modeldir: tensor %s: %v", name, err))
	}
	delete(w.pending, name)
	var pad [Alignment]byte
	if err := w.write(pad[:alignUp(w.pos)-w.pos]); err != nil {
		return 0, err
	}
	n := tensorBytes(dt, want)
	w.tensors = append(w.tensors, tensorJSON{Name: name, DType: dt.String(), Shape: slices.Clone(want),
		Shard: int(w.pos / w.opts.ShardSize), Offset: w.pos % w.opts.ShardSize, Length: n})
	return n, nil
}

// write appends bytes to the stream, finishing shards as they fill.
func (w *Writer) write(p []byte) error {
	for len(p) > 0 {
		if w.cur == nil {
			s, err := createShard(w.sink, ShardName(len(w.shards)), w.enc)
			if err != nil {
				return w.fail(fmt.Errorf("modeldir: %w", err))
			}
			w.cur = s
		}
		n := min(int64(len(p)), w.opts.ShardSize-w.cur.rawSize, chunkSize)
		if err := w.cur.add(w.enc, p[:n]); err != nil {
			return w.fail(fmt.Errorf("modeldir: %s: %w", w.cur.name, err))
		}
		p = p[n:]
		w.pos += n
		if w.cur.rawSize == w.opts.ShardSize {
			if err := w.finishShard(); err != nil {
				return err
			}
		}
		if w.opts.Progress != nil {
			w.opts.Progress(w.pos)
		}
	}
	return nil
}

func (w *Writer) finishShard() error {
	s, err := w.cur.finish(w.enc)
	if err != nil {
		return w.fail(fmt.Errorf("modeldir: %w", err))
	}
	w.cur = nil
	w.shards = append(w.shards, s)
	return nil
}

// fail records the first error; the Writer accepts nothing after it.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}
