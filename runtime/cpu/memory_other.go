//go:build !linux && !wasm

package cpu

const limitSource = "the platform allows"

// memoryLimit is unknown here: no bound.
func memoryLimit() int64 { return 0 }
