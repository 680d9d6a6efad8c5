// Package fetch downloads a converted model directory (docs/format.md)
// from a URL into a store.Store, and loads it from there later without the
// network. Downloads resume where the stored bytes end, every shard is
// checked against its compressed sha256 before it counts as stored, and a
// store's quota is checked before anything is downloaded.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
)

// Options configure Fetch.
type Options struct {
	Store  store.Store    // where the model is kept; required
	Client httpget.Client // nil means httpget.Default()
	// ChunkSize is the most bytes stored by one AppendShard; 0 means 4 MiB.
	ChunkSize int
	// Retries is how many times in a row a failed shard request is tried
	// again, waiting Backoff, then twice as long each time. Every failure
	// counts: no answer, a timeout, a server error, a body cut short, a
	// 416 answer, a file that changed. A request that stored bytes beyond
	// any stored before in this fetch and then lost its connection starts
	// the count afresh, at most Resumes times per shard (a stalled one
	// does not: a server that drips bytes ends in Retries requests). 0
	// means 2, negative means none.
	Retries int
	// Resumes: see Retries; 0 means 8, negative means none.
	Resumes int
	Backoff time.Duration // 0 means 1 s
	// Progress, when set, is called as the fetch goes on.
	Progress func(Progress)
	// Codec, when set, decodes and hashes the shards once they are
	// downloaded; nil means the Go brotli decoder and crypto/sha256.
	Codec *modeldir.Codec
	Now   func() time.Time // the clock of the rate estimate; nil means time.Now
}

// Phases of a fetch, as reported in Progress.Phase.
const (
	PhaseManifest = "manifest" // fetching manifest.json
	PhaseDownload = "download" // storing shard bytes (or finding them stored)
	PhaseVerify   = "verify"   // hashing the bytes of a shard stored before, or decoding and checking a downloaded one
	PhaseReady    = "ready"    // every shard is stored and verified
)

// Progress reports how far a fetch has come.
type Progress struct {
	Phase string
	// Done counts the compressed bytes stored of Total, the size of all
	// shards. It never decreases: bytes fetched again after a shard was
	// restarted are not counted twice.
	Done, Total int64
	Shard       int // index of the shard concerned (0 in the manifest and ready phases)
	Shards      int // number of shards (0 before the manifest is read)
	// BytesPerSecond is the download rate over the last few seconds;
	// Remaining the time left at that rate. Both are 0 when unknown.
	BytesPerSecond float64
	Remaining      time.Duration
	FromCache      bool // the shard was already stored and verified
	// Busy is, in the load phase, the time spent so far handing tensors
	// to the backend (its uploads, on the loading thread).
	Busy time.Duration
}

// Result is a model stored completely and verified.
type Result struct {
	URL string // the model's key in the store: the URL given, with a final '/'
	// Offline is set when the manifest could not be fetched and the stored
	// copy is used; NetworkErr says why.
	Offline    bool
	NetworkErr error

	f *fetcher
}

// Fetch makes the model at url (a directory URL, holding manifest.json)
// complete in o.Store and returns it. Shards already stored and verified
// are not downloaded again; a partly stored one continues with a Range
// request. Before anything is downloaded, the bytes still missing are
// checked against the store's quota (Estimate).
//
// When the manifest cannot be fetched or is invalid (it is not retried) and
// a complete copy is stored, that copy is used (Result.Offline). A served
// manifest other than the stored one replaces the stored entry.
//
// An error leaves what was stored in place, so that a later Fetch resumes;
// the model is marked complete only when every shard has passed its check.
func Fetch(ctx context.Context, url string, o Options) (*Result, error) {
	f, err := newFetcher(ctx, url, o)
	if err != nil {
		return nil, err
	}
	f.prog.event(PhaseManifest, 0, false)
	served, netErr := f.getManifest()
	stored, err := f.o.Store.Manifest(f.key)
	have := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if netErr != nil {
		if ctx.Err() != nil {
			return nil, netErr
		}
		return f.offline(have, stored, netErr)
	}
	if !have || string(stored) != string(served) {
		if err := f.o.Store.PutManifest(f.key, served); err != nil {
			return nil, fmt.Errorf("store the manifest of %s: %v", f.key, err)
		}
	}
	f.listShards()
	err = f.checkQuota()
	if err == nil {
		order := make([]int, len(f.shards))
		for i := range order {
			order[i] = i
		}
		err = f.fetchAll(order)
	}
	f.states, f.asked = nil, nil
	if err != nil {
		return nil, err
	}
	f.releaseBuffers()
	if err := f.markComplete(); err != nil {
		return nil, err
	}
	f.prog.ready()
	return &Result{URL: f.key, f: f}, nil
}

// offline uses the stored copy after the manifest could not be fetched.
func (f *fetcher) offline(have bool, stored []byte, netErr error) (*Result, error) {
	if !have {
		return nil, fmt.Errorf("%w (and %s is not stored)", netErr, f.key)
	}
	complete, err := f.complete()
	if err != nil {
		return nil, err
	}
	if err := f.useManifest(stored); err != nil {
		return nil, fmt.Errorf("%w (and the stored copy is unusable: %v)", netErr, err)
	}
	if !complete {
		return nil, fmt.Errorf("%w (and the stored copy of %s is incomplete: fetch it again when online)", netErr, f.key)
	}
	for i, s := range f.shards {
		if ok, err := f.decoded(s); err != nil {
			return nil, err
		} else if ok {
			f.prog.cached(i, s.CompressedSize)
			continue
		}
		// Compressed bytes stored and verified need no network to decode.
		if ok, err := f.stored(s); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("%w (and shard %s of the stored copy is not verified: fetch it again when online)", netErr, s.File)
		}
		f.prog.mark()
		if err := f.decode(i); err != nil {
			return nil, fmt.Errorf("%w (and shard %s of the stored copy is unusable: %v)", netErr, s.File, err)
		}
		f.prog.verified(i, s.CompressedSize)
	}
	f.releaseBuffers()
	f.prog.ready()
	return &Result{URL: f.key, Offline: true, NetworkErr: netErr, f: f}, nil
}

// complete reports whether the store marks the model complete.
func (f *fetcher) complete() (bool, error) {
	list, err := f.o.Store.Models()
	if err != nil {
		return false, err
	}
	for _, m := range list {
		if m.URL == f.key {
			return m.Complete, nil
		}
	}
	return false, nil
}

// stored reports whether shard s's compressed bytes are stored whole and
// verified.
func (f *fetcher) stored(s modeldir.ShardInfo) (bool, error) {
	st, err := f.state(s.File)
	return st.Verified && st.Size == s.CompressedSize, err
}

// markIncomplete takes the model's complete mark away before this fetch
// changes its first shard: once, not per shard, since each store call
// costs (an IndexedDB transaction), and the mark stays off until the
// fetch ends.
func (f *fetcher) markIncomplete() error {
	if f.incomplete {
		return nil
	}
	if err := f.o.Store.SetComplete(f.key, false); err != nil {
		return err
	}
	f.incomplete = true
	return nil
}

// markComplete marks the model complete, every shard verified.
func (f *fetcher) markComplete() error {
	if err := f.o.Store.SetComplete(f.key, true); err != nil {
		return err
	}
	f.incomplete = false
	return nil
}
