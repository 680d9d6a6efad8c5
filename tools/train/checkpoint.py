"""Write and read the Hugging Face checkpoint: config.json and an F16 model.safetensors."""
import json
import os
import struct

import numpy as np
import torch


def config_json(s):
    """Every field of spec §1 for this shape."""
    return {
        "architectures": ["PhiForCausalLM"],
        "model_type": "phi",
        "vocab_size": s.vocab,
        "hidden_size": s.hidden,
        "intermediate_size": s.intermediate,
        "num_hidden_layers": s.layers,
        "num_attention_heads": s.heads,
        "num_key_value_heads": s.heads,
        "partial_rotary_factor": s.partial_rotary_factor,
        "rope_theta": s.rope_theta,
        "rope_scaling": None,
        "layer_norm_eps": s.eps,
        "max_position_embeddings": s.max_positions,
        "hidden_act": "gelu_new",
        "qk_layernorm": False,
        "tie_word_embeddings": False,
        "bos_token_id": 50256,
        "eos_token_id": 50256,
        "resid_pdrop": 0.0,
        "embd_pdrop": 0.0,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "torch_dtype": "float16",
        "use_cache": True,
    }


def write(outdir, s, tensors):
    """Write config.json and model.safetensors (F16, names sorted) into outdir."""
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "config.json"), "w") as fh:
        json.dump(config_json(s), fh, indent=2)
        fh.write("\n")
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().float()
        data = t.numpy().astype("<f2").tobytes()
        header[name] = {"dtype": "F16", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # data section starts 8-byte aligned
    with open(os.path.join(outdir, "model.safetensors"), "wb") as fh:
        fh.write(struct.pack("<Q", len(head)))
        fh.write(head)
        for b in blobs:
            fh.write(b)


def read(path):
    """Tensors of a safetensors file as float32 torch tensors (F16 and F32 only)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    out, base = {}, 8 + n
    for name, e in header.items():
        dt = {"F16": "<f2", "F32": "<f4"}[e["dtype"]]
        b, end = e["data_offsets"]
        a = np.frombuffer(raw[base + b:base + end], dtype=dt).astype(np.float32)
        out[name] = torch.from_numpy(a.reshape(e["shape"]).copy())
    return out
