//go:build !js

package httpget

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget/internal/netclient"
)

// ConnectTimeout bounds opening a connection, TCP and TLS, for Default's
// requests (a browser's fetch has its own).
const ConnectTimeout = 15 * time.Second

// Default returns the platform's client: here net/http with
// ConnectTimeout and DefaultTimeouts ($PHI2_HTTP_TIMEOUT), the proxy
// settings of the environment and HTTP/2.
func Default() Client { return WithDefaultTimeouts(netHTTP{}) }

var native = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   ConnectTimeout,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          100,
	IdleConnTimeout:       90 * time.Second,
	ExpectContinueTimeout: time.Second,
}}

type netHTTP struct{}

func (netHTTP) Do(ctx context.Context, r *Request) (*Response, error) {
	resp, err := netclient.Do(ctx, native, r.Method, r.URL, r.Header)
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
