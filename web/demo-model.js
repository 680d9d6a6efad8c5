// What the demo page says of a model: a short name for its labels, whether
// it is Phi-2 (which answers "Instruct: …\nOutput:") or a small model of
// its architecture such as phi-nano (which continues text in the style of
// what it was trained on), and the sample prompt and chat note that fit it.

// modelName is a short name for the model at url whose title in the model
// list is title ("" when it has none): the title up to its first
// parenthesis, else the Hugging Face repository's name or the last segment
// of the URL's path.
export function modelName(url, title = "") {
	const short = String(title).replace(/\s*\(.*$/s, "").trim();
	if (short) return short;
	let u;
	try { u = new URL(url); } catch { return "the model"; }
	const repo = /\/([^/]+)\/resolve\//.exec(u.pathname);
	if (repo) return repo[1];
	return u.pathname.split("/").filter(Boolean).at(-1) || u.host;
}

// isPhi2 tells whether a model is Phi-2: from its shape once loaded
// (info.model), before that from its name.
export function isPhi2(model, name) {
	if (model?.layers) return model.layers === 32 && model.hidden === 2560;
	return /phi-?2/i.test(name);
}

const samples = {
	phi2: { completion: "Instruct: Explain in two sentences why the sky is blue.\nOutput:", chat: "Explain in two sentences why the sky is blue." },
	small: { completion: "// Reverse returns s with its bytes in reverse order.\nfunc Reverse(s string) string {",
		chat: "Write a Go function that reverses a string." },
};

// samplePrompt is the prompt the page offers in mode for a model.
export const samplePrompt = (phi2, mode) => samples[phi2 ? "phi2" : "small"][mode === "chat" ? "chat" : "completion"];

// isSample reports whether text is one of the offered prompts, which the
// page may replace when the model or the mode changes.
export function isSample(text) {
	const t = text.trim();
	return t === "" || Object.values(samples).some((s) => t === s.completion.trim() || t === s.chat.trim());
}

// chatNote says how chat turns reach the model, as text parts where every
// second one is code.
export function chatNote(name, phi2) {
	if (phi2) {
		return [`${name} is a base model: each chat turn is sent as `, "Instruct: …", " followed by ", "Output:",
			", and the reply ends at the next ", "Instruct:", "."];
	}
	return [`${name} is not Phi-2 but a small model of its architecture, and it follows no instructions: each chat turn, sent as `,
		"Instruct: … Output:", ", gets a continuation in the style of the text it was trained on, not an answer."];
}
