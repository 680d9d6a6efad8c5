//go:build !wasm

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHostileFlags: flag values that would ask for unbounded work or
// memory are refused (exit 2, or 1 for a file's size), before anything is
// sized by them.
func TestHostileFlags(t *testing.T) {
	on := func(args ...string) func(*testing.T) []string {
		return func(*testing.T) []string { return append(logitsOn(tinyDir), args...) }
	}
	cmd := func(args ...string) func(*testing.T) []string {
		return func(*testing.T) []string { return args }
	}
	synthOut := func(args ...string) func(*testing.T) []string {
		return func(t *testing.T) []string {
			return append([]string{"synth", "--out", filepath.Join(t.TempDir(), "s")}, args...)
		}
	}
	runHostile(t, []hostileInput{
		{"threads 100000", on("--threads", "100000"), 2, "--threads: thread count 100000 is larger than 1024, the most this engine supports"},
		{"threads 100000 on wazero", on("--threads", "100000", "--engine", "wazero"), 2, "thread count 100000 is larger than 1024"},
		{"threads -1", on("--threads", "-1"), 2, "--threads -1: want a number of threads, or 0 for one per CPU"},
		{"context -5", on("--context", "-5"), 2, "--context -5: want a number of tokens, or 0 for the model's"},
		{"context 2^31-1", on("--context", "2147483647"), 2, "--context: " + contextLimit},
		{"token outside the vocabulary", cmd("logits", "--model", tinyDir, "--ids", "99999"), 1, "token id 99999 at index 0 is outside the vocabulary"},
		{"max tokens -1", cmd("generate", "--model", tinyDir, "--ids", "1", "--max-tokens", "-1"), 2, "--max-tokens must be ≥ 0, got -1"},
		{"bench threads", cmd("bench", "--model", tinyDir, "--threads", "100000"), 2, "thread count 100000 is larger than 1024"},
		{"bench layers", cmd("bench", "--shape", "tiny", "--layers", "100000000", "--cache", filepath.Join(os.TempDir(), "unused")), 2,
			"Layers: layer count 100000000 is larger than 1024"},
		{"bench prompt", cmd("bench", "--model", tinyDir, "--prompt-tokens", "2000000000"), 2, "--prompt-tokens 2000000000: want 1 to 1048576"},
		{"perplexity of /dev/zero", cmd("perplexity", "--model", tinyDir, "--file", "/dev/zero"), 1,
			"/dev/zero: size of a text to score is larger than 33554432 bytes, the most this engine supports"},
		{"perplexity of a large file", func(t *testing.T) []string {
			path := filepath.Join(t.TempDir(), "big.txt")
			writeFile(t, path, nil)
			if err := os.Truncate(path, 1<<30); err != nil { // sparse
				t.Fatal(err)
			}
			return []string{"perplexity", "--model", tinyDir, "--file", path}
		}, 1, "size of a text to score 1073741824 bytes is larger than 33554432 bytes"},
		{"perplexity stride -1", cmd("perplexity", "--model", tinyDir, "--file", os.DevNull, "--stride", "-1"), 2, "--stride -1"},
		{"synth layers 1e8", synthOut("--layers", "100000000"), 2, "Layers: layer count 100000000 is larger than 1024"},
		{"synth vocabulary 1e11", synthOut("--vocab", "100000000000"), 2, "Vocab: vocabulary size 100000000000 is larger than 1048576"},
		{"synth vocabulary written 1e11", synthOut("--vocab", "1e11"), 2, `invalid value "1e11" for flag -vocab`},
		{"synth hidden", synthOut("--hidden", "131072"), 2, "hidden size 131072 is larger than 65536"},
		{"synth wide", synthOut("--shape", "phi2", "--vocab", "1000000"), 2, "tensor size 5120000000 bytes is larger than 1073741824 bytes"},
		{"convert into a full directory", func(t *testing.T) []string {
			return []string{"convert", "--in", tinyDir, "--out", filepath.Dir(tinyDir)}
		}, 1, "not part of a converted model: give a new or empty directory"},
		{"kv cache type", on("--kv-cache", "f8"), 2, `--kv-cache "f8": want f32, f16 or q8`},
		{"unknown flag", on("--bogus"), 2, "flag provided but not defined: -bogus"},
	})
}
