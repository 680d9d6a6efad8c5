package httpget

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

// Part is the answer to GetRange: the bytes of the file from the first one
// asked for, or, when the server ignored Range, the whole file.
type Part struct {
	*Response
	// Whole: the server answered 200 with the whole file.
	Whole bool
	// Version is the file's version as the answer gives it.
	Version Version
	// Total is the file's size from Content-Range, or the length of a
	// whole file; -1 when the server does not say (a browser hides
	// Content-Range from a cross-origin page that is not allowed to read
	// it).
	Total int64
}

// StatusError is an answer to GetRange that holds no bytes of the file.
type StatusError struct {
	Method     string // "" means GET
	URL, Range string // the URL asked for and the Range header ("" when none)
	StatusCode int
	Status     string
	// Total is the file's size a 416 answer gives ("bytes */N"); -1 when
	// not given.
	Total int64
}

func (e *StatusError) Error() string {
	method, rng := e.Method, ""
	if method == "" {
		method = "GET"
	}
	if e.Range != "" {
		rng = " " + e.Range
	}
	return fmt.Sprintf("%s %s%s: the server answered %s", method, e.URL, rng, e.Status)
}

// Unwrap makes a 404 or 410 an fs.ErrNotExist.
func (e *StatusError) Unwrap() error {
	if e.StatusCode == 404 || e.StatusCode == 410 {
		return fs.ErrNotExist
	}
	return nil
}

// Temporary reports whether a later request may be answered: a server
// error, a request timeout (408) or too many requests (429).
func (e *StatusError) Temporary() bool {
	return e.StatusCode >= 500 || e.StatusCode == 408 || e.StatusCode == 429
}

// GetRange asks url for its bytes first..last (last < 0: to the end; no
// Range header at all when first is 0 too), the one way the engine reads
// part of a file over HTTP. A 206 must start at first and, with last ≥ 0,
// end at last; a 200 is the whole file (Part.Whole), whatever was asked.
// Any other status is a *StatusError, its body read and closed. A failure
// to get an answer is an error naming the URL; a timeout's wraps the
// *TimeoutError.
//
// A known pin asks for the bytes of that version only (If-Range), so that
// the reads of one file never mix two versions of it: a 206 that gives
// another version is a *ChangedError, its body closed; a 200 is the whole
// file as the server has it now, its Part.Version telling which.
func GetRange(ctx context.Context, c Client, url string, first, last int64, pin Version) (*Part, error) {
	req := &Request{Method: "GET", URL: url}
	var rng string
	if first > 0 || last >= 0 {
		rng = "bytes=" + strconv.FormatInt(first, 10) + "-"
		if last >= 0 {
			rng += strconv.FormatInt(last, 10)
		}
		req.Header = map[string]string{"Range": rng}
		if pin.Known() {
			req.Header["If-Range"] = pin.ifRange()
		}
	}
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	p := &Part{Response: resp, Total: -1, Version: VersionOf(resp.Header)}
	if resp.StatusCode == 206 && pin.Differs(p.Version) {
		resp.Body.Close()
		return nil, &ChangedError{URL: url, Was: pin, Now: p.Version}
	}
	switch resp.StatusCode {
	case 206:
		start, end, total, ok := ContentRange(resp.Header.Get("Content-Range"))
		if !ok { // hidden: taken as the range asked for
			return p, nil
		}
		if start != first || (last >= 0 && end != last) {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s %s: the server sent bytes %d-%d instead", url, rng, start, end)
		}
		p.Total = total
		return p, nil
	case 200:
		p.Whole, p.Total = true, resp.ContentLength
		return p, nil
	}
	// Read a little, so that the connection is reused.
	io.CopyN(io.Discard, resp.Body, 4096)
	resp.Body.Close()
	e := &StatusError{URL: url, Range: rng, StatusCode: resp.StatusCode, Status: resp.Status, Total: -1}
	if _, _, total, ok := ContentRange(resp.Header.Get("Content-Range")); ok {
		e.Total = total
	}
	return nil, e
}

// ContentRange parses "bytes start-end/total" or "bytes */total"; total is
// -1 when given as "*", and start and end are -1 in the second form.
func ContentRange(h string) (start, end, total int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes ")
	r, t, found2 := strings.Cut(spec, "/")
	if !found || !found2 {
		return 0, 0, 0, false
	}
	total, start, end = -1, -1, -1
	var err error
	if t != "*" {
		if total, err = strconv.ParseInt(t, 10, 64); err != nil || total < 0 {
			return 0, 0, 0, false
		}
	}
	if r == "*" {
		return start, end, total, true
	}
	s, e, found := strings.Cut(r, "-")
	start, err1 := strconv.ParseInt(s, 10, 64)
	end, err2 := strconv.ParseInt(e, 10, 64)
	if !found || err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, 0, false
	}
	return start, end, total, true
}
