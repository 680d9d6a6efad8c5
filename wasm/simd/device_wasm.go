package simd

import "unsafe"

// The host functions of docs/kernels.md.

//go:wasmimport phi2 workers
func deviceWorkers() int32

//go:wasmimport phi2 grow
func deviceGrow(bytes int64) int32

//go:wasmimport phi2 write
func deviceWrite(dev uint32, src unsafe.Pointer, n uint32)

//go:wasmimport phi2 read
func deviceRead(dst unsafe.Pointer, dev uint32, n uint32)

//go:wasmimport phi2 run
func deviceRun(jobs unsafe.Pointer, count int32) int32

// chunkBytes bounds one write or read call, whose size is an i32.
const chunkBytes = 1 << 30

// write copies data to the device at dev.
func write(dev uint64, data []byte) {
	for len(data) > 0 {
		n := min(len(data), chunkBytes)
		deviceWrite(uint32(dev), unsafe.Pointer(&data[0]), uint32(n))
		data, dev = data[n:], dev+uint64(n)
	}
}

// read copies len(dst) bytes from the device at dev.
func read(dst []byte, dev uint64) {
	for len(dst) > 0 {
		n := min(len(dst), chunkBytes)
		deviceRead(unsafe.Pointer(&dst[0]), uint32(dev), uint32(n))
		dst, dev = dst[n:], dev+uint64(n)
	}
}

// zeros is the source of the writes that clear reused memory.
var zeros [1 << 16]byte

// clearBytes zeroes n bytes of the device at dev.
func clearBytes(dev, n uint64) {
	for n > 0 {
		c := min(n, uint64(len(zeros)))
		write(dev, zeros[:c])
		dev, n = dev+c, n-c
	}
}
