// phi2.js runs Microsoft's Phi-2 in the page: the Go engine runs in a module
// worker (phi2-worker.js) and this module speaks its message protocol.
//
//   import { Phi2 } from "./phi2.js";
//   const engine = await Phi2.load({ model: Phi2.defaultModel, onProgress: (p) => console.log(p.phase) });
//   for await (const chunk of engine.generate("Instruct: Name a prime.\nOutput:")) out.append(chunk.text);
//
// Types: phi2.d.ts. No dependencies, no build step.

const here = import.meta.url;
const unloadWaitMs = 2000; // how long unload waits for the engine before ending its worker
const cacheIdleMs = 15000; // how long a worker started only for Phi2.cache stays after its last call

/** The error every failure rejects with: a stable code, a one-line message and what to do. */
export class Phi2Error extends Error {
	constructor(code, message, hint = "") {
		super(message);
		this.name = "Phi2Error";
		this.code = code;
		this.hint = hint;
	}
}

const badRequest = (message, hint) => new Phi2Error("bad-request", message, hint);
const fromWire = (e) => e instanceof Phi2Error ? e :
	new Phi2Error((e && e.code) || "internal", (e && e.message) || String(e), (e && e.hint) || "");

// pageURL is what relative URLs given to this module are resolved against.
function pageURL() {
	return globalThis.document?.baseURI ?? globalThis.location?.href ?? here;
}

function resolveURL(what, url, base = pageURL()) {
	try {
		return new URL(url, base).href;
	} catch {
		throw badRequest(`${what} ${JSON.stringify(String(url))} is not a valid URL`, "give an absolute URL or one relative to the page");
	}
}

// ---- option checks ----

const isSet = (v) => v !== undefined && v !== null;

function checkKeys(what, options, allowed, hint) {
	if (!isSet(options)) return {};
	if (typeof options !== "object") throw badRequest(`${what} must be an object`, hint);
	for (const key of Object.keys(options)) {
		if (!allowed.includes(key)) throw badRequest(`${what}: unknown option "${key}"`, `${hint}: ${allowed.join(", ")}`);
	}
	return options;
}

// number checks a numeric option: want says what is accepted, as in
// "an integer ≥ 1".
function number(name, value, ok, want, hint) {
	if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
		throw badRequest(`${name} must be ${want} (got ${typeof value === "number" ? value : JSON.stringify(value) ?? typeof value})`, hint);
	}
	return value;
}

const isInt = Number.isInteger;

function stopList(name, stop) {
	const list = typeof stop === "string" ? [stop] : stop;
	if (!Array.isArray(list) || list.some((s) => typeof s !== "string" || s === "")) {
		throw badRequest(`${name} must be a non-empty string or an array of them`, "stop strings end the generation where they appear");
	}
	return [...list];
}

function checkSignal(signal) {
	if (isSet(signal) && (typeof signal !== "object" || typeof signal.aborted !== "boolean" || typeof signal.addEventListener !== "function")) {
		throw badRequest("signal must be an AbortSignal", "pass AbortController.signal");
	}
	return signal ?? undefined;
}

const generateKeys = ["maxTokens", "temperature", "topK", "topP", "minP", "repeatPenalty", "seed", "stop", "signal"];

function randomSeed() {
	if (globalThis.crypto?.getRandomValues) return globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
	return Math.floor(Math.random() * 2 ** 32);
}

