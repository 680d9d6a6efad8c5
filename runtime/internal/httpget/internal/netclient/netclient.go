// Package netclient sends an httpget request with net/http, for the native
// default client and the nethttp adapter.
package netclient

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

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
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
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
