//go:build !js

package httpget_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/internal/httpget/internal/clienttest"
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
