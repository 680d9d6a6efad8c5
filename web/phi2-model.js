// The default model's files (models/default/ beside this module): each
// file the model names, the path it is stored at there, and its URL, named
// with new URL(…, import.meta.url) so that a bundler finds and copies it; a
// bundler may rename it, and the worker is told where each went. Package
// web writes this file (modelFilesJS) and checks it against the model.
export const defaultModelFiles = [
	{ name: "manifest.json", path: "manifest.json", url: new URL("./models/default/manifest.json", import.meta.url).href },
	{ name: "shard-00000.bin.br", path: "shard-00000.bin.br", url: new URL("./models/default/shard-00000.bin.br", import.meta.url).href },
];
