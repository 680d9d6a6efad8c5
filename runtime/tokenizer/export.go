package tokenizer

// Token returns the bytes of token id, and false for an id outside
// [0, VocabSize()). Writers of other formats (GGUF) list the vocabulary
// with it.
func (t *Tokenizer) Token(id int32) ([]byte, bool) { return t.v.tokenBytes(id) }

// Merges returns the BPE merges by rank: merge r joins the tokens of ids
// m[r][0] and m[r][1] into token 256+r.
func (t *Tokenizer) Merges() [][2]int32 {
	m := make([][2]int32, len(t.v.merges))
	for r, p := range t.v.merges {
		m[r] = [2]int32{int32(p[0]), int32(p[1])}
	}
	return m
}

// IsAdded reports whether id is one of the tokens Phi-2 adds to GPT-2's
// (its runs of spaces and tabs) or "<|endoftext|>", which are matched in
// text before byte-pair encoding rather than made by merges.
func (t *Tokenizer) IsAdded(id int32) bool { return id >= EndOfText && id < vocabSize }
