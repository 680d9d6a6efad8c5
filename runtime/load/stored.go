package load

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

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

// Fill makes the model at url complete in o.Store and returns its key,
// for a host that loads it later from there (a guest without network).
func Fill(ctx context.Context, url string, o Options) (string, error) {
	j := newJob(ctx, url, o)
	res, err := j.fill()
	if err != nil {
		return "", j.classify(err)
	}
	j.ready()
	return res.URL, nil
}

// openStored makes the model at url complete in o.Store (see Fill), then
// calls use with its stored copy: the one that fill's fetch found or made
// complete, not asked for again. When use fails because a stored shard
// is corrupt, the shard is downloaded again and use is called a second
// time (fetch.Result.Use).
func openStored(ctx context.Context, url string, o Options, use func(*Model) error) error {
	j := newJob(ctx, url, o)
	res, err := j.fill()
	if err != nil {
		return j.classify(err)
	}
	key := res.URL
	var useErr error
	err = res.Use(func(src weights.Source) error {
		m, err := openModelDir(src, modeldir.Options{Codec: o.Codec, Raw: true, Readers: fetch.Readers(j.st)})
		if err != nil {
			useErr = BadModel(err)
			return err
		}
		if o.Progress != nil {
			m.Loader = countingLoader{m.Loader, o.Progress, m.Bytes}
		}
		m.Loader, m.Key = Checked(m.Loader), key
		useErr = use(m)
		return useErr
	})
	if err != nil {
		if err == useErr {
			return err
		}
		return j.classify(err)
	}
	j.ready()
	return nil
}

// fill is Fill without the final report and the classification: the
// result of the fetch that found or made the model complete.
func (j *job) fill() (*fetch.Result, error) {
	key, hfKey := Keys(j.url, j.o.Quant)
	_, err := weights.HTTP(key, j.client).Open(modeldir.ManifestFile)
	hf := errors.Is(err, fs.ErrNotExist) || (err != nil && complete(j.o.Store, hfKey))
	if err != nil && !hf && !listed(j.o.Store, key) {
		// No answer says which kind of model the URL holds, and neither
		// kind is stored: the failure is the URL's, not manifest.json's.
		return nil, rewordedErr{fmt.Sprintf("%s cannot be reached, and no copy of it is stored: %s", j.url, cause(err, key+modeldir.ManifestFile)), err}
	}
	if hf {
		key = hfKey
	}
	j.key, j.st = key, limitStore(j.o.Store, key, j.o.MaxStorageBytes)
	if j.o.Lock != nil {
		release, err := j.o.Lock(j.ctx, key)
		if err != nil {
			return nil, unclassified{err}
		}
		defer release()
	}
	// Another page may have stored it while this one waited for the lock.
	fo := fetch.Options{Store: j.st, Client: j.client, Progress: j.first(), Codec: j.o.Codec}
	res, err := fetch.Fetch(j.ctx, key, fo)
	if err != nil && hf {
		if err = j.convert(key); err == nil {
			// The conversion stored compressed shards: decode them now,
			// while the store may be written (a wazero guest reads the
			// cache read-only). No server has the key: it is found stored,
			// and only the decode (verify) is worth reporting.
			report := fo.Progress
			fo.Progress = func(p Progress) {
				if p.Phase == PhaseVerify {
					report(p)
				}
			}
			res, err = fetch.Fetch(j.ctx, key, fo)
		}
	}
	return res, err
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
	src, closeSrc, err := openInPlace(j.url, Options{Client: j.client})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return kinded(ErrNotFound, err)
		}
		return err
	}
	defer closeSrc()
	return convert.RunTo(src, store.Sink(j.st, key), convert.Options{Quant: q, Progress: j.converted(src.Bytes)})
}

// listed reports whether st holds anything of a model under key.
func listed(st store.Store, key string) bool {
	models, _ := st.Models()
	for _, m := range models {
		if m.URL == key {
			return true
		}
	}
	return false
}

// cause is the message of a failed request for url without the request.
func cause(err error, url string) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, url+": "); ok {
		return rest
	}
	return msg
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

// rewordedErr says err in other words, and still is err to errors.Is and
// errors.As (a timeout stays a timeout).
type rewordedErr struct {
	msg string
	err error
}

func (e rewordedErr) Error() string { return e.msg }
func (e rewordedErr) Unwrap() error { return e.err }
