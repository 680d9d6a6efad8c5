package nethttp_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/httpget/internal/clienttest"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
)

func TestAdapter(t *testing.T) {
	srv := httptest.NewServer(clienttest.Handler())
	defer srv.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	clienttest.Run(t, nethttp.New(srv.Client()), srv.URL, down.URL+"/x")
}

type counting struct{ n atomic.Int64 }

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// The adapter sends through the client's own transport.
func TestAdapterUsesTheClient(t *testing.T) {
	srv := httptest.NewServer(clienttest.Handler())
	defer srv.Close()
	tr := new(counting)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	clienttest.Run(t, nethttp.New(&http.Client{Transport: tr}), srv.URL, down.URL+"/x")
	if tr.n.Load() < 5 {
		t.Errorf("%d requests through the client's transport, want every one", tr.n.Load())
	}
}
