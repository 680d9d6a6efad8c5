package webgpu

// A driver is one implementation of WebGPU: the browser's (driver_js.go,
// over safejs) or wgpu-native (driver_native.go, over cgo). The backend is
// written once over this interface; a driver only translates. Its handles
// (buffers, pipelines, bind groups) are its own values, opaque here.
type driver interface {
	// adapter describes the device; limit is a granted limit by its
	// WebGPU name.
	adapter() AdapterInfo
	limit(name string) float64

	// newBuffer makes a buffer of size bytes and usage flags. A mapped
	// one is created mapped, and its mapped range (rng, the driver's)
	// takes writeMapped until unmap makes the buffer usable.
	newBuffer(label string, size, usage int, mapped bool) (buf, rng any, err error)
	writeMapped(rng any, off int, data []byte) error
	unmap(buf any) error
	destroyBuffer(buf any)
	// writeBuffer writes data at offset 0 of buf through the queue, in
	// order with the next submission.
	writeBuffer(buf any, data []byte) error

	// compile makes the pipelines of specs, all at once where the driver
	// can, setting each one's pipe and layout.
	compile(specs []*kernel) error
	// bindGroup binds buffers to a pipeline's group 0.
	bindGroup(k *kernel, entries []binding) (any, error)

	// encode starts a command encoder.
	encode() (commands, error)
	// submit finishes c and submits it.
	submit(c commands) error
	// read copies n bytes at offset 0 of a MAP_READ buffer to out once the
	// work submitted before is done.
	read(buf any, n int, out []byte) error
	// idle waits for the work submitted so far.
	idle() error
	// stamps reads the first n timestamps the last submission wrote (see
	// commands.stamp), waiting for it; an error where the driver cannot.
	stamps(n int) ([]uint64, error)
	canStamp() bool
	// failure is the loss of the device, else the first GPU error caught
	// since the start (nil when none).
	failure() error
	// lose makes the device lost, as a driver reset would (a test of the
	// fallback: Options.Fault).
	lose()
	destroy()
}

// commands records into one command encoder: dispatches go into a compute
// pass begun as needed, which clear and copy end first.
type commands interface {
	dispatch(k *kernel, group any, x, y int)
	clear(buf any)
	copy(src any, srcOff int, dst any, dstOff, n int)
	// stamp writes GPU timestamp i (< maxStamps) between passes, where
	// the device has timestamp queries (the profile).
	stamp(i int)
}

// binding is one bind group entry: a whole buffer, or size bytes at
// offset when size > 0.
type binding struct {
	index        int
	buf          any
	offset, size int
}

// GPUBufferUsage flags.
const (
	usageMapRead  = 0x01
	usageCopySrc  = 0x04
	usageCopyDst  = 0x08
	usageUniform  = 0x40
	usageStorage  = 0x80
	storageUsages = usageStorage | usageCopySrc | usageCopyDst
)
