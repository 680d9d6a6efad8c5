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
		return fetch(new Request(to, typeof input === "string" || input instanceof URL ? undefined : input), whole(init)).then(sized);
	};
}

// The default model is small, so it is read whole: development servers
// (Vite's) answer a range such as bytes=0-0 with other bytes, or compress a
// file on the fly and leave out its length, where the engine needs
// either the bytes it asked for or a whole file of known length.

// whole leaves out the request's range.
function whole(init) {
	if (!init?.headers) return init;
	const headers = new Headers(init.headers);
	headers.delete("Range");
	headers.delete("If-Range");
	return { ...init, headers };
}

// sized gives a whole answer of unknown length its length, once read.
async function sized(response) {
	if (!response.ok || response.headers.has("Content-Length")) return response;
	const body = await response.arrayBuffer();
	const headers = new Headers(response.headers);
	headers.delete("Content-Encoding");
	headers.set("Content-Length", String(body.byteLength));
	return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
