package modeldir

import "github.com/phi2web/phi2web/runtime/tensor"

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
	var read func(ShardInfo) ([]byte, error)
	if m.raw {
		p := m.newPrefetcher()
		defer p.close()
		read = func(ShardInfo) ([]byte, error) { return p.nextShard() }
	} else {
		read = m.newShardReader().read
	}
	var span []byte // the tensor being assembled across shards
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
				if err := f(t.Name, t.DType, t.Shape, raw[start-first:end-first]); err != nil {
					return err
				}
				next++
				continue
			}
			if start >= first { // a spanning tensor begins in this shard
				if int64(cap(span)) < t.Length {
					span = make([]byte, t.Length)
				}
				span = span[:t.Length]
			}
			from, to := max(start, first), min(end, last)
			copy(span[from-start:], raw[from-first:to-first])
			if end > last {
				break
			}
			if err := f(t.Name, t.DType, t.Shape, span); err != nil {
				return err
			}
			next++
		}
	}
	return nil
}
