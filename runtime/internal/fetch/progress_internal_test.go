package fetch

import (
	"math"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/modeldir"
)

// The rate follows the last seconds of the download, not its average.
func TestRateWindow(t *testing.T) {
	clock := time.Unix(0, 0)
	var last Progress
	p := newProgress(func(ev Progress) { last = ev }, func() time.Time { return clock })
	p.setTotal([]modeldir.ShardInfo{{CompressedSize: 1 << 30}})
	p.startShard(0, 0)
	p.mark()
	for range 20 { // 1000 B/s for 20 s
		clock = clock.Add(time.Second)
		p.received(0, 1000)
	}
	if math.Abs(last.BytesPerSecond-1000) > 1e-9 {
		t.Fatalf("rate %.3f B/s, want 1000", last.BytesPerSecond)
	}
	for range 10 { // then 10000 B/s for 10 s, twice the window
		clock = clock.Add(time.Second)
		p.received(0, 10000)
	}
	if math.Abs(last.BytesPerSecond-10000) > 1e-9 {
		t.Errorf("rate %.3f B/s after the speed changed, want 10000", last.BytesPerSecond)
	}
	if want := time.Duration(float64(last.Total-last.Done) / 10000 * 1e9); last.Remaining != want {
		t.Errorf("Remaining %v, want %v", last.Remaining, want)
	}
	if last.Done != 120000 {
		t.Errorf("Done %d, want 120000", last.Done)
	}
}
