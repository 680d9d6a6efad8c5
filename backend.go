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

// simdFor is the SIMD backend taking over from a GPU for reason.
func simdFor(reason string) (chosen, error) {
	return newBackend("simd", Options{fallback: reason})
}
