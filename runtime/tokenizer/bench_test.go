package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// benchText is about 4 KB of mixed prose, code and non-Latin text.
var benchText = strings.Repeat("The quick brown fox jumps over the lazy dog; it's 3:45pm.\n"+
	"func main() {\n\tfor i := 0; i < 10; i++ {\n\t\tfmt.Println(i)\n\t}\n}\n"+
	"\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \U0001F600 caf\u00e9 na\u00efve\n", 25)

func BenchmarkEncode(b *testing.B) {
	tk := mustNew(b)
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		tk.Encode(benchText)
	}
}

// BenchmarkEncodeUncached encodes 4 KB of random words, none of them cached.
func BenchmarkEncodeUncached(b *testing.B) {
	tk := mustNew(b)
	rng := rand.New(rand.NewPCG(3, 4))
	var sb strings.Builder
	for sb.Len() < 4096 {
		sb.WriteByte(' ')
		for range 3 + rng.IntN(10) {
			sb.WriteByte(byte('a' + rng.IntN(26)))
		}
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		tk.mu.Lock()
		clear(tk.cache)
		tk.mu.Unlock()
		tk.Encode(text)
	}
}

func BenchmarkDecode(b *testing.B) {
	tk := mustNew(b)
	ids := tk.Encode(benchText)
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		if _, err := tk.Decode(ids); err != nil {
			b.Fatal(err)
		}
	}
}
