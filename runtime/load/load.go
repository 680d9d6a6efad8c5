// Package load finds a model by path or http(s) URL and opens it as a
// weights.Loader: a converted model directory (manifest.json), a Hugging
// Face directory (config.json and safetensors) or a GGUF file.
package load

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/phi2web/phi2web/runtime/gguf"
	"github.com/phi2web/phi2web/runtime/httpget"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/tokenizer"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Formats reported by Model.Format.
const (
	ModelDir    = "model-dir"
	HuggingFace = "huggingface"
	GGUF        = "gguf"
)

// Model is an opened model, ready for phi2.Load or a converter.
type Model struct {
	weights.Loader
	Format string
	Bytes  int64 // stored tensor bytes: the work a full load reads
	close  func() error
}

// Close releases the files behind the model.
func (m *Model) Close() error {
	if m.close == nil {
		return nil
	}
	return m.close()
}

// Options configures OpenWith. The zero value is what Open does.
type Options struct {
	// Codec, when set, decompresses and hashes the shards of a converted
	// model directory (modeldir.Options); other formats do not use it.
	Codec *modeldir.Codec
	// Client fetches http(s) URLs; nil means httpget.Default().
	Client httpget.Client
}

// Open opens the model at path: a .gguf file, or a directory holding
// manifest.json or config.json. path may also be an http:// or https://
// URL: one whose path ends in .gguf is a GGUF file, any other a directory
// (a trailing slash is optional). The server must answer Range requests
// (weights.HTTP), as static file servers and Hugging Face do.
func Open(path string) (*Model, error) { return OpenWith(path, Options{}) }

// OpenWith is Open with options.
func OpenWith(path string, o Options) (*Model, error) {
	if isURL(path) {
		return openURL(path, o)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if !strings.HasSuffix(strings.ToLower(path), ".gguf") {
			return nil, fmt.Errorf("%s is a file but not a .gguf file: give a model directory or a GGUF file", path)
		}
		f, err := weights.Dir(filepath.Dir(path)).Open(filepath.Base(path))
		if err != nil {
			return nil, err
		}
		return openGGUF(f, filepath.Base(path))
	}
	return openSource(weights.Dir(path), o)
}

func isURL(path string) bool {
	p := strings.ToLower(path)
	return strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://")
}

// openURL opens a model directory or GGUF file over HTTP.
func openURL(raw string, o Options) (*Model, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("model URL: %v", err)
	}
	if !strings.HasSuffix(strings.ToLower(u.Path), ".gguf") {
		return openSource(weights.HTTP(raw, o.Client), o)
	}
	dir, name := path.Split(u.Path)
	u.Path, u.RawPath = dir, ""
	f, err := weights.HTTP(u.String(), o.Client).Open(name)
	if err != nil {
		return nil, err
	}
	return openGGUF(f, raw)
}

// OpenSource opens a directory-shaped model from any source: a converted
// model directory when it has manifest.json, else a Hugging Face one.
func OpenSource(src weights.Source) (*Model, error) { return openSource(src, Options{}) }

func openSource(src weights.Source, o Options) (*Model, error) {
	f, err := src.Open(modeldir.ManifestFile)
	if err == nil {
		f.Close()
		return openModelDir(src, o)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ck, err := weights.Open(src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w (a model directory holds manifest.json, or config.json with safetensors)", err)
		}
		return nil, err
	}
	var n int64
	for _, name := range ck.Names() {
		info, _ := ck.Info(name)
		n += info.Size
	}
	return &Model{Loader: ck, Format: HuggingFace, Bytes: n, close: ck.Close}, nil
}

func openModelDir(src weights.Source, o Options) (*Model, error) {
	md, err := modeldir.OpenWith(src, modeldir.Options{Codec: o.Codec})
	if err != nil {
		return nil, err
	}
	if tok := md.Meta().Tokenizer; tok.Name != tokenizer.Name {
		return nil, fmt.Errorf("%s: the model was converted for tokenizer %q, this build has %q", modeldir.ManifestFile, tok.Name, tokenizer.Name)
	}
	var n int64
	for _, t := range md.Tensors() {
		n += t.Length
	}
	return &Model{Loader: md, Format: ModelDir, Bytes: n}, nil
}

// openGGUF parses f, named name in errors, and takes ownership of it.
func openGGUF(f weights.File, name string) (*Model, error) {
	g, err := gguf.Open(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Model{Loader: g, Format: GGUF, Bytes: f.Size(), close: f.Close}, nil
}
