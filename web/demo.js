// The phi2web demo page: pick and load a model, then generate or chat with
// it; all output is rendered as text.
//
// Hooks for automated tests (stable):
//   body[data-state]      "idle" | "loading" | "ready" | "generating" | "error"
//   #model                model select (values are absolute model URLs, or "custom")
//   #custom-url           custom model URL (shown when #model is "custom")
//   #backend              "auto" | "webgpu" | "simd"
//   #load, #unload        buttons
//   #progress             load progress; [data-phase] is the last phase seen
//   #badge                backend after load; [data-backend] "webgpu" | "simd" | "none"
//   #mode                 "completion" | "chat"
//   #prompt, #generate, #stop, #chat-reset
//   #output               generated text (completion) or the transcript (chat: .turn.user / .turn.assistant,
//                         each with .who; .turn.dropped for the oldest turns that no longer fit the context,
//                         with a .context-note above the first turn the reply still reads)
//   #mode-note            how chat turns reach the model (shown in chat mode)
//   #stats                [data-finish] finish reason, [data-tokens] completion tokens
//   #error                [data-code] Phi2Error code; #error-message, #error-hint, #error-action, #error-close
//   #cache                stored-models panel; #cache-list li[data-url] with button.delete, #cache-clear,
//                         #cache-refresh, #cache-estimate
//   #max-tokens #temperature #top-k #top-p #min-p #repeat-penalty #seed   sampling settings
// URL parameters: ?model=URL&backend=auto|webgpu|simd&mode=chat&autoload (load at once)&nosw (no service worker)
// &maxStorageMB=N (refuse to store a model larger than N MB).
import { chatNote, isPhi2, isSample, modelName, samplePrompt } from "./demo-model.js";
import { duration, MB, size } from "./demo-format.js";

const $ = (id) => document.getElementById(id);
const ui = {
	model: $("model"), modelDesc: $("model-desc"), customRow: $("custom-row"), customURL: $("custom-url"),
	backend: $("backend"), load: $("load"), unload: $("unload"),
	progress: $("progress"), progressPhase: $("progress-phase"), progressShard: $("progress-shard"),
	progressTrack: $("progress-track"), progressBar: $("progress-bar"), progressDetail: $("progress-detail"),
	badge: $("badge"), fallbackNote: $("fallback-note"), isolationNote: $("isolation-note"),
	mode: $("mode"), modeNote: $("mode-note"), prompt: $("prompt"), generate: $("generate"), stop: $("stop"),
	chatReset: $("chat-reset"), output: $("output"), stats: $("stats"),
	error: $("error"), errorMessage: $("error-message"), errorHint: $("error-hint"),
	errorAction: $("error-action"), errorClose: $("error-close"),
	settings: $("settings"), settingsReset: $("settings-reset"),
	cache: $("cache"), cacheList: $("cache-list"), cacheClear: $("cache-clear"), cacheRefresh: $("cache-refresh"),
	cacheEstimate: $("cache-estimate"), envGPU: $("env-gpu"),
};
const params = new URL(location.href).searchParams;
const CUSTOM = "custom";
const HF_URL = "https://huggingface.co/microsoft/phi-2/resolve/main/";
const descriptions = new Map([[HF_URL, "Read straight from Hugging Face (5.6 GB of fp16 weights), " +
	"quantized to q4 in this page and stored (about 1.6 GB). Later loads are offline."]]);

// Sampling settings: input id → option name and default.
const SETTINGS = [
	["max-tokens", "maxTokens", 256], ["temperature", "temperature", 0.7], ["top-k", "topK", 40],
	["top-p", "topP", 0.95], ["min-p", "minP", 0.05], ["repeat-penalty", "repeatPenalty", 1.1], ["seed", "seed", ""],
];

let lib = null; // the phi2.js module, once imported
let started = false; // the page is set up: models listed, choices restored
let engine = null;
let phase = "idle"; // idle | loading | ready | generating
let errorShown = false;
let running = null; // AbortController of the generation in progress
let lastAction = null; // what Retry repeats
let transcript = []; // chat messages [{role, content}]
let loaded = null; // the model loaded: {name, phi2, contextLength}

// Remembered choices, in localStorage when the browser allows it.
const saved = {
	get(key, fallback) {
		try {
			const v = localStorage.getItem("phi2web." + key);
			return v === null ? fallback : JSON.parse(v);
		} catch { return fallback; }
	},
	set(key, value) {
		try { localStorage.setItem("phi2web." + key, JSON.stringify(value)); } catch { /* storage disabled */ }
	},
};

