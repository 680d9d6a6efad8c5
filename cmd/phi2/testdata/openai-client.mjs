// A real OpenAI client (the openai npm package) against `phi2 serve`, run
// by TestOpenAIClient (serve_api_test.go), which passes the server's URL
// and key, the request settings and where the package is installed, and
// compares the texts printed on stdout with `phi2 generate`'s.
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const { PHI2_API_URL: baseURL, PHI2_API_KEY: apiKey, OPENAI_PACKAGE: pkg, PHI2_SETTINGS: settings } = process.env;
const { default: OpenAI } = await import(pathToFileURL(join(pkg, "index.mjs")).href);
const { chat, completion, model, question, prompt, abortPrompt } = JSON.parse(settings);
// No retries: a refusal must show, not be hidden by the client trying again.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const out = {};

const models = await client.models.list();
assert.deepEqual(models.data.map((m) => m.id), [model]);

// Chat, whole and streamed.
const messages = [{ role: "user", content: question }];
const reply = await client.chat.completions.create({ model, messages, ...chat });
assert.equal(reply.object, "chat.completion");
assert.equal(reply.choices[0].message.role, "assistant");
assert.ok(reply.usage.prompt_tokens > 0 && reply.usage.completion_tokens > 0);
out.chat = reply.choices[0].message.content;
out.chatTokens = reply.usage.completion_tokens;
let streamed = "";
let last;
for await (const chunk of await client.chat.completions.create({ model, messages, ...chat, stream: true })) {
	streamed += chunk.choices[0]?.delta?.content ?? "";
	last = chunk;
}
assert.ok(last.choices[0].finish_reason, "the last chunk gives the finish reason");
assert.deepEqual(last.usage, reply.usage);
out.chatStream = streamed;

// Text completions, whole and streamed.
const text = await client.completions.create({ model, prompt, ...completion });
assert.equal(text.object, "text_completion");
out.completion = text.choices[0].text;
out.completionTokens = text.usage.completion_tokens;
out.completionStream = "";
for await (const chunk of await client.completions.create({ model, prompt, ...completion, stream: true })) {
	out.completionStream += chunk.choices[0]?.text ?? "";
}

// Sampled with the defaults, but for the seed.
out.defaults = (await client.completions.create({ model, prompt, max_tokens: 24, seed: 5 })).choices[0].text;

// Abort: the client stops reading after two chunks of a long generation
// (the client's stream ends quietly on abort).
const ac = new AbortController();
let chunks = 0;
const stream = await client.completions.create({ model, prompt: abortPrompt, max_tokens: 400, ignore_eos: true, stream: true },
	{ signal: ac.signal });
for await (const chunk of stream) {
	if (++chunks === 2) ac.abort();
}
assert.ok(ac.signal.aborted && chunks < 400, `the stream gave ${chunks} chunks`);
out.abortedAfter = chunks;

// Errors come as the client's error classes, with OpenAI's fields.
async function fails(request, status, code, param) {
	try {
		await request();
	} catch (e) {
		assert.ok(e instanceof OpenAI.APIError, `${e}`);
		assert.equal(e.status, status, e.message);
		assert.equal(e.code, code, e.message);
		assert.equal(e.param, param, e.message);
		assert.ok(typeof e.type === "string" && e.message.length > 0);
		return e;
	}
	assert.fail(`no error; want ${status} ${code}`);
}
await fails(() => client.chat.completions.create({ model, messages, n: 2 }), 400, "unsupported_value", "n");
await fails(() => client.chat.completions.create({ model: "gpt-4o", messages }), 404, "model_not_found", "model");
await fails(() => client.completions.create({ model, prompt: "word ".repeat(2000) }), 400, "context_length_exceeded", "prompt");
await fails(() => client.chat.completions.create({ model, messages, presence_penalty: 0.5 }), 400, "unsupported_parameter", "presence_penalty");
await fails(() => client.chat.completions.create({ model, messages: [{ role: "user", content: "x".repeat(2 << 20) }] }), 413, "request_too_large", null);
const e = await fails(() => new OpenAI({ baseURL, apiKey: "wrong", maxRetries: 0 }).models.list(), 401, "invalid_api_key", null);
assert.ok(e instanceof OpenAI.AuthenticationError);
const bad = await fetch(`${baseURL}/chat/completions`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey}` }, body: "{" });
assert.equal(bad.status, 400);
assert.equal((await bad.json()).error.code, "invalid_json");

console.log(JSON.stringify(out));
