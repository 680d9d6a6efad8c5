// Package clienttest checks an httpget.Client against a net/http server,
// the same cases for every client that can reach one.
package clienttest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
)

// File is what the server sends for /file.
const File = "0123456789"

// Handler serves /file with Range, /redirect to it, and 404 elsewhere.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "file", time.Time{}, strings.NewReader(File))
	})
	mux.Handle("/redirect", http.RedirectHandler("/file", http.StatusFound))
	return mux
}

// Run checks c against a server of Handler at base; down is a URL where
// nothing answers.
func Run(t *testing.T, c httpget.Client, base, down string) {
	ctx := context.Background()
	for _, tc := range []struct {
		method, path, rng string
		code              int
		status, url, body string
		length            int64
		contentRange      string
	}{
		{"GET", "/file", "bytes=2-5", 206, "206 Partial Content", "/file", "2345", 4, "bytes 2-5/10"},
		{"GET", "/redirect", "", 200, "200 OK", "/file", File, 10, ""},
		{"HEAD", "/file", "", 200, "200 OK", "/file", "", 10, ""},
		{"GET", "/missing", "", 404, "404 Not Found", "/missing", "404 page not found\n", 19, ""},
	} {
		req := &httpget.Request{Method: tc.method, URL: base + tc.path}
		if tc.rng != "" {
			req.Header = map[string]string{"Range": tc.rng}
		}
		resp, err := c.Do(ctx, req)
		if err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.path, err)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.code || resp.Status != tc.status || resp.URL != base+tc.url || string(body) != tc.body {
			t.Errorf("%s %s: %d %q at %s, body %q, %v; want %d %q at %s, body %q", tc.method, tc.path, resp.StatusCode, resp.Status, resp.URL, body, err, tc.code, tc.status, base+tc.url, tc.body)
		}
		if resp.ContentLength != tc.length {
			t.Errorf("%s %s: ContentLength %d, want %d", tc.method, tc.path, resp.ContentLength, tc.length)
		}
		if got := resp.Header.Get("Content-Range"); got != tc.contentRange {
			t.Errorf("%s %s: Content-Range %q, want %q", tc.method, tc.path, got, tc.contentRange)
		}
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Do(canceled, &httpget.Request{Method: "GET", URL: base + "/file"}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v, want context.Canceled", err)
	}
	_, err := c.Do(ctx, &httpget.Request{Method: "GET", URL: down})
	if err == nil || strings.Contains(err.Error(), down) {
		t.Errorf("GET %s: %v, want an error that leaves the URL to the caller", down, err)
	}
}
