//go:build !js

package httpget_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/internal/httpget/internal/clienttest"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
)

func TestDefault(t *testing.T) {
	srv := httptest.NewServer(clienttest.Handler())
	defer srv.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	clienttest.Run(t, httpget.Default(), srv.URL, down.URL+"/x")
	if httpget.Or(nil) == nil {
		t.Error("Or(nil) is nil, want Default()")
	}
}

// The default clients bound their requests: PHI2_HTTP_TIMEOUT shortens
// the bounds of nethttp.New as of Default.
func TestDefaultTimeouts(t *testing.T) {
	base := hostile(t)
	for env, want := range map[string]time.Duration{"300ms": 300 * time.Millisecond, "200ms,1h": 200 * time.Millisecond} {
		t.Setenv(httpget.TimeoutEnv, env)
		for name, c := range map[string]httpget.Client{"nethttp": nethttp.New(nil), "default": httpget.Default()} {
			err := within(t, 5*time.Second, func() error { return get(c, base+"/silent") })
			var te *httpget.TimeoutError
			if !errors.As(err, &te) || te.After != want {
				t.Errorf("%s=%s, %s: %v, want a timeout after %v", httpget.TimeoutEnv, env, name, err, want)
			}
		}
	}
	t.Setenv(httpget.TimeoutEnv, "10s,300ms")
	var te *httpget.TimeoutError
	if err := within(t, 5*time.Second, func() error { return get(httpget.Default(), base+"/stalled") }); !errors.As(err, &te) || !te.Stalled || te.After != 300*time.Millisecond {
		t.Errorf("%s=10s,300ms: %v, want a stall after 300ms", httpget.TimeoutEnv, err)
	}
}
