//go:build !(linux || darwin)

package host

import "github.com/tetratelabs/wazero/experimental"

// mmapAllocator is nil where mmap is unavailable: wazero's own allocation
// (capacity from the maximum) applies.
func mmapAllocator() experimental.MemoryAllocator { return nil }
