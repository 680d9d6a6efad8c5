// <phi2-chat>: a chat box that runs Phi-2 in the visitor's browser. One tag
// is all a page needs:
//
//   <script type="module" src="https://example.org/phi2/phi2-chat.js"></script>
//   <phi2-chat autoload placeholder="Ask me anything"></phi2-chat>
//
// Attributes
//   model        model URL (relative to the page); default Phi2.defaultModel
//   backend      "auto" (default) | "webgpu" | "simd"
//   base-url     where the worker, engine, kernels and default model are
//                hosted (Phi2.load's baseURL); default beside this module
//   max-tokens   reply length limit (default 256)
//   temperature  sampling temperature (default 0.7; 0 = greedy)
//   placeholder  the input's placeholder
//   autoload     load the model at once (else on the first send)
//
// Theme: CSS custom properties, set on the element or an ancestor
//   --phi2-bg, --phi2-fg, --phi2-muted, --phi2-accent, --phi2-accent-fg,
//   --phi2-border, --phi2-user-bg, --phi2-error, --phi2-radius, --phi2-font,
//   --phi2-height (of the transcript)
//
// Events (bubbling, composed)
//   phi2-ready  detail: the engine's info        phi2-done  detail: {text, finishReason}
//   phi2-error  detail: {code, message, hint}
//
// JS: element.engine (null until loaded), element.load(), element.send(text),
// element.stop(), element.reset() (a new conversation).
// Test hooks: data-state on the element (idle | loading | ready | generating |
// error) and shadow parts log, input, send, stop, status, progress, error.
import { Phi2 } from "./phi2.js";

const CSS = `
:host {
	--_bg: var(--phi2-bg, Canvas); --_fg: var(--phi2-fg, CanvasText);
	--_muted: var(--phi2-muted, color-mix(in srgb, var(--_fg) 60%, transparent));
	--_accent: var(--phi2-accent, #4f46e5); --_accent-fg: var(--phi2-accent-fg, #fff);
	--_border: var(--phi2-border, color-mix(in srgb, var(--_fg) 18%, transparent));
	--_user: var(--phi2-user-bg, color-mix(in srgb, var(--_accent) 14%, var(--_bg)));
	--_error: var(--phi2-error, #c62828); --_radius: var(--phi2-radius, 12px);
	display: block; color-scheme: light dark; color: var(--_fg);
	font: 15px/1.5 var(--phi2-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
}
[hidden] { display: none !important; }
.box { display: flex; flex-direction: column; background: var(--_bg); border: 1px solid var(--_border);
	border-radius: var(--_radius); overflow: hidden; }
.head { display: flex; flex-direction: column; gap: 6px; padding: 8px 12px; border-bottom: 1px solid var(--_border);
	font-size: 0.8em; color: var(--_muted); }
.progress { height: 4px; border-radius: 4px; background: var(--_border); overflow: hidden; }
.bar { height: 100%; width: 0; background: var(--_accent); transition: width 0.25s ease-out; }
.log { height: var(--phi2-height, 320px); overflow: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
.empty { margin: auto; color: var(--_muted); text-align: center; font-size: 0.9em; max-width: 32ch; }
.msg { padding: 8px 12px; border-radius: calc(var(--_radius) * 0.8); white-space: pre-wrap; overflow-wrap: anywhere;
	max-width: 85%; border: 1px solid var(--_border); align-self: flex-start; }
.msg.user { align-self: flex-end; background: var(--_user); border-color: transparent; }
.msg.streaming::after { content: "▍"; color: var(--_accent); }
.error { margin: 0 12px 8px; padding: 8px 10px; border: 1px solid var(--_error); border-radius: 8px; font-size: 0.88em;
	display: flex; gap: 8px; align-items: flex-start; justify-content: space-between; }
.error b { color: var(--_error); }
.error p { margin: 2px 0 0; }
form { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid var(--_border); align-items: flex-end; }
textarea { flex: 1; resize: none; min-height: 2.6em; max-height: 8em; padding: 8px 10px; border-radius: 8px;
	border: 1px solid var(--_border); background: transparent; color: inherit; font: inherit; }
button { font: inherit; font-weight: 600; padding: 8px 14px; border-radius: 8px; border: 1px solid var(--_border);
	background: transparent; color: inherit; cursor: pointer; }
button.send { background: var(--_accent); border-color: var(--_accent); color: var(--_accent-fg); }
button:disabled { opacity: 0.45; cursor: not-allowed; }
:focus-visible { outline: 2px solid var(--_accent); outline-offset: 1px; }
`;

let sheet = null;
function styles() {
	if (!sheet) {
		sheet = new CSSStyleSheet();
		sheet.replaceSync(CSS);
	}
	return sheet;
}

function h(tag, props = {}, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(props)) {
		if (k === "part" || k.startsWith("aria-") || k === "role") el.setAttribute(k, v);
		else el[k] = v;
	}
	el.append(...children);
	return el;
}

