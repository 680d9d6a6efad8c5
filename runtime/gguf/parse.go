package gguf

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/phi2web/phi2web/runtime/weights"
)

const (
	magic            = "GGUF"
	defaultAlignment = 32
	maxDims          = 4
	alignmentKey     = "general.alignment"

	minKVBytes     = 8 + 4 + 1         // key length, value type, a one-byte value
	minTensorBytes = 8 + 4 + 8 + 4 + 8 // name length, n_dims, one dim, type, offset
)

// File is a parsed GGUF header. The tensor data stays in the file and is
// read on demand with ReadTensor.
type File struct {
	Version   uint32
	Alignment int64
	KV        []KV         // metadata, in file order
	Tensors   []TensorInfo // in file order
	DataStart int64        // byte offset of the (aligned) data section

	r       weights.File
	keys    map[string]int
	tensors map[string]int
}

// TensorInfo describes one tensor of a GGUF file.
type TensorInfo struct {
	Name string
	// Dims lists the sizes innermost first, as GGUF does: a [rows, cols]
	// matrix has Dims {cols, rows}.
	Dims   []int64
	Type   Type
	Offset int64 // absolute byte offset in the file
	Size   int64 // bytes
}

// Parse reads and checks the header of a GGUF file: magic, version (2 or
// 3), metadata, tensor infos and the layout of the data section. It reports
// the first problem with its byte offset. The file stays owned by the
// caller and must stay open while the File is used.
func Parse(f weights.File) (*File, error) {
	size := f.Size()
	if size < 0 {
		return nil, fmt.Errorf("gguf: negative file size %d", size)
	}
	c := newCursor(f, size)
	var m [4]byte
	if c.read(m[:], "the magic") && string(m[:]) != magic {
		return nil, fmt.Errorf("gguf: bad magic %q at byte 0 (want %q)", m[:], magic)
	}
	version := c.u32("the version")
	if c.err == nil {
		if err := checkVersion(version); err != nil {
			return nil, err
		}
	}
	nTensors := c.u64("the tensor count")
	nKV := c.u64("the metadata count")
	c.fits(16, nKV, minKVBytes, "metadata count")
	c.fits(8, nTensors, minTensorBytes, "tensor count")
	g := &File{Version: version, Alignment: defaultAlignment, r: f,
		keys: map[string]int{}, tensors: map[string]int{}}
	g.readKV(c, nKV)
	infoAt := g.readTensorInfos(c, nTensors)
	if c.err != nil {
		return nil, c.err
	}
	g.DataStart = alignUp(c.off, g.Alignment)
	if err := g.checkData(infoAt, size); err != nil {
		return nil, err
	}
	return g, nil
}

func checkVersion(v uint32) error {
	switch {
	case v == 2 || v == 3:
		return nil
	case v == bits.ReverseBytes32(2) || v == bits.ReverseBytes32(3):
		return fmt.Errorf("gguf: at byte 4: big-endian GGUF files are not supported")
	}
	return fmt.Errorf("gguf: at byte 4: version %d is not supported (want 2 or 3)", v)
}

func (g *File) readKV(c *cursor, n uint64) {
	for i := range n {
		at := c.off
		key := c.str(fmt.Sprintf("metadata key %d", i))
		typeAt := c.off
		t := ValueType(c.u32(fmt.Sprintf("the value type of %s", clip(key))))
		if c.err == nil && t.fixedSize() < 0 {
			c.fail(typeAt, "%s: unknown value type %d", clip(key), uint32(t))
		}
		v := c.value(t, clip(key), 0)
		if c.err != nil {
			return
		}
		if _, dup := g.keys[key]; dup {
			c.fail(at, "duplicate metadata key %s", clip(key))
			return
		}
		if key == alignmentKey {
			g.setAlignment(c, at, v)
		}
		g.keys[key] = len(g.KV)
		g.KV = append(g.KV, KV{key, v})
	}
}

