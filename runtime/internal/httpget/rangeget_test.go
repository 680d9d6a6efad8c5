package httpget_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
)

// TestGetRange: each answer a server may give to a Range request.
func TestGetRange(t *testing.T) {
	const file = "0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file":
			http.ServeContent(w, r, "file", time.Time{}, strings.NewReader(file))
		case "/norange":
			w.Write([]byte(file))
		case "/shifted":
			w.Header().Set("Content-Range", "bytes 0-3/10")
			w.WriteHeader(206)
			w.Write([]byte(file[:4]))
		case "/busy":
			http.Error(w, "busy", 503)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := nethttp.New(nil)
	ctx := context.Background()
	for _, tc := range []struct {
		path        string
		first, last int64
		body        string
		whole       bool
		total       int64
	}{
		{"/file", 2, 5, "2345", false, 10},
		{"/file", 7, -1, "789", false, 10},
		{"/file", 0, -1, file, true, 10}, // no Range header: the whole file
		{"/norange", 2, 5, file, true, 10},
	} {
		p, err := httpget.GetRange(ctx, c, srv.URL+tc.path, tc.first, tc.last, httpget.Version{})
		if err != nil {
			t.Errorf("%s %d-%d: %v", tc.path, tc.first, tc.last, err)
			continue
		}
		body, _ := io.ReadAll(p.Body)
		p.Body.Close()
		if string(body) != tc.body || p.Whole != tc.whole || p.Total != tc.total {
			t.Errorf("%s %d-%d: %q, whole %v, total %d; want %q, %v, %d", tc.path, tc.first, tc.last, body, p.Whole, p.Total, tc.body, tc.whole, tc.total)
		}
	}
	var se *httpget.StatusError
	_, err := httpget.GetRange(ctx, c, srv.URL+"/file", 20, -1, httpget.Version{})
	if !errors.As(err, &se) || se.StatusCode != 416 || se.Total != 10 || se.Temporary() {
		t.Errorf("past the end: %v, want a 416 giving the size 10", err)
	}
	if _, err := httpget.GetRange(ctx, c, srv.URL+"/missing", 0, 9, httpget.Version{}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "/missing bytes=0-9") {
		t.Errorf("missing: %v, want fs.ErrNotExist naming the URL and range", err)
	}
	if _, err := httpget.GetRange(ctx, c, srv.URL+"/busy", 0, -1, httpget.Version{}); !errors.As(err, &se) || !se.Temporary() {
		t.Errorf("503: %v, want a temporary StatusError", err)
	}
	if _, err := httpget.GetRange(ctx, c, srv.URL+"/shifted", 4, 7, httpget.Version{}); err == nil || !strings.Contains(err.Error(), "bytes 0-3 instead") {
		t.Errorf("another range sent: %v", err)
	}
}

func TestContentRange(t *testing.T) {
	for h, want := range map[string][4]int64{
		"bytes 0-0/1234":   {0, 0, 1234, 1},
		"bytes 5-9/*":      {5, 9, -1, 1},
		"bytes */0":        {-1, -1, 0, 1},
		"bytes 9-5/10":     {0, 0, 0, 0},
		"bytes 1-2":        {0, 0, 0, 0},
		"items 0-1/2":      {0, 0, 0, 0},
		"bytes -1-2/3":     {0, 0, 0, 0},
		"bytes 0-1/-3":     {0, 0, 0, 0},
		"":                 {0, 0, 0, 0},
		"bytes 0-1/2/3":    {0, 0, 0, 0},
		"bytes 10-19/9999": {10, 19, 9999, 1},
	} {
		s, e, total, ok := httpget.ContentRange(h)
		if got := [4]int64{s, e, total, map[bool]int64{true: 1}[ok]}; got != want {
			t.Errorf("ContentRange(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestGetRangePinned: a pinned read sends If-Range with the version's
// strong ETag, else its date; a 206 of another version is a ChangedError,
// a 200 the whole new file with its version.
func TestGetRangePinned(t *testing.T) {
	const file = "0123456789"
	var ifRange string
	etag := `"v2"`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ifRange = r.Header.Get("If-Range")
		if r.URL.Path == "/ignores" { // sends the range asked for, whatever the version
			r.Header.Del("If-Range")
		}
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, "", time.Unix(1e9, 0), strings.NewReader(file))
	}))
	defer srv.Close()
	c := nethttp.New(nil)
	ctx := context.Background()
	v1 := httpget.Version{ETag: `"v1"`, LastModified: "Sun, 09 Sep 2001 01:46:40 GMT"}
	p, err := httpget.GetRange(ctx, c, srv.URL+"/file", 2, 5, v1)
	if err != nil || ifRange != `"v1"` || !p.Whole || p.Version.ETag != `"v2"` {
		t.Fatalf("pinned to another version: %+v, %v, If-Range %q; want the whole file of v2, If-Range \"v1\"", p, err, ifRange)
	}
	body, _ := io.ReadAll(p.Body)
	p.Body.Close()
	if string(body) != file {
		t.Errorf("body %q, want the whole file", body)
	}
	var changed *httpget.ChangedError
	if _, err := httpget.GetRange(ctx, c, srv.URL+"/ignores", 2, 5, v1); !errors.As(err, &changed) || changed.Now.ETag != `"v2"` {
		t.Errorf("a 206 of another version: %v, want a ChangedError", err)
	}
	p, err = httpget.GetRange(ctx, c, srv.URL+"/file", 2, 5, httpget.Version{ETag: `"v2"`})
	if err != nil || p.Whole || ifRange != `"v2"` {
		t.Fatalf("pinned to the version served: %+v, %v, want bytes 2-5", p, err)
	}
	p.Body.Close()
	etag = `W/"weak"` // a weak ETag does not count: the date pins
	p, err = httpget.GetRange(ctx, c, srv.URL+"/file", 0, 0, httpget.Version{})
	if err != nil || p.Version.ETag != "" || p.Version.LastModified != v1.LastModified {
		t.Fatalf("version of a weak ETag: %+v, %v; want the date only", p.Version, err)
	}
	p.Body.Close()
	p, err = httpget.GetRange(ctx, c, srv.URL+"/file", 2, 5, p.Version)
	if err != nil || p.Whole || ifRange != v1.LastModified {
		t.Errorf("pinned by date: whole %v, %v, If-Range %q", p != nil && p.Whole, err, ifRange)
	}
}
