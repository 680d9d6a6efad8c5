package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// charClass is the class of a character in the GPT-2 pre-tokenizer pattern
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// where \s is the Unicode White_Space property.
type charClass uint8

const (
	classOther charClass = iota
	classLetter
	classNumber
	classSpace
)

var asciiClass = func() (t [utf8.RuneSelf]charClass) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = slowClass(r)
	}
	return t
}()

func classOf(r rune) charClass {
	if r < utf8.RuneSelf {
		return asciiClass[r]
	}
	return slowClass(r)
}

// slowClass uses White_Space rather than unicode.IsSpace: the two agree today,
// but White_Space is what the pattern's \s means.
func slowClass(r rune) charClass {
	switch {
	case unicode.Is(unicode.White_Space, r):
		return classSpace
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	}
	return classOther
}

// nextWord returns the byte length of the first pre-token of the non-empty
// string s. The end of s acts as the end of the text. A byte that is not valid
// UTF-8 counts as one "other" character.
func nextWord(s string) int {
	if s[0] == '\'' && len(s) > 1 {
		switch s[1] {
		case 's', 't', 'm', 'd':
			return 2
		case 'r', 'v', 'l':
			if len(s) > 2 && (s[1:3] == "re" || s[1:3] == "ve" || s[1:3] == "ll") {
				return 3
			}
		}
	}
	r, size := utf8.DecodeRuneInString(s)
	c := classOf(r)
	if r == ' ' && len(s) > 1 {
		if r2, _ := utf8.DecodeRuneInString(s[1:]); classOf(r2) != classSpace {
			return run(s, 1, classOf(r2))
		}
	}
	if c != classSpace {
		return run(s, size, c)
	}
	// Whitespace: all of a run that ends the text or is one character long,
	// otherwise all but its last character, which then begins the next word.
	lastStart, end := 0, size
	for end < len(s) {
		r, n := utf8.DecodeRuneInString(s[end:])
		if classOf(r) != classSpace {
			if lastStart == 0 {
				return end
			}
			return lastStart
		}
		lastStart = end
		end += n
	}
	return end
}

// run extends a pre-token from byte i over the following characters of class c.
func run(s string, i int, c charClass) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if classOf(r) != c {
			break
		}
		i += n
	}
	return i
}
