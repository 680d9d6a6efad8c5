// The default model's files (models/default/ beside this module), each named
// in full with new URL(…, import.meta.url) so that a bundler finds and copies
// it; a bundler may rename them, and the worker is told where each went.
// A test in package web keeps this list equal to the model's files.
export const defaultModelFiles = {
	"manifest.json": new URL("./models/default/manifest.json", import.meta.url).href,
	"shard-00000.bin.br": new URL("./models/default/shard-00000.bin.br", import.meta.url).href,
};
