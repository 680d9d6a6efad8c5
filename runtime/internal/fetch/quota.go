package fetch

import (
	"errors"
	"fmt"
)

// ErrQuota is wrapped by the error of a fetch refused because the store's
// quota cannot hold the bytes still missing.
var ErrQuota = errors.New("not enough storage")

// checkQuota refuses a download that the store's quota cannot hold: the
// bytes still missing, added to the store's usage, must fit. A store that
// cannot estimate, or knows no quota, is not checked.
func (f *fetcher) checkQuota() error {
	var needed int64
	for _, s := range f.shards {
		n, err := f.o.Store.ShardSize(f.key, s.File)
		if err != nil {
			return err
		}
		if n > s.CompressedSize {
			n = 0 // to be dropped and downloaded again
		}
		needed += s.CompressedSize - n
	}
	usage, quota, err := f.o.Store.Estimate()
	if err != nil || quota <= 0 || usage+needed <= quota {
		return nil
	}
	return fmt.Errorf("%w for %s: it needs %s more, and %s is available", ErrQuota, f.key, megabytes(needed), megabytes(max(quota-usage, 0)))
}

// megabytes formats n bytes in MB (10⁶ bytes) with one decimal.
func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
