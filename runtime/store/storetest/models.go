package storetest

import (
	"bytes"
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
)

func testAbsentModel(t *testing.T, s store.Store) {
	_, err := s.Manifest(urlA)
	wantNotFound(t, "Manifest", err)
	_, err = s.ShardSize(urlA, "s0")
	wantNotFound(t, "ShardSize", err)
	wantNotFound(t, "AppendShard", s.AppendShard(urlA, "s0", 0, []byte{1}))
	_, err = s.ReadShard(urlA, "s0", 0, make([]byte, 4))
	wantNotFound(t, "ReadShard", err)
	wantNotFound(t, "DeleteShard", s.DeleteShard(urlA, "s0"))
	wantNotFound(t, "SetVerified", s.SetVerified(urlA, "s0", true))
	_, err = s.Verified(urlA, "s0")
	wantNotFound(t, "Verified", err)
	wantNotFound(t, "SetComplete", s.SetComplete(urlA, true))
	wantNotFound(t, "RewriteManifest", s.RewriteManifest(urlA, manifest1))
	must(t, s.Delete(urlA))
	must(t, s.DeleteAll())
	checkModels(t, s)
	// The failed calls above created nothing.
	if _, err := s.Manifest(urlA); err == nil {
		t.Error("Manifest succeeds after only failed calls")
	}
}

func testManifest(t *testing.T, s store.Store) {
	for _, url := range []string{urlA, urlB, urlC} {
		putManifest(t, s, url, []byte(url+string(manifest1)))
	}
	for _, url := range []string{urlA, urlB, urlC} {
		got, err := s.Manifest(url)
		must(t, err)
		if want := url + string(manifest1); string(got) != want {
			t.Errorf("Manifest(%q) = %q, want %q", url, got, want)
		}
	}
	checkModels(t, s, store.ModelInfo{URL: urlA}, store.ModelInfo{URL: urlB}, store.ModelInfo{URL: urlC})
}

func testSameManifest(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	data := appendAll(t, s, urlA, "s0", pattern(1, 300))
	must(t, s.SetVerified(urlA, "s0", true))
	must(t, s.SetComplete(urlA, true))
	putManifest(t, s, urlA, bytes.Clone(manifest1))
	checkShard(t, s, urlA, "s0", data)
	if !verified(t, s, urlA, "s0") {
		t.Error("storing the same manifest again cleared a verified mark")
	}
	checkModels(t, s, store.ModelInfo{URL: urlA, Bytes: 300, Complete: true})
}

func testReplaceManifest(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	appendAll(t, s, urlA, "s0", pattern(1, 300))
	appendAll(t, s, urlA, "s1", pattern(2, 20))
	must(t, s.SetVerified(urlA, "s0", true))
	must(t, s.SetComplete(urlA, true))
	putManifest(t, s, urlB, manifest1)
	other := appendAll(t, s, urlB, "s0", pattern(3, 50))

	putManifest(t, s, urlA, manifest2)
	got, err := s.Manifest(urlA)
	must(t, err)
	if !bytes.Equal(got, manifest2) {
		t.Errorf("Manifest after replacing = %q, want %q", got, manifest2)
	}
	for _, sh := range []string{"s0", "s1"} {
		if n := shardSize(t, s, urlA, sh); n != 0 {
			t.Errorf("ShardSize(%s) = %d after the manifest changed, want 0", sh, n)
		}
	}
	if verified(t, s, urlA, "s0") {
		t.Error("a shard stays verified after the manifest changed")
	}
	checkShard(t, s, urlB, "s0", other)
	checkModels(t, s, store.ModelInfo{URL: urlA}, store.ModelInfo{URL: urlB, Bytes: 50})
	// The new entry takes shards from offset 0.
	data := appendAll(t, s, urlA, "s0", pattern(4, 10))
	checkShard(t, s, urlA, "s0", data)
}