function render() {
	// Until the page is set up the body has no state, so a test waiting for
	// "idle" cannot click Load before there is a model list to load from.
	if (started) document.body.dataset.state = errorShown ? "error" : phase;
	const loading = phase === "loading", generating = phase === "generating";
	ui.load.disabled = !lib || loading || generating;
	ui.unload.disabled = !engine || loading || generating;
	ui.model.disabled = ui.backend.disabled = ui.customURL.disabled = loading;
	ui.generate.disabled = !engine || loading || generating;
	ui.stop.disabled = !generating;
	ui.mode.disabled = generating;
	ui.chatReset.disabled = generating || transcript.length === 0;
	ui.load.textContent = loading ? "Loading…" : engine ? "Reload" : "Load";
	ui.generate.textContent = generating ? "Generating…" : ui.mode.value === "chat" ? "Send" : "Generate";
}

// ---- errors -------------------------------------------------------------

function asError(err) {
	if (err && typeof err.code === "string") {
		return { code: err.code, message: String(err.message || err.code), hint: String(err.hint || "") };
	}
	return { code: "internal", message: String(err?.message || err), hint: "Reload the page; if it happens again, the browser console has details." };
}

const errorActions = {
	"webgpu-unavailable": ["Use wasm SIMD", () => reloadWith({ backend: "simd", autoload: "" })],
	quota: ["Manage storage", openCache],
	"not-found": ["Enter another URL", focusCustomURL],
};

// actionFor is the way forward from an error of code. A prompt that alone
// overflows the context fails again on Retry: start over and shorten it.
function actionFor(code) {
	if (code === "context-full") {
		return ui.mode.value === "chat" ? ["New conversation", resetChat] : ["Shorten the prompt", () => ui.prompt.focus()];
	}
	return errorActions[code] || ["Retry", retry];
}

function showError(err) {
	const e = asError(err);
	ui.error.dataset.code = e.code;
	ui.errorMessage.textContent = e.message;
	ui.errorHint.textContent = e.hint;
	ui.errorHint.hidden = !e.hint;
	const [label, action] = actionFor(e.code);
	ui.errorAction.textContent = label;
	ui.errorAction.onclick = () => { hideError(); action(); };
	ui.error.hidden = false;
	errorShown = true;
	render();
}

function hideError() {
	ui.error.hidden = true;
	ui.error.dataset.code = "";
	errorShown = false;
	render();
}

function retry() {
	if (lastAction) lastAction();
}

function reloadWith(changes) {
	const url = new URL(location.href);
	url.searchParams.set("model", selectedModelURL() || "");
	for (const [k, v] of Object.entries(changes)) url.searchParams.set(k, v);
	location.assign(url.href);
}

function focusCustomURL() {
	ui.model.value = CUSTOM;
	modelChanged();
	ui.customURL.focus();
	ui.customURL.select();
}

// ---- model picker -------------------------------------------------------

async function fillModels() {
	const known = new Set([...ui.model.options].map((o) => o.value));
	let entries = [];
	try {
		const url = new URL("models.json", location.href);
		const res = await fetch(url);
		if (res.ok) {
			const list = await res.json();
			entries = (Array.isArray(list) ? list : []).filter((m) => m && typeof m.url === "string")
				.map((m) => ({ ...m, url: new URL(m.url, url).href }));
		}
	} catch { /* no list: the built-in entries remain */ }
	const def = lib ? new URL(lib.Phi2.defaultModel, location.href).href : "";
	entries.sort((a, b) => (b.url === def) - (a.url === def));
	const first = ui.model.options[0];
	for (const m of entries) {
		if (known.has(m.url)) continue;
		const opt = document.createElement("option");
		opt.value = m.url;
		opt.textContent = String(m.title || m.name || m.url);
		descriptions.set(m.url, String(m.description || ""));
		ui.model.insertBefore(opt, first);
	}
}

function selectedModelURL() {
	if (ui.model.value !== CUSTOM) return ui.model.value;
	const raw = ui.customURL.value.trim();
	if (!raw) return "";
	try { return new URL(raw, location.href).href; } catch { return ""; }
}

