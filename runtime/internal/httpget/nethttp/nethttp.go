// Package nethttp adapts a net/http client to httpget.Client. It builds on
// every platform; under Node it reaches in-process test servers through
// Go's own network, which the host's fetch cannot.
package nethttp

import (
	"context"
	"net/http"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/internal/httpget/internal/netclient"
)

// New returns a Client sending requests through c (http.DefaultClient when
// nil): its transport, redirect policy and Timeout apply, and
// httpget.DefaultTimeouts bound every request (httpget.WithTimeouts sets
// others).
func New(c *http.Client) httpget.Client {
	if c == nil {
		c = http.DefaultClient
	}
	return httpget.WithDefaultTimeouts(client{c})
}

type client struct{ c *http.Client }

func (c client) Do(ctx context.Context, r *httpget.Request) (*httpget.Response, error) {
	resp, err := netclient.Do(ctx, c.c, r.Method, r.URL, r.Header)
	if err != nil {
		return nil, err
	}
	return &httpget.Response{
		StatusCode:    resp.StatusCode,
		Status:        resp.Status,
		URL:           resp.Request.URL.String(),
		Header:        netclient.Header(resp.Header),
		ContentLength: resp.ContentLength,
		Body:          resp.Body,
	}, nil
}