// generateOptions checks generate's options and fills the defaults the
// worker expects (all numbers present).
function generateOptions(options) {
	const o = checkKeys("generate", options, generateKeys, "generate takes");
	const pick = (key, fallback, ok, want, hint) => isSet(o[key]) ? number(key, o[key], ok, want, hint) : fallback;
	return {
		options: {
			maxTokens: pick("maxTokens", 256, (v) => isInt(v) && v >= 1, "an integer ≥ 1", "the most tokens to generate (default 256)"),
			temperature: pick("temperature", 0.7, (v) => v >= 0, "a number ≥ 0", "0 is greedy decoding; the default is 0.7"),
			topK: pick("topK", 40, (v) => isInt(v) && v >= 0, "an integer ≥ 0", "keep the k most likely tokens; 0 keeps all (default 40)"),
			topP: pick("topP", 0.95, (v) => v >= 0 && v <= 1, "a number in [0, 1]", "the probability mass kept; 1 keeps all (default 0.95)"),
			minP: pick("minP", 0.05, (v) => v >= 0 && v <= 1, "a number in [0, 1]", "drops tokens less likely than minP × the top one; 0 keeps all (default 0.05)"),
			repeatPenalty: pick("repeatPenalty", 1.1, (v) => v > 0, "a number > 0", "1 is no penalty (default 1.1)"),
			seed: pick("seed", randomSeed(), (v) => isInt(v) && v >= 0 && v < 2 ** 32, "an integer in [0, 2^32)", "the same seed and prompt give the same text"),
			stop: isSet(o.stop) ? stopList("stop", o.stop) : [],
		},
		signal: checkSignal(o.signal),
	};
}

const loadKeys = ["model", "backend", "quant", "maxStorageBytes", "onProgress", "onFallback", "baseURL"];
const backends = ["auto", "webgpu", "wasm"];
const quants = ["q4", "q8", "f16", "f32"];

function loadOptions(options) {
	const o = checkKeys("Phi2.load", options, loadKeys, "Phi2.load takes");
	const backend = o.backend ?? "auto";
	if (!backends.includes(backend)) {
		throw badRequest(`backend must be one of ${backends.join(", ")} (got ${JSON.stringify(backend)})`,
			"\"auto\" uses WebGPU when it works, else wasm SIMD");
	}
	if (isSet(o.quant) && !quants.includes(o.quant)) {
		throw badRequest(`quant must be one of ${quants.join(", ")} (got ${JSON.stringify(o.quant)})`,
			"quant applies to Hugging Face URLs; q4 is the default");
	}
	for (const fn of ["onProgress", "onFallback"]) {
		if (isSet(o[fn]) && typeof o[fn] !== "function") throw badRequest(`${fn} must be a function`, `${fn} is called with an object`);
	}
	const message = { model: resolveURL("model", o.model ?? defaultModel), backend };
	if (isSet(o.quant)) message.quant = o.quant;
	if (isSet(o.maxStorageBytes)) {
		message.maxStorageBytes = number("maxStorageBytes", o.maxStorageBytes, (v) => v > 0, "a number > 0",
			"the most bytes the stored model may take");
	}
	let base = resolveURL("baseURL", o.baseURL ?? new URL(".", here));
	if (!new URL(base).pathname.endsWith("/")) base += "/";
	return { message, base, onProgress: o.onProgress, onFallback: o.onFallback };
}

// ---- the worker connection ----

const workerHint = "serve phi2-worker.js, kernels.js, phi2.wasm, kernels.wasm and wasm_exec.js beside phi2.js (or at baseURL)";

// Connection is one worker and its requests: id → { resolve, reject, on }.
class Connection {
	constructor(base) {
		const url = new URL("phi2-worker.js", base);
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
			if (!origin || origin === "null" || url.origin === origin) {
				this.worker = new Worker(url, { type: "module", name: "phi2" });
			} else {
				// A worker must be same-origin: this one only imports the real
				// script, whose relative imports then resolve against its own URL.
				blobURL = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: "text/javascript" }));
				this.worker = new Worker(blobURL, { type: "module", name: "phi2" });
			}
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

async function connect(base, onProgress) {
	const conn = new Connection(base);
	onProgress?.({ phase: "start", done: 0, total: 1 });
	await conn.ready;
	onProgress?.({ phase: "start", done: 1, total: 1 });
	return conn;
}

// ---- generation ----

const abortedStats = () => ({ text: "", promptTokens: 0, completionTokens: 0, finishReason: "aborted", ttftMs: 0, tokensPerSecond: 0 });

