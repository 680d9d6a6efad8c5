package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// textbookBPE is the plain loop of the GPT-2 paper's code, in ids: find the
// lowest-ranked adjacent pair, merge all its occurrences left to right, repeat.
func textbookBPE(v *vocabulary, word string) []int32 {
	syms := make([]int32, len(word))
	for i := range len(word) {
		syms[i] = v.byteID[word[i]]
	}
	for {
		best := int32(-1)
		for i := 0; i+1 < len(syms); i++ {
			if r := v.pairs.rank(syms[i], syms[i+1]); r >= 0 && (best < 0 || r < best) {
				best = r
			}
		}
		if best < 0 {
			return syms
		}
		m := v.merges[best]
		var out []int32
		for i := 0; i < len(syms); i++ {
			if i+1 < len(syms) && syms[i] == int32(m[0]) && syms[i+1] == int32(m[1]) {
				out = append(out, 256+best)
				i++
			} else {
				out = append(out, syms[i])
			}
		}
		syms = out
	}
}

func TestBPEMatchesTextbookLoop(t *testing.T) {
	v := mustNew(t).v
	words := []string{
		"aaaaaaaaaaaaaaaaaaaaaaaaa", " the", "antidisestablishmentarianism",
		strings.Repeat("ab", 40), strings.Repeat("\n", 70), strings.Repeat("=", 33),
		"\U0001F468\u200d\U0001F469\u200d\U0001F467", "0123456789012345678901234567890",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("eeettaoinsrhl  .,\n\xf0\x9f\x98\x80")
	for range 300 {
		b := make([]byte, 1+rng.IntN(120))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		words = append(words, string(b))
	}
	var work bpeWork
	for _, w := range words {
		if got, want := v.bpe(nil, w, &work), textbookBPE(v, w); !slices.Equal(got, want) {
			t.Errorf("bpe(%q) = %v, textbook loop gives %v", w, got, want)
		}
	}
}

// TestLongWordIsFast makes sure that a huge pre-token does not take quadratic
// time.
func TestLongWordIsFast(t *testing.T) {
	tk := mustNew(t)
	text := strings.Repeat("abcdefghij", 100_000) // one 1 MB word
	ids := tk.Encode(text)
	if got, _ := tk.Decode(ids); got != text {
		t.Fatal("1 MB word does not round-trip")
	}
}
