package fetch_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/store"
)

// A connection cut halfway keeps what arrived; the next fetch asks for
// the rest of that shard only, and for the shards not yet fetched.
func TestResumeAfterCut(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	o := options(st, srv)
	o.Retries = -1
	total := totalSize(shards)
	// Cut in the shard holding the middle of the model.
	mid, at := 0, total/2
	for at >= shards[mid].CompressedSize {
		at -= shards[mid].CompressedSize
		mid++
	}
	cut := shards[mid]
	srv.cut(cut.File, at)
	_, err := fetch.Fetch(context.Background(), srv.url(), o)
	if err == nil || !strings.Contains(err.Error(), cut.File) {
		t.Fatalf("fetch with a cut connection: %v, want an error naming %s", err, cut.File)
	}
	stored := shardSize(t, st, srv.url(), cut.File)
	if stored > at || stored < at-testChunk {
		t.Errorf("%s: %d bytes stored after a cut at %d, want within one chunk below it", cut.File, stored, at)
	}
	info := modelInfo(t, st, srv.url())
	if info.Complete {
		t.Error("the model is complete after a failed fetch")
	}
	firstSent := srv.shardBytesSent()

	srv.reset()
	res := mustFetch(t, srv.url(), o)
	missing := total - stored // the shards before the cut are whole
	for _, s := range shards[:mid] {
		missing -= s.CompressedSize
	}
	if sent := srv.shardBytesSent(); sent != missing {
		t.Errorf("the second fetch sent %d shard bytes, want the %d missing", sent, missing)
	}
	if sent := srv.shardBytesSent(); firstSent+sent > total+testChunk {
		t.Errorf("the two fetches sent %d + %d bytes for a %d-byte model", firstSent, sent, total)
	}
	for i, s := range shards {
		var want []string
		switch {
		case i == mid:
			want = []string{fmt.Sprintf("bytes=%d-", stored)}
		case i > mid:
			want = []string{""}
		}
		if got := srv.requests(s.File); !slices.Equal(got, want) {
			t.Errorf("%s: second fetch requested ranges %q, want %q", s.File, got, want)
		}
	}
	sameTensors(t, res.Source(), dir)
}

// With retries, a cut connection is resumed within the same fetch; a
// request that stored bytes before failing does not use up the retries.
func TestRetryResumes(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	cut := shards[2]
	n := cut.CompressedSize
	srv.cut(cut.File, n/4, n/2, 3*n/4) // more cuts than the 2 retries
	res := mustFetch(t, srv.url(), options(st, srv))
	reqs := srv.requests(cut.File)
	if len(reqs) != 4 || reqs[0] != "" || !strings.HasPrefix(reqs[3], "bytes=") {
		t.Errorf("%s: requests %q, want one whole and three resumed", cut.File, reqs)
	}
	if n := srv.sentTo(cut.File); n > cut.CompressedSize+testChunk {
		t.Errorf("%s: %d bytes sent for %d", cut.File, n, cut.CompressedSize)
	}
	sameTensors(t, res.Source(), dir)
}

// A server that ignores Range sends whole files: a partly stored shard is
// taken again from its start.
func TestServerIgnoresRange(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	srv.noRange = true
	st := store.Mem()
	o := options(st, srv)
	o.Retries = -1
	cut := shards[1]
	srv.cut(cut.File, cut.CompressedSize/2)
	if _, err := fetch.Fetch(context.Background(), srv.url(), o); err == nil {
		t.Fatal("a fetch whose connection was cut succeeded")
	}
	srv.reset()
	var rec recorder
	o.Progress = rec.add
	res := mustFetch(t, srv.url(), o)
	if got := srv.requests(cut.File); len(got) != 1 || got[0] == "" {
		t.Errorf("%s: requests %q, want one with a Range", cut.File, got)
	}
	if n := srv.sentTo(cut.File); n != cut.CompressedSize {
		t.Errorf("%s: %d bytes sent, want the whole shard (%d)", cut.File, n, cut.CompressedSize)
	}
	rec.checkMonotonic(t, totalSize(shards))
	sameTensors(t, res.Source(), dir)
}

