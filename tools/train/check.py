#!/usr/bin/python3
"""Check an exported phi-nano checkpoint against the project's Go engine.

    /usr/bin/python3 tools/train/check.py --model HF_DIR --data CORPUS_DIR --phi2 build/phi2

Runs held-out snippets through torch (the exported F16 weights widened to float32) and
through `phi2 logits`, and fails unless the last-position logits agree within --tol.
"""
import argparse
import json
import subprocess
import sys

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import torch  # noqa: E402

import checkpoint  # noqa: E402
from model import PhiNano, Shape, hf_name  # noqa: E402


def load(model_dir):
    with open(model_dir + "/config.json") as fh:
        c = json.load(fh)
    s = Shape(vocab=c["vocab_size"], hidden=c["hidden_size"], layers=c["num_hidden_layers"],
              heads=c["num_attention_heads"], intermediate=c["intermediate_size"],
              partial_rotary_factor=c["partial_rotary_factor"], rope_theta=c["rope_theta"],
              eps=c["layer_norm_eps"], max_positions=c["max_position_embeddings"])
    tensors = checkpoint.read(model_dir + "/model.safetensors")
    model = PhiNano(s, s.vocab)
    state = {n: tensors[hf_name(n)] for n in model.state_dict()}
    if len(state) != len(tensors):
        raise SystemExit("check: %s has %d tensors, the model has %d" % (model_dir, len(tensors), len(state)))
    model.load_state_dict(state)
    return model.eval(), s


def snippets(data_dir, max_len):
    """Held-out token windows of a few lengths, from fixed places, the last at full context."""
    held = np.fromfile(data_dir + "/heldout.u16", dtype="<u2").astype(np.int64)
    lengths = [1, 17, 100, max_len]
    starts = [0, len(held) // 3, len(held) // 2, len(held) - max_len - 1]
    return [held[s:s + n].tolist() for s, n in zip(starts, lengths)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--phi2", default="build/phi2", help="the project's CLI")
    ap.add_argument("--tol", type=float, default=1e-3)
    a = ap.parse_args()
    torch.set_num_threads(2)
    model, s = load(a.model)
    worst = 0.0
    for ids in snippets(a.data, s.max_positions):
        with torch.no_grad():
            want = model(torch.tensor([ids]))[0, -1].numpy()
        out = subprocess.run([a.phi2, "logits", "--model", a.model, "--ids", ",".join(map(str, ids))],
                             check=True, capture_output=True, text=True).stdout
        got = np.array(json.loads(out)["logits"], dtype=np.float32)
        if got.shape != want.shape:
            raise SystemExit("check: engine gave %d logits, torch %d" % (len(got), len(want)))
        diff = float(np.abs(got - want).max())
        worst = max(worst, diff)
        print("check: %3d tokens  max|Δ| %.3g  argmax torch %d engine %d" %
              (len(ids), diff, int(want.argmax()), int(got.argmax())), flush=True)
    if not worst <= a.tol:
        raise SystemExit("check FAILED: max |Δ logits| %.3g > %g" % (worst, a.tol))
    print("check passed: max |Δ logits| %.3g <= %g" % (worst, a.tol), flush=True)


if __name__ == "__main__":
    main()
