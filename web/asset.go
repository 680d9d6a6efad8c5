package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// asset is a file the site keeps in memory, with its compressed forms
// once they are made.
type asset struct {
	name    string
	data    []byte
	modTime time.Time
	etag    string // of data; a compressed form appends its encoding
	br, gz  atomic.Pointer[[]byte]
}

func newAsset(name string, data []byte, modTime time.Time) *asset {
	sum := sha256.Sum256(data)
	return &asset{name: name, data: data, modTime: modTime, etag: hex.EncodeToString(sum[:8])}
}

// serve answers r with the asset, compressed as r accepts when that form
// is ready. Range and conditional requests apply to the form sent.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", contentType(a.name))
	h.Set("Cache-Control", cacheControl(a.name))
	h.Add("Vary", "Accept-Encoding")
	body, enc := a.data, ""
	switch accepted := acceptedEncodings(r.Header.Get("Accept-Encoding")); {
	case accepted["br"] && a.br.Load() != nil:
		body, enc = *a.br.Load(), "br"
	case accepted["gzip"] && a.gz.Load() != nil:
		body, enc = *a.gz.Load(), "gzip"
	}
	etag := a.etag
	if enc != "" {
		// ServeContent leaves out the length of an encoded body, which
		// download progress needs; ranges of it are not worth offering.
		h.Set("Content-Encoding", enc)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		etag += "-" + enc
		r = r.Clone(r.Context())
		r.Header.Del("Range")
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, a.name, a.modTime, bytes.NewReader(body))
}

// acceptedEncodings reads an Accept-Encoding header: the codings it
// names with a quality above zero.
func acceptedEncodings(header string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			continue
		}
		out[name] = true
	}
	return out
}
