// The host side of the wasm CPU device (docs/kernels.md) for a page or a
// worker: the `phi2` import module that wasm/simd (GOOS=js) imports.
//
//   import { kernelsFile, loadKernels, phi2Imports } from "./kernels.js";
//   const kernels = await loadKernels(kernelsFile()); // kernels-relaxed.wasm or kernels.wasm
//   let inst;
//   const phi2 = phi2Imports(() => inst.exports.mem, kernels, { threads: 4 });
//   go.importObject.phi2 = phi2;
//   inst = (await WebAssembly.instantiate(programModule, go.importObject));
//   await go.run(inst);
//
// One shared WebAssembly.Memory holds the device; the kernel module is
// instantiated over it on the calling thread and, with threads > 1 in a
// cross-origin-isolated context, on threads − 1 helper workers that take
// jobs from a shared queue (Atomics.wait is needed, so run is then only
// callable from a worker). This file is also the helper workers' script.

// kernelNames are the kernel module's exports in kernel-id order
// (wasm/kernels/kernels.go Names; a Go test keeps them equal).
export const kernelNames = [
	"matmul_f32", "matmul_f16", "matmul_q8", "matmul_q4",
	"embed_f32", "embed_f16", "embed_q8", "embed_q4",
	"layernorm", "gelu_new", "add", "add3", "rope", "attention",
	"copy", "argmax", "copy_f16", "attention_f16",
	"copy_kvq8", "attention_kvq8", "features", "matmul_q4_vec",
	"matmul_q8_vec",
];

const jobWords = 16;
const pageBytes = 65536;
const maxPages = 65536;

// The helpers' control words (Int32Array indexes).
const GEN = 0;    // bumped to start a batch, and to stop
const NEXT = 1;   // next job to claim
const COUNT = 2;  // jobs in the batch
const DONE = 3;   // jobs finished
const FAILED = 4; // lowest failing job + 1, or 0
const STOP = 5;   // 1 once the helpers must exit
const ERRLOCK = 6; // 1 once a failure message is stored
const ERRLEN = 7; // bytes of the failure message
const ctlWords = 8;
const closed = 1 << 30; // NEXT while a batch is being set up: nothing to claim
const batchJobs = 4096; // jobs per batch in the shared queue
const errBytes = 1024;
const spinMs = 2; // how long an idle helper polls before it sleeps

// relaxedProbe is a module whose one function uses i16x8's relaxed int8
// dot product (0xfd 0x112), the instruction kernels-relaxed.wasm is built on.
const relaxedProbe = new Uint8Array([
	0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 123, 1, 123, 3, 2, 1, 0,
	10, 11, 1, 9, 0, 32, 0, 32, 0, 253, 146, 2, 11,
]);

// relaxedSIMD tells whether this runtime has WebAssembly relaxed SIMD.
export function relaxedSIMD() {
	try {
		return WebAssembly.validate(relaxedProbe);
	} catch {
		return false;
	}
}

// kernelsFile is the kernel module for this runtime: kernels-relaxed.wasm
// where relaxed SIMD validates (V8), else kernels.wasm. Both have the same
// exports and give the same results; the relaxed one computes Q4 products
// faster.
export function kernelsFile() {
	return relaxedSIMD() ? "kernels-relaxed.wasm" : "kernels.wasm";
}

// loadKernels compiles the kernel module at url.
export async function loadKernels(url) {
	return WebAssembly.compileStreaming(fetch(url));
}

