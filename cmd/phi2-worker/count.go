//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// count answers a count request with the number of tokens of its text, as
// a generate request would feed them, and the loaded model's context:
// what the page needs to fit a conversation into that context.
func (e *worker) count(id js.Value, o object) error {
	if o.v.Get("text").Type() != js.TypeString {
		return protocol.Errorf(protocol.CodeBadRequest, "count: text must be a string")
	}
	text, _ := o.str("text")
	e.mu.Lock()
	l := e.model
	e.mu.Unlock()
	if l == nil || l.m.Closed() {
		return protocol.Errorf(protocol.CodeNotLoaded, "count: no model is loaded")
	}
	context := l.m.MaxContext()
	tok, err := tokenizer.Default()
	if err != nil {
		return err
	}
	done(id, map[string]any{"tokens": len(tok.Encode(text)), "contextLength": context})
	return nil
}
