package backend

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// The Check functions hold the preconditions of the ops that do not depend
// on a backend: dtypes, shapes and index ranges. Each panics through Fail
// with the op's name, naming tensors by their labels. A backend calls one
// after making sure the tensors are its own and live, and then adds what is
// its alone (operands overlapping in its memory, limits of its kernels).
// Tensors must be non-nil, except MatMul's bias. A passing check does not
// allocate.

// Fail panics with a message naming op: a shape or usage error in the
// caller. Test the condition first, so passing checks do not allocate.
func Fail(op, format string, args ...any) {
	panic("backend: " + op + ": " + fmt.Sprintf(format, args...))
}

// SameShape panics unless a and b have the same rows and columns.
func SameShape(op string, a, b Tensor) {
	if a.Rows() != b.Rows() || a.Cols() != b.Cols() {
		Fail(op, "shape [%d %d] vs [%d %d]", a.Rows(), a.Cols(), b.Rows(), b.Cols())
	}
}

// CheckF32 panics unless t is F32.
func CheckF32(op string, t Tensor) {
	if dt := t.DType(); dt != tensor.F32 {
		Fail(op, "tensor %q is %s, want F32", t.Label(), dt)
	}
}

// CheckView checks View(t, row0, rows): the rows must lie inside t.
func CheckView(t Tensor, row0, rows int) {
	if row0 < 0 || rows < 0 || row0+rows > t.Rows() {
		Fail("View", "rows [%d, %d) outside tensor %q with %d rows", row0, row0+rows, t.Label(), t.Rows())
	}
}

// CheckEmbed checks Embed(dst, table, ids): dst is F32 [len(ids), table
// columns] and every id is a row of table.
func CheckEmbed(dst, table Tensor, ids []int32) {
	const op = "Embed"
	CheckF32(op, dst)
	if dst.Rows() != len(ids) || dst.Cols() != table.Cols() {
		Fail(op, "dst %q is [%d %d], want [%d %d] for %d ids", dst.Label(), dst.Rows(), dst.Cols(), len(ids), table.Cols(), len(ids))
	}
	rows := table.Rows()
	for i, id := range ids {
		if id < 0 || int(id) >= rows {
			Fail(op, "id %d at %d outside table %q with %d rows", id, i, table.Label(), rows)
		}
	}
}

// CheckF32OrF16 panics unless t is F32 or F16.
func CheckF32OrF16(op string, t Tensor) {
	if dt := t.DType(); dt != tensor.F32 && dt != tensor.F16 {
		Fail(op, "tensor %q is %s, want F32 or F16", t.Label(), dt)
	}
}

// CheckCopy checks Copy(dst, dstRow, src, srcRow, n): F32 to F32, F16 to
// F16, F32 to F16 or F32 to KVQ8, the same columns, both row ranges inside
// their tensors.
func CheckCopy(dst Tensor, dstRow int, src Tensor, srcRow, n int) {
	const op = "Copy"
	CheckF32OrF16(op, src)
	if dst.DType() == tensor.KVQ8 {
		CheckF32(op, src)
	} else {
		CheckF32OrF16(op, dst)
	}
	if dst.DType() == tensor.F32 && src.DType() == tensor.F16 {
		Fail(op, "src %q is F16 but dst %q is F32", src.Label(), dst.Label())
	}
	if dst.Cols() != src.Cols() {
		Fail(op, "dst %q has %d columns, src %q has %d", dst.Label(), dst.Cols(), src.Label(), src.Cols())
	}
	if n < 0 || srcRow < 0 || srcRow+n > src.Rows() || dstRow < 0 || dstRow+n > dst.Rows() {
		Fail(op, "rows [%d, %d) of %q to [%d, %d) of %q out of range (%d and %d rows)",
			srcRow, srcRow+n, src.Label(), dstRow, dstRow+n, dst.Label(), src.Rows(), dst.Rows())
	}
}

// CheckRead checks Read(t, dst): t is F32 and dst holds all its values.
func CheckRead(t Tensor, dst []float32) {
	CheckF32("Read", t)
	if n := t.Rows() * t.Cols(); len(dst) < n {
		Fail("Read", "dst holds %d values, tensor %q has %d", len(dst), t.Label(), n)
	}
}

// CheckArgmax checks Argmax(t, row): t is F32 and row one of its rows.
func CheckArgmax(t Tensor, row int) {
	CheckF32("Argmax", t)
	if row < 0 || row >= t.Rows() {
		Fail("Argmax", "row %d outside tensor %q with %d rows", row, t.Label(), t.Rows())
	}
}
