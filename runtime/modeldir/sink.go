package modeldir

import "io"

// Sink is where a Writer puts the files of a model directory: a directory
// on disk (DirSink) or any other place that keeps named files, such as a
// browser's store of downloaded models. The Writer calls Begin once, then
// creates the shards one after another, and either calls Commit with
// manifest.json once every shard is committed, or Abort.
type Sink interface {
	// Begin prepares the destination. From then on, until Commit, what it
	// held before must not read as a complete model.
	Begin() error
	// CreateShard starts the shard file name. Its compressed bytes arrive
	// in order through the ShardWriter, which then is committed or
	// discarded before the next shard is created.
	CreateShard(name string) (ShardWriter, error)
	// Commit stores manifest.json, which lists exactly the shards
	// committed, and makes the model complete. It is called last.
	Commit(manifest []byte) error
	// Abort drops what was written, shards committed included; it is
	// called after an error, or when the writer's caller gives up, and
	// never after a successful Commit.
	Abort()
}

// ShardWriter receives the compressed bytes of one shard.
type ShardWriter interface {
	io.Writer
	// Commit makes the bytes written final: stored whole, under the
	// shard's name. The Writer hashed them as it wrote them.
	Commit() error
	// Discard drops the bytes of an unfinished shard.
	Discard()
}
