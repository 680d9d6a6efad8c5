// Aliases for the engine's requests in its worker: the Go engine asks for
// the default model's files under Phi2.defaultModel, and a bundler may have
// put them elsewhere under other names. Go's HTTP client calls the global
// fetch, which this wraps once there is an alias.
const aliases = new Map();
let wrapped = false;

// addAliases takes files, an object of URL → the URL it is served at.
export function addAliases(files) {
	for (const [from, to] of Object.entries(files ?? {})) {
		if (typeof to === "string") aliases.set(from, to);
	}
	if (wrapped || aliases.size === 0) return;
	wrapped = true;
	const fetch = globalThis.fetch.bind(globalThis);
	globalThis.fetch = (input, init) => {
		const url = typeof input === "string" ? input : input instanceof URL ? input.href : input?.url;
		const to = aliases.get(url);
		if (to === undefined) return fetch(input, init);
		return fetch(typeof input === "string" || input instanceof URL ? to : new Request(to, input), init);
	};
}
