// Tests of phi2.js against a fake worker that speaks the engine's protocol,
// and of phi2-worker.js's start-up against a fake Go program.
// Run: node --test web/phi2_test.mjs
import { test as nodeTest } from "node:test";
import assert from "node:assert/strict";
import { resolveObjectURL } from "node:buffer";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, copyFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// A test that hangs (a promise never settled) fails after 5 s.
const test = (name, fn) => nodeTest(name, { timeout: 5000 }, fn);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const page = "https://app.example/chat/";
const base = "https://app.example/lib/";
globalThis.location = new URL(page + "index.html");

// ---- the fake worker ----

const info = {
	backend: "simd", adapter: "wasm SIMD, 1 thread(s)", fallbackReason: "", threads: 1, crossOriginIsolated: false, contextUsed: 0,
	model: { url: "", quant: "q4", layers: 32, hidden: 2560, vocab: 51200, contextLength: 2048, bytes: 1 },
};
const defaultTokens = [" Hello", ",", " world", "!"];

// FakeEngine answers the page's messages as the Go engine does. config:
// startError / startCrash (fail at start), tokens (texts of the tokens made),
// endless (maxTokens tokens), slow (a pause between tokens), finishReason,
// generateError, dieAfter (crash after n tokens), silentUnload, context (the
// context length, default 2048; a token is a character of the prompt).
class FakeEngine {
	constructor(worker, config) {
		this.worker = worker;
		this.config = config;
		this.running = null;
		this.busyRefusals = 0;
	}

	get context() {
		return this.config.context ?? 2048;
	}

	start() {
		const c = this.config;
		if (c.startCrash) this.worker.crash(c.startCrash);
		else if (c.startError) this.worker.emit({ type: "error", id: null, error: { code: "worker", ...c.startError } });
		else this.worker.emit({ type: "ready" });
	}

	async receive(m) {
		const w = this.worker;
		switch (m.type) {
		case "load":
			for (const [phase, done, total] of [["manifest", 1, 1], ["download", 50, 100], ["download", 100, 100], ["verify", 2, 2], ["load", 100, 100], ["ready", 1, 1]]) {
				w.emit({ type: "progress", id: m.id, phase, done, total, shard: 1, shards: 2, bytesPerSecond: 1e6, remainingSeconds: 3, fromCache: phase === "load" });
			}
			w.emit({ type: "done", id: m.id, result: { ...info, model: { ...info.model, url: m.model } } });
			break;
		case "generate":
			await this.generate(m);
			break;
		case "abort":
			if (this.running && this.running.id === m.id) this.running.aborted = true;
			break;
		case "info":
			w.emit({ type: "done", id: m.id, result: info });
			break;
		case "count":
			w.emit({ type: "done", id: m.id, result: { tokens: m.text.length, contextLength: this.context } });
			break;
		case "unload":
			if (!this.config.silentUnload) w.emit({ type: "done", id: m.id, result: null });
			break;
		case "cache":
			w.emit({ type: "done", id: m.id, result: m.op === "list" ? [{ url: "https://m.example/a/", bytes: 10, complete: true }] :
				m.op === "estimate" ? { usage: 1, quota: 2, persisted: true } : null });
			break;
		}
	}

	async generate(m) {
		const w = this.worker;
		const c = this.config;
		if (this.running) {
			this.busyRefusals++;
			w.emit({ type: "error", id: m.id, error: { code: "busy", message: "a generation is running", hint: "abort it first" } });
			return;
		}
		if (c.generateError) {
			w.emit({ type: "error", id: m.id, error: c.generateError });
			return;
		}
		if (m.prompt.length > this.context) {
			w.emit({ type: "error", id: m.id, error: { code: "context-full", message: `the prompt is ${m.prompt.length} tokens long`, hint: "shorten it" } });
			return;
		}
		const run = this.running = { id: m.id, aborted: false };
		const texts = c.endless ? Array.from({ length: m.options.maxTokens }, (_, i) => ` t${i}`) : c.tokens ?? defaultTokens;
		let text = "";
		let n = 0;
		for (const t of texts) {
			if (c.slow) await sleep(c.slow);
			if (run.aborted || w.terminated) break;
			if (c.dieAfter === n) {
				w.crash("out of memory");
				return;
			}
			w.emit({ type: "token", id: m.id, text: t, token: 100 + n });
			text += t;
			n++;
		}
		this.running = null;
		w.emit({ type: "done", id: m.id, result: { text, promptTokens: m.prompt.length, completionTokens: n,
			finishReason: run.aborted ? "aborted" : c.finishReason ?? "eos", ttftMs: 5, tokensPerSecond: 100 } });
	}
}

class FakeWorker {
	static all = [];
	static config = {};

	constructor(url, options) {
		this.url = String(url);
		this.options = options;
		this.sent = [];
		this.terminated = false;
		this.source = this.url.startsWith("blob:") ? resolveObjectURL(this.url).text() : null;
		this.engine = new FakeEngine(this, FakeWorker.config);
		FakeWorker.all.push(this);
		setTimeout(() => this.engine.start(), 0);
	}

	postMessage(m) {
		const copy = structuredClone(m); // as the browser does: functions and signals would throw
		this.sent.push(copy);
		setTimeout(() => { if (!this.terminated) this.engine.receive(copy); }, 0);
	}

	emit(m) {
		if (!this.terminated) this.onmessage?.({ data: structuredClone(m) });
	}

	crash(message) {
		this.onerror?.({ message, preventDefault() {} });
	}

