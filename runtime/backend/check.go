package backend

import "fmt"

// SameShape panics unless a and b have the same rows and columns. Backends
// use it to guard their ops with one wording.
func SameShape(op string, a, b Tensor) {
	if a.Rows() != b.Rows() || a.Cols() != b.Cols() {
		Fail(op, "shape [%d %d] vs [%d %d]", a.Rows(), a.Cols(), b.Rows(), b.Cols())
	}
}

// Fail panics with a message naming op: a shape or usage error in the
// caller. Test the condition first, so passing checks do not allocate.
func Fail(op, format string, args ...any) {
	panic("backend: " + op + ": " + fmt.Sprintf(format, args...))
}
