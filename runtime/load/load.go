// Package load is the one way a model reference becomes weights. A
// reference is a path or an http(s) URL of a converted model directory
// (manifest.json, docs/format.md), a Hugging Face directory or repository
// (config.json and safetensors) or a GGUF file.
//
// With Options.Store set, a URL of a directory goes through the store
// (IndexedDB in a page, a cache directory elsewhere), so that it is fetched
// once and loads offline afterwards: a converted model directory is
// downloaded (resumable, verified), a Hugging Face repository is read with
// Range requests and converted into the store under the key
// <url>.phi2web-<quant>/, a path no server has. The work runs under a lock
// per model, so that of several pages of a site one does it while the
// others wait and then find it stored. Everything else is read in place:
// files from disk, URLs with Range requests (as static file servers and
// Hugging Face answer them).
//
// Failures through the store wrap one of ErrNetwork, ErrNotFound, ErrQuota,
// ErrBadModel or ErrQuant (the message stays that of the failure), so that
// a caller can tell the user what to do.
package load

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/gguf"
	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/tokenizer"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Formats reported by Model.Format.
const (
	ModelDir    = "model-dir"
	HuggingFace = "huggingface"
	GGUF        = "gguf"
)

// Options configure Open and Fill. The zero value reads a reference in
// place, as it is stored.
type Options struct {
	// Store, when set, keeps the models that URLs of directories name (see
	// the package doc); nil reads them in place.
	Store store.Store
	// Quant is the quantization wanted: q4, q8, f16 or f32. A Hugging Face
	// checkpoint stored from a URL is converted to it (q4 when empty); an
	// unquantized model read in place is quantized while it loads, to the
	// bytes `phi2 convert` would store; a converted model is used as it is.
	Quant string
	// Lock, when set, holds an exclusive lock named after the model's key
	// while the model is fetched or converted into Store (a Web Lock in a
	// page).
	Lock func(ctx context.Context, key string) (release func(), err error)
	// MaxStorageBytes, when positive, refuses (ErrQuota) to store a model
	// that needs more bytes than this.
	MaxStorageBytes int64
	// Progress, when set, is called as the work goes on (see Progress).
	Progress func(Progress)
	// Codec, when set, decompresses and hashes the shards of a converted
	// model directory (modeldir.Options).
	Codec *modeldir.Codec
	// Client fetches http(s) URLs; nil means the platform's (net/http
	// natively, fetch in a browser), whose requests time out when a server
	// stops answering (docs/loading.md).
	Client httpget.Client
}

// Progress reports how far a load has come: the phases of a download
// (PhaseManifest, PhaseDownload, PhaseVerify), PhaseConvert, PhaseLoad,
// then PhaseReady once the model is usable.
type Progress = fetch.Progress

// Phases of Progress.
const (
	PhaseManifest = fetch.PhaseManifest // fetching manifest.json
	PhaseDownload = fetch.PhaseDownload // storing shard bytes (or finding them stored)
	PhaseVerify   = fetch.PhaseVerify   // hashing the bytes of a shard stored before
	PhaseReady    = fetch.PhaseReady    // the model is usable
	// PhaseConvert: a Hugging Face checkpoint is read and quantized; Done
	// and Total count the checkpoint's tensor bytes.
	PhaseConvert = "convert"
	// PhaseLoad: the stored model is read for use; Done and Total count
	// the shard bytes read of those stored.
	PhaseLoad = "load"
)

// Model is an opened model, ready for phi2.Load or a converter.
type Model struct {
	weights.Loader
	Format string
	Quant  string // "q4", "q8", "f16" … as it loads; "" when mixed or unknown
	Bytes  int64  // tensor bytes as stored: the work a full load reads
	// StoredBytes is what a converted model directory's shards take
	// (compressed); for the other formats, Bytes.
	StoredBytes int64
	Key         string // its key in Options.Store; "" when read in place
}

// Open opens the model ref names and calls use with it, then releases it.
// When use fails because a shard kept in Options.Store is corrupt, the
// shard is downloaded again and use is called a second time: use must
// release what a failed call built. Errors of use are returned as they
// are.
func Open(ctx context.Context, ref string, o Options, use func(*Model) error) error {
	if o.Store != nil && isURL(ref) && !isGGUF(ref) {
		return openStored(ctx, ref, o, use)
	}
	m, closeModel, err := openInPlace(ref, o)
	if err != nil {
		return err
	}
	defer closeModel()
	if o.Progress != nil {
		m.Loader = countingLoader{m.Loader, o.Progress, m.Bytes}
	}
	if o.Quant != "" {
		if m, err = quantized(m, o.Quant); err != nil {
			return err
		}
	}
	if err := use(m); err != nil {
		return err
	}
	if o.Progress != nil {
		o.Progress(Progress{Phase: PhaseReady, Done: 1, Total: 1})
	}
	return nil
}