function modelChanged() {
	const custom = ui.model.value === CUSTOM;
	ui.customRow.hidden = !custom;
	ui.modelDesc.textContent = custom ? "" : descriptions.get(ui.model.value) || "";
	ui.modelDesc.hidden = !ui.modelDesc.textContent;
	saved.set("model", ui.model.value);
	fitToModel();
}

// titleOf is the model list's title of the model at url ("" if unlisted).
function titleOf(url) {
	const opt = [...ui.model.options].find((o) => o.value === url && o.value !== CUSTOM);
	return opt ? opt.textContent : "";
}

// shownModel is the model the page speaks of: the one loaded, else the
// one picked (whether it is Phi-2 then guessed from its name).
function shownModel() {
	if (loaded) return loaded;
	const url = selectedModelURL();
	const name = url ? modelName(url, titleOf(url)) : "the model";
	return { name, phi2: isPhi2(null, name) };
}

// fitToModel matches the chat note, the prompt's placeholder and, unless
// the visitor wrote their own, the prompt to the model and the mode.
function fitToModel() {
	const { name, phi2 } = shownModel();
	const chat = ui.mode.value === "chat";
	ui.modeNote.replaceChildren(...chatNote(name, phi2).map((part, i) => i % 2 ? element("code", "", part) : part));
	ui.prompt.placeholder = chat ? `Ask ${name} something…` : `Text for ${name} to continue…`;
	if (isSample(ui.prompt.value)) ui.prompt.value = samplePrompt(phi2, ui.mode.value);
}

function restoreChoices() {
	let model = params.get("model") || saved.get("model", "");
	if (model && model !== CUSTOM) {
		try { model = new URL(model, location.href).href; } catch { model = ""; }
	}
	ui.customURL.value = saved.get("customURL", "");
	if (model && [...ui.model.options].some((o) => o.value === model)) {
		ui.model.value = model;
	} else if (model && model !== CUSTOM && params.has("model")) {
		ui.model.value = CUSTOM;
		ui.customURL.value = model;
	} else if (model === CUSTOM) {
		ui.model.value = CUSTOM;
	} else {
		ui.model.selectedIndex = 0; // the default model, listed first
	}
	const backend = params.get("backend") || saved.get("backend", "auto");
	if (["auto", "webgpu", "simd"].includes(backend)) ui.backend.value = backend;
	const mode = params.get("mode") || saved.get("mode", "completion");
	if (["completion", "chat"].includes(mode)) ui.mode.value = mode;
	modelChanged();
	modeChanged(false);
}

// ---- load / unload --------------------------------------------------------

const PHASES = {
	start: "Starting the engine",
	manifest: "Reading the model manifest",
	download: "Downloading the model",
	verify: "Decoding and verifying the downloaded shards",
	convert: "Converting Hugging Face weights (read and quantized in this page)",
	load: "Reading the stored model from this browser's storage into the backend",
	ready: "Ready",
};

let pendingProgress = null;
function onProgress(p) {
	if (!pendingProgress) requestAnimationFrame(drawProgress);
	pendingProgress = p;
}

function drawProgress() {
	const p = pendingProgress;
	pendingProgress = null;
	if (!p) return;
	ui.progress.hidden = false;
	ui.progress.dataset.phase = p.phase || "";
	let label = PHASES[p.phase] || String(p.phase || "");
	if (p.phase === "download" && p.fromCache) label = "Reading the stored copy";
	ui.progressPhase.textContent = label;
	ui.progressShard.textContent = p.shards > 0 && p.phase !== "ready" ? `shard ${Math.min(p.shard + 1, p.shards)} of ${p.shards}` : "";
	// "start" (the worker and engine starting) counts steps, not bytes.
	const total = p.phase === "start" ? 0 : Number(p.total) || 0, done = Math.min(Number(p.done) || 0, total);
	const fraction = p.phase === "ready" ? 1 : total > 0 ? done / total : 0;
	ui.progressTrack.classList.toggle("indeterminate", total === 0 && p.phase !== "ready");
	ui.progressBar.style.width = `${(fraction * 100).toFixed(1)}%`;
	ui.progressTrack.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
	const parts = [];
	if (total > 0 && p.phase !== "ready") parts.push(`${size(done)} of ${size(total)}`);
	if (p.bytesPerSecond > 0 && p.phase !== "ready") parts.push(`${MB(p.bytesPerSecond)} MB/s`);
	// 0 (or nothing) means not known yet: no rate has been measured.
	const left = p.phase !== "ready" && p.remainingSeconds > 0 ? duration(p.remainingSeconds) : "";
	if (left) parts.push(`${left} left`);
	ui.progressDetail.textContent = parts.join(" · ");
}

