package backend

import "fmt"

// SameShape panics unless a and b have the same rows and columns. Backends
// use it to guard their ops with one wording.
func SameShape(op string, a, b Tensor) {
	if a.Rows() != b.Rows() || a.Cols() != b.Cols() {
		panic(fmt.Sprintf("backend: %s: shape [%d %d] vs [%d %d]", op, a.Rows(), a.Cols(), b.Rows(), b.Cols()))
	}
}

// Require panics with a message naming op when ok is false.
func Require(ok bool, op, format string, args ...any) {
	if !ok {
		panic("backend: " + op + ": " + fmt.Sprintf(format, args...))
	}
}
