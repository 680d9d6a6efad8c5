// phi2.js runs Microsoft's Phi-2 in the page: the Go engine runs in a module
// worker (phi2-worker.js) and this module speaks its message protocol.
//
//   import { Phi2 } from "./phi2.js";
//   const engine = await Phi2.load({ model: Phi2.defaultModel, onProgress: (p) => console.log(p.phase) });
//   for await (const chunk of engine.generate("Instruct: Name a prime.\nOutput:")) out.append(chunk.text);
//
// Types: phi2.d.ts. No dependencies, no build step.


import { Phi2Error, badRequest, checkKeys, generateOptions, isSet, number, resolveURL } from "./phi2-options.js";
import { Connection, abortedStats, connect, newGeneration } from "./phi2-connection.js";
import { chatRequest, chatStream, completionId, finishReason, fitChat, usage } from "./phi2-openai.js";
import { defaultModelFiles } from "./phi2-model.js";

export { Phi2Error } from "./phi2-options.js";
export { chatPrompt } from "./phi2-openai.js";

const here = import.meta.url;
const unloadWaitMs = 2000; // how long unload waits for the engine before ending its worker
const cacheIdleMs = 15000; // how long a worker started only for Phi2.cache stays after its last call

const loadKeys = ["model", "backend", "quant", "kvCache", "context", "maxStorageBytes", "onProgress", "onFallback", "baseURL"];
const backends = ["auto", "webgpu", "simd"];
const quants = ["q4", "q8", "f16", "f32"];
const kvCaches = ["f32", "f16", "q8"];
const maxContext = 1 << 20; // the engine's limit (runtime/weights)

function loadOptions(options) {
	const o = checkKeys("Phi2.load", options, loadKeys, "Phi2.load takes");
	const backend = o.backend ?? "auto";
	if (!backends.includes(backend)) {
		throw badRequest(`backend must be one of ${backends.join(", ")} (got ${JSON.stringify(backend)})`,
			"\"auto\" uses WebGPU on a hardware GPU, else wasm SIMD");
	}
	if (isSet(o.quant) && !quants.includes(o.quant)) {
		throw badRequest(`quant must be one of ${quants.join(", ")} (got ${JSON.stringify(o.quant)})`,
			"quant applies to Hugging Face URLs; q4 is the default");
	}
	if (isSet(o.kvCache) && !kvCaches.includes(o.kvCache)) {
		throw badRequest(`kvCache must be one of ${kvCaches.join(", ")} (got ${JSON.stringify(o.kvCache)})`,
			"\"q8\" keeps long contexts fast and small; the default is f32 (exact)");
	}
	for (const fn of ["onProgress", "onFallback"]) {
		if (isSet(o[fn]) && typeof o[fn] !== "function") throw badRequest(`${fn} must be a function`, `${fn} is called with an object`);
	}
	const message = { model: resolveURL("model", o.model ?? defaultModel), backend };
	if (isSet(o.quant)) message.quant = o.quant;
	if (isSet(o.kvCache)) message.kvCache = o.kvCache;
	if (isSet(o.context)) {
		message.context = number("context", o.context, (v) => Number.isInteger(v) && v >= 1 && v <= maxContext,
			`an integer from 1 to ${maxContext}`, "the most tokens a conversation holds; the default is the model's context");
	}
	if (isSet(o.maxStorageBytes)) {
		message.maxStorageBytes = number("maxStorageBytes", o.maxStorageBytes, (v) => v > 0, "a number > 0",
			"the most bytes the stored model may take");
	}
	let base = null; // the worker beside this module, where a bundler put it
	if (isSet(o.baseURL)) {
		base = resolveURL("baseURL", o.baseURL);
		if (!new URL(base).pathname.endsWith("/")) base += "/";
	}
	return { message, base, aliases: modelAliases(message.model, base), onProgress: o.onProgress, onFallback: o.onFallback };
}

// modelAliases maps the URLs of the default model's files under
// defaultModel to where they are served: where a bundler put them, or
// models/default/ under baseURL. The worker reads them whole from there.
function modelAliases(model, base) {
	if (model !== defaultModel) return null;
	const aliases = {};
	for (const { name, path, url } of defaultModelFiles) {
		aliases[model + name] = base ? new URL(`models/default/${path}`, base).href : url;
	}
	return aliases;
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
		const req = chatRequest(params);
		const conn = this.#usable();
		let { prompt } = req, dropped = 0;
		if (req.truncation === "auto") {
			const count = (text) => conn.request({ type: "count", text }).reply;
			({ prompt, dropped } = await fitChat(req.messages, req.maxTokens, count));
		}
		const gen = this.generate(prompt, req.options);
		const head = { id: completionId(), created: Math.floor(Date.now() / 1000), model: this.#model, dropped_messages: dropped };
		if (req.stream) {
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
	if (!cacheConn || cacheConn.dead) cacheConn = new Connection(null);
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
		if (o.aliases) conn.post({ type: "aliases", files: o.aliases });
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
