#!/usr/bin/python3
"""Independent float32 reference for the Phi-2 forward pass on synthetic checkpoints.

Regenerate the goldens from the repository root with:

    /usr/bin/python3 testdata/goldens/reference.py --out testdata/goldens/goldens.json

Needs only python3 and numpy. The script first checks itself against the known values of
docs/phi2-spec.md (§7 checkpoint sha256s, §8 logits and greedy tokens) and aborts if any
differs; then it writes the cases described in testdata/goldens/README.md.
"""
import argparse
import json
import sys

sys.dont_write_bytecode = True  # keep testdata free of __pycache__

import numpy as np  # noqa: E402

from phi_forward import Model, first_max, top_gap  # noqa: E402
from synth_checkpoint import build_checkpoint  # noqa: E402


def f32(x):
    """The shortest decimal that reads back as the same float32."""
    return float(str(np.float32(x)))


def run_case(case, model, greedy_n=16, long_probe=None):
    prompt = case["prompt"]
    V = case["vocab"]
    full = model.forward(prompt, [])
    last = full[-1]
    # Incremental decoding, one token at a time, greedy continuation fed back.
    cache, rows, greedy = [], [], []
    for t in prompt:
        rows.append(model.forward([t], cache)[0])
    while True:
        greedy.append(first_max(rows[-1]))
        if len(greedy) == greedy_n:
            break
        rows.append(model.forward([greedy[-1]], cache)[0])
    seq = prompt + greedy[:-1]
    recompute = model.forward(seq, [])
    kv_diff = float(np.abs(np.stack(rows) - recompute).max())
    assert kv_diff <= 1e-5, "%s: KV-cache logits differ from a recompute by %g" % (case["name"], kv_diff)
    assert float(np.abs(recompute[len(prompt) - 1] - last).max()) <= 1e-5
    assert [first_max(r) for r in recompute[len(prompt) - 1:]] == greedy
    top = first_max(last)
    idx = sorted(set([round(i * (V - 1) / 30) for i in range(31)] + [top]))
    out = {"name": case["name"]}
    out.update(case)
    out.update({
        "safetensors_sha256": model.sha256,
        "last_logits_head": [f32(v) for v in last[:16]],
        "last_logits_probe": {"indices": idx, "values": [f32(last[i]) for i in idx]},
        "greedy": greedy,
        "greedy_min_gap": f32(min(top_gap(r) for r in rows[len(prompt) - 1:])),
        "kv_max_abs_diff": kv_diff,
    })
    if long_probe is not None:
        out["positions_probe_indices"] = long_probe
        out["positions"] = [{"argmax": first_max(r), "gap": f32(top_gap(r)),
                             "probe": [f32(r[i]) for i in long_probe]} for r in full]
        out["positions_min_gap"] = f32(min(top_gap(r) for r in full))
    return out


TINY = {"seed": 1, "vocab": 51200, "hidden": 64, "layers": 2, "heads": 4, "intermediate": 256,
        "partial_rotary_factor": 0.4, "dtype": "F32", "rope_theta": 10000.0,
        "max_position_embeddings": 2048}
S7 = dict(TINY, seed=7, vocab=1000, hidden=48, layers=3, heads=3, intermediate=192,
          partial_rotary_factor=0.5)
S42 = dict(TINY, seed=42, vocab=2048, hidden=80, layers=2, heads=2, intermediate=320,
           partial_rotary_factor=0.4, dtype="BF16")
KNOWN_PROMPT = [50256, 464, 3139, 7586, 21831]
KNOWN_SHA = {
    "F32": "b5f23c9baa8fedaca073bd3641326fe84c1b6e63b1135f9be414a302291a595c",
    "F16": "d7c3c41382556326e6ea18a3601cdc72a3a6fa5b2f2636b86bcb8a0f932798de",
    "BF16": "c652f587cdc3a942408ff99343f6118a85c1a8c1078682cc5aac56aa0196b91b",
}
KNOWN_HEAD = [0.19279650, -0.56649631, -0.92196757, -0.94213420, -0.01688891,
              0.26313311, 0.53423566, 0.79690409]
KNOWN_GREEDY = [49039, 4997, 39995, 1982, 26601, 1426, 33793, 7339, 20439, 11729,
                12506, 14252, 9828, 424, 33820, 27065]


def long_ids(vocab, n=300):
    return [(i * 7919 + 13) % vocab for i in range(n)]


