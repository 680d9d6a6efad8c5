// Package idb keeps downloaded models in the browser's IndexedDB: a
// [store.Store] for pages and Web Workers (GOOS=js), plus the browser
// services a download needs around it — the storage estimate, persistent
// storage, and Web Locks so that two tabs do not download the same model at
// once.
//
//	release, err := idb.Lock(ctx, "phi2web:"+modelURL) // one downloader per model
//	...
//	defer release()
//	s, err := idb.Open(ctx, "phi2web")
//	...
//	defer s.Close()
//
// # Layout
//
// A database holds two object stores. "models" maps a model's URL to its
// entry: the manifest bytes, the complete flag and a Map from shard name to
// the shard's stored size and verified flag. "chunks" maps [URL, shard,
// offset] to the bytes appended at that offset (a Uint8Array of exactly
// the appended length, or from 8 MiB on a Blob of them, which IndexedDB
// keeps as a file and reads back faster: see blobMin), so the chunks of a
// shard are contiguous and ordered by key. Readers take either. A read finds the chunk holding its first byte with a reverse
// cursor bounded by the offset and the rest with one getAll over the key
// range of the read, so its cost follows the bytes read, not the shard.
//
// # Notes
//
//   - Open creates the database at version [store.SchemaVersion]. A
//     database of an older version has its object stores deleted and
//     recreated in the upgrade; one of a newer version is deleted and
//     created again. Either way its models are gone.
//   - An IndexedDB transaction commits as soon as its requests are done and
//     control is back in the event loop, which happens whenever every
//     goroutine waits. So every request of a transaction is issued either
//     back to back by the calling goroutine, without waiting in between, or
//     synchronously from the Go handler of an earlier request's success
//     event (a read followed by the writes that depend on it), and only
//     then does the caller wait for the transaction's complete or abort
//     event. AppendShard writes the chunk and the shard's new size in one
//     such transaction, so a shard never claims bytes it lacks.
//   - A connection closes itself when another one asks for a version
//     change (a newer schema, a deletion), so it cannot block that; its
//     later calls fail.
//   - [Store.ReadShardSHA256] reads a shard with one getAll and hashes it
//     with crypto.subtle.digest before its bytes reach Go: a load checks
//     each stored shard without Go's SHA-256. Both the decode of a large
//     read's result and the digest run on the thread that asks for them
//     (Chromium hashes inside the digest call), so three store reader workers
//     (reader.js, started from a blob: URL on first use, ended by Close)
//     read and hash three shards at once, and hand the bytes over in a
//     SharedArrayBuffer per worker (by transfer where the page is not
//     cross-origin isolated: a buffer per shard left on the engine's
//     thread waits long for a collection); that thread only copies them
//     into Go. Where the
//     workers cannot run (no blob: workers under the page's
//     Content-Security-Policy), the read runs on the calling thread. A
//     shard decoded by a download is stored as one chunk, so the read needs
//     no joining. The same workers hash a download's decoded shards
//     ([Store.SHA256]) where the page has shared buffers.
//   - Writes the browser refuses for lack of quota fail with an error
//     that wraps [ErrQuota] and says how many bytes were being written;
//     other failures carry the DOMException's name and message
//     ([DOMError]).
//   - [Lock] holds a Web Lock for as long as Go wants: the lock's callback
//     only returns a promise that release resolves, and release returns
//     once the browser has let the lock go, so another page or worker
//     asking right after gets it.
//   - [Persist] asks for persistent storage where the browser offers it
//     (pages); a worker can only learn whether storage already is
//     persistent.
//   - The package builds only for GOOS=js.
package idb