const MB = (b) => `${Math.round(b / 1e6).toLocaleString()} MB`;
const PHASES = { start: "Starting the engine", manifest: "Reading the manifest", download: "Downloading the model", verify: "Verifying",
	convert: "Converting the weights", load: "Reading the stored model", ready: "Ready" };

function describe(info) {
	if (!info) return "";
	if (info.backend === "webgpu") return `Ready · WebGPU · ${info.adapter || "GPU"}`;
	const n = Number(info.threads) || 1;
	return `Ready · wasm SIMD · ${n} thread${n === 1 ? "" : "s"}` + (info.fallbackReason ? ` (${info.fallbackReason})` : "");
}

function asError(err) {
	if (err && typeof err.code === "string") return { code: err.code, message: String(err.message || err.code), hint: String(err.hint || "") };
	return { code: "internal", message: String(err?.message || err), hint: "" };
}

class Phi2Chat extends HTMLElement {
	static observedAttributes = ["placeholder", "model", "backend", "base-url"];
	#engine = null;
	#loading = null;
	#controller = null;
	#messages = [];
	#ui;

	constructor() {
		super();
		const root = this.attachShadow({ mode: "open" });
		root.adoptedStyleSheets = [styles()];
		const ui = {};
		ui.status = h("div", { part: "status", role: "status" }, "Phi-2 runs in this browser. The model loads on first use.");
		ui.bar = h("div", { className: "bar" });
		ui.progress = h("div", { part: "progress", className: "progress", role: "progressbar", hidden: true,
			"aria-valuemin": "0", "aria-valuemax": "100" }, ui.bar);
		ui.empty = h("p", { className: "empty" }, "Ask Phi-2 something. The model is downloaded once and stored in this browser.");
		ui.log = h("div", { part: "log", className: "log", role: "log", "aria-live": "polite" }, ui.empty);
		ui.errorText = h("b");
		ui.errorHint = h("p");
		ui.retry = h("button", { type: "button" }, "Retry");
		ui.error = h("div", { part: "error", className: "error", role: "alert", hidden: true },
			h("div", {}, ui.errorText, ui.errorHint), ui.retry);
		ui.input = h("textarea", { part: "input", rows: 1, placeholder: "Message Phi-2…", "aria-label": "Message" });
		ui.send = h("button", { part: "send", className: "send", type: "submit" }, "Send");
		ui.stop = h("button", { part: "stop", type: "button", disabled: true }, "Stop");
		ui.form = h("form", {}, ui.input, ui.send, ui.stop);
		root.append(h("div", { className: "box" }, h("div", { className: "head" }, ui.status, ui.progress), ui.log, ui.error, ui.form));
		this.#ui = ui;

		ui.form.addEventListener("submit", (e) => {
			e.preventDefault();
			this.send();
		});
		ui.input.addEventListener("keydown", (e) => {
			if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
				e.preventDefault();
				this.send();
			}
		});
		ui.stop.addEventListener("click", () => this.stop());
		ui.retry.addEventListener("click", () => {
			ui.error.hidden = true;
			this.#setState(this.#engine ? "ready" : "idle");
			// A message that alone overflows the context fails again in any conversation.
			if (ui.error.dataset.code === "context-full") this.reset();
			else if (!this.#engine) this.load().catch(() => {});
		});
	}

