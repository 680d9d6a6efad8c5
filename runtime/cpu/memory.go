package cpu

import "fmt"

// WithMemoryLimit bounds the bytes of all live tensors: an Upload or Alloc
// that would pass it is an error instead of an allocation the runtime
// cannot survive. 0 means no bound. The default is what the platform can
// hold (memoryLimit).
func WithMemoryLimit(bytes int64) Option {
	return func(b *Backend) { b.mem = memory{limit: max(bytes, 0), what: "limit"} }
}

// memory counts the bytes of live tensors against a limit, which what
// explains.
type memory struct {
	limit, used int64
	what        string
}

// reserve counts n more bytes for the tensor label, or says why not.
func (m *memory) reserve(op, label string, rows, cols int, n int64) error {
	if m.limit > 0 && n > m.limit-m.used {
		return fmt.Errorf("cpu: %s %q [%d %d]: %s more would make %s of tensors, more than the %s %s",
			op, label, rows, cols, gib(n), gib(m.used+n), gib(m.limit), m.what)
	}
	m.used += n
	return nil
}

func (m *memory) release(n int64) { m.used -= n }

// gib formats a byte count in GiB, or MiB below one GiB.
func gib(n int64) string {
	if n < 1<<30 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// bytes is what buf holds.
func (m *buffer) bytes() int64 {
	n := int64(len(m.f32))*4 + int64(len(m.u16))*2 + int64(len(m.q))
	if m.kv != nil {
		n += int64(len(m.kv.q)) + int64(len(m.kv.scale))*4
	}
	return n
}
