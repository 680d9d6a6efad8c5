package phi2

import (
	"bytes"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// recorder is a backend that keeps the bytes it is given; only its
// upload methods are called.
type recorder struct {
	backend.Backend
	got              map[string][]byte
	uploads, reserve int
}

type recorded struct{ label string }

func (recorded) Rows() int                    { return 0 }
func (recorded) Cols() int                    { return 0 }
func (recorded) DType() tensor.DType          { return tensor.Q8 }
func (r recorded) Label() string              { return r.label }
func (*recorder) WeightTypes() []tensor.DType { return []tensor.DType{tensor.Q8} }

func (r *recorder) Upload(label string, _ tensor.DType, _, _ int, data []byte) (backend.Tensor, error) {
	r.uploads++
	r.got[label] = bytes.Clone(data)
	return recorded{label}, nil
}

func (r *recorder) Reserve(label string, dt tensor.DType, rows, cols int) (backend.Tensor, error) {
	r.reserve++
	r.got[label] = make([]byte, tensor.ByteSize(dt, rows, cols))
	return recorded{label}, nil
}

func (r *recorder) UploadPart(t backend.Tensor, off int64, data []byte) error {
	copy(r.got[t.Label()][off:], data)
	return nil
}

// parted is a PartLoader whose Q8 matrix "m" comes in the parts cut at
// cuts (its byte offsets), the vector "v" whole.
type parted struct {
	weights.Loader
	m, v []byte
	cuts []int
}

func (p parted) EachPart(_ weights.Whole, f weights.PartFunc) error {
	if err := f("v", tensor.F32, []int{2}, 0, p.v); err != nil {
		return err
	}
	for i := 1; i < len(p.cuts); i++ {
		if err := f("m", tensor.Q8, []int{4, 32}, int64(p.cuts[i-1]), p.m[p.cuts[i-1]:p.cuts[i]]); err != nil {
			return err
		}
	}
	return nil
}

// A matrix handed out in parts is reserved and written part by part; one
// whose parts leave a gap or stop short fails the load, naming it.
func TestEachUploadedParts(t *testing.T) {
	m := make([]byte, tensor.ByteSize(tensor.Q8, 4, 32))
	for i := range m {
		m[i] = byte(i * 7)
	}
	v := f32Bytes([]float32{1, 2})
	for _, c := range []struct {
		cuts []int
		want string // an error, or "" for none
	}{
		{[]int{0, len(m)}, ""},
		{[]int{0, 5, 100, len(m)}, ""},
		{[]int{0, 5, len(m) - 1}, "its parts cover 135 of its 136 bytes"},
		{[]int{5, len(m)}, "a part at byte 5, not 0"},
	} {
		r := &recorder{got: map[string][]byte{}}
		names := 0
		err := eachUploaded(parted{m: m, v: v, cuts: c.cuts}, r, func(string, backend.Tensor) { names++ })
		switch {
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("cuts %v: %v, want an error saying %q", c.cuts, err, c.want)
		case c.want != "":
		case err != nil:
			t.Errorf("cuts %v: %v", c.cuts, err)
		case !bytes.Equal(r.got["m"], m) || !bytes.Equal(r.got["v"], v) || names != 2:
			t.Errorf("cuts %v: m %d bytes, v %v, %d tensors; want what was stored", c.cuts, len(r.got["m"]), r.got["v"], names)
		case r.reserve != min(len(c.cuts)-2, 1) || r.uploads != 2-r.reserve:
			t.Errorf("cuts %v: %d reserved, %d uploaded whole", c.cuts, r.reserve, r.uploads)
		}
	}
}
