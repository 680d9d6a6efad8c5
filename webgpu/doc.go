// Package webgpu is the WebGPU backend of the Phi-2 engine (js/wasm only):
// the ops of runtime/backend as the WGSL kernels of package shaders, run
// through the browser's WebGPU API over safejs.
//
// Tensors are GPU buffers (a weight larger than one storage binding is kept
// as row pieces, each its own buffer). Ops are recorded into one command
// encoder and one compute pass; nothing reaches the GPU until Read or Argmax
// submits the whole recording at once, so a decode step is one queue
// submission whose only readback is the token id. Per-dispatch parameters
// go to 256-byte slots of one uniform buffer written with the submission,
// and bind groups are cached by (kernel, slot, buffers), so a repeated step
// creates no GPU objects.
//
// KV caches (AllocKV) are F32, F16 or KVQ8: int8 values with an f32 scale
// per head and position, head by head (runtime/tensor/kvq8.go), in one
// buffer, values then scales, since a kernel may bind only four storage
// buffers. Copy into a KVQ8 cache quantizes on the GPU bit for bit as
// tensor.QuantizeKVQ8 (finite values, heads not all below 2⁻¹⁰⁰; the
// divisions are done exactly, in integers); Attention over KVQ8 caches reads each head's keys
// and values contiguously and computes what F32 attention does over the
// dequantized values, the roundings ordered differently (within 1e-5 of
// the largest |v| of a head in the tests).
//
// New requests an adapter and a device with the limits the model needs,
// compiles the kernels and runs a self-test against the pure-Go reference;
// any failure is returned with its reason, so that the caller can fall back
// to the wasm SIMD backend. A lost device or a GPU error is reported by the
// next Read or Argmax.
package webgpu
