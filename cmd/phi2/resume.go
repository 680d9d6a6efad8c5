package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// generation is a model and a session that can move to a fallback backend
// when its device is lost.
type generation struct {
	ef *engineFlags
	m  *phi2.Model
	s  *phi2.Session
}

func (g *generation) close() {
	if g.s != nil {
		g.s.Close()
	}
	if g.m != nil {
		g.m.Close()
		g.m.Backend().Close()
	}
}

// recover reopens the model on the fallback backend for err, if err is a
// loss this build recovers from, and says so on stderr.
func (g *generation) recover(err error) bool {
	name, ok := fallbackFor(err)
	if !ok {
		return false
	}
	fmt.Fprintf(os.Stderr, "phi2: %v; continuing on %s\n", err, name)
	fallback = err.Error()
	g.close()
	g.m, g.s = nil, nil
	g.ef.backend = name
	m, oerr := g.ef.open()
	if oerr != nil {
		fmt.Fprintf(os.Stderr, "phi2: %s: %v\n", name, oerr)
		return false
	}
	s, oerr := m.NewSession()
	if oerr != nil {
		fmt.Fprintf(os.Stderr, "phi2: %s: %v\n", name, oerr)
		m.Close()
		m.Backend().Close()
		return false
	}
	g.m, g.s = m, s
	return true
}

// run generates like generate.Run, and when the device is lost part way,
// goes on from the tokens made so far on the fallback backend.
func (g *generation) run(ctx context.Context, tok *tokenizer.Tokenizer, prompt []int32, o generate.Options, out io.Writer) (generate.Result, error) {
	var ids []int32
	var text string
	onToken := func(e generate.Event) error {
		ids, text = append(ids, e.ID), text+e.Text
		if out == nil {
			return nil
		}
		_, err := io.WriteString(out, e.Text)
		return err
	}
	res, err := generate.Run(ctx, g.s, tok, prompt, o, onToken)
	for err != nil && g.recover(err) {
		done, before := len(ids), text
		more := o
		if o.MaxTokens > 0 {
			more.MaxTokens = o.MaxTokens - done
		}
		var next generate.Result
		next, err = generate.Run(ctx, g.s, tok, append(append([]int32{}, prompt...), ids...), more, onToken)
		next.IDs = append(append([]int32{}, ids[:done]...), next.IDs...)
		next.Text = before + next.Text
		next.PromptTokens, next.TimeToFirst = res.PromptTokens, res.TimeToFirst
		res = next
	}
	return res, err
}