	terminate() {
		this.terminated = true;
	}

	sentOf(type) {
		return this.sent.filter((m) => m.type === type);
	}
}

globalThis.Worker = FakeWorker;
const { Phi2, Phi2Error, chatPrompt, defaultModel } = await import("./phi2.js");
const moduleDir = new URL(".", import.meta.url).href;

// load starts an engine on a fake worker with config; it returns both.
async function load(config = {}, options = {}) {
	FakeWorker.config = config;
	const engine = await Phi2.load({ model: "models/m/", baseURL: base, ...options });
	return { engine, worker: FakeWorker.all.at(-1) };
}

async function collect(gen) {
	const chunks = [];
	for await (const c of gen) chunks.push(c);
	return chunks;
}

async function rejectsWith(promise, code, pattern) {
	await assert.rejects(promise, (e) => {
		assert.ok(e instanceof Phi2Error, `want a Phi2Error, got ${e}`);
		assert.equal(e.code, code, e.message);
		if (pattern) assert.match(e.message, pattern);
		assert.equal(typeof e.hint, "string");
		return true;
	});
}

// ---- load ----

test("load starts the worker, reports progress and sends the load message", async () => {
	const progress = [];
	const { engine, worker } = await load({}, { baseURL: "../lib", onProgress: (p) => progress.push(p) });
	assert.equal(worker.url, "https://app.example/lib/phi2-worker.js");
	assert.deepEqual(worker.options, { type: "module", name: "phi2" });
	assert.deepEqual(worker.sentOf("load").map(({ id, ...m }) => m), [{ type: "load", model: "https://app.example/chat/models/m/", backend: "auto" }]);
	assert.equal(engine.model, "https://app.example/chat/models/m/");
	assert.deepEqual(progress.map((p) => `${p.phase} ${p.done}/${p.total}`),
		["start 0/1", "start 1/1", "manifest 1/1", "download 50/100", "download 100/100", "verify 2/2", "load 100/100", "ready 1/1"]);
	assert.deepEqual(progress[3], { phase: "download", done: 50, total: 100, shard: 1, shards: 2, bytesPerSecond: 1e6, remainingSeconds: 3, fromCache: false });
	assert.equal(progress[0].fromCache, false);
	assert.equal(progress[6].fromCache, true);
	const got = await engine.info();
	assert.equal(got.adapter, "wasm SIMD, 1 thread(s)");
	await engine.unload();
});

test("load passes backend, quant, kvCache, context and maxStorageBytes; defaultModel is beside phi2.js", async () => {
	const { engine, worker } = await load({}, { model: undefined, backend: "simd", quant: "q8", kvCache: "q8", context: 512, maxStorageBytes: 5e9 });
	const [m] = worker.sentOf("load");
	assert.equal(m.model, new URL("models/default/", moduleDir).href);
	assert.equal(m.model, defaultModel);
	assert.equal(Phi2.defaultModel, defaultModel);
	assert.equal(m.backend, "simd");
	assert.equal(m.quant, "q8");
	assert.equal(m.kvCache, "q8");
	assert.equal(m.context, 512);
	assert.equal(m.maxStorageBytes, 5e9);
	await engine.unload();
});

test("the default model's files are aliased to where the assets are; other models are not", async () => {
	let { engine, worker } = await load({}, { model: undefined });
	assert.deepEqual(worker.sentOf("aliases").map((m) => m.files), [{
		[defaultModel + "manifest.json"]: base + "models/default/manifest.json",
		[defaultModel + "shard-00000.bin.br"]: base + "models/default/shard-00000.bin.br",
	}]);
	assert.ok(worker.sent.indexOf(worker.sentOf("aliases")[0]) < worker.sent.indexOf(worker.sentOf("load")[0]), "aliases go before the load");
	await engine.unload();
	({ engine, worker } = await load());
	assert.deepEqual(worker.sentOf("aliases"), []);
	await engine.unload();
	// Beside phi2.js the files are where the model says: aliased to themselves, to be read whole.
	({ engine, worker } = await load({}, { model: undefined, baseURL: undefined }));
	assert.deepEqual(worker.sentOf("aliases").map((m) => m.files), [{
		[defaultModel + "manifest.json"]: defaultModel + "manifest.json",
		[defaultModel + "shard-00000.bin.br"]: defaultModel + "shard-00000.bin.br",
	}]);
	assert.equal(await worker.source, `import ${JSON.stringify(new URL("phi2-worker.js", moduleDir).href)};\n`);
	await engine.unload();
});

test("load checks its options before starting a worker", async () => {
	const before = FakeWorker.all.length;
	await rejectsWith(Phi2.load({ backend: "cuda" }), "bad-request", /backend must be one of auto, webgpu, simd/);
	await rejectsWith(Phi2.load({ quant: "q3" }), "bad-request", /quant/);
	await rejectsWith(Phi2.load({ kvCache: "q4" }), "bad-request", /kvCache must be one of f32, f16, q8/);
	for (const context of [0, -1, 2.5, "512", 2 ** 20 + 1, Infinity]) {
		await rejectsWith(Phi2.load({ context }), "bad-request", /context must be an integer from 1 to 1048576/);
	}
	await rejectsWith(Phi2.load({ maxStorageBytes: NaN }), "bad-request", /maxStorageBytes must be a number > 0 \(got NaN\)/);
	await rejectsWith(Phi2.load({ maxStorageBytes: -1 }), "bad-request", /maxStorageBytes/);
	await rejectsWith(Phi2.load({ onProgress: "yes" }), "bad-request", /onProgress must be a function/);
	await rejectsWith(Phi2.load({ modle: "x" }), "bad-request", /unknown option "modle"/);
	await rejectsWith(Phi2.load({ model: "http://[::1" }), "bad-request", /not a valid URL/);
	assert.equal(FakeWorker.all.length, before);
});

