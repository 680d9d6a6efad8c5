package httpget_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
)

// The timeouts of the hostile-server tests: short where a test waits for
// them, long elsewhere, so that a busy machine reaches only those.
var (
	short      = httpget.Timeouts{FirstByte: 300 * time.Millisecond, Stall: 300 * time.Millisecond}
	shortStall = httpget.Timeouts{FirstByte: 10 * time.Second, Stall: 300 * time.Millisecond}
)

// hostile serves the behaviours of servers that stop answering, drip, or
// drop the connection; it unblocks when the test ends.
func hostile(t *testing.T) string {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flush := func() { w.(http.Flusher).Flush() }
		switch r.URL.Path {
		case "/silent": // accepts the request and never answers
			<-done
		case "/stalled": // answers, sends a little and stops
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte("first"))
			flush()
			<-done
		case "/drip": // a byte now and then, forever
			for {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				flush()
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		case "/slow": // slow, but more than StallBytes in every Stall
			w.Header().Set("Content-Length", strconv.Itoa(10*httpget.StallBytes/4))
			for range 10 {
				w.Write(make([]byte, httpget.StallBytes/4))
				flush()
				time.Sleep(50 * time.Millisecond)
			}
		case "/reset": // drops the connection before answering
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case "/cut": // drops the connection in the body
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte("first"))
			flush()
			panic(http.ErrAbortHandler)
		}
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	return srv.URL
}

// within runs f and fails the test when it takes longer than limit.
func within(t *testing.T, limit time.Duration, f func() error) error {
	t.Helper()
	res := make(chan error, 1)
	go func() { res <- f() }()
	select {
	case err := <-res:
		return err
	case <-time.After(limit):
		t.Fatalf("still waiting after %v", limit)
		return nil
	}
}

// get reads path whole through c.
func get(c httpget.Client, url string) error {
	resp, err := c.Do(context.Background(), &httpget.Request{Method: "GET", URL: url})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// TestHostileServers: each way a server can fail to deliver ends a request
// with an error within its timeouts; a slow server that keeps sending
// does not.
func TestHostileServers(t *testing.T) {
	base := hostile(t)
	for _, tc := range []struct {
		path    string
		timeout bool // the error is a TimeoutError
		stalled bool
	}{
		{"/silent", true, false},
		{"/stalled", true, true},
		{"/drip", true, true},
		{"/reset", false, false},
		{"/cut", false, false},
		{"/slow", false, false}, // no error
	} {
		t.Run(tc.path[1:], func(t *testing.T) {
			c := httpget.WithTimeouts(nethttp.New(nil), short)
			switch {
			case tc.path == "/slow": // a margin for a busy machine
				c = httpget.WithTimeouts(nethttp.New(nil), httpget.Timeouts{FirstByte: 10 * time.Second, Stall: time.Second})
			case tc.stalled:
				c = httpget.WithTimeouts(nethttp.New(nil), shortStall)
			}
			start := time.Now()
			err := within(t, 5*time.Second, func() error { return get(c, base+tc.path) })
			var te *httpget.TimeoutError
			switch {
			case tc.path == "/slow":
				if err != nil {
					t.Fatalf("a slow server that keeps sending failed: %v", err)
				}
			case err == nil:
				t.Fatal("no error")
			case errors.As(err, &te) != tc.timeout:
				t.Fatalf("%v: timeout %v, want %v", err, !tc.timeout, tc.timeout)
			case tc.timeout && te.Stalled != tc.stalled:
				t.Fatalf("%v: stalled %v, want %v", err, te.Stalled, tc.stalled)
			case tc.timeout && time.Since(start) > 2*time.Second:
				t.Fatalf("%v after %v, want about %v", err, time.Since(start), short.Stall)
			}
		})
	}
}

// A reader busy between reads is not taken for a stalled server: only
// time spent waiting in Read counts.
func TestSlowReaderIsNotStalled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("y", 3000)))
	}))
	defer srv.Close()
	c := httpget.WithTimeouts(nethttp.New(nil), shortStall)
	resp, err := c.Do(context.Background(), &httpget.Request{Method: "GET", URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 100)
	var n int
	for {
		k, err := resp.Body.Read(buf)
		n += k
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", n, err)
		}
		if n < 300 {
			time.Sleep(short.Stall / 2)
		}
	}
	if n != 3000 {
		t.Errorf("read %d bytes, want 3000", n)
	}
}

// The caller's own cancellation stays context.Canceled, not a timeout.
func TestCancelIsNotATimeout(t *testing.T) {
	base := hostile(t)
	c := httpget.WithTimeouts(nethttp.New(nil), short)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Do(ctx, &httpget.Request{Method: "GET", URL: base + "/silent"})
	var te *httpget.TimeoutError
	if !errors.Is(err, context.Canceled) || errors.As(err, &te) {
		t.Errorf("canceled: %v, want context.Canceled", err)
	}
}

// A connection closed before the answer says so, not "EOF".
func TestResetSaysSo(t *testing.T) {
	base := hostile(t)
	_, err := httpget.WithTimeouts(nethttp.New(nil), short).Do(context.Background(), &httpget.Request{Method: "GET", URL: base + "/reset"})
	if err == nil || !strings.Contains(err.Error(), "closed the connection without answering") {
		t.Errorf("%v, want it to say the server closed the connection", err)
	}
}
