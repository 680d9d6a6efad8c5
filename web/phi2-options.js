// Phi2Error and the checks of the options phi2.js takes.

const here = import.meta.url;

/** The error every failure rejects with: a stable code, a one-line message and what to do. */
export class Phi2Error extends Error {
	constructor(code, message, hint = "") {
		super(message);
		this.name = "Phi2Error";
		this.code = code;
		this.hint = hint;
	}
}

export const badRequest = (message, hint) => new Phi2Error("bad-request", message, hint);
export const fromWire = (e) => e instanceof Phi2Error ? e :
	new Phi2Error((e && e.code) || "internal", (e && e.message) || String(e), (e && e.hint) || "");

// pageURL is what relative URLs given to this module are resolved against.
function pageURL() {
	return globalThis.document?.baseURI ?? globalThis.location?.href ?? here;
}

export function resolveURL(what, url, base = pageURL()) {
	try {
		return new URL(url, base).href;
	} catch {
		throw badRequest(`${what} ${JSON.stringify(String(url))} is not a valid URL`, "give an absolute URL or one relative to the page");
	}
}

// ---- option checks ----

export const isSet = (v) => v !== undefined && v !== null;

export function checkKeys(what, options, allowed, hint) {
	if (!isSet(options)) return {};
	if (typeof options !== "object") throw badRequest(`${what} must be an object`, hint);
	for (const key of Object.keys(options)) {
		if (!allowed.includes(key)) throw badRequest(`${what}: unknown option "${key}"`, `${hint}: ${allowed.join(", ")}`);
	}
	return options;
}

// number checks a numeric option: want says what is accepted, as in
// "an integer ≥ 1".
export function number(name, value, ok, want, hint) {
	if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
		throw badRequest(`${name} must be ${want} (got ${typeof value === "number" ? value : JSON.stringify(value) ?? typeof value})`, hint);
	}
	return value;
}

const isInt = Number.isInteger;

export function stopList(name, stop) {
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
export function generateOptions(options) {
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