function showBadge(info) {
	ui.fallbackNote.hidden = true;
	if (!info) {
		ui.badge.dataset.backend = "none";
		ui.badge.textContent = "Not loaded";
		ui.badge.title = "";
		return;
	}
	ui.badge.dataset.backend = info.backend;
	if (info.backend === "webgpu") {
		ui.badge.textContent = `WebGPU · ${info.adapter || "GPU"}`;
	} else {
		const n = Number(info.threads) || 1;
		ui.badge.textContent = `wasm SIMD · ${n} thread${n === 1 ? "" : "s"}`;
	}
	ui.badge.title = info.model ? `${info.model.url} (${info.model.quant}, ${MB(info.model.bytes || 0)} MB)` : "";
	if (info.fallbackReason) {
		ui.fallbackNote.textContent = `WebGPU is not used: ${info.fallbackReason}`;
		ui.fallbackNote.hidden = false;
	}
	ui.isolationNote.hidden = info.crossOriginIsolated !== false && self.crossOriginIsolated;
}

function onFallback(event, maybeInfo) {
	const reason = typeof event === "string" ? event : event?.reason;
	const info = typeof event === "string" ? maybeInfo : event?.info;
	if (info) showBadge(info);
	ui.fallbackNote.textContent = `Switched to wasm SIMD: ${reason || "the WebGPU device was lost"}. Generation goes on.`;
	ui.fallbackNote.hidden = false;
}

async function load() {
	const model = selectedModelURL();
	if (!model) {
		focusCustomURL();
		ui.customURL.setCustomValidity("Enter the URL of a model directory.");
		ui.customURL.reportValidity();
		return;
	}
	if (!lib) return;
	hideError();
	lastAction = load;
	saved.set("backend", ui.backend.value);
	if (engine) await unload();
	phase = "loading";
	render();
	ui.badge.textContent = "Loading…";
	onProgress({ phase: "start", done: 0, total: 0 });
	try {
		const limit = Number(params.get("maxStorageMB"));
		const maxStorageBytes = limit > 0 ? Math.round(limit * 1e6) : undefined;
		engine = await lib.Phi2.load({ model, backend: ui.backend.value, maxStorageBytes, onProgress, onFallback });
		const info = await engine.info();
		const name = modelName(model, titleOf(model));
		loaded = { name, phi2: isPhi2(info.model, name), contextLength: info.model?.contextLength };
		fitToModel();
		showBadge(info);
		onProgress({ phase: "ready", done: 1, total: 1 });
		phase = "ready";
		setTimeout(() => { if (phase !== "loading") ui.progress.hidden = true; }, 1500);
	} catch (err) {
		engine = null;
		loaded = null;
		fitToModel();
		phase = "idle";
		ui.progress.hidden = true;
		showBadge(null);
		showError(err);
	}
	render();
	refreshCache();
}

async function unload() {
	const e = engine;
	engine = null;
	loaded = null;
	fitToModel();
	running?.abort();
	showBadge(null);
	phase = "idle";
	render();
	try { await e?.unload(); } catch { /* the worker is gone either way */ }
}

// ---- generation ---------------------------------------------------------

function readSettings() {
	const opts = {};
	for (const [id, name] of SETTINGS) {
		const raw = $(id).value.trim();
		if (raw === "") continue;
		const v = Number(raw);
		if (Number.isFinite(v)) opts[name] = v;
	}
	return opts;
}

function saveSettings() {
	const values = {};
	for (const [id] of SETTINGS) values[id] = $(id).value;
	saved.set("settings", values);
}

function restoreSettings(defaults) {
	const values = defaults ? {} : saved.get("settings", {});
	for (const [id, , def] of SETTINGS) $(id).value = id in values ? values[id] : String(def);
}

// A text sink that appends streamed text once per frame, so a fast stream
// never makes the page redraw per token.
function streamInto(parent) {
	const node = document.createTextNode("");
	parent.append(node);
	let pending = "", scheduled = false;
	const flush = () => {
		scheduled = false;
		if (!pending) return;
		const stick = ui.output.scrollHeight - ui.output.scrollTop - ui.output.clientHeight < 40;
		node.appendData(pending);
		pending = "";
		if (stick) ui.output.scrollTop = ui.output.scrollHeight;
	};
	return {
		push(text) {
			if (!text) return;
			pending += text;
			if (!scheduled) {
				scheduled = true;
				requestAnimationFrame(flush);
			}
		},
		flush,
	};
}

