// Package sample picks the next token from a logits vector, deterministically
// for a given seed.
//
// A [Sampler] applies, in this order: the repetition penalty, temperature
// scaling, top-k, top-p (nucleus), min-p, then renormalizes what is left and
// draws one token. Temperature 0 skips the draw and takes the argmax.
//
// # Notes
//
// The same seed, options, logits and history give the same token ids on every
// platform the project builds for (native, js/wasm, wasip1) and with every Go
// version: the random stream is a splitmix64 generator defined here, the
// exponential is computed by a portable routine that the compiler cannot fuse
// into FMA instructions, every sort is keyed by (logit, id) so that no result
// depends on sort stability, and all sums run in a fixed order.
//
// When no top-k or top-p cut applies, the draw walks the candidates in id
// order; otherwise it walks them from most to least likely. Both give the same
// distribution; the order only fixes which id a given random number selects.
package sample
