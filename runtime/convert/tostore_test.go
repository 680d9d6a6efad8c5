package convert_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// storeKey is a model's key as fetch forms it: a directory URL.
const storeKey = "https://example.com/converted/phi-2-q4/"

// tinyLoader opens the tiny synthetic checkpoint held in memory. Its full
// vocabulary makes the Q8 embedding and head several MiB, so that 2 MiB
// shards each take more than one chunk of the store sink.
func tinyLoader(t *testing.T) weights.Loader {
	t.Helper()
	mem, err := synth.Memory(synth.Tiny())
	if err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(mem)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ck.Close() })
	return ck
}

var storeOpts = convert.Options{Quant: tensor.Q4, ShardSize: 2 << 20}

// A conversion into a store holds exactly the files of a conversion into a
// directory, streamed chunk by chunk, and loads offline through fetch like
// a downloaded model. An interrupted earlier conversion under the same key
// is replaced.
func TestRunToStore(t *testing.T) {
	ck := tinyLoader(t)
	dir := filepath.Join(t.TempDir(), "out")
	if err := convert.Run(ck, dir, storeOpts); err != nil {
		t.Fatal(err)
	}
	st := &recordingStore{Store: store.Mem()}
	interrupted(t, st)
	st.calls = nil
	if err := convert.RunTo(ck, store.Sink(st, storeKey), storeOpts); err != nil {
		t.Fatal(err)
	}

	want, err := os.ReadFile(filepath.Join(dir, modeldir.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Manifest(storeKey); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("stored manifest differs from the directory's (%v)", err)
	}
	md, err := modeldir.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	shards := md.Shards()
	if len(shards) < 3 {
		t.Fatalf("%d shards; the test wants several", len(shards))
	}
	for _, s := range shards {
		file, err := os.ReadFile(filepath.Join(dir, s.File))
		if err != nil {
			t.Fatal(err)
		}
		stored := make([]byte, len(file)+1)
		n, _ := st.ReadShard(storeKey, s.File, 0, stored)
		if !bytes.Equal(stored[:n], file) {
			t.Errorf("%s: %d stored bytes differ from the file's %d", s.File, n, len(file))
		}
	}
	checkCallOrder(t, st.calls, shards)

	res, err := fetch.Fetch(context.Background(), storeKey, fetch.Options{Store: st, Client: offlineClient})
	if err != nil {
		t.Fatalf("loading the stored conversion offline: %v", err)
	}
	if !res.Offline {
		t.Error("fetch reached a network")
	}
	fromStore, err := modeldir.OpenWith(res.Source(), modeldir.Options{Raw: true}) // the fetch decoded the shards
	if err != nil {
		t.Fatal(err)
	}
	got, exp := tensorList(t, fromStore), tensorList(t, md)
	if len(got) != len(exp) || len(exp) != len(ck.Config().Expected()) {
		t.Fatalf("%d tensors from the store, %d from the directory, %d expected", len(got), len(exp), len(ck.Config().Expected()))
	}
	for i := range exp {
		if got[i] != exp[i] {
			t.Errorf("tensor %d from the store: %.60s; from the directory: %.60s", i, got[i], exp[i])
		}
	}
}

// interrupted leaves what a conversion stopped after its first shard
// (a closed tab) leaves under storeKey: an incomplete entry with bytes.
func interrupted(t *testing.T, st store.Store) {
	sink := store.Sink(st, storeKey)
	if err := sink.Begin(); err != nil {
		t.Fatal(err)
	}
	w, err := sink.CreateShard(modeldir.ShardName(0))
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte{7}, 1000))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.Models(); len(list) != 1 || list[0].Complete || list[0].Bytes != 1000 {
		t.Fatalf("after an interrupted conversion: %v", list)
	}
}

// checkCallOrder checks the store calls of a conversion: a fresh entry,
// each shard appended in full chunks at consecutive offsets and then
// verified, the manifest, and completeness last.
func checkCallOrder(t *testing.T, calls []call, shards []modeldir.ShardInfo) {
	t.Helper()
	fail := func(i int, want string) {
		t.Fatalf("store call %d: %v, want %s (calls: %v)", i, at(calls, i), want, calls)
	}
	if len(calls) < 2 || calls[0].op != "Delete" || calls[1].op != "PutManifest" {
		fail(0, "Delete, then PutManifest")
	}
	i, chunked := 2, false
	for _, s := range shards {
		var off int64
		for ; at(calls, i).op == "AppendShard" && at(calls, i).shard == s.File; i++ {
			c := calls[i]
			if c.off != off || (off+c.n < s.CompressedSize && c.n != store.SinkChunkSize) {
				fail(i, fmt.Sprintf("a chunk of %d bytes at offset %d of %s", store.SinkChunkSize, off, s.File))
			}
			off += c.n
		}
		chunked = chunked || off > store.SinkChunkSize
		if off != s.CompressedSize {
			fail(i, fmt.Sprintf("AppendShard of %s at %d (of %d bytes)", s.File, off, s.CompressedSize))
		}
		if c := at(calls, i); c.op != "SetVerified" || c.shard != s.File || !c.flag {
			fail(i, "SetVerified("+s.File+", true)")
		}
		i++
	}
	if at(calls, i).op != "RewriteManifest" || at(calls, i+1) != (call{op: "SetComplete", flag: true}) || len(calls) != i+2 {
		fail(i, "RewriteManifest, then SetComplete(true), last")
	}
	if !chunked {
		t.Error("no shard was stored in more than one AppendShard")
	}
}

// A conversion that fails, in the source or in the store, leaves nothing
// that reads as a model: not even the complete model stored before under
// the same key.
func TestRunToStoreFailure(t *testing.T) {
	ck := tinyLoader(t)
	for _, c := range []struct {
		name  string
		st    store.Store
		src   weights.Loader
		check func(error) bool
	}{
		{"source", store.Mem(), &failingLoader{Loader: ck, at: 3}, func(err error) bool { return errors.Is(err, errThird) }},
		{"quota", store.MemWithQuota(3 << 20), ck, func(err error) bool { return errors.Is(err, store.ErrNoSpace) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "source" {
				if err := convert.RunTo(ck, store.Sink(c.st, storeKey), storeOpts); err != nil {
					t.Fatal(err)
				}
			}
			err := convert.RunTo(c.src, store.Sink(c.st, storeKey), storeOpts)
			if err == nil || !c.check(err) {
				t.Fatalf("RunTo = %v, want the %s's error", err, c.name)
			}
			for _, m := range models(t, c.st) {
				if m.URL == storeKey && m.Complete {
					t.Errorf("the model is complete after a failed conversion: %+v", m)
				}
			}
			if _, err := fetch.Fetch(context.Background(), storeKey, fetch.Options{Store: c.st, Client: offlineClient}); err == nil {
				t.Error("fetch loads the model of a failed conversion")
			}
		})
	}
}
