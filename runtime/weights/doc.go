// Package weights reads Hugging Face Phi checkpoints (config.json plus
// safetensors files, single or sharded) and validates them against the
// configuration before any tensor is used.
//
// Files are reached through a [Source], so the same code reads a local
// directory ([Dir]), memory ([MemSource]), a web server with Range requests
// ([HTTP]) or, later, browser storage. [Open] parses and checks everything it can without reading
// tensor data: the config, every safetensors header, and that the tensor set
// is exactly the one the config implies ([Config.Expected]). Tensor bytes are
// read on demand with [Checkpoint.Read] or [Checkpoint.ReadF32].
//
// [WriteSafetensors] writes the canonical layout used for test checkpoints.
//
// # Notes
//
// Only the Hugging Face `PhiForCausalLM` names are supported; the older
// "MixFormerSequential" layout is not. Grouped-query attention, qk_layernorm,
// tied embeddings, RoPE scaling and activations other than gelu_new are
// rejected with an error saying so.
package weights
