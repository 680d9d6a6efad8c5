package convert_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

func models(t *testing.T, st store.Store) []store.ModelInfo {
	t.Helper()
	list, err := st.Models()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// tensorList renders a loader's tensors, in order, with their bytes.
func tensorList(t *testing.T, l weights.Loader) []string {
	t.Helper()
	var out []string
	err := l.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		out = append(out, fmt.Sprintf("%s %v %v %x", name, dt, shape, data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var errThird = errors.New("the third tensor cannot be read")

// failingLoader fails when it reaches its at-th tensor.
type failingLoader struct {
	weights.Loader
	at int
}

func (l *failingLoader) Each(f func(string, tensor.DType, []int, []byte) error) error {
	n := 0
	return l.Loader.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		if n++; n == l.at {
			return errThird
		}
		return f(name, dt, shape, data)
	})
}

// offlineClient fails every request, as a browser without a network does.
var offlineClient httpget.Client = offlineFetch{}

type offlineFetch struct{}

func (offlineFetch) Do(context.Context, *httpget.Request) (*httpget.Response, error) {
	return nil, errors.New("offline")
}

// call is one store call that changes something.
type call struct {
	op, shard string
	off, n    int64
	flag      bool
}

func at(calls []call, i int) call {
	if i < len(calls) {
		return calls[i]
	}
	return call{op: "(none)"}
}

// recordingStore records the calls that change what is stored.
type recordingStore struct {
	store.Store
	calls []call
}

func (s *recordingStore) add(c call) { s.calls = append(s.calls, c) }

func (s *recordingStore) Delete(model string) error {
	s.add(call{op: "Delete"})
	return s.Store.Delete(model)
}

func (s *recordingStore) PutManifest(model string, data []byte) error {
	s.add(call{op: "PutManifest"})
	return s.Store.PutManifest(model, data)
}

func (s *recordingStore) RewriteManifest(model string, data []byte) error {
	s.add(call{op: "RewriteManifest"})
	return s.Store.RewriteManifest(model, data)
}

func (s *recordingStore) AppendShard(model, shard string, off int64, chunk []byte) error {
	s.add(call{op: "AppendShard", shard: shard, off: off, n: int64(len(chunk))})
	return s.Store.AppendShard(model, shard, off, chunk)
}

func (s *recordingStore) SetVerified(model, shard string, ok bool) error {
	s.add(call{op: "SetVerified", shard: shard, flag: ok})
	return s.Store.SetVerified(model, shard, ok)
}

func (s *recordingStore) SetComplete(model string, complete bool) error {
	s.add(call{op: "SetComplete", flag: complete})
	return s.Store.SetComplete(model, complete)
}

func (s *recordingStore) DeleteShard(model, shard string) error {
	s.add(call{op: "DeleteShard", shard: shard})
	return s.Store.DeleteShard(model, shard)
}
