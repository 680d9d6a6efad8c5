package store

// LowerQuota returns st with its quota lowered to quota bytes, as
// Estimate reports it (for tests of a full store).
func LowerQuota(st Store, quota int64) Store { return lowQuota{st, quota} }

type lowQuota struct {
	Store
	quota int64
}

func (q lowQuota) Estimate() (int64, int64, error) {
	usage, quota, err := q.Store.Estimate()
	if quota == 0 || q.quota < quota {
		quota = q.quota
	}
	return usage, quota, err
}

// Unwrap returns the store whose reads these are.
func (q lowQuota) Unwrap() Store { return q.Store }