test("a module on another origin starts through a blob: worker that imports it", async () => {
	const { engine, worker } = await load({}, { baseURL: "https://cdn.example/phi2/v1" });
	assert.match(worker.url, /^blob:/);
	assert.deepEqual(worker.options, { type: "module", name: "phi2" });
	assert.equal(await worker.source, 'import "https://cdn.example/phi2/v1/phi2-worker.js";\n');
	assert.equal(resolveObjectURL(worker.url), undefined, "the blob URL is revoked once the worker is ready");
	await engine.unload();
});

test("a worker that fails to start rejects load with code worker", async () => {
	await rejectsWith(load({ startCrash: "Failed to fetch a worker script" }).then((x) => x.engine), "worker", /Failed to fetch a worker script/);
	assert.equal(FakeWorker.all.at(-1).terminated, true);
	FakeWorker.config = { startError: { message: "phi2: fetching phi2.wasm: HTTP 404", hint: "serve phi2.wasm" } };
	await assert.rejects(Phi2.load({ baseURL: base }), (e) => e instanceof Phi2Error && e.code === "worker" &&
		e.message === "phi2: fetching phi2.wasm: HTTP 404" && e.hint === "serve phi2.wasm");
	assert.equal(FakeWorker.all.at(-1).terminated, true);
	assert.equal(FakeWorker.all.at(-1).sentOf("load").length, 0);
});

test("a load the engine refuses rejects with its error and ends the worker", async () => {
	FakeWorker.config = {};
	const p = Phi2.load({ baseURL: base });
	await sleep(1);
	const worker = FakeWorker.all.at(-1);
	worker.engine.receive = (m) => worker.emit({ type: "error", id: m.id, error: { code: "quota", message: "needs 1700 MB, 900 MB free", hint: "free space" } });
	await rejectsWith(p, "quota", /needs 1700 MB/);
	assert.equal(worker.terminated, true);
});

// ---- generate ----

test("generate streams the tokens and resolves the stats; defaults fill the options", async () => {
	const { engine, worker } = await load();
	const gen = engine.generate("Instruct: hi\nOutput:");
	const chunks = await collect(gen);
	assert.deepEqual(chunks, defaultTokens.map((text, i) => ({ text, token: 100 + i })));
	const stats = await gen.result;
	assert.deepEqual(stats, { text: " Hello, world!", promptTokens: 20, completionTokens: 4, finishReason: "eos", ttftMs: 5, tokensPerSecond: 100 });
	const [m] = worker.sentOf("generate");
	const { seed, ...rest } = m.options;
	assert.deepEqual(rest, { maxTokens: 256, temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1.1, stop: [] });
	assert.ok(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32, `seed ${seed}`);
	assert.equal(m.prompt, "Instruct: hi\nOutput:");
	const given = { maxTokens: 3, temperature: 0, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, seed: 42, stop: "\n" };
	await engine.generate("x", given).result;
	assert.deepEqual(worker.sentOf("generate")[1].options, { ...given, stop: ["\n"] });
	await engine.unload();
});

test("a slow reader loses no token", async () => {
	const tokens = Array.from({ length: 50 }, (_, i) => `w${i} `);
	const { engine } = await load({ tokens });
	const gen = engine.generate("p");
	let resultFirst = false;
	gen.result.then(() => { resultFirst = true; });
	const texts = [];
	for await (const c of gen) {
		texts.push(c.text);
		await sleep(1);
	}
	assert.ok(resultFirst, "the generation ended before the reader caught up");
	assert.deepEqual(texts, tokens);
	assert.equal((await gen.result).completionTokens, 50);
	await engine.unload();
});

test("a signal aborts a running generation; an aborted one never starts", async () => {
	const { engine, worker } = await load({ endless: true, slow: 2 });
	const ac = new AbortController();
	const gen = engine.generate("p", { maxTokens: 1000, signal: ac.signal });
	const texts = [];
	for await (const c of gen) {
		texts.push(c.text);
		if (texts.length === 3) ac.abort();
	}
	const stats = await gen.result;
	assert.equal(stats.finishReason, "aborted");
	assert.ok(stats.completionTokens < 1000);
	const [g] = worker.sentOf("generate");
	assert.deepEqual(worker.sentOf("abort"), [{ type: "abort", id: g.id }]);

	const sent = worker.sent.length;
	const done = new AbortController();
	done.abort();
	const never = engine.generate("p", { signal: done.signal });
	assert.deepEqual(await collect(never), []);
	assert.equal((await never.result).finishReason, "aborted");
	await sleep(5);
	assert.equal(worker.sent.length, sent, "nothing is sent for an aborted signal");
	await engine.unload();
});

