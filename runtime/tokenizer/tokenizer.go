package tokenizer

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// Tokenizer encodes text to Phi-2 token ids and decodes ids back to text.
// It is safe for concurrent use.
type Tokenizer struct {
	v *vocabulary

	mu    sync.Mutex
	cache map[string][]int32 // ids of recently seen pre-tokens
}

const (
	maxCacheEntries = 1 << 16
	maxCachedWord   = 64 // bytes; longer words are rare and not worth keeping
)

// New loads the embedded vocabulary into a new Tokenizer.
func New() (*Tokenizer, error) {
	v, err := loadVocabulary(gpt2Data)
	if err != nil {
		return nil, err
	}
	return &Tokenizer{v: v, cache: make(map[string][]int32)}, nil
}

var loadDefault = sync.OnceValues(New)

// Default returns a Tokenizer shared by the whole program, loading it on the
// first call.
func Default() (*Tokenizer, error) { return loadDefault() }

// VocabSize is the number of token ids, 50295: the 50257 GPT-2 tokens and the
// 38 whitespace tokens that Phi-2 adds. Model rows at or above it have no token.
func (t *Tokenizer) VocabSize() int { return vocabSize }

// Encode returns the token ids of text. No bos or eos is added; write
// "<|endoftext|>" into the text where one is wanted.
func (t *Tokenizer) Encode(text string) []int32 {
	ids := make([]int32, 0, len(text)/4+1)
	var w bpeWork
	for len(text) > 0 {
		pos, n, id := nextAdded(text)
		ids = t.appendOrdinary(ids, text[:pos], &w)
		if n == 0 {
			break
		}
		ids = append(ids, id)
		text = text[pos+n:]
	}
	return ids
}

// appendOrdinary encodes text that holds no added token.
func (t *Tokenizer) appendOrdinary(ids []int32, text string, w *bpeWork) []int32 {
	for len(text) > 0 {
		n := nextWord(text)
		ids = t.appendWord(ids, text[:n], w)
		text = text[n:]
	}
	return ids
}

func (t *Tokenizer) appendWord(ids []int32, word string, w *bpeWork) []int32 {
	if len(word) == 1 {
		return append(ids, t.v.byteID[word[0]])
	}
	if len(word) > maxCachedWord {
		return t.v.bpe(ids, word, w)
	}
	t.mu.Lock()
	cached, ok := t.cache[word]
	t.mu.Unlock()
	if ok {
		return append(ids, cached...)
	}
	start := len(ids)
	ids = t.v.bpe(ids, word, w)
	word = strings.Clone(word) // keep the cache from pinning the caller's text
	t.mu.Lock()
	if len(t.cache) >= maxCacheEntries {
		clear(t.cache)
	}
	t.cache[word] = append([]int32(nil), ids[start:]...)
	t.mu.Unlock()
	return ids
}

// DecodeBytes returns the exact bytes that ids stand for. It fails on an id
// outside [0, VocabSize()), naming it.
func (t *Tokenizer) DecodeBytes(ids []int32) ([]byte, error) {
	var out []byte
	for i, id := range ids {
		b, ok := t.v.tokenBytes(id)
		if !ok {
			return nil, fmt.Errorf("tokenizer: id %d at index %d is outside the vocabulary [0, %d)", id, i, vocabSize)
		}
		out = append(out, b...)
	}
	return out, nil
}

// Decode returns the text that ids stand for. The bytes of the tokens are
// joined and read as UTF-8; each ill-formed sequence becomes U+FFFD. It fails
// on an id outside [0, VocabSize()), naming it.
func (t *Tokenizer) Decode(ids []int32) (string, error) {
	b, err := t.DecodeBytes(ids)
	if err != nil {
		return "", err
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	out, _ := appendLossy(nil, b, true)
	return string(out), nil
}
