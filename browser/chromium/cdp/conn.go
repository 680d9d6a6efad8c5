package cdp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// conn carries the DevTools protocol over Chromium's pipe: JSON messages,
// each ended by a NUL byte. One goroutine reads; calls wait for the reply
// with their id, events go to the handler of their session.
type conn struct {
	wmu sync.Mutex
	w   io.Writer

	mu       sync.Mutex
	next     int64
	pending  map[int64]chan reply
	handlers map[string]func(method string, params json.RawMessage) // by session id
	dead     chan struct{}                                          // closed once err is set
	err      error
}

type reply struct {
	result json.RawMessage
	err    error
}

type request struct {
	ID        int64  `json:"id"`
	Method    string `json:"method"`
	Params    any    `json:"params,omitempty"`
	SessionID string `json:"sessionId,omitempty"`
}

type incoming struct {
	ID        int64           `json:"id"`
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	Result    json.RawMessage `json:"result"`
	SessionID string          `json:"sessionId"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

func newConn(w io.Writer) *conn {
	return &conn{w: w, pending: map[int64]chan reply{}, handlers: map[string]func(string, json.RawMessage){}, dead: make(chan struct{})}
}

// read delivers messages from r until it fails, then fails the conn with
// the error onEnd returns.
func (c *conn) read(r io.Reader, onEnd func(error) error) {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		msg, err := br.ReadBytes(0)
		if err != nil {
			c.fail(onEnd(err))
			return
		}
		var in incoming
		if err := json.Unmarshal(msg[:len(msg)-1], &in); err != nil {
			continue // not a message of the protocol; nothing waits on it
		}
		c.mu.Lock()
		if in.ID != 0 {
			ch := c.pending[in.ID]
			delete(c.pending, in.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- in.reply()
			}
			continue
		}
		h := c.handlers[in.SessionID]
		c.mu.Unlock()
		if h != nil {
			h(in.Method, in.Params)
		}
	}
}

func (in *incoming) reply() reply {
	if in.Error != nil {
		msg := in.Error.Message
		if in.Error.Data != "" {
			msg += " (" + in.Error.Data + ")"
		}
		return reply{err: &ProtocolError{Message: msg, Code: in.Error.Code}}
	}
	return reply{result: in.Result}
}

// ProtocolError is an error Chromium answered a call with.
type ProtocolError struct {
	Message string
	Code    int
}

func (e *ProtocolError) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

// navigating reports whether err says the page's document went away under
// the call (a navigation, possibly into another renderer process): a call
// made once the new document is there may succeed.
func navigating(err error) bool {
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		return false
	}
	for _, m := range []string{"Inspected target navigated or closed", "Execution context was destroyed",
		"Cannot find context with specified id", "Cannot find default execution context"} {
		if strings.Contains(pe.Message, m) {
			return true
		}
	}
	return false
}

// fail ends the conn: every call waiting and every later one returns err.
func (c *conn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	close(c.dead)
	for id, ch := range c.pending {
		ch <- reply{err: err}
		delete(c.pending, id)
	}
}

// call sends method to the session ("" is the browser) and decodes the
// result into out when out is not nil.
func (c *conn) call(ctx context.Context, session, method string, params, out any) error {
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.next++
	id := c.next
	c.pending[id] = ch
	c.mu.Unlock()
	data, err := json.Marshal(request{ID: id, Method: method, Params: params, SessionID: session})
	if err == nil {
		c.wmu.Lock()
		_, err = c.w.Write(append(data, 0))
		c.wmu.Unlock()
	}
	if err != nil {
		c.forget(id)
		return fmt.Errorf("cdp: %s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return fmt.Errorf("cdp: %s: %w", method, r.err)
		}
		if out != nil {
			if err := json.Unmarshal(r.result, out); err != nil {
				return fmt.Errorf("cdp: %s: reading the result: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		c.forget(id)
		return fmt.Errorf("cdp: %s: %w", method, ctx.Err())
	}
}

func (c *conn) forget(id int64) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// handle routes the events of session to h (nil removes the route). h
// runs on the reading goroutine and must not block.
func (c *conn) handle(session string, h func(method string, params json.RawMessage)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h == nil {
		delete(c.handlers, session)
	} else {
		c.handlers[session] = h
	}
}
