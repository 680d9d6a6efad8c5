package cdp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// remoteObject is a JavaScript value as the protocol describes it.
type remoteObject struct {
	Type                string          `json:"type"`
	Subtype             string          `json:"subtype"`
	Value               json.RawMessage `json:"value"`
	UnserializableValue string          `json:"unserializableValue"`
	Description         string          `json:"description"`
}

// text is the value as a console would print it.
func (o remoteObject) text() string {
	switch {
	case o.Type == "string":
		var s string
		json.Unmarshal(o.Value, &s)
		return s
	case o.UnserializableValue != "":
		return o.UnserializableValue
	case o.Type == "undefined":
		return "undefined"
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return string(o.Value)
	}
	return o.Type
}

// truthy is JavaScript's truthiness of the value.
func (o remoteObject) truthy() bool {
	switch o.Type {
	case "undefined":
		return false
	case "boolean":
		return string(o.Value) == "true"
	case "number":
		if o.UnserializableValue != "" {
			return o.UnserializableValue != "NaN" && o.UnserializableValue != "-0"
		}
		var f float64
		json.Unmarshal(o.Value, &f)
		return f != 0
	case "string":
		return string(o.Value) != `""`
	case "bigint":
		return o.UnserializableValue != "0n"
	case "object":
		return o.Subtype != "null"
	}
	return true
}

type exceptionDetails struct {
	Text       string        `json:"text"`
	Exception  *remoteObject `json:"exception"`
	URL        string        `json:"url"`
	LineNumber int           `json:"lineNumber"`
}

// text is the exception's first line, such as "Error: boom". An error
// that reached a worker's parent comes without its value: then it is
// where it was thrown.
func (d exceptionDetails) text() string {
	s := d.Text
	switch {
	case d.Exception != nil && d.Exception.Subtype != "null":
		s = d.Exception.text()
	case d.URL != "":
		s = fmt.Sprintf("%s at %s:%d", d.Text, d.URL, d.LineNumber+1)
	}
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// evaluate runs expr in the page, awaiting a promise, and returns its
// value.
func (p *Page) evaluate(ctx context.Context, expr string) (remoteObject, error) {
	var res struct {
		Result           remoteObject      `json:"result"`
		ExceptionDetails *exceptionDetails `json:"exceptionDetails"`
	}
	params := map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}
	if err := p.call(ctx, "Runtime.evaluate", params, &res); err != nil {
		return remoteObject{}, err
	}
	if res.ExceptionDetails != nil {
		return remoteObject{}, &EvalError{Expr: expr, Text: res.ExceptionDetails.text()}
	}
	return res.Result, nil
}

// EvalError is an exception thrown by an evaluated expression, or the
// rejection of the promise it returned.
type EvalError struct {
	Expr string
	Text string // the exception's first line, such as "Error: boom"
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("cdp: evaluating %s: %s", short(e.Expr), e.Text)
}

// Eval evaluates the JavaScript expression expr in the page, awaits it if
// it is a promise, and decodes its value, as JSON, into out (nil discards
// it; undefined leaves out unchanged). An exception it throws, or a
// rejection, is an *EvalError.
func (p *Page) Eval(ctx context.Context, expr string, out any) error {
	v, err := p.evaluate(ctx, expr)
	if err != nil || out == nil || len(v.Value) == 0 {
		return err
	}
	if err := json.Unmarshal(v.Value, out); err != nil {
		return fmt.Errorf("cdp: evaluating %s: the value %s: %w", short(expr), short(string(v.Value)), err)
	}
	return nil
}

// pollEvery is how often WaitFor evaluates its expression.
const pollEvery = 50 * time.Millisecond

// WaitFor evaluates expr until its value is truthy, across navigations
// (an evaluation the document's unloading cut off is tried again). When
// ctx ends first the error gives the last value, exception or error.
func (p *Page) WaitFor(ctx context.Context, expr string) error {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	last := "nothing yet"
	for {
		v, err := p.evaluate(ctx, expr)
		switch {
		case err == nil && v.truthy():
			return nil
		case err == nil:
			last = "last value " + short(v.text())
		case ctx.Err() != nil:
		case navigating(err): // a navigation under the poll: ask the next document
			last = "last error " + err.Error()
		default:
			if _, thrown := err.(*EvalError); !thrown {
				return err // the page or browser is gone
			}
			last = "last exception " + err.(*EvalError).Text
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("cdp: waiting for %s: %w (%s)", short(expr), ctx.Err(), last)
		}
	}
}

// short shortens s for an error message, on one line.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
