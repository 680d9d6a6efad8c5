#!/usr/bin/python3
"""Train phi-nano: the Phi-2 architecture at a small shape, on the Go standard library.

    /usr/bin/python3 tools/train/train.py --data CORPUS_DIR --out HF_DIR [--steps N]

CORPUS_DIR holds train.u16 and heldout.u16 from tools/train/corpus. The result is a
Hugging Face-format checkpoint (config.json, F16 model.safetensors) plus training.json.
Deterministic for a given seed, torch version, BLAS library and thread count.
"""
import argparse
import json
import math
import os
import sys
import time

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import checkpoint  # noqa: E402
from model import PhiNano, Shape, full_state, rope_tables  # noqa: E402


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="corpus directory (train.u16, heldout.u16)")
    ap.add_argument("--out", required=True, help="output directory of the HF checkpoint")
    ap.add_argument("--steps", type=int, default=1200, help="optimizer steps")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seq", type=int, default=512, help="sequence length = max_position_embeddings")
    ap.add_argument("--batch-tokens", type=int, default=4096, help="tokens per step")
    ap.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    ap.add_argument("--min-lr", type=float, default=3e-4, help="learning rate at the end of the cosine")
    ap.add_argument("--warmup", type=int, default=100, help="linear warmup steps")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=200, help="steps between held-out evaluations")
    ap.add_argument("--eval-seqs", type=int, default=32, help="held-out windows per evaluation")
    ap.add_argument("--threads", type=int, default=2)
    return ap.parse_args()


def lr_at(step, a):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    t = (step - a.warmup) / max(1, a.steps - a.warmup)
    return a.min_lr + 0.5 * (a.lr - a.min_lr) * (1 + math.cos(math.pi * t))


class Batches:
    """Non-overlapping windows of seq+1 tokens, in a fresh seeded permutation each epoch."""

    def __init__(self, ids, seq, per_step, gen):
        self.ids, self.seq, self.per_step, self.gen = ids, seq, per_step, gen
        self.windows = (len(ids) - 1) // seq
        self.order, self.pos, self.epoch = torch.randperm(self.windows, generator=gen), 0, 0

    def next(self):
        rows = []
        for _ in range(self.per_step):
            if self.pos == self.windows:
                self.order, self.pos = torch.randperm(self.windows, generator=self.gen), 0
                self.epoch += 1
            start = int(self.order[self.pos]) * self.seq
            rows.append(self.ids[start:start + self.seq + 1])
            self.pos += 1
        b = torch.stack(rows)
        return b[:, :-1], b[:, 1:]


@torch.no_grad()
def heldout_loss(model, windows, seen_rows, n_unseen):
    """Mean next-token loss over the full 51200 vocabulary, as the exported model gives it:
    unseen inputs embed to zero and every unseen id has the logit -20."""
    model.eval()
    total, count = 0.0, 0
    rows = model.embed_tokens.num_embeddings
    for w in windows:
        x, y = w[None, :-1], w[1:]
        xi, yi = seen_rows[x], seen_rows[y]
        h = F.embedding(xi.clamp(max=rows - 1), model.embed_tokens.weight) * (xi < rows)[..., None]
        logits = hidden_from_embeddings(model, h)[0]
        lse = torch.logaddexp(logits.logsumexp(-1), torch.tensor(math.log(n_unseen) - 20.0))
        target = torch.where(yi < rows, logits.gather(1, yi.clamp(max=rows - 1)[:, None])[:, 0],
                             torch.tensor(-20.0))
        total += float((lse - target).sum())
        count += len(y)
    model.train()
    return total / count


def hidden_from_embeddings(model, h):
    T = h.shape[1]
    cos, sin = rope_tables(model.s, torch.arange(T))
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    for layer in model.layers:
        h = layer(h, cos, sin, mask)
    return model.lm_head(model.final_layernorm(h))


def main():
    a = parse_args()
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(a.threads)
    train = np.fromfile(os.path.join(a.data, "train.u16"), dtype="<u2").astype(np.int64)
    held = np.fromfile(os.path.join(a.data, "heldout.u16"), dtype="<u2").astype(np.int64)
    s = Shape(max_positions=a.seq)
    seen = np.unique(train)
    seen_rows = np.full(s.vocab, len(seen), dtype=np.int64)  # id -> compact row; unseen -> len
    seen_rows[seen] = np.arange(len(seen))
    seen_rows = torch.from_numpy(seen_rows)
    seen = torch.from_numpy(seen)
    train_rows = seen_rows[torch.from_numpy(train)]
    held = torch.from_numpy(held)
    n_win = (len(held) - 1) // a.seq
    eval_windows = [held[i * a.seq:i * a.seq + a.seq + 1]
                    for i in np.linspace(0, n_win - 1, min(a.eval_seqs, n_win)).astype(int)]
    print("seen vocabulary %d of %d; train %d tokens, held-out %d tokens" %
          (len(seen), s.vocab, len(train), len(held)), flush=True)

    model = PhiNano(s, len(seen))
    model.init_weights()
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and "embed" not in n]
    other = [p for n, p in model.named_parameters() if not (p.dim() == 2 and "embed" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": other, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), eps=1e-8)
    per_step = max(1, a.batch_tokens // a.seq)
    batches = Batches(train_rows, a.seq, per_step, torch.Generator().manual_seed(a.seed))
    log, start, run_loss = [], time.time(), []
    for step in range(a.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, a)
        x, y = batches.next()
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run_loss.append(float(loss))
        last = step + 1 == a.steps
        if (step + 1) % 10 == 0 or last:
            el = time.time() - start
            print("step %d/%d loss %.4f lr %.2e %.2fs/step elapsed %.0fs epoch %d" % (
                step + 1, a.steps, sum(run_loss) / len(run_loss), lr_at(step, a),
                el / (step + 1), el, batches.epoch), flush=True)
            log.append({"step": step + 1, "loss": sum(run_loss) / len(run_loss)})
            run_loss = []
        if (step + 1) % a.eval_every == 0 or last:
            hl = heldout_loss(model, eval_windows, seen_rows, s.vocab - len(seen))
            print("step %d heldout_loss %.4f" % (step + 1, hl), flush=True)
            log[-1]["heldout_loss"] = hl
    elapsed = time.time() - start
    checkpoint.write(a.out, s, full_state(model, seen))
    summary = {"args": vars(a), "torch": torch.__version__, "seen_vocab": len(seen),
               "train_seconds": round(elapsed, 1), "seconds_per_step": round(elapsed / a.steps, 3),
               "tokens_seen": a.steps * per_step * a.seq, "log": log}
    with open(os.path.join(a.out, "training.json"), "w") as fh:
        json.dump(summary, fh, indent=1)
        fh.write("\n")
    print("wrote %s in %.0fs (%.2fs/step)" % (a.out, elapsed, elapsed / a.steps), flush=True)


if __name__ == "__main__":
    main()
