package httpget_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strconv"
	"syscall/js"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/internal/httpget/internal/clienttest"
)

// big is the body of /big: more than one chunk of a stream.
var big = func() []byte {
	b := make([]byte, 1<<20+17)
	for i := range b {
		b[i] = byte(i * 31 / 7)
	}
	return b
}()

// nodeServer starts a Node HTTP server, since Node's fetch cannot reach Go's
// in-process network: clienttest's paths, and /big, /gzip and /hang.
func nodeServer(t *testing.T) string {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(big)
	zw.Close()
	handler := js.FuncOf(func(_ js.Value, a []js.Value) any {
		req, res := a[0], a[1]
		head := func(code int, h map[string]any) { res.Call("writeHead", code, h) }
		switch req.Get("url").String() {
		case "/file":
			if req.Get("headers").Get("range").String() == "bytes=2-5" {
				head(206, map[string]any{"Content-Range": "bytes 2-5/10", "Content-Length": "4"})
				res.Call("end", clienttest.File[2:6])
				return nil
			}
			head(200, map[string]any{"Content-Length": "10"})
			res.Call("end", clienttest.File)
		case "/redirect":
			head(302, map[string]any{"Location": "/file"})
			res.Call("end")
		case "/big":
			head(200, map[string]any{"Content-Length": strconv.Itoa(len(big))})
			res.Call("end", bytesJS(big))
		case "/gzip":
			head(200, map[string]any{"Content-Encoding": "gzip", "Content-Length": strconv.Itoa(zipped.Len())})
			res.Call("end", bytesJS(zipped.Bytes()))
		case "/hang":
			head(200, nil)
			res.Call("write", "first") // and never ends
		case "/silent": // never answers
		case "/drip": // a byte every 20 ms until the connection closes
			head(200, nil)
			var tick js.Func
			tick = js.FuncOf(func(js.Value, []js.Value) any {
				if res.Get("destroyed").Bool() || res.Get("writableEnded").Bool() {
					tick.Release()
					return nil
				}
				res.Call("write", "x")
				js.Global().Call("setTimeout", tick, 20)
				return nil
			})
			js.Global().Call("setTimeout", tick, 0)
		default:
			head(404, map[string]any{"Content-Length": "19"})
			res.Call("end", "404 page not found\n")
		}
		return nil
	})
	srv := js.Global().Call("require", "node:http").Call("createServer", handler)
	ready := make(chan struct{})
	listening := js.FuncOf(func(js.Value, []js.Value) any { close(ready); return nil })
	srv.Call("listen", 0, "127.0.0.1", listening)
	<-ready
	t.Cleanup(func() {
		srv.Call("closeAllConnections")
		srv.Call("close")
		handler.Release()
		listening.Release()
	})
	return "http://127.0.0.1:" + strconv.Itoa(srv.Call("address").Get("port").Int())
}

func bytesJS(b []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

func TestFetch(t *testing.T) {
	base := nodeServer(t)
	c := httpget.Default()
	clienttest.Run(t, c, base, "http://127.0.0.1:1/x")

	ctx := context.Background()
	get := func(path string) *httpget.Response {
		resp, err := c.Do(ctx, &httpget.Request{Method: "GET", URL: base + path})
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp
	}
	resp := get("/big")
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got, big) || resp.ContentLength != int64(len(big)) {
		t.Errorf("/big: %d bytes (equal: %v), ContentLength %d, %v; want %d", len(got), bytes.Equal(got, big), resp.ContentLength, err, len(big))
	}
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil || err == io.EOF {
		t.Errorf("read after Close: %v, want an error", err)
	}

	resp = get("/gzip") // fetch decodes it, so the encoded length says nothing
	got, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got, big) || resp.ContentLength != -1 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("/gzip: %d bytes (equal: %v), ContentLength %d, encoding %q, %v; want the decoded body, -1, gzip", len(got), bytes.Equal(got, big), resp.ContentLength, resp.Header.Get("Content-Encoding"), err)
	}
}

// Ending the context aborts a body that is still arriving.
func TestFetchAbortsTheBody(t *testing.T) {
	base := nodeServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := httpget.Default().Do(ctx, &httpget.Request{Method: "GET", URL: base + "/hang"})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first" {
		t.Fatalf("read %q, %v; want first", first, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(make([]byte, 10))
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("read after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read did not end after the context was canceled")
	}
}

// Timeouts end a request that fetch would wait for forever: through the
// AbortController, for the answer and for a stalled body.
func TestFetchTimeouts(t *testing.T) {
	base := nodeServer(t)
	for _, tc := range []struct {
		path    string
		stalled bool
	}{{"/silent", false}, {"/hang", true}, {"/drip", true}} {
		// Only the timeout the case waits for is short, so that a busy
		// machine reaches no other.
		tt := httpget.Timeouts{FirstByte: 300 * time.Millisecond, Stall: 10 * time.Second}
		if tc.stalled {
			tt = httpget.Timeouts{FirstByte: 10 * time.Second, Stall: 300 * time.Millisecond}
		}
		c := httpget.WithTimeouts(httpget.Default(), tt)
		start := time.Now()
		done := make(chan error, 1)
		go func() {
			resp, err := c.Do(context.Background(), &httpget.Request{Method: "GET", URL: base + tc.path})
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			var te *httpget.TimeoutError
			if !errors.As(err, &te) || te.Stalled != tc.stalled {
				t.Errorf("%s: %v, want a timeout (stalled: %v)", tc.path, err, tc.stalled)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: still waiting after %v", tc.path, time.Since(start))
		}
	}
}
