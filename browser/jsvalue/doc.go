// Package jsvalue holds the few JavaScript helpers the browser packages
// share (js/wasm only): waiting for a promise from Go, and reading
// properties that may be missing.
package jsvalue