	/** The loaded engine (phi2.js), or null. */
	get engine() { return this.#engine; }

	connectedCallback() {
		if (!this.dataset.state) this.#setState("idle");
		const placeholder = this.getAttribute("placeholder");
		if (placeholder !== null) this.#ui.input.placeholder = placeholder;
		if (this.hasAttribute("autoload")) this.load().catch(() => {});
	}

	disconnectedCallback() {
		// A move in the document reconnects at once; only a real removal frees the model.
		queueMicrotask(() => {
			if (!this.isConnected) this.#drop();
		});
	}

	attributeChangedCallback(name, old, value) {
		if (old === value) return;
		if (name === "placeholder") this.#ui.input.placeholder = value ?? "Message Phi-2…";
		else if (this.#engine) this.#drop(); // a new model or backend loads on the next send
	}

	/** Loads the model (once); resolves to the engine. */
	load() {
		if (this.#engine) return Promise.resolve(this.#engine);
		this.#loading ??= this.#load().finally(() => { this.#loading = null; });
		return this.#loading;
	}

	async #load() {
		this.#ui.error.hidden = true;
		this.#setState("loading");
		this.#ui.status.textContent = "Starting…";
		try {
			const engine = await Phi2.load({
				model: this.getAttribute("model") || Phi2.defaultModel,
				backend: this.getAttribute("backend") || "auto",
				baseURL: this.getAttribute("base-url") || undefined,
				onProgress: (p) => this.#progress(p),
				onFallback: (ev, info) => {
					this.#ui.status.textContent = describe(typeof ev === "string" ? info : ev?.info) || "Switched to wasm SIMD";
				},
			});
			this.#engine = engine;
			const info = await engine.info();
			this.#ui.progress.hidden = true;
			this.#ui.status.textContent = describe(info);
			this.#setState(this.#controller ? "generating" : "ready");
			this.#emit("phi2-ready", info);
			return engine;
		} catch (err) {
			this.#ui.progress.hidden = true;
			this.#ui.status.textContent = "The model did not load.";
			this.#fail(err);
			throw err;
		}
	}

	/** Sends a user message (default: the input's text) and streams the reply. */
	async send(text) {
		const message = String(text ?? this.#ui.input.value).trim();
		if (!message || this.#controller) return;
		const controller = new AbortController();
		this.#controller = controller;
		this.#ui.input.value = "";
		this.#ui.error.hidden = true;
		if (this.dataset.state === "error") this.#setState(this.#engine ? "ready" : "idle");
		this.#messages.push({ role: "user", content: message });
		const userMsg = this.#add("user", message);
		this.#buttons();
		let reply = null;
		try {
			const engine = await this.load();
			if (controller.signal.aborted) throw new DOMException("stopped before the model was loaded", "AbortError");
			this.#setState("generating");
			reply = this.#add("assistant", "");
			reply.classList.add("streaming");
			const text = reply.appendChild(document.createTextNode(""));
			const request = { messages: this.#messages.slice(), stream: true, signal: controller.signal };
			const maxTokens = parseInt(this.getAttribute("max-tokens") ?? "", 10);
			const temperature = parseFloat(this.getAttribute("temperature") ?? "");
			if (Number.isFinite(maxTokens)) request.max_tokens = maxTokens;
			if (Number.isFinite(temperature)) request.temperature = temperature;
			let content = "", finishReason = "", pending = "", scheduled = false;
			const flush = () => {
				scheduled = false;
				text.appendData(pending);
				pending = "";
				this.#scroll();
			};
			for await (const chunk of await engine.chat.completions.create(request)) {
				const choice = chunk?.choices?.[0];
				const delta = choice?.delta?.content || "";
				if (delta) {
					content += delta;
					pending += delta;
					if (!scheduled) {
						scheduled = true;
						requestAnimationFrame(flush);
					}
				}
				if (choice?.finish_reason) finishReason = choice.finish_reason;
			}
			if (pending) flush();
			reply.classList.remove("streaming");
			this.#messages.push({ role: "assistant", content });
			this.#setState("ready");
			this.#emit("phi2-done", { text: content, finishReason });
		} catch (err) {
			this.#messages.pop();
			userMsg.remove();
			reply?.remove();
			if (!this.#ui.input.value) this.#ui.input.value = message;
			if (err?.name === "AbortError") this.#setState(this.#engine ? "ready" : "idle");
			else if (this.dataset.state !== "error") this.#fail(err); // a failed load has reported itself
		} finally {
			this.#controller = null;
			this.#buttons();
		}
	}

	/** Stops the reply being generated (it ends with finish reason "aborted"). */
	stop() {
		this.#controller?.abort();
	}

	/** Starts a new conversation. */
	reset() {
		this.stop();
		this.#messages = [];
		this.#ui.log.replaceChildren(this.#ui.empty);
	}

	#drop() {
		this.stop();
		const engine = this.#engine;
		this.#engine = null;
		this.#setState("idle");
		engine?.unload().catch(() => {});
	}

	#add(role, text) {
		this.#ui.empty.remove();
		const msg = h("div", { className: `msg ${role}` }, text);
		this.#ui.log.append(msg);
		this.#scroll();
		return msg;
	}

	#scroll() {
		const log = this.#ui.log;
		log.scrollTop = log.scrollHeight;
	}

	#progress(p) {
		const { progress, bar, status } = this.#ui;
		const total = p.phase === "start" ? 0 : Number(p.total) || 0, done = Math.min(Number(p.done) || 0, total);
		const pct = p.phase === "ready" ? 100 : total > 0 ? (done / total) * 100 : 0;
		progress.hidden = p.phase === "ready";
		bar.style.width = `${pct.toFixed(1)}%`;
		progress.setAttribute("aria-valuenow", String(Math.round(pct)));
		let line = PHASES[p.phase] || String(p.phase || "");
		if (total > 0 && p.phase !== "ready") line += ` · ${MB(done)} / ${MB(total)}`;
		if (p.remainingSeconds > 0 && p.phase !== "ready") line += ` · ${Math.ceil(p.remainingSeconds)} s left`;
		status.textContent = line;
	}

	#fail(err) {
		const e = asError(err);
		this.#ui.error.dataset.code = e.code;
		this.#ui.retry.textContent = e.code === "context-full" ? "New conversation" : "Retry";
		this.#ui.errorText.textContent = e.message;
		this.#ui.errorHint.textContent = e.hint;
		this.#ui.errorHint.hidden = !e.hint;
		this.#ui.error.hidden = false;
		this.#setState("error");
		this.#emit("phi2-error", e);
	}

	#setState(state) {
		this.dataset.state = state;
		this.#buttons();
	}

	#buttons() {
		const busy = this.#controller !== null;
		this.#ui.send.disabled = busy;
		this.#ui.stop.disabled = !busy;
	}

	#emit(type, detail) {
		this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
	}
}

if (!customElements.get("phi2-chat")) customElements.define("phi2-chat", Phi2Chat);
export { Phi2Chat };