test("leaving the loop aborts; the next generate waits for the abort to finish", async () => {
	const { engine, worker } = await load({ endless: true, slow: 2 });
	const gen = engine.generate("p", { maxTokens: 1000 });
	let n = 0;
	for await (const c of gen) {
		assert.equal(c.token, 100 + n);
		if (++n === 2) break;
	}
	const next = engine.generate("q", { maxTokens: 3 });
	assert.equal((await gen.result).finishReason, "aborted");
	const [first] = worker.sentOf("abort");
	assert.equal(first.id, worker.sentOf("generate")[0].id);
	const stats = await next.result;
	assert.equal(stats.finishReason, "eos");
	assert.equal(stats.text, " t0 t1 t2");
	assert.equal(worker.engine.busyRefusals, 0);
	await engine.unload();
});

test("a second generate while one runs is refused as busy", async () => {
	const { engine } = await load({ endless: true, slow: 2 });
	const a = engine.generate("p", { maxTokens: 20 });
	const b = engine.generate("q");
	await rejectsWith(b.result, "busy");
	await rejectsWith(collect(b), "busy");
	assert.equal((await a.result).completionTokens, 20);
	await engine.unload();
});

test("generate checks its options; nothing is sent for a bad one", async () => {
	const { engine, worker } = await load();
	const cases = [
		[{ temperature: -1 }, /temperature must be a number ≥ 0 \(got -1\)/, /greedy/],
		[{ temperature: Infinity }, /temperature/, /./],
		[{ topP: 1.5 }, /topP must be a number in \[0, 1\]/, /./],
		[{ minP: -0.1 }, /minP/, /./],
		[{ topK: 2.5 }, /topK must be an integer ≥ 0/, /./],
		[{ maxTokens: 0 }, /maxTokens must be an integer ≥ 1/, /256/],
		[{ seed: 2 ** 32 }, /seed/, /./],
		[{ repeatPenalty: 0 }, /repeatPenalty must be a number > 0/, /./],
		[{ maxTokens: "5" }, /maxTokens must be an integer ≥ 1 \(got "5"\)/, /./],
		[{ stop: [""] }, /stop/, /./],
		[{ signal: {} }, /signal must be an AbortSignal/, /./],
		[{ max_tokens: 5 }, /unknown option "max_tokens"/, /maxTokens/],
	];
	for (const [options, message, hint] of cases) {
		const gen = engine.generate("p", options);
		await assert.rejects(gen.result, (e) => e instanceof Phi2Error && e.code === "bad-request" && message.test(e.message) && hint.test(e.hint),
			JSON.stringify(options));
		await rejectsWith(collect(gen), "bad-request");
	}
	await rejectsWith(engine.generate(42).result, "bad-request", /prompt must be a string/);
	await sleep(5);
	assert.equal(worker.sentOf("generate").length, 0);
	await engine.unload();
});

test("an engine error reaches the reader as a Phi2Error with code and hint", async () => {
	const error = { code: "context-full", message: "the prompt has 3000 tokens; the context holds 2048", hint: "shorten the prompt" };
	const { engine } = await load({ generateError: error });
	const gen = engine.generate("p");
	await assert.rejects(collect(gen), (e) => {
		assert.ok(e instanceof Phi2Error && e instanceof Error);
		assert.deepEqual({ code: e.code, message: e.message, hint: e.hint }, error);
		assert.equal(e.name, "Phi2Error");
		return true;
	});
	await rejectsWith(gen.result, "context-full");
	await engine.unload();
});

test("a worker dying mid-generation ends it with code worker after the tokens it sent", async () => {
	const { engine, worker } = await load({ dieAfter: 2, tokens: ["a", "b", "c", "d"] });
	const gen = engine.generate("p");
	const texts = [];
	await assert.rejects((async () => { for await (const c of gen) texts.push(c.text); })(),
		(e) => e instanceof Phi2Error && e.code === "worker" && /out of memory/.test(e.message));
	assert.deepEqual(texts, ["a", "b"]);
	assert.equal(worker.terminated, true);
	await rejectsWith(gen.result, "worker");
	await rejectsWith(engine.info(), "worker");
	await rejectsWith(engine.generate("again").result, "worker");
	await engine.unload();
});

test("an engine exit reported after ready rejects the pending requests", async () => {
	const { engine, worker } = await load({ endless: true, slow: 2 });
	const gen = engine.generate("p", { maxTokens: 500 });
	await sleep(10);
	worker.emit({ type: "error", id: null, error: { code: "worker", message: "phi2: the engine exited with code 2: panic: x", hint: "reload" } });
	await rejectsWith(gen.result, "worker", /exited with code 2/);
	assert.equal(worker.terminated, true);
	await engine.unload();
});

test("fallback messages reach onFallback and the generation goes on", async () => {
	const fallbacks = [];
	const { engine, worker } = await load({ endless: true, slow: 2 }, { onFallback: (f) => fallbacks.push(f) });
	const gen = engine.generate("p", { maxTokens: 6 });
	await sleep(6);
	const id = worker.sentOf("generate")[0].id;
	worker.emit({ type: "fallback", id, reason: "WebGPU device lost", info: { ...info, backend: "simd" } });
	assert.equal((await gen.result).completionTokens, 6);
	assert.deepEqual(fallbacks, [{ reason: "WebGPU device lost", info: { ...info, backend: "simd" } }]);
	await engine.unload();
});

// ---- chat ----

