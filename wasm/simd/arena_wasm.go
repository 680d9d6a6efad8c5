package simd

import "fmt"

const (
	// align is the alignment of every allocation; the first align bytes
	// are never allocated, so address 0 means "none".
	align = 256
	// deviceLimit is the most a wasm32 memory can hold.
	deviceLimit = 1 << 32
)

// arena hands out device memory: first fit from the freed spans, else from
// the top, growing the device memory as needed. Memory above top was never
// handed out and is still zero.
type arena struct {
	top   uint64 // end of everything handed out so far
	grown uint64 // device memory size known to the host
	free  []span // sorted by address, never adjacent
	inUse uint64
}

type span struct{ addr, size uint64 }

// device is the process's device memory, shared by its backends.
var device = arena{top: align, grown: align}

// alloc returns an aligned block of at least n bytes, and whether it is
// known to be zero.
func (a *arena) alloc(n uint64) (addr uint64, zero bool, err error) {
	n = (max(n, 1) + align - 1) &^ (align - 1)
	for i, s := range a.free {
		if s.size < n {
			continue
		}
		if s.size == n {
			a.free = append(a.free[:i], a.free[i+1:]...)
		} else {
			a.free[i] = span{s.addr + n, s.size - n}
		}
		a.inUse += n
		return s.addr, false, nil
	}
	end := a.top + n
	if end > deviceLimit || end < a.top {
		return 0, false, a.full(n)
	}
	if end > a.grown {
		// Grow by at least an eighth, so many small allocations do not
		// each cost a host call.
		want := min(max(end, a.grown+a.grown/8), deviceLimit)
		if deviceGrow(int64(want)) != 0 {
			if want == end || deviceGrow(int64(end)) != 0 {
				return 0, false, a.full(n)
			}
			want = end
		}
		a.grown = want
	}
	addr, a.top = a.top, end
	a.inUse += n
	return addr, true, nil
}

func (a *arena) full(n uint64) error {
	return fmt.Errorf("device memory full: %d bytes wanted with %d in use (at most 4 GiB)", n, a.inUse)
}

// release returns the block of n bytes at addr, merging it with its
// neighbours.
func (a *arena) release(addr, n uint64) {
	n = (max(n, 1) + align - 1) &^ (align - 1)
	a.inUse -= n
	i := 0
	for i < len(a.free) && a.free[i].addr < addr {
		i++
	}
	if i > 0 && a.free[i-1].addr+a.free[i-1].size == addr {
		a.free[i-1].size += n
		if i < len(a.free) && addr+n == a.free[i].addr {
			a.free[i-1].size += a.free[i].size
			a.free = append(a.free[:i], a.free[i+1:]...)
		}
		return
	}
	if i < len(a.free) && addr+n == a.free[i].addr {
		a.free[i] = span{addr, n + a.free[i].size}
		return
	}
	a.free = append(a.free, span{})
	copy(a.free[i+1:], a.free[i:])
	a.free[i] = span{addr, n}
}