func (g *File) setAlignment(c *cursor, at int64, v any) {
	a, isU32 := v.(uint32)
	switch {
	case !isU32:
		c.fail(at, "%s has type %s, want uint32", alignmentKey, typeName(v))
	case a == 0 || a&(a-1) != 0:
		c.fail(at, "%s = %d: want a power of two", alignmentKey, a)
	default:
		g.Alignment = int64(a)
	}
}

// readTensorInfos reads n tensor infos and returns where each one starts.
func (g *File) readTensorInfos(c *cursor, n uint64) []int64 {
	var infoAt []int64
	for i := range n {
		at := c.off
		name := c.str(fmt.Sprintf("the name of tensor %d", i))
		what := "tensor " + clip(name)
		nd := c.u32(what + " n_dims")
		if c.err == nil && (nd == 0 || nd > maxDims) {
			c.fail(at, "%s: n_dims %d, want 1 to %d", what, nd, maxDims)
		}
		dims := make([]int64, 0, maxDims)
		elems := int64(1)
		for range min(nd, maxDims) {
			d := c.u64(what + " dims")
			if c.err == nil && (d > math.MaxInt64 || d != 0 && elems > math.MaxInt64/int64(d)) {
				c.fail(at, "%s: dims too large", what)
			}
			dims = append(dims, int64(d))
			elems *= int64(d)
		}
		t := Type(c.u32(what + " type"))
		offset := c.u64(what + " offset")
		if c.err != nil {
			return nil
		}
		size, ok := int64(0), t.known()
		if !ok {
			c.fail(at, "%s: %s (want F32, F16, BF16, Q8_0 or Q4_0)", what, t.unsupported())
		} else if size, ok = t.byteSize(elems, dims[0]); !ok {
			c.fail(at, "%s: %s rows of %d elements are not whole blocks of %d", what, t, dims[0], blockSize)
		} else if size > math.MaxInt64/2 || offset > math.MaxInt64/2 {
			c.fail(at, "%s: offset %d or size %d out of range", what, offset, size)
		} else if err := weights.MaxTensorBytes.Check(size); err != nil {
			c.fail(at, "%s: %s %v: %v", what, t, dims, err)
		} else if _, dup := g.tensors[name]; dup {
			c.fail(at, "duplicate tensor %s", clip(name))
		}
		if c.err != nil {
			return nil
		}
		g.tensors[name] = len(g.Tensors)
		g.Tensors = append(g.Tensors, TensorInfo{name, dims, t, int64(offset), size})
		infoAt = append(infoAt, at)
	}
	return infoAt
}

// checkData turns relative offsets into absolute ones and checks that
// every tensor is aligned, inside the file and apart from the others.
func (g *File) checkData(infoAt []int64, size int64) error {
	for i := range g.Tensors {
		t := &g.Tensors[i]
		if t.Offset%g.Alignment != 0 {
			return fmt.Errorf("gguf: at byte %d: tensor %s: offset %d is not a multiple of the alignment %d",
				infoAt[i], clip(t.Name), t.Offset, g.Alignment)
		}
		t.Offset += g.DataStart
		if t.Offset > size || t.Size > size-t.Offset {
			return fmt.Errorf("gguf: at byte %d: tensor %s: bytes [%d, %d) run past the end of the file (%d bytes)",
				infoAt[i], clip(t.Name), t.Offset, t.Offset+t.Size, size)
		}
	}
	order := make([]int, len(g.Tensors))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(g.Tensors[a].Offset, g.Tensors[b].Offset) })
	var prev *TensorInfo
	for _, i := range order {
		t := &g.Tensors[i]
		if t.Size == 0 {
			continue
		}
		if prev != nil && prev.Offset+prev.Size > t.Offset {
			return fmt.Errorf("gguf: tensors %s [%d, %d) and %s [%d, %d) overlap",
				clip(prev.Name), prev.Offset, prev.Offset+prev.Size, clip(t.Name), t.Offset, t.Offset+t.Size)
		}
		prev = t
	}
	return nil
}

func alignUp(n, a int64) int64 { return (n + a - 1) / a * a }
