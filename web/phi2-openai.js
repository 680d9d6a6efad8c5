// engine.chat.completions in OpenAI's shape over Phi-2's "Instruct: …\nOutput:" format.
import { badRequest, checkKeys, generateOptions, isSet, stopList } from "./phi2-options.js";

const chatKeys = ["messages", "stream", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "min_p",
	"repetition_penalty", "seed", "stop", "truncation",
	"signal", "model", "n", "stream_options", "user"];
const truncations = ["auto", "disabled"];
// chatStops end every reply; the Go server's are checked against the same web/openai/testdata/chat.json.
export const chatStops = ["\nInstruct:", "<|endoftext|>"];

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

export function chatRequest(params) {
	const p = checkKeys("chat.completions.create", params, chatKeys, "chat.completions.create takes");
	if (isSet(p.n) && p.n !== 1) throw badRequest(`n must be 1 (got ${JSON.stringify(p.n)})`, "one choice is generated per call");
	if (isSet(p.stream) && typeof p.stream !== "boolean") {
		throw badRequest("stream must be true or false", "stream: true returns an async iterable of chunks");
	}
	if (isSet(p.max_tokens) && isSet(p.max_completion_tokens)) {
		throw badRequest("give max_tokens or max_completion_tokens, not both", "they mean the same");
	}
	const truncation = p.truncation ?? "auto";
	if (!truncations.includes(truncation)) {
		throw badRequest(`truncation must be "auto" or "disabled" (got ${JSON.stringify(p.truncation)})`,
			"\"auto\" leaves out the oldest turns that do not fit the context; \"disabled\" sends them all");
	}
	const options = { stop: [...(isSet(p.stop) ? stopList("stop", p.stop) : []), ...chatStops] };
	const map = { max_tokens: "maxTokens", max_completion_tokens: "maxTokens", temperature: "temperature", top_p: "topP",
		top_k: "topK", min_p: "minP", repetition_penalty: "repeatPenalty", seed: "seed", signal: "signal" };
	for (const [from, to] of Object.entries(map)) if (isSet(p[from])) options[to] = p[from];
	let maxTokens;
	try {
		maxTokens = generateOptions(options).options.maxTokens;
	} catch (e) {
		// Name the option as the caller wrote it.
		for (const [from, to] of Object.entries(map)) {
			if (from !== to && isSet(p[from]) && e.message.startsWith(`${to} `)) e.message = from + e.message.slice(to.length);
		}
		throw e;
	}
	return { messages: p.messages, prompt: chatPrompt(p.messages), options, stream: p.stream === true, truncation, maxTokens };
}

// fitChat leaves out the oldest turns of messages, whole (a user message
// and what follows it up to the next one), until the prompt fits the
// context with room for the reply: maxTokens, at most half the context.
// System messages and the last turn always stay; when even they do not
// fit they are sent as they are, and the engine tells whether the prompt
// fits the context at all. count(text) resolves to {tokens, contextLength}:
// one call, and about log2(turns) more when turns must go. It resolves to
// the prompt and the number of messages left out.
export async function fitChat(messages, maxTokens, count) {
	const whole = chatPrompt(messages);
	const starts = messages.flatMap((m, i) => m.role === "user" ? [i] : []);
	if (starts.length < 2) return { prompt: whole, dropped: 0 };
	const { tokens, contextLength } = await count(whole);
	const limit = contextLength - Math.min(maxTokens, Math.floor(contextLength / 2));
	if (tokens <= limit) return { prompt: whole, dropped: 0 };
	// Leaving out k turns keeps the system messages and those from the k-th user message on.
	const without = (k) => {
		const kept = messages.filter((m, i) => i >= starts[k] || m.role === "system" || m.role === "developer");
		return { prompt: chatPrompt(kept), dropped: messages.length - kept.length };
	};
	let best = without(starts.length - 1);
	let lo = 1, hi = starts.length - 2;
	while (lo <= hi) { // the fewest turns left out that fit
		const mid = (lo + hi) >> 1;
		const cut = without(mid);
		if ((await count(cut.prompt)).tokens <= limit) {
			best = cut;
			hi = mid - 1;
		} else {
			lo = mid + 1;
		}
	}
	return best;
}

export const finishReason = (r) => r === "eos" ? "stop" : r === "context" ? "length" : r;

export function completionId() {
	const bytes = globalThis.crypto?.getRandomValues ? globalThis.crypto.getRandomValues(new Uint8Array(12)) :
		Uint8Array.from({ length: 12 }, () => Math.floor(Math.random() * 256));
	return "chatcmpl-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const usage = (s) => ({ prompt_tokens: s.promptTokens, completion_tokens: s.completionTokens, total_tokens: s.promptTokens + s.completionTokens });

// chatStream turns a generation into chat.completion.chunk objects. The
// reply is trimmed as in the non-streamed completion: leading space is
// dropped, and trailing space is held back until more text follows it.
export async function* chatStream(gen, head) {
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