test("chatPrompt writes Phi-2's QA format for a multi-turn conversation", () => {
	assert.equal(chatPrompt([
		{ role: "system", content: "You are terse." },
		{ role: "user", content: "Capital of France?" },
		{ role: "assistant", content: "Paris." },
		{ role: "user", content: [{ type: "text", text: "And of " }, { type: "text", text: "Italy?" }] },
	]), "You are terse.\nInstruct: Capital of France?\nOutput: Paris.\nInstruct: And of Italy?\nOutput:");
	assert.equal(chatPrompt([{ role: "user", content: "a" }, { role: "user", content: "b" }]), "Instruct: a\nOutput:\nInstruct: b\nOutput:");
	assert.equal(chatPrompt([{ role: "user", content: "Count" }, { role: "assistant", content: "1, 2," }]), "Instruct: Count\nOutput: 1, 2,");
	assert.throws(() => chatPrompt([]), (e) => e.code === "bad-request");
	assert.throws(() => chatPrompt([{ role: "tool", content: "x" }]), /role "tool" is not supported/);
	assert.throws(() => chatPrompt([{ role: "user", content: "x" }, { role: "system", content: "y" }]), /last message/);
	assert.throws(() => chatPrompt([{ role: "user", content: { image: 1 } }]), /content must be a string/);
});

const conversation = [
	{ role: "system", content: "Answer briefly." },
	{ role: "user", content: "Capital of France?" },
	{ role: "assistant", content: "Paris." },
	{ role: "user", content: "Of Italy?" },
];
const reply = [" ", " Rome", " is", " its", " capital", ".", "\n", " "];

test("chat completion: prompt, mapped options and the chat.completion shape", async () => {
	const { engine, worker } = await load({ tokens: reply });
	const before = Math.floor(Date.now() / 1000);
	const res = await engine.chat.completions.create({ messages: conversation, max_tokens: 64, temperature: 0.2, top_p: 0.9, seed: 7,
		stop: ["###"], model: "phi-2" });
	const [m] = worker.sentOf("generate");
	assert.equal(m.prompt, "Answer briefly.\nInstruct: Capital of France?\nOutput: Paris.\nInstruct: Of Italy?\nOutput:");
	assert.deepEqual(m.options, { maxTokens: 64, temperature: 0.2, topK: 40, topP: 0.9, minP: 0.05, repeatPenalty: 1.1, seed: 7,
		stop: ["###", "\nInstruct:", "<|endoftext|>"] });
	await engine.chat.completions.create({ messages: conversation, top_k: 5, min_p: 0.2, repetition_penalty: 1.3 });
	const [, ext] = worker.sentOf("generate");
	assert.deepEqual([ext.options.topK, ext.options.minP, ext.options.repeatPenalty], [5, 0.2, 1.3]);
	assert.match(res.id, /^chatcmpl-[0-9a-f]{24}$/);
	assert.ok(res.created >= before && res.created <= Math.floor(Date.now() / 1000) && Number.isInteger(res.created));
	const { id, created, ...rest } = res;
	assert.deepEqual(rest, {
		object: "chat.completion",
		model: "https://app.example/chat/models/m/",
		dropped_messages: 0,
		choices: [{ index: 0, message: { role: "assistant", content: "Rome is its capital." }, finish_reason: "stop" }],
		usage: { prompt_tokens: m.prompt.length, completion_tokens: reply.length, total_tokens: m.prompt.length + reply.length },
	});
	await engine.unload();
});

test("chat stream: chunks join to the same reply and end with finish_reason", async () => {
	const { engine } = await load({ tokens: reply, finishReason: "context" });
	const stream = await engine.chat.completions.create({ messages: conversation, stream: true });
	const chunks = [];
	for await (const c of stream) chunks.push(c);
	assert.ok(chunks.length >= 3);
	for (const c of chunks) {
		assert.equal(c.object, "chat.completion.chunk");
		assert.equal(c.id, chunks[0].id);
		assert.equal(c.model, "https://app.example/chat/models/m/");
		assert.equal(c.choices.length, 1);
		assert.equal(c.choices[0].index, 0);
	}
	assert.deepEqual(chunks[0].choices[0], { index: 0, delta: { role: "assistant", content: "" }, finish_reason: null });
	const middle = chunks.slice(1, -1);
	assert.ok(middle.every((c) => c.choices[0].finish_reason === null && c.choices[0].delta.content !== "" && c.usage === undefined));
	assert.equal(middle.map((c) => c.choices[0].delta.content).join(""), "Rome is its capital.");
	const last = chunks.at(-1);
	assert.deepEqual(last.choices[0], { index: 0, delta: {}, finish_reason: "length" });
	assert.equal(last.usage.completion_tokens, reply.length);
	await engine.unload();
});

test("chat stream: leaving the loop aborts the generation", async () => {
	const { engine, worker } = await load({ endless: true, slow: 2 });
	const stream = await engine.chat.completions.create({ messages: [{ role: "user", content: "go" }], stream: true, max_tokens: 1000 });
	let n = 0;
	for await (const c of stream) if (++n === 3) break;
	await sleep(20);
	assert.equal(worker.sentOf("abort").length, 1);
	assert.equal(worker.engine.running, null, "the engine stopped generating");
	await engine.unload();
});

test("chat checks its parameters and names them as given", async () => {
	const { engine, worker } = await load();
	const create = (p) => engine.chat.completions.create({ messages: conversation, ...p });
	await rejectsWith(create({ top_p: 3 }), "bad-request", /^top_p must be a number in \[0, 1\]/);
	await rejectsWith(create({ max_tokens: -2 }), "bad-request", /^max_tokens must be/);
	await rejectsWith(create({ n: 2 }), "bad-request", /n must be 1/);
	await rejectsWith(create({ frequency_penalty: 1 }), "bad-request", /unknown option "frequency_penalty"/);
	await rejectsWith(create({ messages: [] }), "bad-request", /messages/);
	await rejectsWith(create({ stream: "yes" }), "bad-request", /stream/);
	const ac = new AbortController();
	ac.abort();
	const aborted = await create({ signal: ac.signal, temperature: null });
	assert.equal(aborted.choices[0].finish_reason, "aborted");
	assert.equal(aborted.choices[0].message.content, "");
	await sleep(5);
	assert.equal(worker.sentOf("generate").length, 0);
	await engine.unload();
});

