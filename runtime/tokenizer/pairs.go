package tokenizer

// pairTable maps a pair of adjacent symbol ids to the rank of the merge that
// joins them. It is an open-addressing hash table with linear probing, which
// builds several times faster than a Go map of the same 50000 entries.
type pairTable struct {
	slots []uint64 // key<<32 | rank, or emptySlot
	bits  uint
}

const emptySlot = ^uint64(0)

func newPairTable(merges [][2]uint16) pairTable {
	bits := uint(4)
	for 1<<bits < 2*len(merges) {
		bits++
	}
	p := pairTable{slots: make([]uint64, 1<<bits), bits: bits}
	for i := range p.slots {
		p.slots[i] = emptySlot
	}
	mask := uint32(len(p.slots) - 1)
	for r, m := range merges {
		key := pairKey(int32(m[0]), int32(m[1]))
		i := p.home(key)
		for p.slots[i] != emptySlot {
			i = (i + 1) & mask
		}
		p.slots[i] = uint64(key)<<32 | uint64(r)
	}
	return p
}

func pairKey(left, right int32) uint32 { return uint32(left)<<16 | uint32(right) }

func (p *pairTable) home(key uint32) uint32 { return (key * 0x9E3779B1) >> (32 - p.bits) }

// rank returns the merge rank of (left, right), or -1 if no merge joins them.
func (p *pairTable) rank(left, right int32) int32 {
	key := pairKey(left, right)
	mask := uint32(len(p.slots) - 1)
	for i := p.home(key); ; i = (i + 1) & mask {
		s := p.slots[i]
		if s == emptySlot {
			return -1
		}
		if uint32(s>>32) == key {
			return int32(uint32(s))
		}
	}
}
