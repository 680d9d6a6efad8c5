package fetch

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Load fetches the model at url (see Fetch) and calls use with its stored
// copy. When use fails because a stored shard is corrupt (modeldir's
// checks name the shard file and its sha256, size or truncation), the
// shard is downloaded again (Repair) and use is called a second time: use
// must tolerate being called twice, releasing what the failed call built.
func Load(ctx context.Context, url string, o Options, use func(src weights.Source) error) error {
	res, err := Fetch(ctx, url, o)
	if err != nil {
		return err
	}
	return res.Use(use)
}

// Use calls use with the stored model, mending a corrupt stored shard as
// Load does.
func (r *Result) Use(use func(src weights.Source) error) error {
	err := use(r.Source())
	if err == nil {
		return nil
	}
	shard := r.corruptShard(err)
	if shard == "" {
		return err
	}
	if rerr := r.Repair(shard); rerr != nil {
		return fmt.Errorf("%v; downloading it again failed: %v", err, rerr)
	}
	return use(r.Source())
}

// Repair downloads a stored shard again, for a caller whose load found it
// corrupt: the shard loses its verified mark and its bytes, the model is
// incomplete until the new bytes pass their check. It uses the context
// and options given to Fetch.
func (r *Result) Repair(shard string) error {
	f := r.f
	i := slices.IndexFunc(f.shards, func(s modeldir.ShardInfo) bool { return s.File == shard })
	if i < 0 {
		return fmt.Errorf("repair %s: no shard %q in its manifest", r.URL, shard)
	}
	st := f.o.Store
	f.incomplete = false
	for _, err := range []error{f.markIncomplete(), st.SetVerified(f.key, shard, false), st.DeleteShard(f.key, shard),
		st.SetVerified(f.key, RawName(shard), false), st.DeleteShard(f.key, RawName(shard))} {
		if err != nil {
			return fmt.Errorf("repair %s: %v", shard, err)
		}
	}
	f.prog = newProgress(f.o.Progress, f.o.Now)
	f.prog.setTotal(f.shards)
	f.prog.base = f.prog.total - f.shards[i].CompressedSize
	err := f.fetchAll([]int{i})
	f.releaseBuffers()
	if err != nil {
		return err
	}
	for _, s := range f.shards { // the others may have been dropped meanwhile
		if ok, err := f.decoded(s); err != nil || !ok {
			return err
		}
	}
	if err := f.markComplete(); err != nil {
		return err
	}
	f.prog.ready()
	return nil
}

// corruptShard returns the shard of this model that err reports as
// corrupt, truncated or missing, or "" if none: modeldir's shard errors
// begin with the file name.
func (r *Result) corruptShard(err error) string {
	msg := err.Error()
	for _, s := range r.f.shards {
		for at := 0; ; {
			k := strings.Index(msg[at:], s.File+": ")
			if k < 0 {
				break
			}
			k += at
			after := msg[k+len(s.File)+2:]
			if (k == 0 || !isNameByte(msg[k-1])) && shardProblem(after) {
				return s.File
			}
			at = k + 1
		}
	}
	return ""
}

// shardProblem reports whether the rest of a message after "<shard>: "
// is one of modeldir's findings about the shard's bytes.
func shardProblem(rest string) bool {
	for _, w := range []string{"sha256", "truncated", "corrupt", "missing"} {
		if strings.Contains(rest, w) {
			return true
		}
	}
	return false
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
}
