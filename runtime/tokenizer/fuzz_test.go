package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRoundTrip checks that decoding gives back exactly the encoded text,
// both at once and through the stream decoder.
func FuzzRoundTrip(f *testing.F) {
	for _, c := range specExamples { // the other seeds are in testdata/fuzz/FuzzRoundTrip
		f.Add(c.text)
	}
	tk, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids := tk.Encode(s)
		for _, id := range ids {
			if id < 0 || id >= vocabSize {
				t.Fatalf("Encode(%q) gave id %d", s, id)
			}
		}
		// Bytes round-trip for any input, valid UTF-8 or not.
		if b, err := tk.DecodeBytes(ids); err != nil || string(b) != s {
			t.Fatalf("DecodeBytes(Encode(%q)) = %q, %v", s, b, err)
		}
		if !utf8.ValidString(s) {
			return
		}
		if got, err := tk.Decode(ids); err != nil || got != s {
			t.Fatalf("Decode(Encode(%q)) = %q, %v", s, got, err)
		}
		d := NewStreamDecoder(tk)
		var sb strings.Builder
		for _, id := range ids {
			piece, err := d.Write(id)
			if err != nil {
				t.Fatal(err)
			}
			sb.WriteString(piece)
		}
		sb.WriteString(d.Flush())
		if sb.String() != s {
			t.Fatalf("streamed %q, want %q", sb.String(), s)
		}
	})
}