// A shard served corrupt once is detected and fetched again.
func TestCorruptOnce(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	bad := shards[1]
	srv.flip(bad.File, 1)
	var rec recorder
	o := options(st, srv)
	o.Progress = rec.add
	res := mustFetch(t, srv.url(), o)
	if n := srv.sentTo(bad.File); n != 2*bad.CompressedSize {
		t.Errorf("%s: %d bytes sent, want the shard twice (%d)", bad.File, n, 2*bad.CompressedSize)
	}
	if ok, _ := st.Verified(srv.url(), fetch.RawName(bad.File)); !ok {
		t.Error("the shard fetched again is not verified")
	}
	rec.checkMonotonic(t, totalSize(shards))
	sameTensors(t, res.Source(), dir)
}

// A shard the server always serves corrupt fails the fetch; the model is
// not complete and the bad bytes are not kept as verified.
func TestCorruptAlways(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	bad := shards[2]
	srv.flip(bad.File, -1)
	srv.encoding = "br" // as a server that mistakes .br files for compressed transfers sends
	_, err := fetch.Fetch(context.Background(), srv.url(), options(st, srv))
	if err == nil || !strings.Contains(err.Error(), srv.url()+bad.File) || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("fetch of a corrupt shard: %v, want an error naming %s%s as corrupt", err, srv.url(), bad.File)
	}
	if !strings.Contains(err.Error(), "Content-Encoding: br") {
		t.Errorf("the error %q does not mention the Content-Encoding the server sent", err)
	}
	if got := len(srv.requests(bad.File)); got != 2 {
		t.Errorf("%s requested %d times, want 2", bad.File, got)
	}
	if info := modelInfo(t, st, srv.url()); info.Complete {
		t.Error("the model is complete")
	}
	if ok, _ := st.Verified(srv.url(), bad.File); ok {
		t.Error("the corrupt shard is verified")
	}
	if n := srv.sentTo(shards[3].File); n != 0 {
		t.Errorf("the fetch went on past the corrupt shard (%d bytes of %s)", n, shards[3].File)
	}
}

// Failures that store nothing are retried Retries times, then reported.
func TestRetryLimit(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	for _, fails := range []int{2, 3} {
		srv := newServer(t, dir)
		busy := shards[1].File
		srv.fail(busy, fails)
		_, err := fetch.Fetch(context.Background(), srv.url(), options(store.Mem(), srv))
		if fails <= 2 && err != nil {
			t.Errorf("%d failures with 2 retries: %v", fails, err)
		}
		if fails > 2 && (err == nil || !strings.Contains(err.Error(), "503")) {
			t.Errorf("%d failures with 2 retries: %v, want the server's answer", fails, err)
		}
		if got := len(srv.requests(busy)); got != 3 {
			t.Errorf("%d failures: %d requests for %s, want 3", fails, got, busy)
		}
	}
}

// appendsStore records the shards appended to.
type appendsStore struct {
	store.Store
	appended map[string]int
}

func (s *appendsStore) AppendShard(model, shard string, off int64, p []byte) error {
	s.appended[shard]++
	return s.Store.AppendShard(model, shard, off, p)
}

// An answer with Content-Encoding: br that a browser has decoded already
// is stored as the shard's decoded bytes, checked against the raw sha256,
// with no decode; one that does not match is fetched again.
func TestDecodedByClient(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	srv.encoding, srv.decoded = "br", true
	bad := shards[2]
	srv.flip(bad.File, 1)
	st := &appendsStore{Store: store.Mem(), appended: map[string]int{}}
	var rec recorder
	o := options(st, srv)
	o.Progress = rec.add
	res := mustFetch(t, srv.url(), o)
	for _, s := range shards {
		if n := st.appended[s.File]; n != 0 {
			t.Errorf("%s: %d appends of compressed bytes, want none", s.File, n)
		}
		if n := st.appended[fetch.RawName(s.File)]; n != 1 {
			t.Errorf("%s: %d appends of decoded bytes, want one", s.File, n)
		}
		want := 1
		if s.File == bad.File {
			want = 2
		}
		if got := len(srv.requests(s.File)); got != want {
			t.Errorf("%s requested %d times, want %d", s.File, got, want)
		}
	}
	rec.checkMonotonic(t, totalSize(shards))
	sameTensors(t, res.Source(), dir)
}