// phi2Imports returns the `phi2` import object over a new device memory.
// goMemory returns the Go program's WebAssembly.Memory (read at every call:
// its buffer is replaced when it grows). options.threads is the number of
// threads that run jobs (default 1); options.onError(message) hears why a
// job failed (default console.error). The object also carries `memory` (the
// device), `ready` (a promise that settles once the helpers have started:
// await it before the first run, as a helper starts only while the calling
// thread is idle) and `close()` (ends the helpers).
export function phi2Imports(goMemory, kernelsModule, options = {}) {
	const memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared: true });
	const kernels = resolve(new WebAssembly.Instance(kernelsModule, { env: { memory } }));
	const onError = options.onError || ((msg) => console.error(msg));
	const pool = (options.threads || 1) > 1 && canWait() ? startPool(kernelsModule, memory, options.threads - 1) : null;
	const goBytes = (ptr, n) => new Uint8Array(goMemory().buffer, ptr >>> 0, n >>> 0);
	const devBytes = (ptr, n) => {
		const [p, len, size] = [ptr >>> 0, n >>> 0, memory.buffer.byteLength];
		if (p + len > size) {
			throw new RangeError(`phi2: device range [${p}, +${len}) is outside the ${size}-byte device memory`);
		}
		return new Uint8Array(memory.buffer, p, len);
	};
	return {
		memory,
		ready: pool ? pool.ready : Promise.resolve(),
		workers: () => pool ? pool.threads + 1 : 1,
		grow(bytes) {
			const b = BigInt.asIntN(64, BigInt(bytes));
			if (b < 0n || b > BigInt(maxPages * pageBytes)) return 1;
			const want = Number((b + BigInt(pageBytes - 1)) / BigInt(pageBytes));
			const have = memory.buffer.byteLength / pageBytes;
			if (want <= have) return 0;
			try {
				memory.grow(want - have);
				return 0;
			} catch {
				return 1;
			}
		},
		write(dev, src, n) {
			devBytes(dev, n).set(goBytes(src, n));
		},
		read(dst, dev, n) {
			goBytes(dst, n).set(devBytes(dev, n));
		},
		run(ptr, count) {
			if (count <= 0) return 0;
			const jobs = jobView(goMemory().buffer, ptr >>> 0, count);
			if (!pool || count === 1) {
				const fail = runJobs(kernels, jobs, 0, count);
				if (fail) onError(fail.message);
				return fail ? fail.index + 1 : 0;
			}
			for (let start = 0; start < count; start += batchJobs) {
				const n = Math.min(batchJobs, count - start);
				const failed = pool.run(kernels, jobs.subarray(start * jobWords, (start + n) * jobWords), n);
				if (failed) {
					onError(pool.message(start));
					return start + failed;
				}
			}
			return 0;
		},
		close() {
			if (pool) pool.close();
		},
	};
}

// canWait tells whether helpers can run: shared buffers (cross-origin
// isolation) and Atomics.wait (a worker, not a page's main thread).
function canWait() {
	return typeof SharedArrayBuffer === "function" && globalThis.crossOriginIsolated !== false &&
		typeof WorkerGlobalScope === "function" && globalThis instanceof WorkerGlobalScope;
}

// resolve lists an instance's kernels by id.
function resolve(instance) {
	return kernelNames.map((name, id) => {
		const fn = instance.exports[name];
		if (typeof fn !== "function") {
			throw new Error(`phi2: the kernel module has no export "${name}" (kernel ${id})`);
		}
		return fn;
	});
}

// jobView is the count jobs at ptr as i32 words, copied when unaligned.
function jobView(buffer, ptr, count) {
	if (ptr % 4 === 0) return new Int32Array(buffer, ptr, count * jobWords);
	const view = new DataView(buffer, ptr, count * jobWords * 4);
	return Int32Array.from({ length: count * jobWords }, (_, i) => view.getInt32(4 * i, true));
}

// runJob runs job i of jobs; it throws when the kernel traps.
function runJob(kernels, jobs, i) {
	const w = i * jobWords;
	const fn = kernels[jobs[w]];
	if (!fn) {
		throw new Error(`unknown kernel id ${jobs[w]} (the module has ${kernels.length} kernels)`);
	}
	fn(jobs[w + 1], jobs[w + 2], jobs[w + 3], jobs[w + 4], jobs[w + 5], jobs[w + 6], jobs[w + 7],
		jobs[w + 8], jobs[w + 9], jobs[w + 10], jobs[w + 11], jobs[w + 12], jobs[w + 13], jobs[w + 14], jobs[w + 15]);
}

// runJobs runs jobs [from, to) on this thread, stopping at the first that
// fails: null, or { index, message }.
function runJobs(kernels, jobs, from, to) {
	for (let i = from; i < to; i++) {
		try {
			runJob(kernels, jobs, i);
		} catch (e) {
			return { index: i, message: describe(i, jobs[i * jobWords], e) };
		}
	}
	return null;
}

function describe(i, id, e) {
	return `phi2: job ${i}: kernel ${kernelNames[id] ?? id}: ${e && e.message || e}`;
}

