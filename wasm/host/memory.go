package host

// sliceMemory is a linear memory on the Go heap, allocated at its maximum
// capacity so that it never moves.
type sliceMemory struct{ buf []byte }

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size > uint64(cap(m.buf)) {
		return nil
	}
	return m.buf[:size]
}

func (m *sliceMemory) Free() { m.buf = nil }
