// The engine's worker (a module worker started by phi2.js): it runs the Go
// engine phi2.wasm (GOOS=js) with Go's wasm_exec.js and the `phi2` import
// module of kernels.js, and hands it the page's messages. The Go program
// calls phi2Ready(handler) once it can take messages; messages that arrive
// earlier are queued. Every URL is relative to this script, so the files may
// be served under any path, or from another origin through a blob: worker
// that imports this one. Each file is named by a static import or by
// new URL(…, import.meta.url), as bundlers look for them.
import { phi2Imports, relaxedSIMD } from "./kernels.js";
import "./wasm_exec.js";
import { addAliases } from "./phi2-aliases.js";

const here = import.meta.url;
const queued = [];
let handler = null;
let ended = false;

// A bundler may put kernels.js into this script, which kernels.js then
// starts as its helper threads (marked by this parameter): those only run
// kernels.
const kernelThread = new URL(here).searchParams.has("phi2-kernel-thread");

// The listener is set before anything is awaited, so no message is missed.
// The page's aliases (where a bundler put the default model's files) are
// this script's business, not the engine's.
if (!kernelThread) {
	self.onmessage = (e) => {
		if (e.data?.type === "aliases") addAliases(e.data.files);
		else if (handler) deliver(e.data);
		else queued.push(e.data);
	};
}

// An exception nobody caught would reach the page as the worker's error
// event, which the page takes for the worker's end: before the engine is
// up it is reported as a start failure, after it only logged (an engine
// that really stops says so through go.exit).
if (!kernelThread) {
	self.addEventListener("error", (e) => {
		e.preventDefault();
		const text = errorText(e.error ?? e.message);
		if (handler) console.error(`phi2: ${text}`);
		else fail(`phi2: the worker failed while starting: ${text}`, serveHint);
	});
}

function deliver(message) {
	try {
		handler(message);
	} catch (e) {
		const id = message && message.id !== undefined ? message.id : null;
		postMessage({ type: "error", id, error: { code: ended ? "worker" : "internal", message: `phi2: ${errorText(e)}`,
			hint: ended ? "load the model again" : "see the browser console of the worker for details" } });
	}
}

// phi2Ready is called once by the Go program with its message handler. The
// queued messages are handed over after the call returns, so that the Go
// side is not re-entered from inside its own call.
globalThis.phi2Ready = (h) => {
	if (typeof h !== "function") throw new TypeError("phi2Ready: the handler is not a function");
	if (handler) throw new Error("phi2Ready: called twice");
	setTimeout(() => {
		handler = h;
		for (const message of queued.splice(0)) deliver(message);
		postMessage({ type: "ready" });
	}, 0);
};

const serveHint = "serve phi2-worker.js, kernels.js, phi2.wasm, kernels.wasm, kernels-relaxed.wasm and wasm_exec.js (from the Go " +
	"toolchain: $(go env GOROOT)/lib/wasm/wasm_exec.js) from one directory, with CORS and " +
	"Cross-Origin-Resource-Policy headers when it is another origin";

function fail(message, hint) {
	if (ended) return;
	ended = true;
	postMessage({ type: "error", id: null, error: { code: "worker", message, hint } });
}

function errorText(e) {
	return (e && e.message) || String(e);
}

// compile compiles the module at url, streaming when the server labels it
// application/wasm (compileStreaming refuses any other type).
async function compile(url) {
	let response;
	try {
		response = await fetch(url);
	} catch (e) {
		throw new Error(`phi2: fetching ${url}: ${errorText(e)}`);
	}
	if (!response.ok) throw new Error(`phi2: fetching ${url}: HTTP ${response.status}`);
	const type = (response.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
	try {
		if (type === "application/wasm" && WebAssembly.compileStreaming) {
			return await WebAssembly.compileStreaming(response);
		}
		return await WebAssembly.compile(await response.arrayBuffer());
	} catch (e) {
		throw new Error(`phi2: compiling ${url}: ${errorText(e)}`);
	}
}

// Go's default output goes to console.log; its last lines are kept so that
// an exit (a panic) can be reported with its reason.
const tailBytes = 2048;
let tail = "";

function keepTail(fs) {
	const decoder = new TextDecoder();
	const writeSync = fs.writeSync.bind(fs);
	fs.writeSync = (fd, buf) => {
		tail = (tail + decoder.decode(buf, { stream: true })).slice(-tailBytes);
		return writeSync(fd, buf);
	};
}

// deviceImports is the phi2 import module with as many kernel threads as
// can start. Helper threads need cross-origin isolation, and a worker may
// only start workers of its own origin, so a copy of this script imported
// from another origin runs its kernels on one thread.
async function deviceImports(goMemory, kernels) {
	const sameOrigin = new URL(here).origin === self.location.origin;
	let threads = globalThis.crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 4) : 1;
	if (!sameOrigin) threads = 1;
	const onError = (message) => console.error(message);
	if (threads > 1) {
		let device;
		try {
			device = phi2Imports(goMemory, kernels, { threads, onError });
			await device.ready;
			return { device, threads };
		} catch (e) {
			if (device) device.close();
			console.warn(`phi2: kernel threads did not start (${errorText(e)}); computing on one thread`);
		}
	}
	const device = phi2Imports(goMemory, kernels, { threads: 1, onError });
	await device.ready;
	return { device, threads: 1 };
}

async function start() {
	const [program, kernels] = await Promise.all([
		compile(new URL("./phi2.wasm", import.meta.url)),
		// relaxed SIMD where the runtime validates it: the same kernels, Q4 faster
		compile(relaxedSIMD() ? new URL("./kernels-relaxed.wasm", import.meta.url) : new URL("./kernels.wasm", import.meta.url)),
	]);
	if (typeof globalThis.Go !== "function") throw new Error("phi2: wasm_exec.js did not define Go");
	keepTail(globalThis.fs);
	const go = new globalThis.Go();
	let instance;
	const { device, threads } = await deviceImports(() => instance.exports.mem, kernels);
	go.argv = ["phi2-web"];
	go.env = { PHI2_THREADS: String(threads) };
	go.exit = (code) => {
		device.close();
		const last = tail.trim().split("\n").slice(-3).join(" | ");
		fail(`phi2: the engine exited with code ${code}${last ? `: ${last}` : ""}`,
			"reload the page; the worker's console shows the engine's full output");
	};
	go.importObject.phi2 = device;
	try {
		instance = await WebAssembly.instantiate(program, go.importObject);
	} catch (e) {
		throw new Error(`phi2: instantiating phi2.wasm: ${errorText(e)}`);
	}
	go.run(instance).catch((e) => fail(`phi2: the engine stopped: ${errorText(e)}`, "reload the page"));
}

if (!kernelThread) start().catch((e) => fail(errorText(e), serveHint));
