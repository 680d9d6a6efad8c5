package gguf

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// part is one tensor the Model delivers: a whole GGUF tensor, or a band of
// rows (elements, for a bias) of a fused attn_qkv tensor.
type part struct {
	name  string // Hugging Face name
	dt    tensor.DType
	shape []int
	src   int // index in File.Tensors
	first int // first row (element) taken from the source
}

// plan matches the file's tensors with the ones cfg expects.
func plan(g *File, cfg weights.Config) ([]part, error) {
	q := cfg.NumHeads * cfg.HeadDim
	kv := cfg.NumKVHeads * cfg.HeadDim
	qkvStart := map[string]int{"attn_q": 0, "attn_k": q, "attn_v": q + kv}
	used := make([]bool, len(g.Tensors))
	var parts []part
	for _, s := range cfg.Expected() {
		name, layer, local, ok := ggufName(s.Name)
		if !ok {
			return nil, fmt.Errorf("gguf: no phi2 name for tensor %s", s.Name)
		}
		src, first, want := name, 0, s.Shape
		if start, isQKV := qkvStart[local]; isQKV {
			kind := name[strings.LastIndexByte(name, '.')+1:]
			fused := fmt.Sprintf("blk.%d.%s.%s", layer, fusedQKV, kind)
			if _, ok := g.tensors[fused]; ok {
				if _, both := g.tensors[name]; both {
					return nil, fmt.Errorf("gguf: both %s and %s present: a layer has fused or separate q, k, v, not both", fused, name)
				}
				src, first = fused, start
				want = slices.Clone(s.Shape)
				want[0] = q + 2*kv
			}
		}
		i, ok := g.tensors[src]
		if !ok {
			return nil, fmt.Errorf("gguf: missing tensor %s", src)
		}
		t := g.Tensors[i]
		if shape := t.Shape(); !slices.Equal(shape, want) {
			return nil, fmt.Errorf("gguf: tensor %s: dims %v (shape %v), config wants shape %v", src, t.Dims, shape, want)
		}
		dt, err := ourType(t.Type)
		if err != nil {
			return nil, fmt.Errorf("gguf: tensor %s: %v", src, err)
		}
		if len(want) == 1 && dt != tensor.F32 && dt != tensor.F16 {
			return nil, fmt.Errorf("gguf: tensor %s: type %s, but vectors must be F32 or F16", src, t.Type)
		}
		used[i] = true
		parts = append(parts, part{s.Name, dt, s.Shape, i, first})
	}
	for i, u := range used {
		if !u {
			return nil, fmt.Errorf("gguf: unexpected tensor %s (not in a phi2 model with this config)", clip(g.Tensors[i].Name))
		}
	}
	slices.SortStableFunc(parts, func(a, b part) int {
		return cmp.Or(cmp.Compare(g.Tensors[a.src].Offset, g.Tensors[b.src].Offset), cmp.Compare(a.first, b.first))
	})
	return parts, nil
}

// Each delivers every tensor under its Hugging Face name, in the order the
// file stores them (q, k, v in that order from a fused tensor). Floats come
// as stored; Q8_0 and Q4_0 matrices come repacked as Q8 and Q4.
func (m *Model) Each(f func(name string, dt tensor.DType, shape []int, data []byte) error) error {
	var buf, out []byte
	last := -1
	for _, p := range m.parts {
		t := m.file.Tensors[p.src]
		if p.src != last {
			buf = grow(buf, t.Size)
			if err := m.file.ReadTensor(t, buf); err != nil {
				return err
			}
			last = p.src
		}
		unit := t.Type.blockBytes() // one element of a vector
		if len(p.shape) == 2 {
			unit, _ = t.Type.byteSize(t.Dims[0], t.Dims[0]) // one row
		}
		data := buf[int64(p.first)*unit : int64(p.first+p.shape[0])*unit]
		if p.dt.Quantized() {
			rows, cols := p.shape[0], p.shape[1]
			out = grow(out, tensor.ByteSize(p.dt, rows, cols))
			toPlanar(out, data, p.dt, rows, cols)
			data = out
		}
		if err := f(p.name, p.dt, slices.Clone(p.shape), data); err != nil {
			return err
		}
	}
	return nil
}

// grow returns a buffer of n bytes, reusing b's storage when it is enough.
func grow(b []byte, n int64) []byte {
	if int64(cap(b)) < n {
		return make([]byte, n)
	}
	return b[:n]
}
