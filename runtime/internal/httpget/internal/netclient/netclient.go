// Package netclient sends an httpget request with net/http, for the native
// default client and the nethttp adapter.
package netclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// linkedHeaders are the headers a redirect carries about the file it leads
// to (Hugging Face's X-Linked-Etag is the sha256 of a file stored with
// LFS, whose bytes come from another host), kept on the final answer when
// that has none of its own.
var linkedHeaders = []string{"X-Linked-Etag", "X-Linked-Size"}

// errClosed is net/http's io.EOF before an answer, said plainly.
var errClosed = errors.New("the server closed the connection without answering")

// Do sends method to target with header through c. Its errors drop the
// method and URL that *url.Error repeats.
func Do(ctx context.Context, c *http.Client, method, target string, header map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	var linked http.Header
	cc := *c
	cc.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if r := next.Response; linked == nil && r != nil && r.Header.Get(linkedHeaders[0]) != "" {
			linked = r.Header
		}
		if c.CheckRedirect != nil {
			return c.CheckRedirect(next, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	resp, err := cc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if err == io.EOF {
			err = errClosed
		}
		return nil, err
	}
	for _, name := range linkedHeaders {
		if v := linked.Get(name); v != "" && resp.Header.Get(name) == "" {
			resp.Header.Set(name, v)
		}
	}
	return resp, nil
}

// Header lowers h's names and keeps the last value of each.
func Header(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			m[strings.ToLower(k)] = vs[len(vs)-1]
		}
	}
	return m
}
