package host

import (
	"context"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero/api"
)

// Device memory limits: wasm32 addresses reach 4 GiB.
const (
	pageBytes = 1 << 16
	maxPages  = 1 << 16
)

// memoryModule is the binary of
//
//	(module (memory (export "memory") 1 65536 shared))
//
// instantiated as "env", where every kernel instance imports it.
var memoryModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
	0x05, 0x06, 0x01, 0x03, 0x01, 0x80, 0x80, 0x04, // memory: shared, min 1, max 65536 pages
	0x07, 0x0a, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, // export "memory"
}

// instantiatePhi2 registers the functions the guest imports from "phi2".
func (h *Host) instantiatePhi2(ctx context.Context) error {
	i32, i64 := api.ValueTypeI32, api.ValueTypeI64
	b := h.rt.NewHostModuleBuilder("phi2")
	fn := func(name string, f api.GoModuleFunc, params, results []api.ValueType) {
		b.NewFunctionBuilder().WithGoModuleFunction(f, params, results).Export(name)
	}
	fn("workers", h.workersFn, nil, []api.ValueType{i32})
	fn("grow", h.growFn, []api.ValueType{i64}, []api.ValueType{i32})
	fn("write", h.writeFn, []api.ValueType{i32, i32, i32}, nil)
	fn("read", h.readFn, []api.ValueType{i32, i32, i32}, nil)
	fn("run", h.runFn, []api.ValueType{i32, i32}, []api.ValueType{i32})
	fn("brotli_decode", h.brotliDecodeFn, []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32})
	fn("sha256", h.sha256Fn, []api.ValueType{i32, i32, i32}, nil)
	if _, err := b.Instantiate(ctx); err != nil {
		return fmt.Errorf("host: phi2 module: %w", err)
	}
	return nil
}

// workers() -> i32
func (h *Host) workersFn(_ context.Context, _ api.Module, stack []uint64) {
	stack[0] = uint64(h.opts.Workers)
}

// grow(bytes: i64) -> i32: 0 once the device memory holds at least bytes,
// 1 when it cannot (more than 4 GiB, or a negative size).
func (h *Host) growFn(_ context.Context, _ api.Module, stack []uint64) {
	stack[0] = h.grow(int64(stack[0]))
}

func (h *Host) grow(bytes int64) uint64 {
	if bytes < 0 || bytes > maxPages*pageBytes {
		return 1
	}
	want := uint32((bytes + pageBytes - 1) / pageBytes)
	have, _ := h.device.Grow(0) // Size() wraps to 0 at exactly 4 GiB
	if want <= have {
		return 0
	}
	if _, ok := h.device.Grow(want - have); !ok {
		return 1
	}
	return 0
}

// write(dev: i32, src: ptr, n: i32) copies guest memory to the device. A
// range outside either memory traps the guest.
func (h *Host) writeFn(_ context.Context, mod api.Module, stack []uint64) {
	dev, src, n := uint32(stack[0]), uint32(stack[1]), uint32(stack[2])
	data, ok := mod.Memory().Read(src, n)
	if !ok {
		panic(fmt.Errorf("phi2.write: guest range [%d, +%d) is outside its memory", src, n))
	}
	if !h.device.Write(dev, data) {
		panic(fmt.Errorf("phi2.write: device range [%d, +%d) is outside the %d-byte device memory", dev, n, h.deviceBytes()))
	}
}

// read(dst: ptr, dev: i32, n: i32) copies device memory to the guest.
func (h *Host) readFn(_ context.Context, mod api.Module, stack []uint64) {
	dst, dev, n := uint32(stack[0]), uint32(stack[1]), uint32(stack[2])
	data, ok := h.device.Read(dev, n)
	if !ok {
		panic(fmt.Errorf("phi2.read: device range [%d, +%d) is outside the %d-byte device memory", dev, n, h.deviceBytes()))
	}
	if !mod.Memory().Write(dst, data) {
		panic(fmt.Errorf("phi2.read: guest range [%d, +%d) is outside its memory", dst, n))
	}
}

// run(jobs: ptr, count: i32) -> i32 runs count jobs and returns 0 or
// 1 + the index of a job that failed.
func (h *Host) runFn(_ context.Context, mod api.Module, stack []uint64) {
	ptr, count := uint32(stack[0]), int32(stack[1])
	if count <= 0 {
		stack[0] = 0
		return
	}
	jobs, ok := mod.Memory().Read(ptr, uint32(count)*jobBytes)
	if !ok || count > 1<<26 {
		panic(fmt.Errorf("phi2.run: %d jobs at %d are outside the guest memory", count, ptr))
	}
	stack[0] = uint64(uint32(h.pool.run(jobs, int(count))))
}

// deviceBytes is the device memory's current size.
func (h *Host) deviceBytes() uint64 {
	pages, _ := h.device.Grow(0)
	return uint64(pages) * pageBytes
}

// oneLine joins the lines of a message, as errors print on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