func testSeparate(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	putManifest(t, s, urlB, manifest1)
	a0 := appendAll(t, s, urlA, "shard-00000.bin.br", pattern(1, 100), pattern(2, 50))
	a1 := appendAll(t, s, urlA, "shard-00001.bin.br", pattern(3, 70))
	b0 := appendAll(t, s, urlB, "shard-00000.bin.br", pattern(4, 30))
	a0 = append(a0, appendAll(t, s, urlA, "shard-00000.bin.br", pattern(5, 5))...)
	checkShard(t, s, urlA, "shard-00000.bin.br", a0)
	checkShard(t, s, urlA, "shard-00001.bin.br", a1)
	checkShard(t, s, urlB, "shard-00000.bin.br", b0)
	checkShard(t, s, urlB, "shard-00001.bin.br", nil)
	checkModels(t, s, store.ModelInfo{URL: urlA, Bytes: 225}, store.ModelInfo{URL: urlB, Bytes: 30})
}

func testCompleteAndModels(t *testing.T, s store.Store) {
	checkModels(t, s)
	putManifest(t, s, urlC, manifest1)
	putManifest(t, s, urlA, manifest2)
	appendAll(t, s, urlC, "a", pattern(1, 1000), pattern(2, 24))
	appendAll(t, s, urlC, "b", pattern(3, 7))
	must(t, s.SetComplete(urlC, true))
	checkModels(t, s, store.ModelInfo{URL: urlA}, store.ModelInfo{URL: urlC, Bytes: 1031, Complete: true})
	must(t, s.SetComplete(urlC, false))
	must(t, s.SetComplete(urlA, true))
	checkModels(t, s, store.ModelInfo{URL: urlA, Complete: true}, store.ModelInfo{URL: urlC, Bytes: 1031})
}

func testDelete(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	putManifest(t, s, urlB, manifest1)
	appendAll(t, s, urlA, "s0", pattern(1, 100))
	b := appendAll(t, s, urlB, "s0", pattern(2, 100))
	must(t, s.SetVerified(urlA, "s0", true))
	must(t, s.SetComplete(urlA, true))
	must(t, s.Delete(urlA))
	_, err := s.Manifest(urlA)
	wantNotFound(t, "Manifest after Delete", err)
	_, err = s.ShardSize(urlA, "s0")
	wantNotFound(t, "ShardSize after Delete", err)
	checkModels(t, s, store.ModelInfo{URL: urlB, Bytes: 100})
	checkShard(t, s, urlB, "s0", b)
	must(t, s.Delete(urlA))

	// A new entry under the same URL starts empty.
	putManifest(t, s, urlA, manifest1)
	checkShard(t, s, urlA, "s0", nil)
	if verified(t, s, urlA, "s0") {
		t.Error("a shard of a deleted model is still verified")
	}
	checkModels(t, s, store.ModelInfo{URL: urlA}, store.ModelInfo{URL: urlB, Bytes: 100})
}

func testDeleteAll(t *testing.T, s store.Store) {
	for i, url := range []string{urlA, urlB, urlC} {
		putManifest(t, s, url, manifest1)
		appendAll(t, s, url, "s0", pattern(i, 64))
	}
	must(t, s.DeleteAll())
	checkModels(t, s)
	for _, url := range []string{urlA, urlB, urlC} {
		_, err := s.Manifest(url)
		wantNotFound(t, "Manifest after DeleteAll", err)
	}
	putManifest(t, s, urlB, manifest2)
	checkShard(t, s, urlB, "s0", nil)
}

func testEstimate(t *testing.T, s store.Store) {
	for _, phase := range []string{"empty", "filled"} {
		usage, quota, err := s.Estimate()
		if err != nil || usage < 0 || quota < 0 {
			t.Errorf("Estimate (%s store) = %d, %d, %v; want non-negative numbers and no error", phase, usage, quota, err)
		}
		putManifest(t, s, urlA, manifest1)
		appendAll(t, s, urlA, "s0", pattern(1, 4096))
	}
}
