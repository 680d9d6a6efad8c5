package web

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Model is a model directory the site serves at models/<Name>/: a
// converted model (manifest.json and shards) or a Hugging Face directory.
type Model struct {
	Name        string // a URL path segment: letters, digits, '-', '_' and '.'
	Title       string // what a model picker shows; "" means Name
	Path        string // the local directory
	Description string
}

// modelFiles serves the files of one model directory that its model names
// (modelList), never another, never outside it (os.Root refuses .. and
// symbolic links that leave it) and never a listing. The list is made when
// the site starts.
type modelFiles struct {
	root  *os.Root
	files map[string]bool
}

func openModelFiles(m Model) (*modelFiles, error) {
	if !validModelName(m.Name) {
		return nil, fmt.Errorf("web: model name %q: want letters, digits, '-', '_' or '.'", m.Name)
	}
	root, err := os.OpenRoot(m.Path)
	if err != nil {
		return nil, fmt.Errorf("web: model %s: %w", m.Name, err)
	}
	files, err := modelList(root)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("web: model %s (%s): %w", m.Name, m.Path, err)
	}
	return &modelFiles{root: root, files: files}, nil
}

func validModelName(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// serve answers r with the file name (slash-separated, relative to the
// model directory): Range and conditional requests work, as the model
// fetcher resumes shards with Range.
func (m *modelFiles) serve(w http.ResponseWriter, r *http.Request, name string) {
	if !m.files[name] {
		notFound(w, r)
		return
	}
	f, err := m.root.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			notFound(w, r)
		} else {
			httpError(w, http.StatusNotFound, "404 not found: "+r.URL.Path+" (not readable)")
		}
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("Cache-Control", cacheShort)
	etag := strconv.FormatInt(st.Size(), 36) + "-" + strconv.FormatInt(st.ModTime().UnixNano(), 36)
	if encodedShard(r, name) {
		// A whole shard goes out as what it is, brotli, declared as the
		// encoding: a browser decodes it natively, off the page's thread,
		// and the engine checks and stores the decoded bytes. A resumed
		// one (Range) comes as the file's bytes.
		h.Set("Content-Encoding", "br")
		// ServeContent leaves out the length of an encoded answer; this
		// one is the file's, which lets a page show progress and take the
		// answer whole (a length the page had to count itself would be of
		// the decoded bytes).
		h.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
		etag += "-br"
		r = r.Clone(r.Context())
		r.Header.Del("Range") // "bytes=0-": the whole file, as a 200
	}
	if strings.HasSuffix(name, ".br") {
		h.Add("Vary", "Accept-Encoding")
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// encodedShard reports whether the shard name goes out with
// Content-Encoding: br: a GET of the whole file from a client that
// accepts br.
func encodedShard(r *http.Request, name string) bool {
	if !strings.HasSuffix(name, ".br") || r.Method != http.MethodGet {
		return false
	}
	if rng := r.Header.Get("Range"); rng != "" && rng != "bytes=0-" {
		return false
	}
	for _, e := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if name, _, _ := strings.Cut(strings.TrimSpace(e), ";"); strings.EqualFold(name, "br") {
			return true
		}
	}
	return false
}

func (m *modelFiles) close() { m.root.Close() }
