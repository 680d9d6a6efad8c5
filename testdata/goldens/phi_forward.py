"""The Phi forward pass of docs/phi2-spec.md §3-§5 in float32 numpy, with a KV cache."""
import math

import numpy as np


def layer_norm(x, w, b):
    mu = x.mean(axis=-1, keepdims=True, dtype=np.float32)
    xc = x - mu
    var = (xc * xc).mean(axis=-1, keepdims=True, dtype=np.float32)
    return xc / np.sqrt(var + np.float32(1e-5)) * w + b


def gelu_new(x):
    c = np.float32(math.sqrt(2.0 / math.pi))
    return np.float32(0.5) * x * (np.float32(1) + np.tanh(c * (x + np.float32(0.044715) * x * x * x)))


class Model:
    def __init__(self, c, weights):
        self.c, self.w = c, weights
        self.heads = c["heads"]
        self.head_dim = c["hidden"] // c["heads"]
        self.rot = int(self.head_dim * c["partial_rotary_factor"])
        assert self.rot % 2 == 0 and 0 < self.rot <= self.head_dim
        exps = np.arange(0, self.rot, 2).astype(np.float32) / np.float32(self.rot)
        self.inv_freq = np.float32(1) / np.power(np.float32(c.get("rope_theta", 10000.0)), exps)

    def rope(self, x, positions):
        """Rotate-half rotary on the first self.rot dims of x [H, T, Dh]."""
        ang = positions.astype(np.float32)[:, None] * self.inv_freq[None, :]
        ang64 = ang.astype(np.float64)
        cos = np.cos(ang64).astype(np.float32)
        sin = np.sin(ang64).astype(np.float32)
        cos, sin = np.concatenate([cos, cos], 1), np.concatenate([sin, sin], 1)
        half = self.rot // 2
        r = x[..., :self.rot]
        rot_half = np.concatenate([-r[..., half:], r[..., :half]], -1)
        return np.concatenate([r * cos + rot_half * sin, x[..., self.rot:]], -1)

    def forward(self, ids, cache):
        """Logits [T, vocab] for new tokens ids; cache is a list of per-layer (K, V) [H, S, Dh]."""
        w, H, Dh = self.w, self.heads, self.head_dim
        past = cache[0][0].shape[1] if cache else 0
        T = len(ids)
        pos = np.arange(past, past + T)
        x = w["model.embed_tokens.weight"][np.asarray(ids)]
        lin = lambda v, n: v @ w[n + ".weight"].T + w[n + ".bias"]
        split = lambda v: v.reshape(T, H, Dh).transpose(1, 0, 2)
        mask = np.arange(past + T)[None, :] > pos[:, None]
        for l in range(self.c["layers"]):
            p = "model.layers.%d." % l
            u = layer_norm(x, w[p + "input_layernorm.weight"], w[p + "input_layernorm.bias"])
            q = self.rope(split(lin(u, p + "self_attn.q_proj")), pos)
            k = self.rope(split(lin(u, p + "self_attn.k_proj")), pos)
            v = split(lin(u, p + "self_attn.v_proj"))
            if len(cache) > l:
                k = np.concatenate([cache[l][0], k], 1)
                v = np.concatenate([cache[l][1], v], 1)
                cache[l] = (k, v)
            else:
                cache.append((k, v))
            s = (q @ k.transpose(0, 2, 1)) / np.float32(math.sqrt(Dh))
            s = np.where(mask[None], np.float32(-np.inf), s)
            e = np.exp(s - s.max(-1, keepdims=True))
            a = (e / e.sum(-1, keepdims=True)) @ v
            a = lin(a.transpose(1, 0, 2).reshape(T, H * Dh), p + "self_attn.dense")
            m = lin(gelu_new(lin(u, p + "mlp.fc1")), p + "mlp.fc2")
            x = x + a + m
        f = layer_norm(x, w["model.final_layernorm.weight"], w["model.final_layernorm.bias"])
        return lin(f, "lm_head").astype(np.float32)


def first_max(v):
    return int(np.argmax(v))  # numpy returns the lowest index on ties


def top_gap(v):
    top2 = np.sort(v)[-2:]
    return float(top2[1] - top2[0])