// quantized wraps m to quantize its unquantized weights while they load.
func quantized(m *Model, quant string) (*Model, error) {
	q, err := convert.ParseQuant(quant)
	if err == nil {
		var l weights.Loader
		l, err = convert.Quantized(m.Loader, convert.Options{Quant: q})
		m = &Model{Loader: l, Format: m.Format, Quant: strings.ToLower(quant), Bytes: m.Bytes, StoredBytes: m.StoredBytes}
	}
	if err != nil {
		return nil, kinded(ErrQuant, err)
	}
	return m, nil
}

// openInPlace opens ref without a store; the caller must call the close
// function it returns.
func openInPlace(ref string, o Options) (*Model, func() error, error) {
	if isURL(ref) {
		return openURL(ref, o)
	}
	st, err := os.Stat(ref)
	if err != nil {
		return nil, nil, err
	}
	if !st.IsDir() {
		if !isGGUF(ref) {
			return nil, nil, fmt.Errorf("%s is a file but not a .gguf file: give a model directory or a GGUF file", ref)
		}
		f, err := weights.Dir(filepath.Dir(ref)).Open(filepath.Base(ref))
		if err != nil {
			return nil, nil, err
		}
		return openGGUF(f, filepath.Base(ref))
	}
	return openSource(weights.Dir(ref), o)
}

func isURL(ref string) bool {
	p := strings.ToLower(ref)
	return strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://")
}

func isGGUF(ref string) bool {
	if u, err := url.Parse(ref); err == nil && isURL(ref) {
		ref = u.Path
	}
	return strings.HasSuffix(strings.ToLower(ref), ".gguf")
}

// openURL opens a model directory or GGUF file over HTTP.
func openURL(raw string, o Options) (*Model, func() error, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("model URL: %v", err)
	}
	if !isGGUF(raw) {
		return openSource(weights.HTTP(raw, o.Client), o)
	}
	dir, name := path.Split(u.Path)
	u.Path, u.RawPath = dir, ""
	f, err := weights.HTTP(u.String(), o.Client).Open(name)
	if err != nil {
		return nil, nil, err
	}
	return openGGUF(f, raw)
}

// openSource opens a directory-shaped model from any source: a converted
// model directory when it has manifest.json, else a Hugging Face one.
func openSource(src weights.Source, o Options) (*Model, func() error, error) {
	f, err := src.Open(modeldir.ManifestFile)
	if err == nil {
		f.Close()
		m, err := openModelDir(src, modeldir.Options{Codec: o.Codec})
		return m, noClose, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	ck, err := weights.Open(src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("%w (a model directory holds manifest.json, or config.json with safetensors)", err)
		}
		return nil, nil, err
	}
	var n int64
	for _, name := range ck.Names() {
		info, _ := ck.Info(name)
		n += info.Size
	}
	return &Model{Loader: ck, Format: HuggingFace, Bytes: n, StoredBytes: n}, ck.Close, nil
}

// openModelDir opens a converted model directory made for this engine's
// tokenizer.
func openModelDir(src weights.Source, o modeldir.Options) (*Model, error) {
	md, err := modeldir.OpenWith(src, o)
	if err != nil {
		return nil, err
	}
	meta := md.Meta()
	if meta.Tokenizer.Name != tokenizer.Name {
		return nil, fmt.Errorf("%s: the model was converted for tokenizer %q, this build has %q", modeldir.ManifestFile, meta.Tokenizer.Name, tokenizer.Name)
	}
	m := &Model{Loader: md, Format: ModelDir, Quant: strings.ToLower(meta.Quant)}
	for _, t := range md.Tensors() {
		m.Bytes += t.Length
	}
	for _, s := range md.Shards() {
		m.StoredBytes += s.CompressedSize
	}
	return m, nil
}

// openGGUF parses f, named name in errors, and takes ownership of it.
func openGGUF(f weights.File, name string) (*Model, func() error, error) {
	g, err := gguf.Open(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Model{Loader: g, Format: GGUF, Bytes: f.Size(), StoredBytes: f.Size()}, f.Close, nil
}

func noClose() error { return nil }
