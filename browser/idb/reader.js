// A store reader: a classic worker that reads one shard of a phi2web
// IndexedDB store whole and hashes it. crypto.subtle.digest hashes on the
// thread that calls it, and a large structured-clone read is decoded on
// the thread that takes its result, so both run here, beside the engine.
//
// It also hashes bytes the engine puts in its slot, so that a download's
// check does not hold up the engine's thread.
//
// Message in:  {id, db, version, model, shard, size, slot}, slot a
//              SharedArrayBuffer of at least size bytes, or undefined;
//              or {id, digest: size, slot}: hash the slot's first size bytes
//              (out: {id, sum}, or {id, error} as below)
// Message out: {id, inSlot: true, sum} with the bytes copied into the
//              slot, else {id, bytes, sum} with the Uint8Array's buffer
//              transferred (sum: the SHA-256 as an ArrayBuffer, or null
//              without crypto.subtle), or {id, error: {kind, name, message, stored}}
//              where kind is "missing" (no such model), "size" (the entry
//              records another size: stored), "chunks" (chunks that do not
//              make up the size), "dom" (a failure the browser reported) or
//              "worker" (this script failed: the engine reads on its own).
"use strict";

const connections = new Map(); // database name -> Promise<IDBDatabase>

// open connects to the store's database at the version its owner opened;
// a reader never creates or upgrades it.
function open(name, version) {
	let p = connections.get(name);
	if (!p) {
		p = new Promise((resolve, reject) => {
			const req = indexedDB.open(name, version);
			req.onupgradeneeded = () => req.transaction.abort();
			req.onsuccess = () => {
				const db = req.result;
				db.onversionchange = () => {
					db.close();
					connections.delete(name);
				};
				resolve(db);
			};
			req.onerror = () => reject(req.error);
		});
		connections.set(name, p);
		p.catch(() => connections.delete(name));
	}
	return p;
}

function read(db, model, shard) {
	return new Promise((resolve, reject) => {
		const t = db.transaction(["models", "chunks"], "readonly");
		const entry = t.objectStore("models").get(model);
		const chunks = t.objectStore("chunks").getAll(IDBKeyRange.bound([model, shard, 0], [model, shard, Infinity]));
		t.oncomplete = () => resolve({ entry: entry.result, chunks: chunks.result });
		t.onabort = () => reject(t.error ?? new DOMException("transaction aborted", "AbortError"));
	});
}

class Failure extends Error {
	constructor(kind, message, stored) {
		super(message);
		this.kind = kind;
		this.stored = stored;
	}
}

// bytesOf is a stored chunk as a Uint8Array: a chunk of the engine's
// blobMin bytes or more is stored as a Blob, read here.
async function bytesOf(chunk) {
	return chunk instanceof Blob ? new Uint8Array(await chunk.arrayBuffer()) : chunk;
}

// scratch is the buffer a whole-shard Blob is read into while shards keep
// coming: a fresh arrayBuffer() of 32 MiB took ~50 ms here against ~20 ms
// for reading into a buffer already made. It is let go once the reads
// stop (scratchIdleMs), so that it does not hold a shard for the page's life.
let scratch = null;
let scratchTimer = 0;
const scratchIdleMs = 2000;

// readWhole reads blob into scratch, or returns null where the browser's
// Blob streams take no buffer of the reader's (the caller reads it as before).
async function readWhole(blob) {
	const n = blob.size;
	let reader;
	try {
		reader = blob.stream().getReader({ mode: "byob" });
	} catch {
		return null;
	}
	if (!scratch || scratch.byteLength < n) scratch = new ArrayBuffer(n);
	let at = 0;
	let done = false;
	try {
		while (at < n && !done) {
			// The view's buffer is handed to the stream and comes back in value.
			const r = await reader.read(new Uint8Array(scratch, at, n - at));
			scratch = r.value ? r.value.buffer : null;
			if (!scratch) break;
			at += r.value.byteLength;
			done = r.done;
		}
	} catch (e) {
		scratch = null;
		throw e;
	} finally {
		// A stream read to its size has not said it is done: closing it lets
		// the browser end the read now rather than when it is collected.
		if (!done) reader.cancel().catch(() => {});
		reader.releaseLock();
	}
	if (at !== n || !scratch) throw new Failure("chunks", `a stored Blob of ${n} bytes gave ${at}`);
	return new Uint8Array(scratch, 0, n);
}

function letScratchGo() {
	clearTimeout(scratchTimer);
	scratchTimer = setTimeout(() => {
		scratch = null;
	}, scratchIdleMs);
}

// join returns the chunks as one Uint8Array that owns its whole buffer (so
// the buffer can be transferred): the only chunk itself, or a copy of all.
function join(chunks, size) {
	if (chunks.length === 1 && chunks[0].length === size && chunks[0].byteOffset === 0 && chunks[0].buffer.byteLength === size) {
		return chunks[0];
	}
	const whole = new Uint8Array(size);
	let at = 0;
	for (const c of chunks) {
		if (at + c.length > size) throw new Failure("chunks", `stored chunks hold more than its size ${size}`);
		whole.set(c, at);
		at += c.length;
	}
	if (at !== size) throw new Failure("chunks", `stored chunks end at byte ${at}, before its size ${size}`);
	return whole;
}

// digest hashes a copy of the slot's first size bytes: crypto.subtle
// takes no shared buffer. The copy is not kept: a worker collects its own
// garbage, and a kept one would hold a shard's size for the page's life.
async function digest(slot, size) {
	return crypto.subtle.digest("SHA-256", new Uint8Array(slot, 0, size).slice());
}

self.onmessage = async (e) => {
	const { id, db: name, version, model, shard, size, slot } = e.data;
	try {
		if (e.data.digest !== undefined) {
			postMessage({ id, sum: await digest(slot, e.data.digest) });
			return;
		}
		const { entry, chunks } = await read(await open(name, version), model, shard);
		if (entry === undefined) throw new Failure("missing", "no such model");
		const stored = entry.shards.get(shard)?.size ?? 0;
		if (stored !== size) throw new Failure("size", "another size", stored);
		// The engine sends a slot only where it has SharedArrayBuffer; a page
		// that is not cross-origin isolated has no such global to test for.
		const inSlot = slot && slot.byteLength >= size;
		let bytes = null;
		if (inSlot && chunks.length === 1 && chunks[0] instanceof Blob && chunks[0].size === size) {
			bytes = await readWhole(chunks[0]);
			letScratchGo();
		}
		bytes ??= join(await Promise.all(chunks.map(bytesOf)), size);
		let sum = null;
		if (self.crypto?.subtle) {
			try {
				sum = await crypto.subtle.digest("SHA-256", bytes);
			} catch {
				// The engine hashes the bytes itself.
			}
		}
		if (inSlot) {
			new Uint8Array(slot, 0, size).set(bytes);
			postMessage({ id, inSlot: true, sum });
		} else {
			postMessage({ id, bytes, sum }, [bytes.buffer]);
		}
	} catch (err) {
		// A DOMException is the browser's finding about the store; anything
		// else is this worker's own failure, and the engine reads itself.
		const kind = err instanceof Failure ? err.kind : err instanceof DOMException ? "dom" : "worker";
		postMessage({ id, error: { kind, name: String(err?.name ?? "Error"), message: String(err?.message ?? err), stored: err?.stored ?? 0 } });
	}
};
