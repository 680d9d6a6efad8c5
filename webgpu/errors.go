package webgpu

import (
	"errors"
	"sync"
)

// ErrDeviceLost is wrapped by the error of every Read or Argmax after the
// GPU device is lost (driver reset, destroyed, out of memory). The work
// since the last successful read is gone; a caller starts over on another
// backend.
var ErrDeviceLost = errors.New("webgpu: device lost")

// errorSink keeps the first GPU error and the loss of the device, which a
// driver learns of in callbacks, until the next read.
type errorSink struct {
	mu    sync.Mutex
	first error
	lost  error
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
