package tokenizer

import (
	"slices"
	"testing"
)

func splitAll(s string) []string {
	var words []string
	for len(s) > 0 {
		n := nextWord(s)
		words = append(words, s[:n])
		s = s[n:]
	}
	return words
}

func TestNextWord(t *testing.T) {
	cases := []struct {
		text  string
		words []string
	}{
		{"I'm don't", []string{"I", "'m", " don", "'t"}},
		{"we'll they've you're he'd", []string{"we", "'ll", " they", "'ve", " you", "'re", " he", "'d"}},
		{"?'s", []string{"?'", "s"}},               // "other" runs take the apostrophe
		{"'S 'Ll", []string{"'", "S", " '", "Ll"}}, // contractions are case-sensitive
		{"a  b", []string{"a", " ", " b"}},         // the last space joins the word
		{"a\n\nb", []string{"a", "\n", "\n", "b"}},
		{"a \n b", []string{"a", " \n", " b"}},
		{"end  ", []string{"end", "  "}}, // a run at the end stays whole
		{"x1 22 y", []string{"x", "1", " 22", " y"}},
		{"a+=b", []string{"a", "+=", "b"}},
		{" \u00e9t\u00e9 cafe\u0301", []string{" \u00e9t\u00e9", " cafe", "\u0301"}},
		{"\u2167\u00b2x", []string{"\u2167\u00b2", "x"}}, // Nl and No are numbers
		// White_Space: U+0085, U+00A0, U+3000 are whitespace ...
		{"x\u0085y", []string{"x", "\u0085", "y"}},
		{"x\u00a0\u00a0y", []string{"x", "\u00a0", "\u00a0", "y"}},
		{"x\u3000 y", []string{"x", "\u3000", " y"}},
		// ... U+FEFF, U+200B, U+180E and U+001C..U+001F are not.
		{"x \ufeff\u200by", []string{"x", " \ufeff\u200b", "y"}},
		{"x \u180e\x1c\x1d\x1e\x1fy", []string{"x", " \u180e\x1c\x1d\x1e\x1f", "y"}},
		{"a\xff\xfeb", []string{"a", "\xff\xfe", "b"}}, // invalid bytes are "other"
	}
	for _, c := range cases {
		if got := splitAll(c.text); !slices.Equal(got, c.words) {
			t.Errorf("split(%q) = %q, want %q", c.text, got, c.words)
		}
	}
}

func TestWhiteSpaceClass(t *testing.T) {
	spaces := []rune{'\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}
	for _, r := range spaces {
		if classOf(r) != classSpace {
			t.Errorf("U+%04X is White_Space but not classed as space", r)
		}
	}
	for _, r := range []rune{0xFEFF, 0x200B, 0x180E, 0x1C, 0x1D, 0x1E, 0x1F, 0x00, 0x7F} {
		if classOf(r) != classOther {
			t.Errorf("U+%04X classed %d, want other", r, classOf(r))
		}
	}
}
