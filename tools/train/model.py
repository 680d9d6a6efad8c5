"""The Phi-2 decoder (docs/phi2-spec.md §3) in torch, with a compact vocabulary.

Training only ever sees the token ids of the training split, so the embedding and the
lm_head hold one row per seen id ("compact" rows). `full_state` expands them to the
51200-row tensors of the checkpoint: unseen rows are zero and their lm_head bias is
UNSEEN_BIAS, which is what the trained softmax over the seen ids means at inference.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

UNSEEN_BIAS = -20.0


class Shape:
    """The configuration values of spec §1 that the forward pass needs."""

    def __init__(self, vocab=51200, hidden=128, layers=4, heads=4, intermediate=512,
                 partial_rotary_factor=0.4, rope_theta=10000.0, eps=1e-5, max_positions=512):
        self.vocab, self.hidden, self.layers, self.heads = vocab, hidden, layers, heads
        self.intermediate, self.partial_rotary_factor = intermediate, partial_rotary_factor
        self.rope_theta, self.eps, self.max_positions = rope_theta, eps, max_positions
        self.head_dim = hidden // heads
        self.rotary_dim = int(self.head_dim * partial_rotary_factor)
        assert self.rotary_dim % 2 == 0, "rotary_dim must be even"


def rope_tables(shape, positions):
    """cos and sin of width rotary_dim for the given positions, as HF computes them (§3.4)."""
    R = shape.rotary_dim
    inv_freq = 1.0 / (shape.rope_theta ** (torch.arange(0, R, 2, dtype=torch.int64).float() / R))
    angles = positions.float()[:, None] * inv_freq[None, :]
    emb = torch.cat([angles, angles], dim=-1)
    return emb.cos(), emb.sin()


def rotate(x, cos, sin, R):
    """Partial rotate-half rotary on the first R dims of each head; the rest pass through."""
    r, rest = x[..., :R], x[..., R:]
    half = R // 2
    rotated = torch.cat([-r[..., half:], r[..., :half]], dim=-1)
    return torch.cat([r * cos + rotated * sin, rest], dim=-1)


class Attention(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s
        self.q_proj = nn.Linear(s.hidden, s.hidden)
        self.k_proj = nn.Linear(s.hidden, s.hidden)
        self.v_proj = nn.Linear(s.hidden, s.hidden)
        self.dense = nn.Linear(s.hidden, s.hidden)

    def forward(self, u, cos, sin, mask):
        B, T, d = u.shape
        H, Dh = self.s.heads, self.s.head_dim

        def heads(x):
            return x.view(B, T, H, Dh).transpose(1, 2)

        q = rotate(heads(self.q_proj(u)), cos, sin, self.s.rotary_dim)
        k = rotate(heads(self.k_proj(u)), cos, sin, self.s.rotary_dim)
        v = heads(self.v_proj(u))
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(Dh))
        w = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)
        return self.dense((w @ v).transpose(1, 2).reshape(B, T, d))


class MLP(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.fc1 = nn.Linear(s.hidden, s.intermediate)
        self.fc2 = nn.Linear(s.intermediate, s.hidden)

    def forward(self, u):
        return self.fc2(F.gelu(self.fc1(u), approximate="tanh"))  # gelu_new


class Layer(nn.Module):
    """The parallel block of §3.2: one LayerNorm feeds both attention and MLP."""

    def __init__(self, s):
        super().__init__()
        self.input_layernorm = nn.LayerNorm(s.hidden, eps=s.eps)
        self.self_attn = Attention(s)
        self.mlp = MLP(s)

    def forward(self, h, cos, sin, mask):
        u = self.input_layernorm(h)
        return h + self.self_attn(u, cos, sin, mask) + self.mlp(u)


class PhiNano(nn.Module):
    """Phi-2 with `rows` embedding and lm_head rows (rows = vocab for a full checkpoint)."""

    def __init__(self, s, rows):
        super().__init__()
        self.s = s
        self.embed_tokens = nn.Embedding(rows, s.hidden)
        self.layers = nn.ModuleList(Layer(s) for _ in range(s.layers))
        self.final_layernorm = nn.LayerNorm(s.hidden, eps=s.eps)
        self.lm_head = nn.Linear(s.hidden, rows)

    def init_weights(self, std=0.02):
        for name, p in self.named_parameters():
            if name.endswith("layernorm.weight"):
                nn.init.ones_(p)
            elif name.endswith("bias"):
                nn.init.zeros_(p)
            elif name.endswith(("dense.weight", "fc2.weight")):
                nn.init.normal_(p, std=std / math.sqrt(2 * self.s.layers))  # residual outputs
            else:
                nn.init.normal_(p, std=std)

    def hidden_states(self, x):
        T = x.shape[1]
        cos, sin = rope_tables(self.s, torch.arange(T))
        mask = torch.ones(T, T, dtype=torch.bool).triu(1)
        h = self.embed_tokens(x)
        for layer in self.layers:
            h = layer(h, cos, sin, mask)
        return self.final_layernorm(h)

    def forward(self, x):
        return self.lm_head(self.hidden_states(x))


# Checkpoint names (spec §2) of the parameters above, minus the "model." prefix rule.
def hf_name(name):
    return name if name.startswith("lm_head.") else "model." + name


def full_state(model, seen):
    """The 51200-row checkpoint tensors of a compact model; seen[i] is the id of row i."""
    s, out = model.s, {}
    for name, p in model.state_dict().items():
        p = p.detach().float()
        if name in ("embed_tokens.weight", "lm_head.weight"):
            full = torch.zeros(s.vocab, s.hidden)
            full[seen] = p
            p = full
        elif name == "lm_head.bias":
            full = torch.full((s.vocab,), UNSEEN_BIAS)
            full[seen] = p
            p = full
        out[hf_name(name)] = p.contiguous()
    return out