function element(tag, className, text) {
	const el = document.createElement(tag);
	if (className) el.className = className;
	if (text !== undefined) el.textContent = text;
	return el;
}

function clearStats() {
	for (const el of ui.stats.children) el.textContent = "";
	ui.stats.dataset.finish = "";
	ui.stats.dataset.tokens = "";
}

async function showStats({ ttftMs, tokensPerSecond, tokens, promptTokens, finish }) {
	ui.stats.dataset.finish = finish || "";
	ui.stats.dataset.tokens = String(tokens ?? "");
	$("stat-ttft").textContent = Number.isFinite(ttftMs) ? `first token ${Math.round(ttftMs)} ms` : "";
	$("stat-rate").textContent = Number.isFinite(tokensPerSecond) ? `${tokensPerSecond.toFixed(1)} tokens/s` : "";
	$("stat-tokens").textContent = `${tokens ?? 0} tokens` + (promptTokens ? ` (prompt ${promptTokens})` : "");
	$("stat-finish").textContent = finish ? `finish: ${finish}` : "";
	try {
		const info = await engine?.info();
		if (info?.model?.contextLength) $("stat-context").textContent = `context ${info.contextUsed} / ${info.model.contextLength}`;
	} catch { /* stats only */ }
}

async function generate() {
	if (!engine || running) return;
	const text = ui.prompt.value;
	if (!text.trim()) {
		ui.prompt.focus();
		return;
	}
	hideError();
	lastAction = generate;
	running = new AbortController();
	phase = "generating";
	render();
	clearStats();
	try {
		if (ui.mode.value === "chat") await runChat(text, running.signal);
		else await runCompletion(text, running.signal);
	} catch (err) {
		showError(err);
	} finally {
		running = null;
		phase = engine ? "ready" : "idle";
		render();
	}
}

async function runCompletion(prompt, signal) {
	ui.output.replaceChildren(element("span", "prompt-echo", prompt));
	const out = streamInto(ui.output.appendChild(element("span", "completion")));
	const gen = engine.generate(prompt, { ...readSettings(), signal });
	for await (const chunk of gen) out.push(chunk.text);
	const r = await gen.result;
	out.flush();
	await showStats({ ttftMs: r.ttftMs, tokensPerSecond: r.tokensPerSecond, tokens: r.completionTokens,
		promptTokens: r.promptTokens, finish: r.finishReason });
}

function addTurn(role, text) {
	if (transcript.length === 0 && role === "user") ui.output.replaceChildren();
	const turn = element("div", `turn ${role}`);
	turn.append(element("div", "who", role === "user" ? "You" : shownModel().name), element("div", "said", text));
	ui.output.append(turn);
	ui.output.scrollTop = ui.output.scrollHeight;
	return turn;
}

async function runChat(text, signal) {
	const s = readSettings();
	const userTurn = addTurn("user", text);
	transcript.push({ role: "user", content: text });
	ui.prompt.value = "";
	const replyTurn = addTurn("assistant", "");
	replyTurn.classList.add("streaming");
	const out = streamInto(replyTurn.lastChild);
	const request = { messages: transcript.slice(), stream: true, signal };
	if (s.maxTokens !== undefined) request.max_tokens = s.maxTokens;
	if (s.temperature !== undefined) request.temperature = s.temperature;
	if (s.topP !== undefined) request.top_p = s.topP;
	if (s.topK !== undefined) request.top_k = s.topK;
	if (s.minP !== undefined) request.min_p = s.minP;
	if (s.repeatPenalty !== undefined) request.repetition_penalty = s.repeatPenalty;
	if (s.seed !== undefined) request.seed = s.seed;
	const start = performance.now();
	let first = 0, count = 0, reply = "", finish = "", usage = null, dropped = -1;
	try {
		for await (const chunk of await engine.chat.completions.create(request)) {
			if (dropped < 0) markDropped(dropped = chunk?.dropped_messages || 0);
			const choice = chunk?.choices?.[0];
			const delta = choice?.delta?.content || "";
			if (delta) {
				if (!first) first = performance.now();
				count++;
				reply += delta;
				out.push(delta);
			}
			if (choice?.finish_reason) finish = choice.finish_reason;
			if (chunk?.usage) usage = chunk.usage;
		}
	} catch (err) {
		transcript.pop();
		userTurn.remove();
		replyTurn.remove();
		ui.prompt.value = text;
		throw err;
	} finally {
		replyTurn.classList.remove("streaming");
	}
	out.flush();
	transcript.push({ role: "assistant", content: reply });
	const end = performance.now();
	const tokens = usage?.completion_tokens ?? count;
	await showStats({ ttftMs: first ? first - start : NaN, tokensPerSecond: first && end > first ? tokens / ((end - first) / 1000) : NaN,
		tokens, promptTokens: usage?.prompt_tokens, finish });
}

