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
	t.Setenv(httpget.TimeoutEnv, "300ms")
	for name, c := range map[string]httpget.Client{"nethttp": nethttp.New(nil), "default": httpget.Default()} {
		err := within(t, 5*time.Second, func() error { return get(c, base+"/silent") })
		var te *httpget.TimeoutError
		if !errors.As(err, &te) || te.After != 300*time.Millisecond {
			t.Errorf("%s: %v, want a timeout after 300ms", name, err)
		}
	}
}