// A conversation of a system message, n turns of about 80 characters
// (tokens, to the fake engine) and a last question.
function longConversation(n) {
	const said = (i) => `message ${i} `.padEnd(30, ".");
	const messages = [{ role: "system", content: "Be brief." }];
	for (let i = 0; i < n; i++) messages.push({ role: "user", content: said(i) }, { role: "assistant", content: said(i) + "!" });
	return [...messages, { role: "user", content: "last question" }];
}

test("chat leaves out the oldest turns, whole, until the prompt fits with room for the reply, and says how many", async () => {
	const { engine, worker } = await load({ context: 200 });
	const messages = longConversation(5);
	const res = await engine.chat.completions.create({ messages, max_tokens: 40 });
	// Room for 40 tokens of reply: the prompt may take 160 of the 200.
	let turns = 0, kept;
	do {
		turns++;
		kept = [messages[0], ...messages.slice(1 + 2 * turns)];
	} while (chatPrompt(kept).length > 160);
	assert.ok(turns > 1 && turns < 5, `${turns} turns left out`);
	const [m] = worker.sentOf("generate");
	assert.equal(m.prompt, chatPrompt(kept));
	assert.ok(m.prompt.startsWith("Be brief.\nInstruct: message "), "the system message stays, turns start with the user's");
	assert.equal(res.dropped_messages, 2 * turns);
	assert.ok(worker.sentOf("count").length <= 1 + Math.ceil(Math.log2(6)), "a binary search, not a count per turn");

	const stream = await engine.chat.completions.create({ messages, max_tokens: 40, stream: true });
	for await (const c of stream) assert.equal(c.dropped_messages, 2 * turns);
	// A bigger reply leaves room for fewer turns: max_tokens counts, up to half the context.
	const short = await engine.chat.completions.create({ messages, max_tokens: 1000 });
	assert.ok(short.dropped_messages > res.dropped_messages);
	assert.ok(worker.sentOf("generate").at(-1).prompt.length <= 100);
	await engine.unload();
});

test("chat sends a conversation that fits whole; a last turn too long alone fails with context-full", async () => {
	const { engine, worker } = await load({ context: 100 });
	const fits = await engine.chat.completions.create({ messages: conversation, max_tokens: 8 });
	assert.equal(fits.dropped_messages, 0);
	assert.equal(worker.sentOf("generate")[0].prompt, chatPrompt(conversation));
	assert.equal(worker.sentOf("count").length, 1);

	const long = "x".repeat(150);
	await rejectsWith(engine.chat.completions.create({ messages: [...conversation, { role: "assistant", content: "Rome." },
		{ role: "user", content: long }] }), "context-full");
	assert.equal(worker.sentOf("generate").at(-1).prompt, `Answer briefly.\nInstruct: ${long}\nOutput:`, "everything else was left out");
	const counted = worker.sentOf("count").length;
	await rejectsWith(engine.chat.completions.create({ messages: [{ role: "user", content: long }] }), "context-full");
	assert.equal(worker.sentOf("count").length, counted, "a single turn has nothing to leave out: no count");
	await engine.unload();
});

test("chat with truncation disabled sends every message, and a prompt over the context fails", async () => {
	const { engine, worker } = await load({ context: 200 });
	const messages = longConversation(5);
	await rejectsWith(engine.chat.completions.create({ messages, truncation: "disabled" }), "context-full");
	assert.equal(worker.sentOf("generate")[0].prompt, chatPrompt(messages));
	assert.equal(worker.sentOf("count").length, 0);
	const res = await engine.chat.completions.create({ messages: longConversation(1), truncation: "disabled", max_tokens: 150 });
	assert.equal(res.dropped_messages, 0, "no room for the reply, yet nothing is left out");
	await rejectsWith(engine.chat.completions.create({ messages, truncation: "oldest" }), "bad-request", /^truncation must be "auto" or "disabled" \(got "oldest"\)/);
	await engine.unload();
});

// ---- cache, info, unload ----

test("Phi2.cache starts a worker when no engine is loaded and reuses it", async () => {
	const before = FakeWorker.all.length;
	FakeWorker.config = {};
	assert.deepEqual(await Phi2.cache.list(), [{ url: "https://m.example/a/", bytes: 10, complete: true }]);
	assert.deepEqual(await Phi2.cache.estimate(), { usage: 1, quota: 2, persisted: true });
	assert.equal(await Phi2.cache.delete("../models/x/"), undefined);
	assert.equal(await Phi2.cache.clear(), undefined);
	assert.equal(FakeWorker.all.length, before + 1);
	const worker = FakeWorker.all.at(-1);
	assert.deepEqual(worker.sentOf("cache").map(({ id, ...m }) => m), [
		{ type: "cache", op: "list" }, { type: "cache", op: "estimate" },
		{ type: "cache", op: "delete", url: "https://app.example/models/x/" }, { type: "cache", op: "clear" },
	]);
	assert.equal(new Set(worker.sent.map((m) => m.id)).size, 4, "ids are distinct");
});

