package tokenizer

import "testing"

func TestCleanUpSpaces(t *testing.T) {
	cases := []struct{ in, out string }{
		{"Hello , world ! Is it ? Yes .", "Hello, world! Is it? Yes."},
		{"I 'm sure it 's what we 've seen , they 're right", "I'm sure it's what we've seen, they're right"},
		{"do n't", "don't"},
		{"a ' b", "a'b"},
		{"no change: 'x' (y)", "no change: 'x' (y)"},
	}
	for _, c := range cases {
		if got := CleanUpSpaces(c.in); got != c.out {
			t.Errorf("CleanUpSpaces(%q) = %q, want %q", c.in, got, c.out)
		}
	}
}
