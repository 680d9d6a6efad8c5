package tokenizer

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func mustNew(t testing.TB) *Tokenizer {
	t.Helper()
	tk, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// The examples of docs/phi2-spec.md §6.2 and §8, checked there against
// Hugging Face tokenizers.
var specExamples = []struct {
	text string
	ids  []int32
}{
	{"Hello world", []int32{15496, 995}},
	{" Hello World", []int32{18435, 2159}},
	{"  Hello World", []int32{50286, 15496, 2159}},
	{"def f():\n    return", []int32{4299, 277, 33529, 198, 50284, 7783}},
	{"\t\treturn 0;", []int32{50294, 7783, 657, 26}},
	{"<|endoftext|>Special", []int32{50256, 13409}},
	{strings.Repeat(" ", 40), []int32{50257, 50279}},
}

func TestSpecExamples(t *testing.T) {
	tk := mustNew(t)
	for _, c := range specExamples {
		if got := tk.Encode(c.text); !slices.Equal(got, c.ids) {
			t.Errorf("Encode(%q) = %v, want %v", c.text, got, c.ids)
		}
		if got, err := tk.Decode(c.ids); err != nil || got != c.text {
			t.Errorf("Decode(%v) = %q, %v, want %q", c.ids, got, err, c.text)
		}
	}
}

func TestAddedTokenRuns(t *testing.T) {
	tk := mustNew(t)
	for n := 2; n <= 31; n++ {
		if got, want := tk.Encode(strings.Repeat(" ", n)), []int32{int32(50257 + 31 - n)}; !slices.Equal(got, want) {
			t.Errorf("%d spaces: %v, want %v", n, got, want)
		}
	}
	for n := 2; n <= 9; n++ {
		if got, want := tk.Encode(strings.Repeat("\t", n)), []int32{int32(50287 + 9 - n)}; !slices.Equal(got, want) {
			t.Errorf("%d tabs: %v, want %v", n, got, want)
		}
	}
	// A single space or tab is ordinary text: GPT-2's 220 (Ġ) and 197 (ĉ).
	if got := tk.Encode(" "); !slices.Equal(got, []int32{220}) {
		t.Errorf(`Encode(" ") = %v, want [220]`, got)
	}
	if got := tk.Encode("\t"); !slices.Equal(got, []int32{197}) {
		t.Errorf(`Encode("\t") = %v, want [197]`, got)
	}
	// 32 spaces: the 31-space token, then a single space.
	if got := tk.Encode(strings.Repeat(" ", 32)); !slices.Equal(got, []int32{50257, 220}) {
		t.Errorf("32 spaces = %v, want [50257 220]", got)
	}
}

func TestDecodeRejectsUnknownIDs(t *testing.T) {
	tk := mustNew(t)
	if tk.VocabSize() != 50295 {
		t.Fatalf("VocabSize() = %d, want 50295", tk.VocabSize())
	}
	for _, id := range []int32{-1, 50295, 51199} {
		_, err := tk.Decode([]int32{15496, id})
		if err == nil || !strings.Contains(err.Error(), "id "+strconv.Itoa(int(id))+" at index 1") {
			t.Errorf("Decode with id %d: error %v, want one naming the id and its index", id, err)
		}
		if _, err := tk.DecodeBytes([]int32{id}); err == nil {
			t.Errorf("DecodeBytes([%d]) succeeded", id)
		}
	}
	if got, err := tk.Decode([]int32{50294, 50256}); err != nil || got != "\t\t<|endoftext|>" {
		t.Errorf("Decode(added tokens) = %q, %v", got, err)
	}
}

func TestDecodeLossy(t *testing.T) {
	tk := mustNew(t)
	// 30325 is " " followed by the first three bytes of a four-byte emoji.
	b, err := tk.DecodeBytes([]int32{30325})
	if err != nil || string(b) != " \xf0\x9f\x98" {
		t.Fatalf("DecodeBytes([30325]) = %q, %v", b, err)
	}
	if got, _ := tk.Decode([]int32{30325, 11}); got != " \uFFFD," {
		t.Errorf("Decode(truncated emoji, comma) = %q, want %q", got, " \uFFFD,")
	}
}

func TestConcurrentEncode(t *testing.T) {
	tk := mustNew(t)
	text := "Concurrent callers share one cache: words, words and more words."
	want := tk.Encode(text)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := tk.Encode(text); !slices.Equal(got, want) {
					t.Errorf("concurrent Encode = %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
