package web

import (
	"net/http"
	"path"
	"strings"
)

// CSP is the Content-Security-Policy of every response of the site: no
// inline script or style, wasm compilation allowed, workers from the site
// or blob: URLs, models from the site, https or the loopback.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self' https: http://127.0.0.1:* http://localhost:*; " +
	"worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; " +
	"report-uri /csp-report"

// securityHeaders are set on every response, errors included: the CSP,
// cross-origin isolation (shared wasm memory needs it) and leave for
// other origins to use the files (an embedding page, a worker started
// through a blob: URL).
var securityHeaders = [][2]string{
	{"Content-Security-Policy", CSP},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Embedder-Policy", "require-corp"},
	{"Cross-Origin-Resource-Policy", "cross-origin"},
	{"Access-Control-Allow-Origin", "*"},
	{"X-Content-Type-Options", "nosniff"},
}

func setSecurityHeaders(h http.Header) {
	for _, kv := range securityHeaders {
		h.Set(kv[0], kv[1])
	}
}

// contentTypes are the types of the site's files by extension; anything
// else (model shards, safetensors) is application/octet-stream.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".ts":   "application/typescript; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".wasm": "application/wasm",
	".txt":  "text/plain; charset=utf-8",
}

// contentType returns the Content-Type of the file name.
func contentType(name string) string {
	if t, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// Cache lifetimes: the entry points are revalidated on every load, so a
// new version is picked up at once; the rest may be reused briefly (they
// carry ETags, so a stale copy costs a 304, not a download).
const (
	cacheRevalidate = "no-cache"
	cacheShort      = "public, max-age=300"
)

// alwaysRevalidated are the paths served with Cache-Control: no-cache.
var alwaysRevalidated = map[string]bool{"index.html": true, "sw.js": true, "models.json": true}

func cacheControl(name string) string {
	if alwaysRevalidated[name] {
		return cacheRevalidate
	}
	return cacheShort
}

// notFound answers 404 naming the path asked for.
func notFound(w http.ResponseWriter, r *http.Request) {
	httpError(w, http.StatusNotFound, "404 not found: "+r.URL.Path)
}

// httpError answers a plain-text error that no cache keeps.
func httpError(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Del("Content-Encoding")
	h.Del("ETag")
	h.Del("Last-Modified")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write([]byte(msg + "\n"))
}

// allowRead answers a CORS preflight, and 405 to anything but GET and
// HEAD. Pages of other origins may send Range and conditional requests
// and read Content-Range (a resumed model download checks it).
func allowRead(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Access-Control-Expose-Headers", "Content-Range, Content-Encoding, ETag, Accept-Ranges")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodOptions:
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
		h.Set("Access-Control-Allow-Headers", "Range, If-Range, If-None-Match, If-Modified-Since")
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return false
	}
	w.Header().Set("Allow", "GET, HEAD")
	httpError(w, http.StatusMethodNotAllowed, "405 method not allowed: "+r.Method+" "+r.URL.Path)
	return false
}
