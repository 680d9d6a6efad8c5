"""The PyTorch anchor of bench/gpu/run.sh: Hugging Face transformers'
PhiForCausalLM with random weights of the Phi-2 configuration, float16,
eager, on the GPU: prompt throughput over 128 tokens, and greedy decode of
64 tokens after 128 and after 1984 tokens of context. One JSON line."""

import argparse
import json
import time

import torch
import transformers
from transformers import PhiConfig, PhiForCausalLM

SHAPES = {
    "phi2": dict(hidden_size=2560, intermediate_size=10240, num_hidden_layers=32, num_attention_heads=32),
    "tiny": dict(hidden_size=64, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4),
}


def timed(fn):
    torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    torch.cuda.synchronize()
    return out, time.perf_counter() - start


def decode_rate(model, context, steps):
    """Tokens per second of greedy decoding after a prompt of context tokens."""
    ids = torch.randint(0, 50000, (1, context), device="cuda")
    gen = dict(do_sample=False, use_cache=True, pad_token_id=0, eos_token_id=None)
    model.generate(ids, max_new_tokens=2, min_new_tokens=2, **gen)  # warm-up
    _, prefill = timed(lambda: model.generate(ids, max_new_tokens=1, min_new_tokens=1, **gen))
    _, total = timed(lambda: model.generate(ids, max_new_tokens=steps + 1, min_new_tokens=steps + 1, **gen))
    return steps / (total - prefill)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="phi2", choices=sorted(SHAPES))
    ap.add_argument("--steps", type=int, default=64)
    a = ap.parse_args()
    cfg = PhiConfig(vocab_size=51200, max_position_embeddings=2048, partial_rotary_factor=0.4,
                    rope_theta=10000.0, hidden_act="gelu_new", layer_norm_eps=1e-5,
                    tie_word_embeddings=False, **SHAPES[a.shape])
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = PhiForCausalLM(cfg).to(torch.float16).eval()
    prompt = torch.randint(0, 50000, (1, 128), device="cuda")
    with torch.no_grad():
        model(prompt)  # warm-up
        _, t = timed(lambda: model(prompt))
        rates = {ctx: decode_rate(model, ctx, a.steps) for ctx in (128, 2048 - a.steps - 1)}
    print(json.dumps({
        "engine": "pytorch-eager", "backend": "cuda", "model": a.shape + "-f16",
        "torch": torch.__version__, "transformers": transformers.__version__,
        "device": torch.cuda.get_device_name(), "prompt_tokens": 128,
        "prompt_tokens_per_second": 128 / t,
        "decode_tokens_per_second_ctx128": rates[128],
        "decode_tokens_per_second_ctx2048": rates[2048 - a.steps - 1],
        "decode_steps": a.steps,
    }))


if __name__ == "__main__":
    main()
