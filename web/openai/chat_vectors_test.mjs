// The JS API's chat prompt against testdata/chat.json, which the Go
// server's (web/openai, prompt_test.go) is checked against too.
// Run: node --test web/openai/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { chatPrompt, chatStops, fitChat } from "../phi2-openai.js";

const vectors = JSON.parse(readFileSync(new URL("testdata/chat.json", import.meta.url), "utf8"));

test("the chat stops are the shared ones", () => {
	assert.deepEqual(chatStops, vectors.chat_stops);
});

test("chatPrompt writes each shared conversation's prompt, or its error", () => {
	assert.ok(vectors.prompts.length >= 10);
	for (const c of vectors.prompts) {
		if ("prompt" in c) {
			assert.equal(chatPrompt(c.messages), c.prompt, c.name);
		} else {
			assert.throws(() => chatPrompt(c.messages), (e) => e.code === "bad-request" && e.message === c.error, c.name);
		}
	}
});

test("fitChat leaves out the shared conversations' oldest turns as the vectors say", async () => {
	assert.ok(vectors.fit.length >= 5);
	for (const c of vectors.fit) {
		// A token is a character here, a byte in the Go test: the vectors are ASCII.
		const count = async (text) => ({ tokens: text.length, contextLength: c.context });
		assert.deepEqual(await fitChat(c.messages, c.max_tokens, count), { prompt: c.prompt, dropped: c.dropped }, c.name);
	}
});