// newGeneration returns a generation (what generate returns: async-iterable
// over {text, token} chunks, with the stats in `result`) and its control
// side. Chunks are buffered until read, so a slow reader loses none.
function newGeneration() {
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

// ---- chat ----

const chatKeys = ["messages", "stream", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "min_p",
	"repetition_penalty", "seed", "stop",
	"signal", "model", "n", "stream_options", "user"];
const chatStops = ["\nInstruct:", "<|endoftext|>"];

function messageText(m, i) {
	if (typeof m.content === "string") return m.content;
	if (Array.isArray(m.content) && m.content.every((p) => p && p.type === "text" && typeof p.text === "string")) {
		return m.content.map((p) => p.text).join("");
	}
	throw badRequest(`messages[${i}].content must be a string or an array of text parts`, "Phi-2 reads text only");
}

// chatPrompt writes messages in Phi-2's QA format: system text as it is,
// "Instruct: <user>\nOutput:" per user turn, and each assistant reply after
// it. A last assistant message is left open: the reply continues it.
export function chatPrompt(messages) {
	if (!Array.isArray(messages) || messages.length === 0) {
		throw badRequest("messages must be a non-empty array", "give at least one {role: \"user\", content}");
	}
	let prompt = "";
	messages.forEach((m, i) => {
		if (!m || typeof m !== "object") throw badRequest(`messages[${i}] must be an object`, "{role, content}");
		const text = messageText(m, i);
		const last = i === messages.length - 1;
		const next = messages[i + 1];
		switch (m.role) {
		case "system":
		case "developer":
			if (last) throw badRequest("the last message must be from the user or the assistant", "add the user's message");
			prompt += `${text}\n`;
			break;
		case "user":
			prompt += `Instruct: ${text}\nOutput:`;
			if (!last && next?.role !== "assistant") prompt += "\n";
			break;
		case "assistant":
			if (messages[i - 1]?.role !== "user") prompt += "Output:";
			prompt += ` ${text}`;
			if (!last) prompt += "\n";
			break;
		default:
			throw badRequest(`messages[${i}].role ${JSON.stringify(m.role)} is not supported`, "roles: system, user, assistant");
		}
	});
	return prompt;
}

function chatRequest(params) {
	const p = checkKeys("chat.completions.create", params, chatKeys, "chat.completions.create takes");
	if (isSet(p.n) && p.n !== 1) throw badRequest(`n must be 1 (got ${JSON.stringify(p.n)})`, "one choice is generated per call");
	if (isSet(p.stream) && typeof p.stream !== "boolean") {
		throw badRequest("stream must be true or false", "stream: true returns an async iterable of chunks");
	}
	if (isSet(p.max_tokens) && isSet(p.max_completion_tokens)) {
		throw badRequest("give max_tokens or max_completion_tokens, not both", "they mean the same");
	}
	const options = { stop: [...(isSet(p.stop) ? stopList("stop", p.stop) : []), ...chatStops] };
	const map = { max_tokens: "maxTokens", max_completion_tokens: "maxTokens", temperature: "temperature", top_p: "topP",
		top_k: "topK", min_p: "minP", repetition_penalty: "repeatPenalty", seed: "seed", signal: "signal" };
	for (const [from, to] of Object.entries(map)) if (isSet(p[from])) options[to] = p[from];
	try {
		generateOptions(options);
	} catch (e) {
		// Name the option as the caller wrote it.
		for (const [from, to] of Object.entries(map)) {
			if (from !== to && isSet(p[from]) && e.message.startsWith(`${to} `)) e.message = from + e.message.slice(to.length);
		}
		throw e;
	}
	return { prompt: chatPrompt(p.messages), options, stream: p.stream === true };
}

const finishReason = (r) => r === "eos" ? "stop" : r === "context" ? "length" : r;

function completionId() {
	const bytes = globalThis.crypto?.getRandomValues ? globalThis.crypto.getRandomValues(new Uint8Array(12)) :
		Uint8Array.from({ length: 12 }, () => Math.floor(Math.random() * 256));
	return "chatcmpl-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const usage = (s) => ({ prompt_tokens: s.promptTokens, completion_tokens: s.completionTokens, total_tokens: s.promptTokens + s.completionTokens });

// chatStream turns a generation into chat.completion.chunk objects. The
// reply is trimmed as in the non-streamed completion: leading space is
// dropped, and trailing space is held back until more text follows it.
async function* chatStream(gen, head) {
	const chunk = (delta, finish_reason = null) => ({ ...head, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason }] });
	try {
		yield chunk({ role: "assistant", content: "" });
		let started = false;
		let held = "";
		for await (const { text } of gen) {
			let t = held + text;
			if (!started) t = t.trimStart();
			const body = t.trimEnd();
			held = t.slice(body.length);
			if (body === "") continue;
			started = true;
			yield chunk({ content: body });
		}
		const stats = await gen.result;
		yield { ...chunk({}, finishReason(stats.finishReason)), usage: usage(stats) };
	} finally {
		gen.abort(); // a reader that left early stops the generation; else a no-op
	}
}