// startPool starts n helper workers over memory.
function startPool(kernelsModule, memory, n) {
	const ctl = new Int32Array(new SharedArrayBuffer(4 * ctlWords));
	const queue = new Int32Array(new SharedArrayBuffer(4 * jobWords * batchJobs));
	const errText = new Uint8Array(new SharedArrayBuffer(errBytes));
	const url = new URL(import.meta.url);
	url.searchParams.set("phi2-kernel-thread", "1");
	const started = [];
	for (let t = 0; t < n; t++) {
		const w = new Worker(url, { type: "module", name: `phi2 kernels ${t + 1}` });
		started.push(new Promise((resolve, reject) => {
			w.onmessage = resolve;
			w.onerror = (e) => {
				e.preventDefault();
				reject(new Error(`phi2: kernel thread ${t + 1}: ${e.message || "it failed to start"}`));
			};
		}));
		w.postMessage({ kernelsModule, memory, ctl, queue, errText });
	}
	return {
		threads: n,
		ready: Promise.all(started),
		// run runs the n jobs in jobs with the helpers: 0, or 1 + the lowest
		// failing job.
		run(kernels, jobs, count) {
			Atomics.store(ctl, NEXT, closed); // late helpers of the last batch claim nothing
			queue.set(jobs);
			Atomics.store(ctl, COUNT, count);
			Atomics.store(ctl, DONE, 0);
			Atomics.store(ctl, FAILED, 0);
			Atomics.store(ctl, ERRLOCK, 0);
			Atomics.store(ctl, NEXT, 0);
			Atomics.add(ctl, GEN, 1);
			Atomics.notify(ctl, GEN);
			drain(kernels, ctl, queue, errText);
			// The helpers' last jobs end about when this thread's do: poll
			// before sleeping, since a wake from Atomics.wait takes longer
			// than most jobs' tails.
			const since = performance.now();
			for (let done, spins = 1; (done = Atomics.load(ctl, DONE)) < count; spins++) {
				if (spins % 256 === 0 && performance.now() - since > spinMs) {
					Atomics.wait(ctl, DONE, done);
				}
			}
			return Atomics.load(ctl, FAILED);
		},
		// message is the stored failure, its job index offset by start.
		message(start) {
			const len = Atomics.load(ctl, ERRLEN);
			const text = new TextDecoder().decode(errText.slice(0, len));
			return text.replace(/^phi2: job (\d+)/, (_, i) => `phi2: job ${start + Number(i)}`);
		},
		close() {
			Atomics.store(ctl, STOP, 1);
			Atomics.add(ctl, GEN, 1);
			Atomics.notify(ctl, GEN);
		},
	};
}

// drain claims and runs jobs of the current batch until none are left.
// After a failure the remaining jobs are claimed but not run.
function drain(kernels, ctl, queue, errText) {
	for (;;) {
		const i = Atomics.add(ctl, NEXT, 1);
		const count = Atomics.load(ctl, COUNT);
		if (i >= count) return;
		if (Atomics.load(ctl, FAILED) === 0) {
			try {
				runJob(kernels, queue, i);
			} catch (e) {
				recordFailure(ctl, errText, i, describe(i, queue[i * jobWords], e));
			}
		}
		if (Atomics.add(ctl, DONE, 1) + 1 === count) Atomics.notify(ctl, DONE);
	}
}

// recordFailure keeps the lowest failing index and its message: failures
// on other threads may come in any order, so the message is written, under
// a spin lock, by whichever failure is the lowest when it holds the lock.
function recordFailure(ctl, errText, i, message) {
	for (let old; (old = Atomics.load(ctl, FAILED)) === 0 || old > i + 1;) {
		if (Atomics.compareExchange(ctl, FAILED, old, i + 1) === old) break;
	}
	while (Atomics.compareExchange(ctl, ERRLOCK, 0, 1) !== 0);
	if (Atomics.load(ctl, FAILED) === i + 1) {
		const bytes = new TextEncoder().encode(message).slice(0, errBytes);
		errText.set(bytes);
		Atomics.store(ctl, ERRLEN, bytes.length);
	}
	Atomics.store(ctl, ERRLOCK, 0);
}

// serve is a helper worker's loop: wait for a batch, drain it, repeat.
function serve({ kernelsModule, memory, ctl, queue, errText }) {
	const kernels = resolve(new WebAssembly.Instance(kernelsModule, { env: { memory } }));
	let seen = Atomics.load(ctl, GEN);
	postMessage("ready");
	for (;;) {
		const idleSince = performance.now();
		for (let spins = 1; Atomics.load(ctl, GEN) === seen; spins++) {
			if (spins % 256 === 0 && performance.now() - idleSince > spinMs) {
				Atomics.wait(ctl, GEN, seen);
			}
		}
		seen = Atomics.load(ctl, GEN);
		if (Atomics.load(ctl, STOP)) {
			self.close();
			return;
		}
		drain(kernels, ctl, queue, errText);
	}
}

if (new URL(import.meta.url).searchParams.has("phi2-kernel-thread")) {
	self.onmessage = (e) => serve(e.data);
}
