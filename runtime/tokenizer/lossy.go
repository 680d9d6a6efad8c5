package tokenizer

import "unicode/utf8"

// appendLossy appends p to dst as valid UTF-8, replacing each maximal
// ill-formed subpart with U+FFFD (the Unicode recommendation, which Python's
// errors="replace" and Rust's from_utf8_lossy follow). Unless atEnd, a
// truncated but so far well-formed sequence at the end of p is left out, since
// more bytes may complete it. It returns the new dst and how many bytes of p
// it consumed.
func appendLossy(dst, p []byte, atEnd bool) ([]byte, int) {
	i := 0
	for i < len(p) {
		if p[i] < utf8.RuneSelf {
			dst = append(dst, p[i])
			i++
			continue
		}
		if r, size := utf8.DecodeRune(p[i:]); r != utf8.RuneError || size > 1 {
			dst = append(dst, p[i:i+size]...)
			i += size
			continue
		}
		n := wellFormedPrefix(p[i:])
		if !atEnd && n > 0 && i+n == len(p) {
			break
		}
		dst = utf8.AppendRune(dst, utf8.RuneError)
		i += max(n, 1)
	}
	return dst, i
}

// wellFormedPrefix returns how many leading bytes of p begin a well-formed
// UTF-8 sequence (Unicode table 3-7) without completing it; 0 if p[0] cannot
// begin one. p must not start with a complete sequence.
func wellFormedPrefix(p []byte) int {
	var need int
	lo, hi := byte(0x80), byte(0xBF) // allowed range of the second byte
	switch b := p[0]; {
	case b >= 0xC2 && b <= 0xDF:
		need = 2
	case b >= 0xE0 && b <= 0xEF:
		need = 3
		if b == 0xE0 {
			lo = 0xA0
		} else if b == 0xED {
			hi = 0x9F
		}
	case b >= 0xF0 && b <= 0xF4:
		need = 4
		if b == 0xF0 {
			lo = 0x90
		} else if b == 0xF4 {
			hi = 0x8F
		}
	default:
		return 0
	}
	k := 1
	for k < need && k < len(p) && p[k] >= lo && p[k] <= hi {
		k++
		lo, hi = 0x80, 0xBF
	}
	return k
}
