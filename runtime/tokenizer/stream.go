package tokenizer

import "fmt"

// StreamDecoder turns ids into text one at a time, as a model emits them. A
// token may end inside a multi-byte UTF-8 character (an emoji is often split
// across two or three tokens), so the decoder holds such trailing bytes back
// until the following ids complete them. The concatenation of everything it
// returns, Flush included, equals Decode of all the ids.
type StreamDecoder struct {
	t       *Tokenizer
	pending []byte
}

// NewStreamDecoder returns a decoder that starts with nothing held back.
func NewStreamDecoder(t *Tokenizer) *StreamDecoder { return &StreamDecoder{t: t} }

// Write adds one id and returns the text that is now complete, which may be
// empty. An id outside the vocabulary is an error and changes nothing.
func (d *StreamDecoder) Write(id int32) (string, error) {
	b, ok := d.t.v.tokenBytes(id)
	if !ok {
		return "", fmt.Errorf("tokenizer: id %d is outside the vocabulary [0, %d)", id, vocabSize)
	}
	d.pending = append(d.pending, b...)
	out, used := appendLossy(nil, d.pending, false)
	d.pending = d.pending[:copy(d.pending, d.pending[used:])]
	return string(out), nil
}

// Flush returns the held-back bytes, each incomplete sequence as U+FFFD, and
// leaves the decoder empty for reuse.
func (d *StreamDecoder) Flush() string {
	out, _ := appendLossy(nil, d.pending, true)
	d.pending = d.pending[:0]
	return string(out)
}
