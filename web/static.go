// Package web holds the browser side of phi2web as files embedded in Go, so
// that the CLI and the test runners can serve them from any build.
package web

import "embed"

// Static holds the site's own files: index.html, demo.js, demo.css, sw.js,
// phi2.js, phi2.d.ts, phi2-chat.js, phi2-worker.js and the modules they
// import, and the page's icon. The pattern matches every .html, .js, .css
// and .ts file beside this one. The SIMD kernels (kernels.wasm, kernels-relaxed.wasm and
// their import module kernels.js) come from package kernels.
//
//go:embed *.[hjct]* favicon.svg
var Static embed.FS
