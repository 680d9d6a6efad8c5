package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStreamDecoderHoldsBackSplitEmoji(t *testing.T) {
	tk := mustNew(t)
	d := NewStreamDecoder(tk)
	// 30325 is " \xf0\x9f\x98": the space is complete, the emoji is not.
	if got, err := d.Write(30325); err != nil || got != " " {
		t.Fatalf("Write(30325) = %q, %v, want %q", got, err, " ")
	}
	// A bad id is an error and leaves the held-back bytes alone.
	if _, err := d.Write(50295); err == nil || !strings.Contains(err.Error(), "50295") {
		t.Errorf("Write(50295) error = %v, want one naming the id", err)
	}
	if got := d.Flush(); got != "\uFFFD" {
		t.Errorf("Flush() = %q, want one U+FFFD for the truncated emoji", got)
	}
	if got := d.Flush(); got != "" {
		t.Errorf("second Flush() = %q, want empty", got)
	}
}

func TestStreamDecoderMatchesDecode(t *testing.T) {
	tk := mustNew(t)
	texts := []string{
		"Hello \U0001F600! \U0001F468\u200d\U0001F469\u200d\U0001F467 \U0001F1EB\U0001F1F7 \u65e5\u672c\u8a9e",
		"\U0001F916\U0001F680\u2728 caf\u00e9<|endoftext|>\t\tx",
	}
	for _, text := range texts {
		ids := tk.Encode(text)
		d := NewStreamDecoder(tk)
		var sb strings.Builder
		held := false
		for _, id := range ids {
			piece, err := d.Write(id)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.ValidString(piece) || strings.ContainsRune(piece, utf8.RuneError) {
				t.Errorf("Write(%d) returned %q, not clean UTF-8", id, piece)
			}
			b, _ := tk.DecodeBytes([]int32{id})
			held = held || !utf8.Valid(b)
			sb.WriteString(piece)
		}
		sb.WriteString(d.Flush())
		if sb.String() != text {
			t.Errorf("streamed %q, want %q", sb.String(), text)
		}
		if !held {
			t.Errorf("no token of %q splits a character, so holding back was not exercised", text)
		}
	}
}
