// Package modeldir reads and writes converted model directories: a
// manifest.json describing the model and its tensors, and the tensor bytes
// in brotli-compressed shards (docs/format.md).
//
// The tensors, in manifest order, form one byte stream in which each tensor
// starts at a multiple of 256 bytes. The stream is cut into shards of
// shard_size raw bytes, the last one shorter, and each shard is compressed on
// its own, so shards can be downloaded, stored and verified one at a time.
// The manifest records the sha256 of every shard's compressed and raw bytes.
//
// A [Writer] produces a directory in bounded memory, writing manifest.json
// last: a directory without it is incomplete. [Open] validates a manifest,
// and [Model.Each] streams the tensors, handing out none before every shard
// it touches has passed its checks.
package modeldir
