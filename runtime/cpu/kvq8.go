package cpu

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

var _ backend.KVAllocator = (*Backend)(nil)

// kvq8 is a KVQ8 cache (runtime/tensor/kvq8.go): int8 values head by head
// and one scale per head and position.
type kvq8 struct {
	q                         []int8
	scale                     []float32
	positions, heads, headDim int
}

// slot numbers head h at position p, the index of its scale.
func (c *kvq8) slot(h, p int) int { return h*c.positions + p }

// row writes the dequantized values of head h at position p to dst.
func (c *kvq8) row(dst []float32, h, p int) []float32 {
	s := c.slot(h, p)
	tensor.DequantizeKVQ8(dst, c.q[s*c.headDim:(s+1)*c.headDim], c.scale[s])
	return dst
}

// AllocKV makes a zeroed cache of positions rows of heads·headDim values:
// F32 and F16 as Alloc, KVQ8 in its head-major layout.
func (b *Backend) AllocKV(label string, dt tensor.DType, positions, heads, headDim int) (backend.Tensor, error) {
	if dt != tensor.KVQ8 {
		return b.Alloc(label, dt, positions, heads*headDim)
	}
	if b.closed {
		return nil, ErrClosed
	}
	if heads <= 0 || headDim <= 0 {
		return nil, fmt.Errorf("cpu: alloc %q: %d heads of %d values: want both positive", label, heads, headDim)
	}
	n, err := size("alloc", label, positions, heads*headDim)
	if err != nil {
		return nil, err
	}
	values, scales := tensor.KVQ8Bytes(positions, heads, headDim)
	if err := b.mem.reserve("alloc", label, positions, heads*headDim, values+scales); err != nil {
		return nil, err
	}
	c := &kvq8{q: make([]int8, n), scale: make([]float32, positions*heads), positions: positions, heads: heads, headDim: headDim}
	return b.track(&buffer{kv: c}, label, dt, positions, heads*headDim), nil
}

// copyKVQ8 quantizes rows [srcRow, srcRow+n) of the F32 src into positions
// dstRow… of the cache c, head by head (tensor.QuantizeKVQ8).
func copyKVQ8(c *kvq8, dstRow int, src *handle, srcRow, n int) {
	for r := range n {
		x := src.row(srcRow + r)
		for h := range c.heads {
			s := c.slot(h, dstRow+r)
			c.scale[s] = tensor.QuantizeKVQ8(c.q[s*c.headDim:(s+1)*c.headDim], x[h*c.headDim:(h+1)*c.headDim])
		}
	}
}