test("Phi2.cache and engine.cache use a loaded engine's worker", async () => {
	const { engine, worker } = await load();
	const before = FakeWorker.all.length;
	await Phi2.cache.list();
	await engine.cache.estimate();
	assert.equal(FakeWorker.all.length, before);
	assert.deepEqual(worker.sentOf("cache").map((m) => m.op), ["list", "estimate"]);
	await engine.unload();
});

test("unload ends the worker after the reply; the engine then refuses calls", async () => {
	const { engine, worker } = await load();
	await engine.unload();
	assert.equal(worker.sentOf("unload").length, 1);
	assert.equal(worker.terminated, true);
	await rejectsWith(engine.generate("p").result, "not-loaded");
	await rejectsWith(engine.info(), "not-loaded");
	await rejectsWith(engine.chat.completions.create({ messages: conversation }), "not-loaded");
	await engine.unload(); // a second unload is a no-op
});

test("unload gives up waiting for a silent engine after 2 s", async (t) => {
	const { engine, worker } = await load({ silentUnload: true });
	t.mock.timers.enable({ apis: ["setTimeout"] });
	let finished = false;
	const p = engine.unload().then(() => { finished = true; });
	await Promise.resolve();
	t.mock.timers.tick(1900);
	await Promise.resolve();
	assert.equal(finished, false);
	assert.equal(worker.terminated, false);
	t.mock.timers.tick(200);
	await p;
	assert.equal(worker.terminated, true);
});

// ---- the worker script ----

test("phi2-worker.js parses", () => {
	execFileSync(process.execPath, ["--check", fileURLToPath(new URL("phi2-worker.js", import.meta.url))]);
});

