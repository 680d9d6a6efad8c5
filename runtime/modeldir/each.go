package modeldir

import (
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Each calls f for every tensor in stream order, implementing
// weights.Loader. Each shard is decompressed whole and its compressed and
// raw sizes and sha256 checked before any tensor ending in it is handed
// out, so f never sees bytes that have not been verified. A tensor that
// spans shards is assembled in a buffer of its own. Memory: one buffer of
// shard_size bytes plus the largest spanning tensor, and with a Codec one
// buffer of the largest compressed shard. A source of decoded shards
// (Options.Raw) is read Options.Readers shards ahead (at least one), each
// into a buffer of its own.
//
// data is valid only during the call to f; shape must not be modified.
func (m *Model) Each(f func(name string, dt tensor.DType, shape []int, data []byte) error) error {
	return m.EachPart(nil, weights.WholeOnly(f))
}

// EachPart is Each, except that a tensor spanning shards for which whole
// reports false is handed out as a part per shard, each once its shard is
// checked (weights.PartLoader), with no buffer of its own. A nil whole
// assembles every tensor.
func (m *Model) EachPart(whole weights.Whole, f weights.PartFunc) error {
	var read func(ShardInfo) ([]byte, error)
	if m.raw {
		p := m.newPrefetcher()
		defer p.close()
		read = func(ShardInfo) ([]byte, error) { return p.nextShard() }
	} else {
		read = m.newShardReader().read
	}
	var span []byte // the tensor being assembled across shards
	parts := false  // the spanning tensor goes out in parts
	next := 0       // index of the next tensor to hand out
	for i, s := range m.shards {
		raw, err := read(s)
		if err != nil {
			return err
		}
		first := int64(i) * m.shardSize // stream position of raw[0]
		last := first + s.RawSize
		for next < len(m.tensors) {
			t := m.tensors[next]
			start := int64(t.Shard)*m.shardSize + t.Offset
			end := start + t.Length
			if start >= last {
				break
			}
			if start >= first && end <= last {
				if err := f(t.Name, t.DType, t.Shape, 0, raw[start-first:end-first]); err != nil {
					return err
				}
				next++
				continue
			}
			from, to := max(start, first), min(end, last)
			if start >= first { // a spanning tensor begins in this shard
				parts = whole != nil && !whole(t.Name, t.DType, t.Shape)
				if !parts && int64(cap(span)) < t.Length {
					span = make([]byte, t.Length)
				}
				span = span[:0]
			}
			if parts {
				if err := f(t.Name, t.DType, t.Shape, from-start, raw[from-first:to-first]); err != nil {
					return err
				}
			} else {
				span = span[:t.Length]
				copy(span[from-start:], raw[from-first:to-first])
			}
			if end > last {
				break
			}
			if !parts {
				if err := f(t.Name, t.DType, t.Shape, 0, span); err != nil {
					return err
				}
			}
			next++
		}
	}
	return nil
}
