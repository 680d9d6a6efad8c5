package fetch_test

import (
	"math"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/store"
)

func TestProgress(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	clock := time.Unix(0, 0)
	var rec recorder
	o := options(st, srv)
	o.Progress = rec.add
	o.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	mustFetch(t, srv.url(), o)

	total := totalSize(shards)
	rec.checkMonotonic(t, total)
	if ev := rec.events[0]; ev.Phase != fetch.PhaseManifest {
		t.Errorf("first event %+v, want the manifest phase", ev)
	}
	var chunks int64
	for _, s := range shards {
		chunks += (s.CompressedSize + testChunk - 1) / testChunk
	}
	var downloads int64
	for i, ev := range rec.events {
		if ev.Phase != fetch.PhaseDownload {
			continue
		}
		if ev.FromCache || ev.Shards != len(shards) || ev.Shard < 0 || ev.Shard >= len(shards) {
			t.Fatalf("event %d: %+v", i, ev)
		}
		if ev.Done == 0 || (i > 0 && ev.Done == rec.events[i-1].Done) {
			continue // the start of a shard
		}
		downloads++
		// The fake clock ticks a second per reading, at least once per chunk.
		if ev.BytesPerSecond <= 0 || ev.BytesPerSecond > testChunk {
			t.Fatalf("event %d: rate %.0f B/s, want within (0, %d]", i, ev.BytesPerSecond, testChunk)
		}
		want := float64(total-ev.Done) / ev.BytesPerSecond
		if math.Abs(ev.Remaining.Seconds()-want) > 1e-6*want+1e-6 {
			t.Fatalf("event %d: Remaining %v, want %.3fs for %d bytes at %.0f B/s", i, ev.Remaining, want, total-ev.Done, ev.BytesPerSecond)
		}
	}
	if downloads < chunks {
		t.Errorf("%d download events with new bytes, want one per chunk (%d)", downloads, chunks)
	}

	rec = recorder{}
	mustFetch(t, srv.url(), o)
	rec.checkMonotonic(t, total)
	var cached int
	var done int64
	for _, ev := range rec.events {
		if ev.Phase == fetch.PhaseDownload {
			if !ev.FromCache || ev.Shard != cached {
				t.Fatalf("second fetch: %+v, want shard %d from the cache", ev, cached)
			}
			done += shards[cached].CompressedSize
			if ev.Done != done {
				t.Fatalf("second fetch: Done %d after shard %d, want %d", ev.Done, cached, done)
			}
			cached++
		}
	}
	if cached != len(shards) {
		t.Errorf("second fetch: %d shards from the cache, want %d", cached, len(shards))
	}
}
