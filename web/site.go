package web

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phi2web/phi2web/wasm/kernels"
)

// SiteOptions configures NewSite.
type SiteOptions struct {
	// Wasm is the path of the engine (the GOOS=js build of ./cmd/phi2-worker),
	// served as phi2.wasm; "" serves none.
	Wasm string
	// WasmExec is the path of the Go toolchain's wasm_exec.js, which must
	// match the Go that built Wasm; "" serves none.
	WasmExec string
	// Models are served at models/<Name>/ and listed in models.json, in
	// this order.
	Models []Model
	// OnCSPReport, when set, receives the body of each report posted to
	// csp-report.
	OnCSPReport func(report []byte)
}

// CSP reports are bounded in size and in number: a page in a loop, or
// anyone on the network, cannot flood the terminal or the callback.
const (
	maxCSPReport   = 16 << 10        // bytes of one report
	cspReportBurst = 10              // reports taken at once,
	cspReportEvery = 6 * time.Second // then one more per this
)

// cspReportTypes are the Content-Types browsers send reports with; a page
// of another origin cannot send these without a CORS preflight, which the
// site refuses.
var cspReportTypes = map[string]bool{"application/csp-report": true, "application/reports+json": true, "application/json": true}

// Site is the http.Handler of the page product: the demo, the embeddable
// module, the engine and the models, in the served layout of the page
// product's design, each response with the site's security headers.
// Mount it under a prefix with http.StripPrefix.
type Site struct {
	assets     map[string]*asset
	models     map[string]*modelFiles
	compressed chan struct{}
	reports    atomic.Int64
	onReport   func([]byte)
	limit      reportLimit
}

// NewSite reads the files of o and starts compressing them in the
// background; until a file's compressed forms are ready it is served as
// it is.
func NewSite(o SiteOptions) (*Site, error) {
	s := &Site{
		assets:     map[string]*asset{},
		models:     map[string]*modelFiles{},
		compressed: make(chan struct{}),
		onReport:   o.OnCSPReport,
		limit:      reportLimit{burst: cspReportBurst, every: cspReportEvery, now: time.Now},
	}
	err := fs.WalkDir(Static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := Static.ReadFile(name)
		s.assets[name] = newAsset(name, data, time.Time{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.assets["kernels.wasm"] = newAsset("kernels.wasm", kernels.Module, time.Time{})
	s.assets["kernels-relaxed.wasm"] = newAsset("kernels-relaxed.wasm", kernels.RelaxedModule, time.Time{})
	s.assets["kernels.js"] = newAsset("kernels.js", kernels.JS, time.Time{})
	for name, file := range map[string]string{"phi2.wasm": o.Wasm, "wasm_exec.js": o.WasmExec} {
		if file == "" {
			continue
		}
		a, err := readAsset(name, file)
		if err != nil {
			return nil, err
		}
		s.assets[name] = a
	}
	list := []modelEntry{}
	for _, m := range o.Models {
		if _, dup := s.models[m.Name]; dup {
			s.Close()
			return nil, fmt.Errorf("web: model %s given twice", m.Name)
		}
		mf, err := openModelFiles(m)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.models[m.Name] = mf
		list = append(list, modelEntry{Name: m.Name, Title: m.Title, URL: "models/" + m.Name + "/", Description: m.Description})
	}
	data, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	s.assets["models.json"] = newAsset("models.json", append(data, '\n'), time.Time{})
	all := make([]*asset, 0, len(s.assets))
	for _, a := range s.assets {
		all = append(all, a)
	}
	go compressAll(all, s.compressed)
	return s, nil
}

// modelEntry is one element of models.json.
type modelEntry struct {
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	URL         string `json:"url"`
	Description string `json:"description"`
}

func readAsset(name, file string) (*asset, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("web: %s: %w", name, err)
	}
	var mod time.Time
	if st, err := os.Stat(file); err == nil {
		mod = st.ModTime()
	}
	return newAsset(name, data, mod), nil
}

// Compressed is closed once every file's compressed forms are ready.
func (s *Site) Compressed() <-chan struct{} { return s.compressed }

// Sizes returns the size of a served file (such as "phi2.wasm") as it is
// and brotli-compressed; compressed is 0 while that form is not ready, and
// ok is false for a file the site does not have.
func (s *Site) Sizes(name string) (raw, compressed int, ok bool) {
	a := s.assets[name]
	if a == nil {
		return 0, 0, false
	}
	if br := a.br.Load(); br != nil {
		compressed = len(*br)
	}
	return len(a.data), compressed, true
}

// CSPReports returns the number of CSP reports received.
func (s *Site) CSPReports() int64 { return s.reports.Load() }

// Close releases the model directories.
func (s *Site) Close() {
	for _, m := range s.models {
		m.close()
	}
}

// ServeHTTP routes r: "/" is index.html, csp-report takes reports,
// models/<name>/<file> is a model's file, and other paths name the site's
// files. Nothing else exists.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	p := r.URL.Path
	if p == "/csp-report" {
		s.cspReport(w, r)
		return
	}
	if !allowRead(w, r) {
		return
	}
	if p == "/" {
		p = "/index.html"
	}
	name := strings.TrimPrefix(p, "/")
	if rest, ok := strings.CutPrefix(name, "models/"); ok {
		model, file, _ := strings.Cut(rest, "/")
		if m := s.models[model]; m != nil {
			m.serve(w, r, file)
			return
		}
	}
	if a := s.assets[name]; a != nil && path.Clean(p) == p {
		a.serve(w, r)
		return
	}
	notFound(w, r)
}

// cspReport counts a violation report and hands it on: a POST of a
// report's type, from a page of this site (or no page), of at most
// maxCSPReport bytes, within the rate.
func (s *Site) cspReport(w http.ResponseWriter, r *http.Request) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", "POST")
		httpError(w, http.StatusMethodNotAllowed, "405 method not allowed: "+r.Method+" /csp-report takes POST")
		return
	case !cspReportTypes[mediaType]:
		httpError(w, http.StatusUnsupportedMediaType, "415 unsupported media type: /csp-report takes application/csp-report")
		return
	case !sameOrigin(r):
		httpError(w, http.StatusForbidden, "403 forbidden: /csp-report takes reports of this site's pages")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCSPReport+1))
	switch {
	case err != nil:
		httpError(w, http.StatusBadRequest, "400 bad request: reading the report: "+err.Error())
		return
	case len(body) > maxCSPReport:
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("413 too large: a report has at most %d bytes", maxCSPReport))
		return
	case !s.limit.take():
		w.Header().Set("Retry-After", strconv.Itoa(int(cspReportEvery/time.Second)))
		httpError(w, http.StatusTooManyRequests, "429 too many reports")
		return
	}
	s.reports.Add(1)
	if s.onReport != nil {
		s.onReport(body)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// sameOrigin reports whether r comes from no page or a page of the host it
// is sent to.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// reportLimit lets burst reports through at once, then one per every.
type reportLimit struct {
	burst int
	every time.Duration
	now   func() time.Time

	mu     sync.Mutex
	tokens float64
	at     time.Time
}

func (l *reportLimit) take() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.at.IsZero() {
		l.tokens = float64(l.burst)
	} else {
		l.tokens = min(float64(l.burst), l.tokens+float64(now.Sub(l.at))/float64(l.every))
	}
	l.at = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}
