// Package chromium runs a GOOS=js WebAssembly program, typically a test
// binary, in headless Chromium, with the SIMD kernel device of
// docs/kernels.md (wasm/kernels/kernels.js) as its phi2 import module, so code that
// uses wasm/simd or WebGPU runs in a real browser from native Go:
//
//	code, err := chromium.Run(ctx, chromium.Options{
//		Wasm: "prog.wasm", Args: []string{"prog"}, Stdout: os.Stdout, Stderr: os.Stderr,
//	})
//
// Run serves the program on a loopback port to a page that is
// cross-origin isolated (shared wasm memory needs it) and runs the program
// in a dedicated worker. The program's standard output and error come back
// in order, then its exit status. Command chromiumexec wraps Run for
// `go test -exec`.
//
// # Notes
//
//   - The program sees two host directories at their host paths, one
//     read-only (Options.FS) and one writable (Options.Writable), and a
//     working directory (Options.Dir); other paths do not exist for it.
//     Standard input is empty.
//   - WebGPU works on the CPU through Chromium's SwiftShader adapter
//     (--enable-unsafe-webgpu); Options.WebGPU hides the adapter or
//     navigator.gpu to test fallbacks.
//   - wasm/kernels/kernels.js is embedded (package web).
package chromium
