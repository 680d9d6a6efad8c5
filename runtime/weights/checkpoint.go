package weights

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// File names of a Hugging Face model directory.
const (
	ConfigFile = "config.json"
	SingleFile = "model.safetensors"
	IndexFile  = "model.safetensors.index.json"

	maxSmallFile = 16 << 20 // config.json and the index are kilobytes
)

// Checkpoint is an opened, validated Phi checkpoint: its config and the
// location of every tensor. It reads tensor bytes on demand. A Checkpoint is
// safe for concurrent reads if its Source's files are.
type Checkpoint struct {
	cfg     Config
	files   map[string]File // by file name; nil once closed
	tensors map[string]TensorInfo
	names   []string // sorted
}

// Open reads config.json, then model.safetensors or, when that is absent,
// model.safetensors.index.json and the shards it names. It checks that the
// checkpoint holds exactly the tensors Config.Expected lists, with those
// shapes; rotary buffers (…rotary_emb.inv_freq) are ignored.
func Open(src Source) (*Checkpoint, error) {
	data, err := readSmall(src, ConfigFile, maxSmallFile)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{cfg: cfg, files: map[string]File{}, tensors: map[string]TensorInfo{}}
	if err := c.load(src); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.check(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Checkpoint) load(src Source) error {
	f, err := src.Open(SingleFile)
	if err == nil {
		c.files[SingleFile] = f
		h, err := ParseHeader(SingleFile, f)
		if err != nil {
			return err
		}
		maps.Copy(c.tensors, h.Tensors)
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	index, err := readSmall(src, IndexFile, maxSmallFile)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("checkpoint has neither %s nor %s: %w", SingleFile, IndexFile, fs.ErrNotExist)
	}
	if err != nil {
		return err
	}
	return c.loadShards(src, index)
}

// ignored reports tensors that some exporters include but the model
// recomputes: the rotary inverse frequencies.
func ignored(name string) bool { return strings.HasSuffix(name, ".rotary_emb.inv_freq") }

// check compares the stored tensors with the ones the config implies.
func (c *Checkpoint) check() error {
	maps.DeleteFunc(c.tensors, func(name string, _ TensorInfo) bool { return ignored(name) })
	want := c.cfg.Expected()
	expected := make(map[string]bool, len(want))
	for _, s := range want {
		expected[s.Name] = true
		info, ok := c.tensors[s.Name]
		if !ok {
			return fmt.Errorf("missing tensor %s", s.Name)
		}
		if !slices.Equal(info.Shape, s.Shape) {
			return fmt.Errorf("%s: tensor %s: shape %v, config wants %v", info.File, s.Name, info.Shape, s.Shape)
		}
	}
	c.names = slices.Sorted(maps.Keys(c.tensors))
	for _, name := range c.names {
		if !expected[name] {
			return fmt.Errorf("%s: unexpected tensor %s (not in a Phi checkpoint with this config)",
				c.tensors[name].File, showName(name))
		}
	}
	return nil
}

// Config returns the validated configuration.
func (c *Checkpoint) Config() Config { return c.cfg }

// Names lists the tensor names in sorted order.
func (c *Checkpoint) Names() []string { return slices.Clone(c.names) }

// Info describes the named tensor.
func (c *Checkpoint) Info(name string) (TensorInfo, bool) {
	info, ok := c.tensors[name]
	info.Shape = slices.Clone(info.Shape)
	return info, ok
}

// Read copies the stored bytes of the named tensor (little-endian, row-major)
// into dst, which must be exactly Info(name).Size bytes long.
func (c *Checkpoint) Read(name string, dst []byte) error {
	info, f, err := c.lookup(name)
	if err != nil {
		return err
	}
	if int64(len(dst)) != info.Size {
		return fmt.Errorf("tensor %s: destination is %d bytes, tensor is %d", name, len(dst), info.Size)
	}
	if err := readFull(f, dst, info.Offset); err != nil {
		return fmt.Errorf("%s: tensor %s: %v", info.File, name, err)
	}
	return nil
}

// ReadF32 reads the named tensor and widens it exactly to float32.
func (c *Checkpoint) ReadF32(name string) ([]float32, error) {
	info, f, err := c.lookup(name)
	if err != nil {
		return nil, err
	}
	item := int64(info.DType.Size())
	count := info.Size / item
	out := make([]float32, count)
	// Read in slices so that a large F16 tensor does not need a second,
	// full-size byte buffer next to the result.
	const chunk = 1 << 18 // elements
	buf := make([]byte, min(count, chunk)*item)
	for start := int64(0); start < count; start += chunk {
		n := min(chunk, count-start)
		b := buf[:n*item]
		if err := readFull(f, b, info.Offset+start*item); err != nil {
			return nil, fmt.Errorf("%s: tensor %s: %v", info.File, name, err)
		}
		tensor.DecodeF32(out[start:start+n], b, info.DType)
	}
	return out, nil
}

func (c *Checkpoint) lookup(name string) (TensorInfo, File, error) {
	if c.files == nil {
		return TensorInfo{}, nil, errors.New("checkpoint is closed")
	}
	info, ok := c.tensors[name]
	if !ok {
		return TensorInfo{}, nil, fmt.Errorf("unknown tensor %s", showName(name))
	}
	return info, c.files[info.File], nil
}

// Close closes every file of the checkpoint.
func (c *Checkpoint) Close() error {
	var errs []error
	for _, f := range c.files {
		errs = append(errs, f.Close())
	}
	c.files = nil
	return errors.Join(errs...)
}
