package tokenizer

import "strings"

// nextAdded finds the leftmost added token in s and, among those starting
// there, the longest. It returns the token's byte position, length and id, or
// pos = len(s) and n = 0 if s holds none. Every added token starts with an
// ASCII byte, so scanning bytes finds the same positions as scanning
// characters. A single space or tab is not an added token.
func nextAdded(s string) (pos, n int, id int32) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			if strings.HasPrefix(s[i:], endOfTextText) {
				return i, len(endOfTextText), EndOfText
			}
		case ' ', '\t':
			limit, first := maxSpaces, int32(firstSpaceID)
			if c == '\t' {
				limit, first = maxTabs, firstTabID
			}
			k := 1
			for k < limit && i+k < len(s) && s[i+k] == c {
				k++
			}
			if k >= 2 {
				return i, k, first + int32(limit-k)
			}
		}
	}
	return len(s), 0, 0
}
