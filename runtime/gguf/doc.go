// Package gguf reads and writes GGUF files, the single-file model format of
// llama.cpp, and maps files of architecture "phi2" onto the project's model.
//
// [Parse] checks a file's structure without reading tensor data: header,
// metadata, tensor infos, alignment, that every tensor lies inside the file
// and that no two overlap. [Open] goes on to read the phi2 metadata into a
// [weights.Config], checks that the tensors are exactly the ones the config
// implies, and provides them under the Hugging Face names through the
// [weights.Loader] interface. Q8_0 and Q4_0 blocks are repacked, bit for bit,
// into the project's planar row-group layout (docs/format.md); nothing is
// requantized.
//
// [Write] and [WritePhi2] produce GGUF v3 files, for tests, benchmarks and
// side-by-side runs with llama.cpp-based runtimes.
//
// # Notes
//
//   - Versions 2 and 3 are read (little-endian only); tensor types F32, F16,
//     BF16, Q8_0 and Q4_0 are supported. Other types are reported by name.
//   - Both phi2 attention layouts are read: separate attn_q, attn_k and
//     attn_v tensors (what llama.cpp's current converter writes for
//     PhiForCausalLM checkpoints) and the fused attn_qkv of older files,
//     whose rows are q, then k, then v.
//   - Metadata keys absent from a file take llama.cpp's defaults:
//     rope.freq_base 10000, attention.head_count_kv equal to head_count and
//     rope.dimension_count equal to the head size.
package gguf
