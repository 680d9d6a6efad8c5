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

// PartLoader is a Loader that can hand out a tensor in parts as its
// storage is read, instead of assembling it first. EachPart calls f for
// every tensor as Each does, with off 0 and all its bytes, except for the
// tensors for which whole reports false: those may come in several calls,
// in order, each with off, the byte offset of data within the tensor. The
// parts cover the tensor once.
type PartLoader interface {
	Loader
	EachPart(whole Whole, f PartFunc) error
}

// PartFunc receives a tensor or, in EachPart, a part of one at byte off.
type PartFunc func(name string, dt tensor.DType, shape []int, off int64, data []byte) error

// Whole tells EachPart whether a tensor must come whole.
type Whole func(name string, dt tensor.DType, shape []int) bool

// EachPart walks l's tensors with l's EachPart where it has one, else with
// its Each, which hands every tensor out whole.
func EachPart(l Loader, whole Whole, f PartFunc) error {
	if p, ok := l.(PartLoader); ok {
		return p.EachPart(whole, f)
	}
	return l.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		return f(name, dt, shape, 0, data)
	})
}

// WholeOnly adapts an Each callback to EachPart's, for the Each of a
// PartLoader, which asks for no parts.
func WholeOnly(f func(name string, dt tensor.DType, shape []int, data []byte) error) PartFunc {
	return func(name string, dt tensor.DType, shape []int, _ int64, data []byte) error {
		return f(name, dt, shape, data)
	}
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
