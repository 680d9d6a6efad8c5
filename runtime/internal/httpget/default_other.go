//go:build !js

package httpget

import (
	"context"
	"net/http"

	"github.com/phi2web/phi2web/runtime/internal/httpget/internal/netclient"
)

// Default returns the platform's client: here net/http's DefaultClient.
func Default() Client { return netHTTP{} }

type netHTTP struct{}

func (netHTTP) Do(ctx context.Context, r *Request) (*Response, error) {
	resp, err := netclient.Do(ctx, http.DefaultClient, r.Method, r.URL, r.Header)
	if err != nil {
		return nil, err
	}
	return &Response{
		StatusCode:    resp.StatusCode,
		Status:        resp.Status,
		URL:           resp.Request.URL.String(),
		Header:        netclient.Header(resp.Header),
		ContentLength: resp.ContentLength,
		Body:          resp.Body,
	}, nil
}
