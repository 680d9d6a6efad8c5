package httpget

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Timeouts bound every request of a client, so that a server that stops
// answering ends the request with an error instead of holding it forever.
type Timeouts struct {
	// FirstByte bounds the wait from sending a request to its answer's
	// status and headers, connecting included; 0 means no bound.
	FirstByte time.Duration
	// Stall bounds the wait for a body: a read fails once the body has
	// spent Stall waiting for its next StallBytes bytes (a silent server
	// as much as one that drips a byte at a time); 0 means no bound.
	Stall time.Duration
}

// StallBytes is how many bytes a body must deliver in each Stall of
// waiting: with the default Stall, about 2 KB/s, below which no model
// arrives in a useful time.
const StallBytes = 64 << 10

// DefaultTimeouts are those of Default and of the nethttp adapter: a
// server that never answers ends a request in 30 s.
var DefaultTimeouts = Timeouts{FirstByte: 30 * time.Second, Stall: 30 * time.Second}

// TimeoutEnv names the environment variable that replaces the default
// timeouts, for tests of whole programs: a duration for both ("2s"), or
// FirstByte and Stall apart ("300ms,10s").
const TimeoutEnv = "PHI2_HTTP_TIMEOUT"

// defaultTimeouts is DefaultTimeouts, or TimeoutEnv's.
func defaultTimeouts() Timeouts {
	first, stall, two := strings.Cut(os.Getenv(TimeoutEnv), ",")
	if !two {
		stall = first
	}
	f, err1 := time.ParseDuration(first)
	s, err2 := time.ParseDuration(stall)
	if err1 != nil || err2 != nil || f <= 0 || s <= 0 {
		return DefaultTimeouts
	}
	return Timeouts{FirstByte: f, Stall: s}
}

// TimeoutError is the failure of a request that a timeout ended.
type TimeoutError struct {
	Stalled bool // the body stalled, rather than the answer not coming
	After   time.Duration
}

func (e *TimeoutError) Error() string {
	if e.Stalled {
		return fmt.Sprintf("the server stalled: less than %d KiB arrived in %v", StallBytes>>10, e.After)
	}
	return fmt.Sprintf("the server sent no answer within %v", e.After)
}

// Timeout marks the error as a timeout, as net.Error does.
func (e *TimeoutError) Timeout() bool { return true }

// WithDefaultTimeouts returns c with every request bounded by
// DefaultTimeouts, or by TimeoutEnv's duration when that is set.
func WithDefaultTimeouts(c Client) Client { return WithTimeouts(c, defaultTimeouts()) }

// WithTimeouts returns c with every request bounded by t. A client that
// already has timeouts gets t instead of them.
func WithTimeouts(c Client, t Timeouts) Client {
	if tc, ok := c.(timeoutClient); ok {
		c = tc.c
	}
	return timeoutClient{c, t}
}

type timeoutClient struct {
	c Client
	t Timeouts
}

// Do sends r under a context of its own, which a timeout cancels; the
// clients abort a request when its context ends (fetch through an
// AbortController), and the error is then the TimeoutError.
func (tc timeoutClient) Do(ctx context.Context, r *Request) (*Response, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	var first *time.Timer
	if tc.t.FirstByte > 0 {
		first = time.AfterFunc(tc.t.FirstByte, func() {
			cancel(&TimeoutError{After: tc.t.FirstByte})
		})
	}
	resp, err := tc.c.Do(ctx, r)
	if first != nil && !first.Stop() && err == nil {
		resp.Body.Close() // the answer came as the timeout ended it
		err = context.Cause(ctx)
	}
	if err != nil {
		err = explain(ctx, err)
		cancel(nil)
		return nil, err
	}
	body := &stallBody{body: resp.Body, ctx: ctx, cancel: cancel, stall: tc.t.Stall}
	if body.stall > 0 {
		body.timer = time.AfterFunc(time.Hour, func() {
			cancel(&TimeoutError{Stalled: true, After: body.stall})
		})
		body.timer.Stop()
	}
	resp.Body = body
	return resp, nil
}

// explain returns the TimeoutError that ended ctx in place of err, the
// cancellation it caused.
func explain(ctx context.Context, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	if te, ok := context.Cause(ctx).(*TimeoutError); ok {
		return te
	}
	return err
}

// stallBody fails a read once the body has waited stall, in reads, for
// StallBytes bytes: only time spent inside Read counts, so that a reader
// busy with what it received is not taken for a stalled server.
type stallBody struct {
	body   io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	stall  time.Duration
	timer  *time.Timer   // cancels ctx; armed only during a Read
	waited time.Duration // spent waiting since the last StallBytes arrived
	got    int           // bytes since then
}

func (b *stallBody) Read(p []byte) (int, error) {
	if b.timer == nil {
		n, err := b.body.Read(p)
		return n, explain(b.ctx, err)
	}
	start := time.Now()
	b.timer.Reset(max(b.stall-b.waited, 0))
	n, err := b.body.Read(p)
	fired := !b.timer.Stop()
	b.waited += time.Since(start)
	if b.got += n; b.got >= StallBytes {
		b.got, b.waited = 0, 0
	}
	if fired && err == nil && n == 0 {
		err = context.Cause(b.ctx)
	}
	return n, explain(b.ctx, err)
}

func (b *stallBody) Close() error {
	if b.timer != nil {
		b.timer.Stop()
	}
	err := b.body.Close()
	b.cancel(nil)
	return err
}