// The worker script runs here in a directory of its own beside a fake
// kernels.js and a fake wasm_exec.js whose Go program is the current
// scenario; the globals a worker has are set for each run.
const dir = mkdtempSync(join(tmpdir(), "phi2-worker-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
for (const name of ["phi2-worker.js", "phi2-aliases.js"]) copyFileSync(fileURLToPath(new URL(name, import.meta.url)), join(dir, name));
writeFileSync(join(dir, "kernels.js"), `export function relaxedSIMD() { return globalThis.workerRun.relaxed; }
export function phi2Imports(goMemory, module, options) {
	globalThis.workerRun.imports.push(options);
	return { ready: Promise.resolve(), close() { globalThis.workerRun.closed = true; } };
}
`);
writeFileSync(join(dir, "wasm_exec.js"), `globalThis.fs ??= { writeSync(fd, buf) { return buf.length; } };
globalThis.Go = class {
	constructor() { this.argv = ["js"]; this.env = {}; this.importObject = { gojs: {} }; this.exit = () => {}; }
	run(instance) { return globalThis.workerRun.program(this, instance); }
};
`);
const emptyModule = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
writeFileSync(join(dir, "phi2.wasm"), emptyModule);
writeFileSync(join(dir, "kernels.wasm"), emptyModule);
writeFileSync(join(dir, "kernels-relaxed.wasm"), emptyModule);
const workerURL = pathToFileURL(join(dir, "phi2-worker.js")).href;
let runs = 0;

// startWorker runs the worker script with program as the Go program; it
// resolves with the run's record once posted has a message of type until.
async function startWorker(program, { until = "ready", missing = "", isolated = false, relaxed = false } = {}) {
	const run = { imports: [], posted: [], fetched: [], program, closed: false, relaxed };
	const saved = { self: globalThis.self, postMessage: globalThis.postMessage, fetch: globalThis.fetch, navigator: globalThis.navigator,
		crossOriginIsolated: globalThis.crossOriginIsolated };
	globalThis.workerRun = run;
	globalThis.self = { location: new URL(workerURL), listeners: {}, addEventListener(type, fn) { this.listeners[type] = fn; } };
	globalThis.postMessage = (m) => run.posted.push(structuredClone(m));
	globalThis.crossOriginIsolated = isolated;
	Object.defineProperty(globalThis, "navigator", { value: { hardwareConcurrency: 8 }, configurable: true, writable: true });
	globalThis.fetch = async (url) => {
		const name = new URL(url).pathname.split("/").pop();
		run.fetched.push(name);
		if (name === missing) return new Response("no", { status: 404 });
		// kernels.wasm is served with a wrong type: it is compiled from bytes.
		const type = name === "phi2.wasm" ? "application/wasm" : "application/octet-stream";
		return new Response(readFileSync(join(dir, name)), { headers: { "Content-Type": type } });
	};
	try {
		await import(`${workerURL}?run=${++runs}`);
		run.scope = globalThis.self;
		for (let i = 0; i < 200 && !run.posted.some((m) => m.type === until); i++) await sleep(2);
	} finally {
		Object.assign(globalThis, { self: saved.self, postMessage: saved.postMessage, fetch: saved.fetch, crossOriginIsolated: saved.crossOriginIsolated });
		Object.defineProperty(globalThis, "navigator", { value: saved.navigator, configurable: true, writable: true });
	}
	return run;
}

test("the worker's aliases send the engine's requests for a file where it is served, whole", async () => {
	const asked = [];
	const ranges = [];
	const saved = globalThis.fetch;
	globalThis.fetch = async (input, init) => {
		asked.push(typeof input === "string" ? input : input.url);
		ranges.push(new Headers(init?.headers).get("Range"));
		return new Response("xyz", { headers: { "Content-Type": "application/json" } }); // no length, as a compressed answer
	};
	let lengths;
	try {
		const { addAliases } = await import("./phi2-aliases.js");
		addAliases({ "https://app.example/assets/models/default/manifest.json": "https://app.example/assets/manifest-1a2b.json" });
		const answers = [
			await fetch("https://app.example/assets/models/default/manifest.json", { headers: { Range: "bytes=0-0", "If-Range": "\"v1\"" } }),
			await fetch(new Request("https://app.example/assets/models/default/manifest.json")),
			await fetch("https://app.example/other.json", { headers: { Range: "bytes=0-0" } }),
		];
		lengths = answers.map((r) => r.headers.get("Content-Length"));
		assert.equal(await answers[0].text(), "xyz");
	} finally {
		globalThis.fetch = saved;
	}
	assert.deepEqual(asked, ["https://app.example/assets/manifest-1a2b.json", "https://app.example/assets/manifest-1a2b.json", "https://app.example/other.json"]);
	assert.deepEqual(ranges, [null, null, "bytes=0-0"], "an aliased file is asked for whole; other requests are left as they are");
	assert.deepEqual(lengths, ["3", "3", null], "an aliased file's answer states its length");
});

test("the worker queues messages until phi2Ready, then hands them over and posts ready", async () => {
	const handled = [];
	let go;
	const run = await startWorker(async (g) => {
		go = g;
		// Messages arrive while the engine is still starting.
		const scope = globalThis.self;
		scope.onmessage({ data: { type: "info", id: 1 } });
		scope.onmessage({ data: { type: "cache", id: 2, op: "list" } });
		globalThis.phi2Ready((m) => handled.push(m));
		scope.onmessage({ data: { type: "info", id: 3 } });
		assert.deepEqual(handled, [], "nothing is handed over inside phi2Ready");
		return new Promise(() => {}); // the engine keeps running
	});
	assert.deepEqual(run.posted, [{ type: "ready" }]);
	assert.deepEqual(handled.map((m) => m.id), [1, 2, 3]);
	run.scope.onmessage({ data: { type: "info", id: 4 } });
	assert.deepEqual(handled.map((m) => m.id), [1, 2, 3, 4]);
	assert.deepEqual(go.argv, ["phi2-web"]);
	assert.deepEqual(go.env, { PHI2_THREADS: "1" });
	assert.equal(typeof go.importObject.phi2.close, "function", "the phi2 imports are in place");
	assert.equal(run.imports[0].threads, 1);
});

test("the worker loads kernels-relaxed.wasm where relaxed SIMD validates, else kernels.wasm", async () => {
	for (const relaxed of [true, false]) {
		const run = await startWorker(() => {
			globalThis.phi2Ready(() => {});
			return new Promise(() => {});
		}, { relaxed });
		const kernels = run.fetched.filter((name) => name.startsWith("kernels"));
		assert.deepEqual(kernels, [relaxed ? "kernels-relaxed.wasm" : "kernels.wasm"]);
	}
});

test("the worker uses up to 4 kernel threads when cross-origin isolated", async () => {
	let go;
	const run = await startWorker((g) => {
		go = g;
		globalThis.phi2Ready(() => {});
		return new Promise(() => {});
	}, { isolated: true });
	assert.equal(run.imports[0].threads, 4);
	assert.equal(go.env.PHI2_THREADS, "4");
});

test("the worker reports an engine exit with the engine's last output", async () => {
	const run = await startWorker(async (g) => {
		globalThis.fs.writeSync(2, new TextEncoder().encode("panic: index out of range\ngoroutine 1 [running]:\n"));
		g.exit(2);
	}, { until: "error" });
	assert.equal(run.posted.length, 1);
	const [m] = run.posted;
	assert.equal(m.type, "error");
	assert.equal(m.id, null);
	assert.equal(m.error.code, "worker");
	assert.match(m.error.message, /exited with code 2: panic: index out of range/);
	assert.ok(m.error.hint.length > 0);
	assert.equal(run.closed, true, "the kernel threads are closed");
});

test("an uncaught exception while starting is reported; after ready it is only logged", async () => {
	let run = await startWorker(() => {
		globalThis.self.listeners.error({ error: new Error("boom"), preventDefault() {} });
		return new Promise(() => {});
	}, { until: "error" });
	assert.equal(run.posted.length, 1);
	assert.equal(run.posted[0].error.code, "worker");
	assert.match(run.posted[0].error.message, /failed while starting: boom/);
	let prevented = false;
	const logged = [];
	const consoleError = console.error;
	console.error = (m) => logged.push(m);
	try {
		run = await startWorker(() => {
			globalThis.phi2Ready(() => {});
			return new Promise(() => {});
		});
		run.scope.listeners.error({ error: new Error("late"), preventDefault() { prevented = true; } });
	} finally {
		console.error = consoleError;
	}
	assert.deepEqual(run.posted, [{ type: "ready" }]);
	assert.ok(prevented, "the error does not reach the page");
	assert.deepEqual(logged, ["phi2: late"]);
});

test("the worker reports a file it cannot fetch", async () => {
	const run = await startWorker(() => assert.fail("the program must not run"), { until: "error", missing: "phi2.wasm" });
	assert.equal(run.posted.length, 1);
	const { error } = run.posted[0];
	assert.equal(error.code, "worker");
	assert.match(error.message, /phi2\.wasm: HTTP 404/);
	assert.match(error.hint, /wasm_exec\.js/);
});
