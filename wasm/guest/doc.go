// Package guest gives the wasip1 build of the engine the codec functions
// of the phi2 host module (wasm/host): brotli decoding and SHA-256 run
// natively by the host on guest memory, several times faster than the Go
// code compiled to wasm. Decompress and Sum256 exist only in the wasip1
// build, which must run under wasm/host; elsewhere the package is empty.
package guest
