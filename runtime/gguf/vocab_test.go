package gguf

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// TestWritePhi2Vocabulary checks the tokenizer section llama.cpp needs to
// load a file of Phi-2's vocabulary: GPT-2's rune form of byte tokens, the
// added tokens as text, padding rows as unused, merges as "left right".
func TestWritePhi2Vocabulary(t *testing.T) {
	tok, err := tokenizer.Default()
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != phi2Tokens {
		t.Fatalf("phi2Tokens is %d, the tokenizer has %d", phi2Tokens, tok.VocabSize())
	}
	g, err := Parse(fileOf(writePhi2(t, smallVocab(51200), "Q8_0")))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := g.Value("tokenizer.ggml.tokens")
	tokens, _ := v.([]string)
	v, _ = g.Value("tokenizer.ggml.token_type")
	types, _ := v.([]int32)
	v, _ = g.Value("tokenizer.ggml.merges")
	merges, _ := v.([]string)
	if len(tokens) != 51200 || len(types) != 51200 || len(merges) != 50000 {
		t.Fatalf("%d tokens, %d types, %d merges: want 51200, 51200, 50000", len(tokens), len(types), len(merges))
	}
	for id, want := range map[int]string{0: "!", 188: "\u0100", 220: "Ġ", 198: "Ċ", 262: "Ġthe", 50256: "<|endoftext|>", 50294: "\t\t", 51199: "[PAD51199]"} {
		if tokens[id] != want {
			t.Errorf("token %d is %q, want %q", id, tokens[id], want)
		}
	}
	for id, want := range map[int]int32{262: tokenNormal, 50256: tokenControl, 50257: tokenUserDefined, 50295: tokenUnused} {
		if types[id] != want {
			t.Errorf("token %d has type %d, want %d", id, types[id], want)
		}
	}
	if merges[0] != "Ġ t" {
		t.Errorf("merge 0 is %q, want %q", merges[0], "Ġ t")
	}
	small, err := Parse(fileOf(writePhi2(t, small(), "Q8_0")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := small.Value("tokenizer.ggml.tokens"); ok {
		t.Error("a 62-token test vocabulary got Phi-2's tokens")
	}
}
