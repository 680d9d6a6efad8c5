package generate

import (
	"strings"

	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// textStream turns ids into text, holding back the tail that could still
// become a stop string so that a stop string is never emitted.
type textStream struct {
	dec     *tokenizer.StreamDecoder
	vocab   int // ids at or past it have no text and are skipped
	stops   []string
	pending string          // decoded, not yet emitted
	emitted strings.Builder // everything emitted
}

func newTextStream(tok *tokenizer.Tokenizer, stops []string) *textStream {
	var nonEmpty []string
	for _, s := range stops {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	return &textStream{dec: tokenizer.NewStreamDecoder(tok), vocab: tok.VocabSize(), stops: nonEmpty}
}

// add decodes id and returns the text now safe to emit, and whether a stop
// string was found (the text before it is emitted, the rest dropped).
func (t *textStream) add(id int32) (string, bool, error) {
	if int(id) >= t.vocab {
		return "", false, nil
	}
	piece, err := t.dec.Write(id)
	if err != nil {
		return "", false, err
	}
	t.pending += piece
	if cut := t.firstStop(); cut >= 0 {
		out := t.pending[:cut]
		t.pending = ""
		t.emitted.WriteString(out)
		return out, true, nil
	}
	keep := t.heldBack()
	out := t.pending[:len(t.pending)-keep]
	t.pending = t.pending[len(t.pending)-keep:]
	t.emitted.WriteString(out)
	return out, false, nil
}

// flush emits what was held back at the end of the run.
func (t *textStream) flush() string {
	out := t.pending + t.dec.Flush()
	t.pending = ""
	if cut := t.firstStop(); cut >= 0 {
		out = out[:cut]
	}
	t.emitted.WriteString(out)
	return out
}

// firstStop is the byte offset in pending of the earliest stop string, or -1.
func (t *textStream) firstStop() int {
	best := -1
	for _, s := range t.stops {
		if i := strings.Index(t.pending, s); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// heldBack is the length of the longest suffix of pending that is a proper
// prefix of some stop string.
func (t *textStream) heldBack() int {
	keep := 0
	for _, s := range t.stops {
		for n := min(len(s)-1, len(t.pending)); n > keep; n-- {
			if strings.HasSuffix(t.pending, s[:n]) {
				keep = n
				break
			}
		}
	}
	return keep
}
