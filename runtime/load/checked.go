package load

import (
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// BadModel wraps err, a failure to read or decode a stored model, in
// ErrBadModel (nil stays nil).
func BadModel(err error) error {
	if err == nil {
		return nil
	}
	return kinded(ErrBadModel, err)
}

// Checked returns l with the errors of reading and decoding its tensors
// wrapped in ErrBadModel; the errors of Each's callback (a backend's)
// stay as they are.
func Checked(l weights.Loader) weights.Loader { return checked{l} }

type checked struct{ weights.Loader }

func (c checked) Each(f func(name string, dt tensor.DType, shape []int, data []byte) error) error {
	return c.EachPart(nil, weights.WholeOnly(f))
}

func (c checked) EachPart(whole weights.Whole, f weights.PartFunc) error {
	var fErr error
	err := weights.EachPart(c.Loader, whole, func(name string, dt tensor.DType, shape []int, off int64, data []byte) error {
		fErr = f(name, dt, shape, off, data)
		return fErr
	})
	if err != nil && fErr == nil {
		return BadModel(err)
	}
	return err
}
