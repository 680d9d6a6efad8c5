package backendtest

import (
	"errors"
	"math"
	"slices"

	"github.com/phi2web/phi2web/runtime/backend"
)

// testUploadParts: a matrix written part by part (backend.PartUploader),
// cut at random bytes, computes bit for bit what the same bytes uploaded
// whole compute; a part outside the tensor, into a view or into a freed
// tensor is an error, not a panic.
func testUploadParts(e *env) {
	pu, ok := e.b.(backend.PartUploader)
	if !ok {
		e.Logf("%s takes no uploads in parts: nothing to check", e.b.Name())
		return
	}
	for c := range 12 {
		dt := pick(e, e.b.WeightTypes()...)
		rows, cols := pick(e, 1, 4, 7, 9), pick(e, 1, 32, 33, 80)
		var data []byte
		if dt.Quantized() {
			data = e.randomQuant(dt, rows, cols)
		} else {
			data = encode(dt, e.normal(rows*cols, 0, 1))
		}
		whole := e.uploadRaw("whole", dt, rows, cols, data)
		parted, err := pu.Reserve("parts", dt, rows, cols)
		if err != nil {
			e.Fatalf("case %d: Reserve [%d %d] %s: %v", c, rows, cols, dt, err)
		}
		cuts := []int{0, len(data)}
		for range e.rng.IntN(4) {
			cuts = append(cuts, e.rng.IntN(len(data)+1))
		}
		slices.Sort(cuts)
		for i := 1; i < len(cuts); i++ {
			if err := pu.UploadPart(parted, int64(cuts[i-1]), data[cuts[i-1]:cuts[i]]); err != nil {
				e.Fatalf("case %d: UploadPart [%d, %d) of %d: %v", c, cuts[i-1], cuts[i], len(data), err)
			}
		}
		x := e.f32("x", 2, cols, e.normal(2*cols, 0, 1))
		want, got := e.alloc("want", 2, rows), e.alloc("got", 2, rows)
		e.b.MatMul(want, x, whole, nil)
		e.b.MatMul(got, x, parted, nil)
		w, g := e.read(want), e.read(got)
		for i := range w {
			if math.Float32bits(w[i]) != math.Float32bits(g[i]) {
				e.Fatalf("case %d: %s [%d %d] cut at %v: output %d is %g, uploaded whole %g", c, dt, rows, cols, cuts, i, g[i], w[i])
			}
		}
		for _, bad := range [][2]int64{{int64(len(data)), 1}, {int64(len(data)) - 1, 2}, {-1, 1}} {
			if err := e.tryPart(pu, parted, bad[0], int(bad[1])); err == nil {
				e.Errorf("case %d: UploadPart of %d bytes at %d into %d succeeded", c, bad[1], bad[0], len(data))
			}
		}
		if err := e.tryPart(pu, e.b.View(parted, 0, 1), 0, 1); err == nil {
			e.Errorf("case %d: UploadPart into a view succeeded", c)
		}
		e.b.Free(parted)
		if err := e.tryPart(pu, parted, 0, 1); err == nil {
			e.Errorf("case %d: UploadPart into a freed tensor succeeded", c)
		}
		e.b.Free(whole)
	}
}

// errPanic stands for a panic turned into a test failure.
var errPanic = errors.New("panic")

// tryPart writes n zero bytes at off, turning a panic into a test failure.
func (e *env) tryPart(pu backend.PartUploader, t backend.Tensor, off int64, n int) (err error) {
	e.Helper()
	defer func() {
		if p := recover(); p != nil {
			e.Errorf("UploadPart of %d bytes at %d panicked: %v", n, off, p)
			err = errPanic
		}
	}()
	return pu.UploadPart(t, off, make([]byte, n))
}
