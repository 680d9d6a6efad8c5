package tokenizer

import "testing"

// Expected strings are Python's bytes.decode("utf-8", "replace").
var lossyCases = []struct{ in, out string }{
	{"\xf0\x9f\x98", "\uFFFD"},
	{"\xf0\x9f\x98a", "\uFFFDa"},
	{"\xc0\xaf", "\uFFFD\uFFFD"},
	{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"},
	{"\xe0\x80", "\uFFFD\uFFFD"},
	{"\xf4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},
	{"a\xffb", "a\uFFFDb"},
	{"\xe2\x82", "\uFFFD"},
	{"\xf8\x88\x80\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"},
	{"\xe1\x80\xe2\x82\xac", "\uFFFD\u20ac"},
	{"ok \U0001F600", "ok \U0001F600"},
}

func TestAppendLossy(t *testing.T) {
	for _, c := range lossyCases {
		out, used := appendLossy(nil, []byte(c.in), true)
		if string(out) != c.out || used != len(c.in) {
			t.Errorf("appendLossy(%q) = %q, %d used; want %q", c.in, out, used, c.out)
		}
	}
}

func TestAppendLossyHoldsBackTail(t *testing.T) {
	cases := []struct {
		in, out string
		used    int
	}{
		{"a\xf0\x9f\x98", "a", 1},               // truncated emoji waits
		{"a\xe2\x82", "a", 1},                   // truncated euro sign waits
		{"a\xc0", "a\uFFFD", 2},                 // C0 never starts a sequence
		{"a\xed\xa0", "a\uFFFD\uFFFD", 3},       // ED A0 is ill-formed already
		{"\xf0\x9f\x98\x80b", "\U0001F600b", 5}, // complete
	}
	for _, c := range cases {
		out, used := appendLossy(nil, []byte(c.in), false)
		if string(out) != c.out || used != c.used {
			t.Errorf("appendLossy(%q, not at end) = %q, %d; want %q, %d", c.in, out, used, c.out, c.used)
		}
	}
}
