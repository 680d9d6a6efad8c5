// Package web holds the browser side of phi2web as files embedded in Go, so
// that the CLI and the test runners can serve them from any build.
package web

import _ "embed"

// KernelsJS is kernels.js: the phi2 import module that runs the SIMD
// kernels for the Go engine in a page or worker (docs/kernels.md).
//
//go:embed kernels.js
var KernelsJS []byte
