package tokenizer

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/tokenizer/internal/bpedata"
)

func TestEmbeddedDataChecksum(t *testing.T) {
	sum := sha256.Sum256(gpt2Data)
	if got := hex.EncodeToString(sum[:]); got != dataSHA256 {
		t.Fatalf("gpt2.bin sha256 = %s, want %s; regenerate it with internal/gendata", got, dataSHA256)
	}
}

func TestEmbeddedDataShape(t *testing.T) {
	table, err := bpedata.Unmarshal(gpt2Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Merges) != 50000 {
		t.Fatalf("%d merges, want 50000", len(table.Merges))
	}
	v, err := loadVocabulary(gpt2Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.offsets)-1 != EndOfText {
		t.Fatalf("%d ids before <|endoftext|>, want %d", len(v.offsets)-1, EndOfText)
	}
	// The 50257 base tokens are distinct byte strings, as in vocab.json.
	seen := make(map[string]int32, baseTokens)
	for id := range int32(baseTokens) {
		b, _ := v.tokenBytes(id)
		if prev, dup := seen[string(b)]; dup {
			t.Fatalf("ids %d and %d are both %q", prev, id, b)
		}
		seen[string(b)] = id
	}
	known := map[int32]string{
		0: "!", 13: ".", 197: "\t", 198: "\n", 220: " ", 256: " t", 257: " a",
		995: " world", 15496: "Hello", 50255: " gazed", EndOfText: "<|endoftext|>",
		50257: spaces, 50286: "  ", 50287: tabs, 50294: "\t\t",
	}
	for id, want := range known {
		if b, _ := v.tokenBytes(id); string(b) != want {
			t.Errorf("id %d = %q, want %q", id, b, want)
		}
	}
}

// TestLoadTime guards against a regression that would make startup slow;
// BenchmarkNew gives the precise figure (a few milliseconds).
func TestLoadTime(t *testing.T) {
	start := time.Now()
	if _, err := New(); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("New took %v", elapsed)
	if elapsed > 250*time.Millisecond {
		t.Errorf("New took %v, want a few milliseconds", elapsed)
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}
