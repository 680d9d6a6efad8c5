"""Synthetic Phi checkpoints by the splitmix64 recipe of docs/phi2-spec.md §7, in numpy.

The values and the model.safetensors bytes are generated here from the spec alone; the sha256 of
the bytes is what the Go generator (runtime/synth) must reproduce.
"""
import hashlib
import json
import math
import struct

import numpy as np

U64 = np.uint64
GOLDEN = U64(0x9E3779B97F4A7C15)


def tensor_specs(c):
    """(name, shape, scale, offset) in generation order."""
    d, inter, vocab = c["hidden"], c["intermediate"], c["vocab"]
    lin = lambda fan_in: math.sqrt(3.0 / fan_in)
    specs = [("model.embed_tokens.weight", (vocab, d), 1.0, 0.0)]
    for l in range(c["layers"]):
        p = "model.layers.%d." % l
        specs += [(p + "input_layernorm.weight", (d,), 0.2, 1.0),
                  (p + "input_layernorm.bias", (d,), 0.1, 0.0)]
        for proj in ("q_proj", "k_proj", "v_proj", "dense"):
            specs += [(p + "self_attn.%s.weight" % proj, (d, d), lin(d), 0.0),
                      (p + "self_attn.%s.bias" % proj, (d,), 0.1, 0.0)]
        specs += [(p + "mlp.fc1.weight", (inter, d), lin(d), 0.0),
                  (p + "mlp.fc1.bias", (inter,), 0.1, 0.0),
                  (p + "mlp.fc2.weight", (d, inter), lin(inter), 0.0),
                  (p + "mlp.fc2.bias", (d,), 0.1, 0.0)]
    specs += [("model.final_layernorm.weight", (d,), 0.2, 1.0),
              ("model.final_layernorm.bias", (d,), 0.1, 0.0),
              ("lm_head.weight", (vocab, d), lin(d), 0.0),
              ("lm_head.bias", (vocab,), 0.1, 0.0)]
    return specs


def splitmix_f32(seed, first, n, scale, offset):
    """Values number first..first+n-1 of the counter-based splitmix64 stream."""
    with np.errstate(over="ignore"):
        z = U64(seed) + np.arange(first + 1, first + n + 1, dtype=U64) * GOLDEN
        z ^= z >> U64(30)
        z *= U64(0xBF58476D1CE4E5B9)
        z ^= z >> U64(27)
        z *= U64(0x94D049BB133111EB)
        z ^= z >> U64(31)
    u = (z >> U64(11)).astype(np.float64) * 2.0 ** -53
    r = 2.0 * u - 1.0
    return (offset + scale * r).astype(np.float32)


def f32_to_bf16_bits(v):
    b = v.view(np.uint32).astype(U64)
    return ((b + U64(0x7FFF) + ((b >> U64(16)) & U64(1))) >> U64(16)).astype(np.uint16)


def stored(v, dtype):
    """(little-endian bytes as stored, float32 values the model computes with)."""
    if dtype == "F32":
        return v.astype("<f4").tobytes(), v
    if dtype == "F16":
        h = v.astype(np.float16)  # round to nearest even
        return h.astype("<f2").tobytes(), h.astype(np.float32)
    b = f32_to_bf16_bits(v)
    return b.astype("<u2").tobytes(), (b.astype(np.uint32) << np.uint32(16)).view(np.float32)


def build_checkpoint(c):
    """Weights (float32, widened from the stored dtype) and the sha256 of model.safetensors."""
    specs = tensor_specs(c)
    weights, blobs, k = {}, {}, 0
    for name, shape, scale, offset in specs:
        n = int(np.prod(shape))
        raw, w = stored(splitmix_f32(c["seed"], k, n, scale, offset), c["dtype"])
        weights[name], blobs[name] = w.reshape(shape), raw
        k += n
    header, pos = {"__metadata__": {"format": "pt"}}, 0
    for name in sorted(blobs):
        shape = weights[name].shape
        header[name] = {"dtype": c["dtype"], "shape": list(shape),
                        "data_offsets": [pos, pos + len(blobs[name])]}
        pos += len(blobs[name])
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    h = hashlib.sha256(struct.pack("<Q", len(text)) + text)
    for name in sorted(blobs):
        h.update(blobs[name])
    return weights, h.hexdigest()
