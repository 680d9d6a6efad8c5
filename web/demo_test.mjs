// Tests of what the demo page says of a model (demo-model.js) and how it
// writes its progress (demo-format.js).
// Run: node --test web/demo_test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { chatNote, isPhi2, isSample, modelName, samplePrompt } from "./demo-model.js";
import { duration, size } from "./demo-format.js";

test("modelName: the title without its parenthesis, else a name from the URL", () => {
	assert.equal(modelName("http://h/models/default/", "phi-nano (default)"), "phi-nano");
	assert.equal(modelName("https://huggingface.co/microsoft/phi-2/resolve/main/", "Phi-2 (Hugging Face, 1.6 GB q4)"), "Phi-2");
	assert.equal(modelName("https://huggingface.co/microsoft/phi-2/resolve/main/"), "phi-2");
	assert.equal(modelName("https://models.example/conv/phi2-q4/"), "phi2-q4");
	assert.equal(modelName("https://models.example/"), "models.example");
	assert.equal(modelName("not a url"), "the model");
});

test("isPhi2: by shape once loaded, by name before", () => {
	assert.equal(isPhi2({ layers: 32, hidden: 2560 }, "local"), true);
	assert.equal(isPhi2({ layers: 4, hidden: 128 }, "phi-2"), false, "the shape wins over the name");
	assert.equal(isPhi2(null, "Phi-2"), true);
	assert.equal(isPhi2(null, "phi2-q4"), true);
	assert.equal(isPhi2(null, "phi-nano"), false);
});

test("samples: each model and mode has its own, and only samples are replaceable", () => {
	const all = [true, false].flatMap((phi2) => ["completion", "chat"].map((mode) => samplePrompt(phi2, mode)));
	assert.equal(new Set(all).size, 4);
	assert.ok(all.every(isSample));
	assert.ok(isSample("  "));
	assert.ok(!isSample("Instruct: my own question\nOutput:"));
	assert.doesNotMatch(samplePrompt(false, "completion"), /sky/);
});

test("chatNote: Phi-2 is a base model; another model is said not to be Phi-2", () => {
	assert.match(chatNote("Phi-2", true).join(""), /^Phi-2 is a base model/);
	const small = chatNote("phi-nano", false);
	assert.match(small.join(""), /^phi-nano is not Phi-2/);
	assert.equal(small[1], "Instruct: … Output:", "every second part is code");
});

test("duration: whole minutes without seconds, never 60 s, nothing for no time", () => {
	assert.equal(duration(7.2), "8 s");
	assert.equal(duration(60), "1 min");
	assert.equal(duration(65), "1 min 5 s");
	assert.equal(duration(119.6), "2 min");
	assert.equal(duration(3725), "1 h 2 min");
	assert.equal(duration(NaN), "");
	assert.equal(duration(-1), "");
	assert.equal(duration(Infinity), "");
});

test("size: megabytes below a gigabyte", () => {
	assert.match(size(85e6), /^85 MB$/);
	assert.match(size(1.62e9), /^1[.,]6 GB$/);
});
