package fetch

import (
	"errors"
	"fmt"
)

// ErrQuota is wrapped by the error of a fetch refused because the store's
// quota cannot hold the bytes still missing.
var ErrQuota = errors.New("not enough storage")

// checkQuota refuses a download that the store's quota cannot hold: the
// bytes still missing, added to the store's usage, must fit. A shard not
// yet decoded needs room for the larger of its compressed and decoded
// bytes (the store holds one or the other), less the compressed bytes
// already stored. A store that cannot estimate, or knows no quota, is not
// checked, nor is a model with nothing missing.
func (f *fetcher) checkQuota() error {
	var needed int64
	for _, s := range f.shards {
		raw, err := f.holds(RawName(s.File))
		if err != nil {
			return err
		}
		if raw.Verified && raw.Size == s.RawSize {
			continue
		}
		comp, err := f.holds(s.File)
		if err != nil {
			return err
		}
		n := comp.Size
		if n > s.CompressedSize {
			n = 0 // to be dropped and downloaded again
		}
		needed += max(s.CompressedSize, s.RawSize) - n
	}
	if needed == 0 { // asking the browser for its estimate takes a while
		return nil
	}
	usage, quota, err := f.o.Store.Estimate()
	if err != nil || quota <= 0 || usage+needed <= quota {
		return nil
	}
	return fmt.Errorf("%w for %s: it needs %s more, and %s is available", ErrQuota, f.key, megabytes(needed), megabytes(max(quota-usage, 0)))
}

// megabytes formats n bytes in MB (10⁶ bytes) with one decimal.
func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