// markDropped dims the oldest count turns, which no longer fit the context
// and were left out of the prompt, and says so above the first turn the
// reply still reads.
function markDropped(count) {
	const turns = [...ui.output.querySelectorAll(".turn")];
	turns.forEach((t, i) => t.classList.toggle("dropped", i < count));
	ui.output.querySelector(".context-note")?.remove();
	if (count === 0) return;
	const { name, contextLength } = shownModel();
	const context = contextLength ? `${name}'s context of ${contextLength} tokens` : `${name}'s context`;
	const note = element("p", "context-note", `The ${count === 1 ? "oldest message no longer fits" : `${count} oldest messages no longer fit`} ` +
		`${context}, with room for the reply: the model reads only what follows.`);
	turns[count]?.before(note);
}

function resetChat() {
	transcript = [];
	ui.output.replaceChildren();
	clearStats();
	render();
	ui.prompt.focus();
}

// modeChanged shows the mode's controls and rewrites the visitor's prompt
// between the plain question of chat and the "Instruct: …\nOutput:"
// completion (fitToModel picks the sample prompt of the mode).
function modeChanged(byUser) {
	const chat = ui.mode.value === "chat";
	ui.modeNote.hidden = !chat;
	ui.chatReset.hidden = !chat;
	const text = ui.prompt.value.trim();
	const qa = /^Instruct: (.*)\nOutput:$/s.exec(text);
	if (chat && qa && !isSample(text)) ui.prompt.value = qa[1];
	else if (!chat && byUser && !isSample(text) && !text.includes("Output:")) ui.prompt.value = `Instruct: ${text}\nOutput:`;
	fitToModel();
	saved.set("mode", ui.mode.value);
	if (byUser) {
		transcript = [];
		ui.output.replaceChildren();
		clearStats();
	}
	render();
}

// ---- stored models ------------------------------------------------------

function cacheAPI() {
	return engine?.cache || lib?.Phi2.cache;
}

function openCache() {
	if (ui.cache.open) refreshCache();
	else ui.cache.open = true; // its toggle event refreshes it
	ui.cache.scrollIntoView({ behavior: "smooth", block: "nearest" });
}

let cacheBusy = false;
async function refreshCache() {
	if (!ui.cache.open || !cacheAPI() || cacheBusy) return;
	cacheBusy = true;
	ui.cacheList.setAttribute("aria-busy", "true");
	if (!ui.cacheList.childElementCount) ui.cacheEstimate.textContent = "Reading this browser's model store…";
	try {
		const cache = cacheAPI();
		const [models, est] = await Promise.all([cache.list(), cache.estimate()]);
		const items = (models || []).map((m) => {
			const li = element("li");
			li.dataset.url = m.url;
			li.dataset.complete = String(!!m.complete);
			const text = element("div", "cache-text");
			const title = titleOf(m.url);
			if (title) text.append(element("span", "cache-name", title));
			text.append(element("span", "cache-url", m.url),
				element("span", "cache-meta", `${MB(m.bytes || 0)} MB · ${m.complete ? "complete" : "partial"}`));
			const del = element("button", "small delete", "Delete");
			del.type = "button";
			del.setAttribute("aria-label", `Delete ${title || m.url}`);
			del.addEventListener("click", () => cacheOp(() => cacheAPI().delete(m.url)));
			li.append(text, del);
			return li;
		});
		if (items.length === 0) items.push(element("li", "empty", "No models stored."));
		ui.cacheList.replaceChildren(...items);
		ui.cacheClear.disabled = !models?.length;
		ui.cacheEstimate.textContent = est && est.quota
			? `Storage: ${MB(est.usage || 0)} MB used of ${MB(est.quota)} MB${est.persisted ? " (persistent)" : ""}`
			: "Storage estimate unavailable.";
	} catch (err) {
		lastAction = refreshCache;
		showError(err);
	} finally {
		cacheBusy = false;
		ui.cacheList.removeAttribute("aria-busy");
	}
}

