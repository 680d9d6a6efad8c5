//go:build js && wasm

package webgpu

import (
	"errors"
	"fmt"
	"sync"

	"github.com/hack-pad/safejs"
)

// ErrDeviceLost is wrapped by the error of every Read or Argmax after the
// GPU device is lost (driver reset, destroyed, out of memory). The work
// since the last successful read is gone; a caller starts over on another
// backend.
var ErrDeviceLost = errors.New("webgpu: device lost")

// errorSink keeps the first uncaptured GPU error and the loss of the
// device, both reported by JavaScript callbacks, until the next read.
type errorSink struct {
	mu    sync.Mutex
	first error
	lost  error
	funcs []safejs.Func
}

func watchErrors(device safejs.Value) (*errorSink, error) {
	s := &errorSink{}
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		msg := str(get(get(arg0(args), "error"), "message"))
		s.set(fmt.Errorf("webgpu: GPU error: %s", msg), false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := device.Set("onuncapturederror", onErr); err != nil {
		return nil, err
	}
	onLost, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		info := arg0(args)
		s.set(fmt.Errorf("%w (%s): %s", ErrDeviceLost, str(get(info, "reason")), str(get(info, "message"))), true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := get(device, "lost").Call("then", onLost); err != nil {
		return nil, err
	}
	s.funcs = []safejs.Func{onErr, onLost}
	return s, nil
}

func (s *errorSink) set(err error, lost bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if lost && s.lost == nil {
		s.lost = err
	}
	if s.first == nil {
		s.first = err
	}
}

// err is the loss of the device if any, else the first GPU error.
func (s *errorSink) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost != nil {
		return s.lost
	}
	return s.first
}
