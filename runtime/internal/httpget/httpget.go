// Package httpget is the small HTTP client interface through which the
// engine downloads models, so that a browser build reaches the network with
// the page's fetch instead of linking net/http and its TLS stack.
//
// [Default] is net/http natively and the global fetch in a JavaScript
// host. [github.com/phi2web/phi2web/runtime/internal/httpget/nethttp]
// adapts any *http.Client, for native callers that configure one and for
// tests that reach in-process servers. Both bound every request with
// [Timeouts], so that a server that stops answering ends it with an error. [GetRange] is the one way the engine
// reads part of a file: random reads of a model in place (weights.HTTP)
// and resumed downloads (runtime/internal/fetch) both use it.
package httpget

import (
	"context"
	"io"
	"strings"
)

// Request is one HTTP request without a body.
type Request struct {
	Method string // GET or HEAD
	URL    string
	Header map[string]string // request headers, such as Range
}

// Response is the answer to a Request. Redirects have been followed.
type Response struct {
	StatusCode int
	Status     string // code and reason, such as "404 Not Found"
	URL        string // where the last redirect led (the request's URL when none)
	Header     Header
	// ContentLength is the length of Body, -1 when unknown (also when the
	// body was decompressed on the way).
	ContentLength int64
	Body          io.ReadCloser // never nil; the caller closes it
}

// Header holds response headers by lower-case name, the last value of each.
type Header map[string]string

// Get returns the header called name in any case, or "".
func (h Header) Get(name string) string { return h[strings.ToLower(name)] }

// Client sends requests. Do fails only when no response arrives: the
// network is down, the request is refused (by a browser's CORS checks, for
// instance) or ctx ends; reading the body fails when the connection drops.
// A status of 400 or more is a response, not an error. Errors do not repeat
// the method and URL, which callers add.
type Client interface {
	Do(ctx context.Context, r *Request) (*Response, error)
}

// Or returns c, or Default() when c is nil.
func Or(c Client) Client {
	if c == nil {
		return Default()
	}
	return c
}
