package storetest

import (
	"bytes"
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
)

// RewriteManifest changes the manifest alone: shards, their bytes and
// verified marks stay, completeness is cleared, other entries are
// untouched, and the shards take appends where they end.
func testRewriteManifest(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	s0 := appendAll(t, s, urlA, "s0", pattern(1, 300), pattern(2, 5))
	s1 := appendAll(t, s, urlA, "s1", pattern(3, 20))
	must(t, s.SetVerified(urlA, "s0", true))
	must(t, s.SetComplete(urlA, true))
	putManifest(t, s, urlB, manifest1)
	other := appendAll(t, s, urlB, "s0", pattern(4, 50))
	must(t, s.SetVerified(urlB, "s0", true))
	must(t, s.SetComplete(urlB, true))

	data := bytes.Clone(manifest2)
	must(t, s.RewriteManifest(urlA, data))
	data[0] = 'X' // the store keeps its own copy
	if got, err := s.Manifest(urlA); err != nil || !bytes.Equal(got, manifest2) {
		t.Errorf("Manifest after RewriteManifest = %q, %v; want %q", got, err, manifest2)
	}
	checkShard(t, s, urlA, "s0", s0)
	checkShard(t, s, urlA, "s1", s1)
	if !verified(t, s, urlA, "s0") || verified(t, s, urlA, "s1") {
		t.Error("RewriteManifest changed the verified marks")
	}
	checkModels(t, s, store.ModelInfo{URL: urlA, Bytes: 325}, store.ModelInfo{URL: urlB, Bytes: 50, Complete: true})
	checkShard(t, s, urlB, "s0", other)
	if got, _ := s.Manifest(urlB); !bytes.Equal(got, manifest1) {
		t.Errorf("another entry's manifest changed to %q", got)
	}

	// The same bytes again: still incomplete, shards kept.
	must(t, s.SetComplete(urlA, true))
	must(t, s.RewriteManifest(urlA, manifest2))
	checkModels(t, s, store.ModelInfo{URL: urlA, Bytes: 325}, store.ModelInfo{URL: urlB, Bytes: 50, Complete: true})
	s1 = append(s1, appendAll(t, s, urlA, "s1", pattern(5, 7))...)
	checkShard(t, s, urlA, "s1", s1)
	// PutManifest of the rewritten bytes is a no-op, as for any stored manifest.
	putManifest(t, s, urlA, manifest2)
	checkShard(t, s, urlA, "s0", s0)
	if !verified(t, s, urlA, "s0") {
		t.Error("PutManifest of the rewritten manifest cleared a verified mark")
	}
}
