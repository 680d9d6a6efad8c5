//go:build !(js && wasm) && !(cgo && !js && (linux || darwin || windows) && (amd64 || arm64))

package webgpu

import "fmt"

// openDriver: this build has no WebGPU implementation to drive.
func openDriver(Options) (driver, error) {
	return nil, fmt.Errorf("%w: this build has no WebGPU driver (the native one needs cgo on linux, darwin or windows, amd64 or arm64)", ErrUnavailable)
}