async function cacheOp(op) {
	ui.cacheClear.disabled = true;
	try { await op(); } catch (err) { showError(err); }
	await refreshCache();
}

// ---- wiring -------------------------------------------------------------

function wire() {
	ui.model.addEventListener("change", modelChanged);
	ui.customURL.addEventListener("input", () => {
		ui.customURL.setCustomValidity("");
		saved.set("customURL", ui.customURL.value);
	});
	ui.backend.addEventListener("change", () => saved.set("backend", ui.backend.value));
	ui.load.addEventListener("click", load);
	ui.unload.addEventListener("click", unload);
	ui.generate.addEventListener("click", generate);
	ui.stop.addEventListener("click", () => running?.abort());
	ui.chatReset.addEventListener("click", resetChat);
	ui.mode.addEventListener("change", () => modeChanged(true));
	ui.errorClose.addEventListener("click", hideError);
	ui.prompt.addEventListener("keydown", (e) => {
		if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
			e.preventDefault();
			generate();
		}
	});
	document.addEventListener("keydown", (e) => {
		if (e.key === "Escape" && running) running.abort();
	});
	for (const [id] of SETTINGS) $(id).addEventListener("change", saveSettings);
	ui.settingsReset.addEventListener("click", () => {
		restoreSettings(true);
		saveSettings();
	});
	ui.cache.addEventListener("toggle", refreshCache);
	ui.cacheRefresh.addEventListener("click", refreshCache);
	ui.cacheClear.addEventListener("click", () => cacheOp(() => cacheAPI().clear()));
}

function describeEnvironment() {
	const gpu = "gpu" in navigator;
	ui.envGPU.textContent = gpu ? "WebGPU on a GPU, else wasm SIMD" : "wasm SIMD (this browser has no WebGPU)";
	if (!gpu) ui.backend.querySelector('option[value="webgpu"]').textContent = "WebGPU (not available here)";
	ui.isolationNote.hidden = self.crossOriginIsolated;
}

function registerServiceWorker() {
	if (!("serviceWorker" in navigator) || params.has("nosw") || !isSecureContext) return null;
	return navigator.serviceWorker.register("sw.js").catch(() => null); // offline use and isolation only
}

// isolateThroughServiceWorker reloads the page once when the service
// worker can make it cross-origin isolated (a host without COOP/COEP
// headers) and nothing has been loaded yet. It resolves false when the
// page stays as it is: its kernels then run on one thread and the
// isolation note says why.
const isolationReload = "phi2-isolation-reload";
const isolationWaitMs = 10000;

async function isolateThroughServiceWorker(registration) {
	const reg = await registration;
	if (self.crossOriginIsolated || !reg) return false;
	if (sessionStorage.getItem(isolationReload)) return false; // tried in this tab: the browser keeps it so
	if (!navigator.serviceWorker.controller || reg.installing || reg.waiting) {
		const control = new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
		const late = new Promise((resolve) => setTimeout(resolve, isolationWaitMs));
		await Promise.race([control, late]);
		if (!navigator.serviceWorker.controller) return false;
	}
	if (phase !== "idle" || engine) return false;
	sessionStorage.setItem(isolationReload, "1");
	location.reload();
	return true;
}

wire();
restoreSettings(false);
describeEnvironment();
render();
try {
	lib = await import("./phi2.js");
} catch (err) {
	started = true;
	showError({ code: "worker", message: `phi2.js could not be loaded: ${err?.message || err}`, hint: "Check that the page's files are all served, then retry." });
	lastAction = () => location.reload();
}
await fillModels();
restoreChoices();
started = true;
render();
const registration = registerServiceWorker();
if (await isolateThroughServiceWorker(registration)) await new Promise(() => {}); // the page reloads
if (lib && params.has("autoload")) {
	// Once: a later reload of the page does not start a download by itself.
	const url = new URL(location.href);
	url.searchParams.delete("autoload");
	history.replaceState(null, "", url.href);
	load();
}