def case_list():
    mid_eos = [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 50256,
               15496, 995, 198, 4299, 277, 33529, 50284, 7783]
    return [
        dict(TINY, name="tiny-s1-f32-known", prompt=KNOWN_PROMPT),
        dict(TINY, name="tiny-s1-f16-known", dtype="F16", prompt=KNOWN_PROMPT),
        dict(TINY, name="tiny-s1-bf16-known", dtype="BF16", prompt=KNOWN_PROMPT),
        dict(TINY, name="tiny-s1-f32-len1", prompt=[50256]),
        dict(TINY, name="tiny-s1-f32-len17-eos-mid", prompt=mid_eos),
        dict(S7, name="s7-d48h3-f32-len5", prompt=[1, 17, 999, 0, 500]),
        dict(S7, name="s7-d48h3-f32-len17", prompt=[(i * 37 + 5) % 1000 for i in range(17)]),
        dict(S42, name="s42-d80h2-bf16-len5", prompt=[2047, 3, 1024, 77, 512]),
        dict(S42, name="s42-d80h2-f16-len17", dtype="F16",
             prompt=[(i * 131 + 9) % 2048 for i in range(17)]),
        dict(TINY, name="tiny-s1-f32-long300", prompt=long_ids(51200)),
        dict(S7, name="s7-d48h3-f32-long300", prompt=long_ids(1000)),
    ]


_models = {}


def model_for(case):
    keys = ("seed", "vocab", "hidden", "layers", "heads", "intermediate",
            "partial_rotary_factor", "dtype", "rope_theta")
    key = tuple(case[k] for k in keys)
    if key not in _models:
        weights, sha = build_checkpoint(case)
        m = Model(case, weights)
        m.sha256 = sha
        _models[key] = m
    return _models[key]


# Spec §3.4: float32 inv_freq bits for rotary dim 32 (entries 5, 6, 10, 14 may be 1 ulp off).
INV_FREQ_BITS = [0x3f800000, 0x3f0ff59a, 0x3ea1e89b, 0x3e361887, 0x3dcccccd, 0x3d6655c2,
                 0x3d0186e3, 0x3c91ad39, 0x3c23d70a, 0x3bb8449c, 0x3b4f3e38, 0x3ae91528,
                 0x3a83126f, 0x3a136a16, 0x39a5cb60, 0x393a7753]


def self_check():
    """Abort unless the spec's §3.4 inv_freq, §7 sha256s and §8 known values are reproduced."""
    phi2 = dict(TINY, hidden=2560, heads=32)
    got = Model(phi2, {}).inv_freq.view(np.uint32).astype(np.int64)
    ulps = np.abs(got - np.array(INV_FREQ_BITS, dtype=np.int64))
    assert ulps.max() <= 1 and set(np.nonzero(ulps)[0]) <= {5, 6, 10, 14}, "inv_freq %s" % ulps
    for dt, want in KNOWN_SHA.items():
        got = model_for(dict(TINY, dtype=dt)).sha256
        assert got == want, "%s checkpoint sha256 %s, spec says %s" % (dt, got, want)
    for dt in KNOWN_SHA:
        r = run_case(dict(TINY, name="check", dtype=dt, prompt=KNOWN_PROMPT),
                     model_for(dict(TINY, dtype=dt)))
        assert r["greedy"] == KNOWN_GREEDY, "%s greedy %s" % (dt, r["greedy"])
        if dt == "F32":
            diff = max(abs(a - b) for a, b in zip(r["last_logits_head"], KNOWN_HEAD))
            assert diff <= 1e-5, "logits[:8] differ from the spec by %g" % diff
            print("self-check: F32 logits[:8] within %.2g of the spec" % diff, file=sys.stderr)
    print("self-check: sha256s and greedy tokens match the spec", file=sys.stderr)


def dump(cases, fh):
    fh.write('{"command": "/usr/bin/python3 testdata/goldens/reference.py '
             '--out testdata/goldens/goldens.json",\n "cases": [\n')
    for n, c in enumerate(cases):
        lines = []
        for k, v in c.items():
            if k == "positions":
                inner = ",\n   ".join(json.dumps(p, separators=(",", ":")) for p in v)
                lines.append('  "positions": [\n   %s]' % inner)
            else:
                lines.append("  %s: %s" % (json.dumps(k), json.dumps(v, separators=(",", ":"))))
        fh.write(" {\n" + ",\n".join(lines) + "}" + (",\n" if n + 1 < len(cases) else "\n"))
    fh.write("]}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="where to write goldens.json (default: stdout)")
    args = ap.parse_args()
    self_check()
    out = []
    for case in case_list():
        probe = None
        if len(case["prompt"]) >= 300:
            V = case["vocab"]
            probe = [0, 1, V // 7, V // 3, V // 2, (2 * V) // 3, V - 2, V - 1]
        out.append(run_case(case, model_for(case), long_probe=probe))
        print("%-28s greedy %s kv %.2g" % (case["name"], out[-1]["greedy"][:4],
                                           out[-1]["kv_max_abs_diff"]), file=sys.stderr)
    if args.out:
        with open(args.out, "w") as fh:
            dump(out, fh)
    else:
        dump(out, sys.stdout)


if __name__ == "__main__":
    main()
