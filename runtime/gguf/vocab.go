package gguf

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// llama.cpp's token types (tokenizer.ggml.token_type).
const (
	tokenNormal      int32 = 1
	tokenControl     int32 = 3
	tokenUserDefined int32 = 4
	tokenUnused      int32 = 5
)

// gpt2Runes maps each byte to the rune GPT-2's vocabulary files write it
// as: printable Latin-1 bytes stand for themselves, the other 68 take the
// runes from U+0100 on, in byte order ("Ġ" is the space).
func gpt2Runes() [256]rune {
	var r [256]rune
	next := rune(256)
	for b := range 256 {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE {
			r[b] = rune(b)
		} else {
			r[b] = next
			next++
		}
	}
	return r
}

// phi2Vocabulary is the tokenizer section llama.cpp reads for a "gpt2"
// model: the token strings (byte-level BPE tokens in GPT-2's rune form,
// added tokens as their text, rows past the tokenizer's ids as unused
// "[PAD<id>]"), their types and the merges as "left right".
func phi2Vocabulary(rows int) []KV {
	tok, err := tokenizer.Default()
	if err != nil {
		panic(err) // the embedded vocabulary is checked by the tokenizer's tests
	}
	runes := gpt2Runes()
	symbol := func(b []byte) string {
		s := make([]rune, len(b))
		for i, c := range b {
			s[i] = runes[c]
		}
		return string(s)
	}
	tokens, types := make([]string, rows), make([]int32, rows)
	for id := range int32(rows) {
		b, ok := tok.Token(id)
		switch {
		case !ok:
			tokens[id], types[id] = fmt.Sprintf("[PAD%d]", id), tokenUnused
		case id == tokenizer.EndOfText:
			tokens[id], types[id] = string(b), tokenControl
		case tok.IsAdded(id):
			tokens[id], types[id] = string(b), tokenUserDefined
		default:
			tokens[id], types[id] = symbol(b), tokenNormal
		}
	}
	var merges []string
	for _, m := range tok.Merges() {
		merges = append(merges, tokens[m[0]]+" "+tokens[m[1]])
	}
	return []KV{{"tokenizer.ggml.tokens", tokens}, {"tokenizer.ggml.token_type", types}, {"tokenizer.ggml.merges", merges}}
}
