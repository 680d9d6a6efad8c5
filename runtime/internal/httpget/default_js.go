package httpget

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"syscall/js"
)

// Default returns the platform's client: here the host's global fetch,
// with the browser's redirects, caching and CORS rules (mode "cors").
// A ctx that ends aborts the request and its body. Do fails when fetch
// rejects (a TypeError: no network, a refused request). DefaultTimeouts
// ($PHI2_HTTP_TIMEOUT) bound every request: a timeout aborts it through
// its AbortController, waiting for the answer or for a stalled body.
func Default() Client { return WithDefaultTimeouts(fetchClient{}) }

type fetchClient struct{}

var _ Client = fetchClient{}

func (fetchClient) Do(ctx context.Context, r *Request) (resp *Response, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fetch := js.Global().Get("fetch")
	if fetch.Type() != js.TypeFunction {
		return nil, errors.New("this JavaScript host has no fetch")
	}
	abort := js.Global().Get("AbortController").New()
	stop := context.AfterFunc(ctx, func() { abort.Call("abort") })
	defer func() {
		if err != nil {
			stop()
		}
	}()
	var res js.Value
	err = catch(func() error {
		init := js.Global().Get("Object").New()
		init.Set("method", r.Method)
		init.Set("mode", "cors")
		init.Set("signal", abort.Get("signal"))
		headers := js.Global().Get("Object").New()
		for k, v := range r.Header {
			if k == "If-Range" && crossOrigin(r.URL) {
				continue
			}
			headers.Set(k, v)
		}
		init.Set("headers", headers)
		var rejected bool
		res, rejected = await(fetch.Invoke(r.URL, init))
		if rejected {
			return failure(ctx, res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	header := responseHeader(res.Get("headers"))
	code := res.Get("status").Int()
	status := strconv.Itoa(code)
	if text := res.Get("statusText").String(); text != "" {
		status += " " + text
	} else if text := statusText[code]; text != "" {
		status += " " + text // HTTP/2 has no reason phrase
	}
	url := res.Get("url").String()
	if url == "" {
		url = r.URL
	}
	body := &streamBody{ctx: ctx, stop: stop}
	if b := res.Get("body"); b.Truthy() { // null for HEAD and empty answers
		body.reader = b.Call("getReader")
	}
	return &Response{
		StatusCode:    code,
		Status:        status,
		URL:           url,
		Header:        header,
		ContentLength: contentLength(header),
		Body:          body,
	}, nil
}

// crossOrigin reports whether url is of another origin than the page's
// (false where there is no page, as under Node). If-Range is left out of
// such requests: it would need a CORS preflight that servers may refuse,
// and GetRange checks the version an answer gives anyway.
func crossOrigin(url string) bool {
	loc := js.Global().Get("location")
	if !loc.Truthy() {
		return false
	}
	u := js.Global().Get("URL").New(url, loc.Get("href"))
	return u.Get("origin").String() != loc.Get("origin").String()
}

// responseHeader copies a Headers object; its names are lower-case.
func responseHeader(h js.Value) Header {
	out := Header{}
	it := h.Call("entries")
	for {
		next := it.Call("next")
		if next.Get("done").Bool() {
			return out
		}
		kv := next.Get("value")
		out[kv.Index(0).String()] = kv.Index(1).String()
	}
}

// contentLength is the declared length of the body fetch yields: unknown
// when fetch decodes a Content-Encoding, since the header counts the
// encoded bytes.
func contentLength(h Header) int64 {
	if e := h.Get("Content-Encoding"); e != "" && e != "identity" {
		return -1
	}
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// await waits for promise p to settle: its value, or its rejection reason
// and true.
func await(p js.Value) (v js.Value, rejected bool) {
	type settled struct {
		v        js.Value
		rejected bool
	}
	ch := make(chan settled, 1)
	on := func(rejected bool) js.Func {
		return js.FuncOf(func(_ js.Value, args []js.Value) any {
			s := settled{js.Undefined(), rejected}
			if len(args) > 0 {
				s.v = args[0]
			}
			ch <- s
			return nil
		})
	}
	ok, fail := on(false), on(true)
	p.Call("then", ok, fail)
	s := <-ch
	ok.Release()
	fail.Release()
	return s.v, s.rejected
}

// failure is the error for a rejection reason: ctx's error when ctx ended
// (fetch then rejects with an AbortError), else the reason's text.
func failure(ctx context.Context, reason js.Value) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg := jsString(reason)
	if c := reason.Get("cause"); reason.Type() == js.TypeObject && c.Truthy() {
		msg += " (" + jsString(c) + ")" // Node names the socket error here
	}
	return errors.New(msg)
}

// jsString is String(v), such as "TypeError: Failed to fetch".
func jsString(v js.Value) string { return js.Global().Get("String").Invoke(v).String() }

// catch runs f, turning a thrown JavaScript exception into an error.
func catch(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			jsErr, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("fetch threw %s", jsString(jsErr.Value))
		}
	}()
	return f()
}

var errClosed = errors.New("read from a closed response body")

// streamBody reads a response body chunk by chunk from its stream reader.
// A chunk goes through buf, not straight into the caller's buffer: a
// js.Value is let go only when Go's collector finalizes it, and a body
// read with no allocation in Go kept the browser's chunks alive (a page's
// first load of the Phi-2-shape q4 model peaked at 4.1 GB against 2.5).
type streamBody struct {
	ctx    context.Context
	stop   func() bool // ends the abort-on-ctx watch
	reader js.Value    // undefined when there is no body
	chunk  []byte      // the unread rest of the last chunk
	buf    []byte
	err    error // sticky: io.EOF, errClosed or a failure
}

func (b *streamBody) Read(p []byte) (int, error) {
	for len(b.chunk) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		b.next()
	}
	n := copy(p, b.chunk)
	b.chunk = b.chunk[n:]
	return n, nil
}

// next reads the stream's next chunk, or sets err.
func (b *streamBody) next() {
	if b.reader.IsUndefined() {
		b.err = io.EOF
		return
	}
	v, rejected := await(b.reader.Call("read"))
	switch {
	case rejected:
		b.err = failure(b.ctx, v)
	case v.Get("done").Bool():
		b.err = io.EOF
		b.stop()
	default:
		data := v.Get("value")
		n := data.Get("length").Int()
		if cap(b.buf) < n {
			b.buf = make([]byte, n)
		}
		b.chunk = b.buf[:js.CopyBytesToGo(b.buf[:n], data)]
	}
}

// Close cancels the rest of the stream.
func (b *streamBody) Close() error {
	if b.err == nil && !b.reader.IsUndefined() {
		b.reader.Call("cancel").Call("catch", ignore)
	}
	b.err, b.chunk = errClosed, nil
	b.stop()
	return nil
}

// ignore handles a promise rejection nobody waits for.
var ignore = js.FuncOf(func(js.Value, []js.Value) any { return nil })
