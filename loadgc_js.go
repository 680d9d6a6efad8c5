package phi2web

// loadGCPercent is GOGC during a load in a page, whose WebAssembly memory
// only grows: a load's live heap is mostly the shard buffers read ahead,
// and at the default 100 the heap grows to twice that, which the tab then
// keeps for good (465 MB of Go heap after loading the Phi-2-shape q4
// model, 333 MB at 20; docs/benchmarks.md). The buffers hold no
// pointers, so the extra collections cost little: the load took as long.
var loadGCPercent = 20
