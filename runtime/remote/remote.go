// Package remote makes a model given by URL usable from a store of models
// (IndexedDB in a page, a cache directory elsewhere), so that it is fetched
// once and loads offline afterwards. A converted model directory
// (manifest.json) is downloaded with runtime/fetch; a Hugging Face
// repository (config.json and safetensors) is read with Range requests and
// converted into the store under the key <url>.phi2web-<quant>/, a path no
// server has. The work runs under a lock per model, so that of several
// pages of a site one does it while the others wait and then find it
// stored.
//
// Failures wrap one of ErrNetwork, ErrNotFound, ErrQuota, ErrBadModel or
// ErrQuant (the message stays that of the failure), so that a caller can
// tell the user what to do.
package remote

import (
	"context"
	"errors"
	"io/fs"
	"strings"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/fetch"
	"github.com/phi2web/phi2web/runtime/httpget"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Options configure Fill and Open.
type Options struct {
	Store store.Store // where models are kept; required
	// Quant is the quantization a Hugging Face checkpoint is converted to:
	// q4 (the default), q8, f16 or f32. A converted model directory is
	// used as it is.
	Quant string
	// Lock, when set, holds an exclusive lock named after the model's key
	// while the model is fetched or converted (a Web Lock in a page).
	Lock func(ctx context.Context, key string) (release func(), err error)
	// MaxStorageBytes, when positive, refuses (ErrQuota) to store a model
	// that needs more bytes than this.
	MaxStorageBytes int64
	// Progress, when set, is called as the work goes on: the phases of
	// fetch.Progress (without its ready), PhaseConvert, PhaseLoad, then
	// fetch.PhaseReady once the model is usable.
	Progress func(fetch.Progress)
	Client   httpget.Client // nil means httpget.Default()
}

// Kinds of failure, wrapped by the errors of Fill and Open.
var (
	// ErrNetwork: the model could not be fetched and no complete copy is
	// stored.
	ErrNetwork = errors.New("network failure")
	// ErrNotFound: the URL answered but holds no model (neither
	// manifest.json nor config.json).
	ErrNotFound = errors.New("no model at the URL")
	// ErrQuota: the store cannot hold the model.
	ErrQuota = errors.New("not enough storage")
	// ErrBadModel: the model is malformed, or corrupt after a refetch.
	ErrBadModel = errors.New("malformed model")
	// ErrQuant: Options.Quant names no quantization.
	ErrQuant = errors.New("unknown quantization")
)

// Keys returns the store keys of the model at url: that of a converted
// model directory (url with a final '/') and that of a Hugging Face
// checkpoint's conversion to quant ("" means q4).
func Keys(url, quant string) (dir, converted string) {
	if quant == "" {
		quant = "q4"
	}
	dir = strings.TrimSuffix(url, "/") + "/"
	return dir, dir + ".phi2web-" + strings.ToLower(quant) + "/"
}

// Fill makes the model at url complete in o.Store and returns its key.
func Fill(ctx context.Context, url string, o Options) (string, error) {
	j := newJob(ctx, url, o)
	key, err := j.fill()
	if err != nil {
		return "", j.classify(err)
	}
	j.ready()
	return key, nil
}

// Open makes the model at url complete in o.Store (see Fill), then calls
// use with its stored copy and returns its key. When use fails because a
// stored shard is corrupt, the shard is downloaded again and use is called
// a second time (fetch.Load): use must release what a failed call built.
// Errors of use are returned as they are; wrapping them in ErrBadModel
// where they concern the model is for use to do (see BadModel).
func Open(ctx context.Context, url string, o Options, use func(weights.Source) error) (string, error) {
	j := newJob(ctx, url, o)
	key, err := j.fill()
	if err != nil {
		return "", j.classify(err)
	}
	var useErr error
	fo := fetch.Options{Store: j.st, Client: j.client, Progress: j.second()}
	err = fetch.Load(ctx, key, fo, func(src weights.Source) error {
		useErr = use(j.counting(src))
		return useErr
	})
	if err != nil {
		if err == useErr {
			return "", err
		}
		return "", j.classify(err)
	}
	j.ready()
	return key, nil
}

// fill is Fill without the final report and the classification.
func (j *job) fill() (string, error) {
	key, hfKey := Keys(j.url, j.o.Quant)
	_, err := weights.HTTP(key, j.client).Open(modeldir.ManifestFile)
	hf := errors.Is(err, fs.ErrNotExist) || (err != nil && complete(j.o.Store, hfKey))
	if hf {
		key = hfKey
	}
	j.key, j.st = key, limitStore(j.o.Store, key, j.o.MaxStorageBytes)
	if j.o.Lock != nil {
		release, err := j.o.Lock(j.ctx, key)
		if err != nil {
			return "", unclassified{err}
		}
		defer release()
	}
	// Another page may have stored it while this one waited for the lock.
	_, err = fetch.Fetch(j.ctx, key, fetch.Options{Store: j.st, Client: j.client, Progress: j.first()})
	if err != nil && hf {
		err = j.convert(key)
	}
	return key, err
}

// convert reads the Hugging Face checkpoint at j.url and stores its
// conversion under key.
func (j *job) convert(key string) error {
	quant := j.o.Quant
	if quant == "" {
		quant = "q4"
	}
	q, err := convert.ParseQuant(quant)
	if err != nil {
		return kinded(ErrQuant, err)
	}
	src, err := load.OpenWith(j.url, load.Options{Client: j.client})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return kinded(ErrNotFound, err)
		}
		return err
	}
	defer src.Close()
	return convert.RunTo(src, store.Sink(j.st, key), convert.Options{Quant: q, Progress: j.converted(src.Bytes)})
}

// complete reports whether st holds a usable model under key.
func complete(st store.Store, key string) bool {
	models, _ := st.Models()
	for _, m := range models {
		if m.URL == key {
			return m.Complete
		}
	}
	return false
}
