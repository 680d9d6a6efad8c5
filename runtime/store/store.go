// Package store defines where downloaded models are kept — IndexedDB in a
// browser, a directory or memory elsewhere — so that the download logic is
// the same everywhere. A model is an entry keyed by its URL, holding its
// manifest.json and the compressed bytes of its shards as they arrive, so
// that an interrupted download continues from the last stored chunk, then
// each shard's decoded bytes (RawShard) once it is complete and checked.
package store

import "errors"

// ErrNotFound is returned (wrapped) for a model, manifest or shard that is
// not stored.
var ErrNotFound = errors.New("store: not found")

// SchemaVersion is the layout version of every store; a store holding
// another version is emptied when opened.
const SchemaVersion = 1

// ModelInfo describes a stored model.
type ModelInfo struct {
	URL      string
	Bytes    int64 // stored shard bytes
	Complete bool  // every shard is stored and verified
}

// Store keeps models. Implementations are used from one goroutine at a
// time.
type Store interface {
	// Models lists the stored models.
	Models() ([]ModelInfo, error)
	// Manifest returns the stored manifest.json of model.
	Manifest(model string) ([]byte, error)
	// PutManifest stores the manifest, creating the entry; an entry that
	// held another manifest loses its shards.
	PutManifest(model string, data []byte) error
	// RewriteManifest stores data as the manifest of model's existing
	// entry, keeping its shards and their verified marks; the entry
	// becomes incomplete. It is for a writer that stores the shards before it
	// knows the manifest listing them (a conversion: the manifest holds
	// the shards' hashes), under a placeholder manifest first.
	RewriteManifest(model string, data []byte) error

	// ShardSize is the number of bytes of shard stored so far (0 when none).
	ShardSize(model, shard string) (int64, error)
	// AppendShard stores chunk at offset, which must equal ShardSize.
	AppendShard(model, shard string, offset int64, chunk []byte) error
	// ReadShard reads stored bytes of shard at off, as io.ReaderAt does.
	ReadShard(model, shard string, off int64, p []byte) (int, error)
	// DeleteShard drops a shard's bytes (a corrupt or partial one).
	DeleteShard(model, shard string) error
	// SetVerified records whether the stored shard matched its hash.
	SetVerified(model, shard string, ok bool) error
	// Verified reports what SetVerified last recorded.
	Verified(model, shard string) (bool, error)
	// SetComplete marks the model usable (or not).
	SetComplete(model string, complete bool) error

	// Delete removes a model; DeleteAll removes every model.
	Delete(model string) error
	DeleteAll() error
	// Estimate reports the bytes used and the most the store may use
	// (quota; 0 when unknown).
	Estimate() (usage, quota int64, err error)
}

// Hasher is a Store that can read a shard whole and hash it on the way,
// natively where Go's own SHA-256 is slow (a browser's crypto.subtle).
// It may be called from several goroutines at once: its reads
// (ShardSize, ReadShard, ReadShardSHA256), so that a load reads a few
// shards together, and its writes, so that a download stores one shard
// while it receives the next (IndexedDB orders its transactions itself).
type Hasher interface {
	// ReadShardSHA256 reads shard whole into p, which must be of its
	// stored size, and returns the SHA-256 of the bytes read.
	ReadShardSHA256(model, shard string, p []byte) ([32]byte, error)
}

// Stager is a Hasher that can also read and hash a shard ahead into room
// of its own (a page's store reader workers keep it in their shared
// buffers), so that a load reading shards ahead needs no buffer of its own
// for them until it takes their bytes (modeldir.StagingFile). It has room
// for Stages shards: more StageShard calls wait until a staged shard is
// taken or dropped.
type Stager interface {
	Hasher
	// StageShard reads shard, of size bytes stored, and hashes it.
	StageShard(model, shard string, size int64) (StagedShard, error)
	Stages() int
}

// StagedShard is a shard read and hashed ahead, holding its room until
// taken or dropped.
type StagedShard interface {
	// Take copies the bytes into p (len(p) == the shard's size) and frees
	// their room, also when it fails.
	Take(p []byte) error
	// Sum is the SHA-256 of the bytes, once taken.
	Sum() [32]byte
	// Drop frees their room unread.
	Drop()
}

// Digester is a Store that hashes bytes beside the caller, where hashing
// on the caller's thread would hold it up (a page: crypto.subtle hashes on
// the thread that calls it, and the store's reader workers are idle while
// a model downloads). It may be called from several goroutines at once.
type Digester interface {
	// SHA256 returns the SHA-256 of p.
	SHA256(p []byte) ([32]byte, error)
}

// Lister is a Store that reports what it holds of every shard of a model
// in one read, where asking shard by shard costs a transaction each
// (IndexedDB): a download checks every shard before it starts.
type Lister interface {
	// Shards returns the stored size and verified mark of each shard of
	// model that holds bytes or a mark, as ShardSize and Verified give
	// them (a shard with neither may be listed or not).
	Shards(model string) (map[string]ShardState, error)
}

// Replacer is a Store that stores a whole shard in one step, where
// DeleteShard, AppendShard and SetVerified take a step each (an IndexedDB
// transaction, each written to disk). Unlike the readers' interfaces it
// is not looked for behind wrappers: a wrapper may change writes.
type Replacer interface {
	// ReplaceShard drops what shard and the shards named in drop hold,
	// then stores data as the whole of shard, marked verified.
	ReplaceShard(model, shard string, data []byte, drop ...string) error
}

// ShardState is what a store holds of one shard.
type ShardState struct {
	Size     int64
	Verified bool
}

// RawShard is the name under which a store keeps the decoded bytes of the
// shard file name. A download keeps the compressed bytes under name while
// it fetches and checks them, then decodes them once: a model ready for
// use holds only its shards' decoded bytes, which a load reads without
// decoding and checks against their sha256.
func RawShard(name string) string { return name + ".raw" }

// AsHasher returns the Hasher st is, or wraps: a wrapper that changes
// only writes or estimates (LowerQuota, a limit) passes reads through, and
// says so with an Unwrap method returning what it wraps.
func AsHasher(st Store) (Hasher, bool) { return as[Hasher](st) }

// AsStager returns the Stager st is, or wraps, as AsHasher does.
func AsStager(st Store) (Stager, bool) { return as[Stager](st) }

// AsLister returns the Lister st is, or wraps, as AsHasher does.
func AsLister(st Store) (Lister, bool) { return as[Lister](st) }

// AsDigester returns the Digester st is, or wraps, as AsHasher does.
func AsDigester(st Store) (Digester, bool) { return as[Digester](st) }

func as[T any](st Store) (T, bool) {
	for st != nil {
		if h, ok := st.(T); ok {
			return h, true
		}
		u, ok := st.(interface{ Unwrap() Store })
		if !ok {
			break
		}
		st = u.Unwrap()
	}
	var none T
	return none, false
}
