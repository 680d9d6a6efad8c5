package weights

import (
	"cmp"
	"slices"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// Loader is what a model loads from: a validated config and each of its
// tensors once. Hugging Face checkpoints, converted model directories and
// GGUF files all provide it, whether their bytes come from files, HTTP or
// browser storage.
type Loader interface {
	Config() Config
	// Each calls f for every tensor, in the order the storage holds them,
	// with its bytes in the stored dtype (tensor.ByteSize(dt, …) bytes; a
	// vector is one row). data is only valid during the call. An error from
	// f ends the walk and is returned.
	Each(f func(name string, dt tensor.DType, shape []int, data []byte) error) error
}

var _ Loader = (*Checkpoint)(nil)

// Each walks the checkpoint's tensors in file order, reusing one buffer.
func (c *Checkpoint) Each(f func(name string, dt tensor.DType, shape []int, data []byte) error) error {
	names := slices.Clone(c.names)
	slices.SortFunc(names, func(a, b string) int {
		ia, ib := c.tensors[a], c.tensors[b]
		return cmp.Or(cmp.Compare(ia.File, ib.File), cmp.Compare(ia.Offset, ib.Offset))
	})
	var buf []byte
	for _, name := range names {
		info := c.tensors[name]
		if int64(cap(buf)) < info.Size {
			buf = make([]byte, info.Size)
		}
		data := buf[:info.Size]
		if err := c.Read(name, data); err != nil {
			return err
		}
		if err := f(name, info.DType, info.Shape, data); err != nil {
			return err
		}
	}
	return nil
}