// ---- the engine ----

const live = new Map(); // loaded engine → its connection, which Phi2.cache may use

function cacheAPI(connection) {
	const call = async (message) => {
		const conn = await connection();
		return conn.request({ type: "cache", ...message }).reply;
	};
	return {
		list: () => call({ op: "list" }),
		delete: async (url) => { await call({ op: "delete", url: resolveURL("url", url) }); },
		clear: async () => { await call({ op: "clear" }); },
		estimate: () => call({ op: "estimate" }),
	};
}

const unloaded = () => new Phi2Error("not-loaded", "phi2: the engine was unloaded", "load a model again with Phi2.load");

/** A loaded model in its worker. */
class Engine {
	#conn;
	#model;
	#onFallback;
	#current = null; // the control side of the generation whose request is out
	#unloading = null;

	constructor(conn, model, onFallback) {
		this.#conn = conn;
		this.#model = model;
		this.#onFallback = onFallback;
		this.cache = cacheAPI(async () => this.#usable());
		this.chat = { completions: { create: (params) => this.#createChat(params) } };
	}

	/** The model's absolute URL. */
	get model() {
		return this.#model;
	}

	#usable() {
		if (this.#unloading) throw unloaded();
		if (this.#conn.dead) throw this.#conn.dead;
		return this.#conn;
	}

	generate(prompt, options) {
		const { gen, ctl } = newGeneration();
		let checked;
		try {
			if (typeof prompt !== "string") throw badRequest("the prompt must be a string", "generate(prompt, options)");
			checked = generateOptions(options);
			this.#usable();
		} catch (e) {
			ctl.fail(e);
			return gen;
		}
		const { signal } = checked;
		if (signal?.aborted) {
			ctl.finish(abortedStats());
			return gen;
		}
		const onSignal = () => ctl.abort();
		signal?.addEventListener("abort", onSignal, { once: true });
		ctl.settled.then(() => signal?.removeEventListener("abort", onSignal));
		this.#run(ctl, prompt, checked.options);
		return gen;
	}

	async #run(ctl, prompt, options) {
		// A generation still stopping holds the engine: wait for its end
		// rather than be refused as busy.
		while (this.#current?.abortRequested) await this.#current.settled;
		if (ctl.abortRequested) {
			ctl.finish(abortedStats());
			return;
		}
		let conn;
		try {
			conn = this.#usable();
		} catch (e) {
			ctl.fail(e);
			return;
		}
		const { id, reply } = conn.request({ type: "generate", prompt, options }, (m) => {
			if (m.type === "token") ctl.push({ text: m.text, token: m.token });
			else if (m.type === "fallback") this.#onFallback({ reason: m.reason, info: m.info });
		});
		ctl.onAbort = () => conn.post({ type: "abort", id });
		this.#current = ctl;
		try {
			ctl.finish(await reply);
		} catch (e) {
			ctl.fail(e);
		} finally {
			if (this.#current === ctl) this.#current = null;
		}
	}

	async #createChat(params) {
		const { prompt, options, stream } = chatRequest(params);
		this.#usable();
		const gen = this.generate(prompt, options);
		const head = { id: completionId(), created: Math.floor(Date.now() / 1000), model: this.#model };
		if (stream) {
			const chunks = chatStream(gen, head);
			return { [Symbol.asyncIterator]: () => chunks, abort: () => gen.abort() };
		}
		const stats = await gen.result;
		return {
			...head,
			object: "chat.completion",
			choices: [{ index: 0, message: { role: "assistant", content: stats.text.trim() }, finish_reason: finishReason(stats.finishReason) }],
			usage: usage(stats),
		};
	}

	/** The backend, adapter, model shape and context in use. */
	async info() {
		return this.#usable().request({ type: "info" }).reply;
	}

	/** Frees the model and ends the worker (after its reply, or 2 s). */
	unload() {
		if (this.#unloading) return this.#unloading;
		const conn = this.#conn;
		live.delete(this);
		this.#current?.abort();
		this.#unloading = (async () => {
			if (!conn.dead) {
				const { reply } = conn.request({ type: "unload" });
				let timer;
				const late = new Promise((resolve) => { timer = setTimeout(resolve, unloadWaitMs); });
				await Promise.race([reply.catch(() => {}), late]);
				clearTimeout(timer);
			}
			conn.die(unloaded());
		})();
		return this.#unloading;
	}
}

// ---- Phi2 ----

/** URL of models/default/ beside phi2.js. */
export const defaultModel = new URL("models/default/", here).href;

let cacheConn = null;
let cacheTimer = null;

// endWhenIdle ends the cache-only worker once it has had no request for a
// while.
function endWhenIdle(conn) {
	clearTimeout(cacheTimer);
	cacheTimer = setTimeout(() => {
		if (conn.pending.size > 0) endWhenIdle(conn);
		else conn.die(new Phi2Error("worker", "phi2: the cache worker was ended", "call Phi2.cache again"));
	}, cacheIdleMs);
	cacheTimer.unref?.(); // Node.js: the timer alone does not keep the process alive
}

// cacheConnection is a loaded engine's worker, else one started for the
// cache calls.
async function cacheConnection() {
	for (const conn of [...live.values()].reverse()) {
		if (!conn.dead) return conn;
	}
	if (!cacheConn || cacheConn.dead) cacheConn = new Connection(new URL(".", here));
	const conn = cacheConn;
	endWhenIdle(conn);
	await conn.ready;
	return conn;
}

export const Phi2 = Object.freeze({
	defaultModel,

	/** Starts a worker, loads the model (downloading it into IndexedDB once) and returns the engine. */
	async load(options) {
		const o = loadOptions(options);
		const report = (p) => {
			try {
				o.onProgress?.({ phase: p.phase, done: p.done ?? 0, total: p.total ?? 0, shard: p.shard ?? 0, shards: p.shards ?? 0,
					bytesPerSecond: p.bytesPerSecond ?? 0, remainingSeconds: p.remainingSeconds ?? 0, fromCache: p.fromCache ?? false });
			} catch (e) {
				console.error(e);
			}
		};
		const conn = await connect(o.base, report);
		const onFallback = (f) => {
			try {
				o.onFallback?.(f);
			} catch (e) {
				console.error(e);
			}
		};
		try {
			await conn.request({ type: "load", ...o.message }, (m) => {
				if (m.type === "progress") report(m);
				else if (m.type === "fallback") onFallback({ reason: m.reason, info: m.info });
			}).reply;
		} catch (e) {
			conn.die(e);
			throw e;
		}
		const engine = new Engine(conn, o.message.model, onFallback);
		live.set(engine, conn);
		return engine;
	},

	cache: cacheAPI(cacheConnection),
});
