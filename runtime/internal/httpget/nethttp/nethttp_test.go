package nethttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
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

// A redirect's X-Linked-Etag (Hugging Face's sha256 of the file it leads
// to on another host) is kept on the final answer.
func TestLinkedHeadersOfARedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/resolve" {
			w.Header().Set("X-Linked-Etag", `"abc"`)
			w.Header().Set("X-Linked-Size", "10")
			http.Redirect(w, r, "/cdn", http.StatusFound)
			return
		}
		w.Write([]byte("0123456789"))
	}))
	defer srv.Close()
	resp, err := nethttp.New(nil).Do(context.Background(), &httpget.Request{Method: "GET", URL: srv.URL + "/resolve"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Linked-Etag") != `"abc"` || resp.Header.Get("X-Linked-Size") != "10" || resp.URL != srv.URL+"/cdn" {
		t.Errorf("final answer at %s with headers %v, want the redirect's X-Linked-Etag and X-Linked-Size", resp.URL, resp.Header)
	}
}

// A client's own redirect policy still applies.
func TestRedirectPolicyKept(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("/elsewhere", http.StatusFound))
	defer srv.Close()
	stop := errors.New("no redirects")
	c := nethttp.New(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return stop }})
	if _, err := c.Do(context.Background(), &httpget.Request{Method: "GET", URL: srv.URL}); !errors.Is(err, stop) {
		t.Errorf("%v, want the client's policy's error", err)
	}
}
