// The connection to the engine's worker (phi2-worker.js): requests by id,
// start-up, death, and the buffered token stream of a generation.
import { Phi2Error, fromWire } from "./phi2-options.js";

const workerHint = "serve phi2-worker.js, kernels.js, phi2.wasm, kernels.wasm, kernels-relaxed.wasm and wasm_exec.js beside phi2.js (or at baseURL)";

// startWorker starts phi2-worker.js at url. Beside this module (base is
// null) the call is spelled out as bundlers look for it, so that they build
// and copy the worker with the files it loads.
function startWorker(base, url, origin) {
	if (origin && origin !== "null" && url.origin !== origin) {
		// A worker must be same-origin: this one only imports the real
		// script, whose relative imports then resolve against its own URL.
		const blobURL = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: "text/javascript" }));
		return { worker: new Worker(blobURL, { type: "module", name: "phi2" }), blobURL };
	}
	if (base === null) return { worker: new Worker(new URL("./phi2-worker.js", import.meta.url), { type: "module", name: "phi2" }) };
	return { worker: new Worker(url, { type: "module", name: "phi2" }) };
}

// Connection is one worker and its requests: id → { resolve, reject, on }.
export class Connection {
	constructor(base) {
		const url = new URL("phi2-worker.js", base ?? import.meta.url);
		const origin = globalThis.location?.origin;
		this.pending = new Map();
		this.nextId = 1;
		this.dead = null; // the Phi2Error the worker died with
		this.isReady = false;
		this.ready = new Promise((resolve, reject) => {
			this.started = resolve;
			this.failedToStart = reject;
		});
		this.ready.catch(() => {});
		let blobURL = null;
		try {
			({ worker: this.worker, blobURL } = startWorker(base, url, origin));
		} catch (e) {
			this.die(new Phi2Error("worker", `phi2: the worker ${url} could not start: ${e?.message ?? e}`, workerHint));
			return;
		}
		if (blobURL) this.ready.finally(() => URL.revokeObjectURL(blobURL)).catch(() => {});
		this.worker.onmessage = (e) => this.receive(e.data);
		this.worker.onerror = (e) => {
			e.preventDefault?.();
			const reason = e.message || "its script failed to load or threw";
			this.die(new Phi2Error("worker", `phi2: the worker ${url} failed: ${reason}`, workerHint));
		};
	}

	receive(m) {
		if (!m || typeof m !== "object") return;
		if (m.type === "ready") {
			this.isReady = true;
			this.started();
			return;
		}
		if (m.type === "error" && (m.id === null || m.id === undefined)) {
			const err = fromWire(m.error);
			if (err.code === "worker" || !this.isReady) this.die(new Phi2Error("worker", err.message, err.hint));
			else console.warn(`phi2: ${err.message}`);
			return;
		}
		const req = this.pending.get(m.id);
		if (!req) return;
		switch (m.type) {
		case "progress":
		case "token":
		case "fallback":
			req.on?.(m);
			break;
		case "done":
			this.pending.delete(m.id);
			req.resolve(m.result);
			break;
		case "error":
			this.pending.delete(m.id);
			req.reject(fromWire(m.error));
			break;
		}
	}

	// request sends message with a fresh id; on hears its progress, token and
	// fallback messages. It returns the id and the promise of the reply.
	request(message, on) {
		const id = this.nextId++;
		const reply = new Promise((resolve, reject) => {
			if (this.dead) {
				reject(this.dead);
				return;
			}
			this.pending.set(id, { resolve, reject, on });
			this.worker.postMessage({ ...message, id });
		});
		return { id, reply };
	}

	post(message) {
		if (!this.dead) this.worker.postMessage(message);
	}

	// die ends the worker and rejects whatever waits on it.
	die(err) {
		if (this.dead) return;
		this.dead = err;
		this.worker?.terminate();
		this.failedToStart(err);
		for (const req of this.pending.values()) req.reject(err);
		this.pending.clear();
	}
}

export async function connect(base, onProgress) {
	const conn = new Connection(base);
	onProgress?.({ phase: "start", done: 0, total: 1 });
	await conn.ready;
	onProgress?.({ phase: "start", done: 1, total: 1 });
	return conn;
}

// Generation.

export const abortedStats = () => ({ text: "", promptTokens: 0, completionTokens: 0, finishReason: "aborted", ttftMs: 0, tokensPerSecond: 0 });

// newGeneration returns a generation (what generate returns: async-iterable
// over {text, token} chunks, with the stats in `result`) and its control
// side. Chunks are buffered until read, so a slow reader loses none.
export function newGeneration() {
	const chunks = [];
	let readers = []; // next() calls waiting for a chunk
	let state = "running"; // running, done, failed
	let error = null;
	let closed = false; // the reader left its loop
	let resolveResult, rejectResult;
	const result = new Promise((resolve, reject) => {
		resolveResult = resolve;
		rejectResult = reject;
	});
	result.catch(() => {}); // a caller that only iterates gets the error there
	const wake = () => {
		for (const r of readers.splice(0)) {
			if (state === "failed") r.reject(error);
			else r.resolve({ value: undefined, done: true });
		}
	};
	const ctl = {
		abortRequested: false,
		onAbort: null, // sends the abort once the request is out
		settled: result.then(() => {}, () => {}),
		abort() {
			if (state !== "running" || ctl.abortRequested) return;
			ctl.abortRequested = true;
			ctl.onAbort?.();
		},
		push(chunk) {
			if (state !== "running" || closed) return;
			if (readers.length > 0) readers.shift().resolve({ value: chunk, done: false });
			else chunks.push(chunk);
		},
		finish(stats) {
			if (state !== "running") return;
			state = "done";
			resolveResult(stats);
			wake();
		},
		fail(err) {
			if (state !== "running") return;
			state = "failed";
			error = err;
			rejectResult(err);
			wake();
		},
	};
	const iterator = {
		next() {
			if (chunks.length > 0) return Promise.resolve({ value: chunks.shift(), done: false });
			if (closed || state === "done") return Promise.resolve({ value: undefined, done: true });
			if (state === "failed") return Promise.reject(error);
			return new Promise((resolve, reject) => readers.push({ resolve, reject }));
		},
		// return runs when a for-await loop is left early: the generation stops.
		return() {
			closed = true;
			chunks.length = 0;
			ctl.abort();
			for (const r of readers.splice(0)) r.resolve({ value: undefined, done: true });
			return Promise.resolve({ value: undefined, done: true });
		},
		[Symbol.asyncIterator]() { return this; },
	};
	const gen = { result, abort: () => ctl.abort(), [Symbol.asyncIterator]: () => iterator };
	return { gen, ctl };
}

