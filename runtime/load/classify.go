package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync/atomic"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/store"
)

// job is one Fill or Open: its options, the client whose requests it
// watches, and, once known, the model's key.
type job struct {
	ctx    context.Context
	url    string
	o      Options
	client httpget.Client
	// failed tells whether the last request failed on the network: no
	// answer, a body cut short, or a status that no retry was answered.
	failed *atomic.Bool
	key    string
	st     store.Store
	start  time.Time
}

func newJob(ctx context.Context, url string, o Options) *job {
	failed := new(atomic.Bool)
	client := watchClient{httpget.Or(o.Client), failed}
	return &job{ctx: ctx, url: url, o: o, client: client, failed: failed, st: o.Store, start: time.Now()}
}

// classify wraps err in the kind of failure it is.
func (j *job) classify(err error) error {
	if u, ok := err.(unclassified); ok {
		return u.error
	}
	for _, k := range []error{ErrNetwork, ErrNotFound, ErrQuota, ErrBadModel, ErrQuant} {
		if errors.Is(err, k) {
			return err
		}
	}
	var over *overLimit
	switch {
	case j.ctx.Err() != nil:
		return kinded(j.ctx.Err(), err)
	case errors.As(err, &over):
		return kinded(ErrQuota, fmt.Errorf("not enough storage for %s: %v", j.key, over))
	case errors.Is(err, fetch.ErrQuota):
		return kinded(ErrQuota, err)
	case errors.Is(err, store.ErrNoSpace):
		return kinded(ErrQuota, j.noSpace(err))
	case j.failed.Load():
		return kinded(ErrNetwork, err)
	case errors.Is(err, fs.ErrNotExist):
		return kinded(ErrNotFound, err)
	}
	return kinded(ErrBadModel, err)
}

// noSpace adds the space available to a write refused for lack of it.
func (j *job) noSpace(err error) error {
	usage, quota, qerr := j.st.Estimate()
	if qerr != nil || quota <= 0 {
		return fmt.Errorf("not enough storage for %s: %v", j.key, err)
	}
	return fmt.Errorf("not enough storage for %s: %v (%s available)", j.key, err, megabytes(max(quota-usage, 0)))
}

// kindError is err, wrapping kind as well, with err's message.
type kindError struct{ kind, err error }

func kinded(kind, err error) error   { return &kindError{kind, err} }
func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// unclassified is an error that is none of the kinds (a lock refused).
type unclassified struct{ error }

func (e unclassified) Unwrap() error { return e.error }

// watchClient records whether each request failed on the network.
type watchClient struct {
	c      httpget.Client
	failed *atomic.Bool
}

func (t watchClient) Do(ctx context.Context, req *httpget.Request) (*httpget.Response, error) {
	resp, err := t.c.Do(ctx, req)
	if err != nil {
		t.failed.Store(true)
		return nil, err
	}
	t.failed.Store(unavailable(resp.StatusCode))
	resp.Body = watchedBody{resp.Body, t.failed}
	return resp, nil
}

// unavailable reports whether a status says the server did not give what
// it has (404 and 410 say it has nothing; 416 is part of resuming).
func unavailable(status int) bool {
	switch status {
	case 404, 410, 416: // Not Found, Gone, Range Not Satisfiable
		return false
	}
	return status >= 400
}

type watchedBody struct {
	io.ReadCloser
	failed *atomic.Bool
}

func (b watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.failed.Store(true)
	}
	return n, err
}
