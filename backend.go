package phi2web

import (
	"fmt"
	"runtime"

	"github.com/phi2web/phi2web/runtime/cpu"
)

// cpuBackend is the pure-Go reference on o.Threads goroutines (0: one
// per GOMAXPROCS).
func cpuBackend(o Options) chosen {
	threads := o.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return chosen{Backend: cpu.New(cpu.WithWorkers(threads)), adapter: fmt.Sprintf("pure Go, %d thread(s)", threads), fallback: o.fallback}
}

// takeOver is the backend that takes over from a GPU for reason: SIMD
// in a wasm build, the pure-Go one natively.
func takeOver(reason string) (chosen, error) {
	return newBackend(fallbackBackend, Options{fallback: reason})
}
