// The service worker of the phi2web page: it keeps the app shell in Cache
// Storage so that the page starts offline once visited. Models are not its
// business (IndexedDB holds them): model shards and manifests, cross-origin
// requests and anything outside the shell list go straight to the network.
//
// Every shell file is network-first: fresh when online (the browser's HTTP
// cache makes that a revalidation), cached when not, so the page never runs
// scripts of two versions together. Cached responses keep the headers
// they came with (CSP, COOP/COEP), so the page stays cross-origin isolated.

const VERSION = "v1";
const CACHE = `phi2web-shell-${VERSION}`;
const SHELL = [
	"index.html", "demo.js", "demo-model.js", "demo.css", "phi2.js", "phi2-options.js", "phi2-connection.js", "phi2-openai.js",
	"phi2-model.js", "phi2-chat.js", "phi2-worker.js", "phi2-aliases.js",
	"kernels.js", "kernels.wasm", "phi2.wasm", "wasm_exec.js", "models.json", "favicon.svg",
];
const scope = new URL(self.registration.scope);

// shellName is the shell file a URL names ("" = the directory = index.html), or null.
function shellName(url) {
	if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
	const rest = url.pathname.slice(scope.pathname.length);
	if (rest === "") return "index.html";
	return SHELL.includes(rest) ? rest : null;
}

const keyOf = (name) => new URL(name, scope).href;

// A response worth keeping: whole, same-origin and not redirected (a
// redirected response cannot answer a navigation).
const cacheable = (r) => r && r.status === 200 && r.type === "basic" && !r.redirected;

async function store(name, response) {
	const cache = await caches.open(CACHE);
	await cache.put(keyOf(name), response);
}

// refresh fetches a shell file into the cache. A response not kept has its
// body cancelled: an unread body holds its connection open.
async function refresh(request, name) {
	const response = await fetch(request);
	if (cacheable(response)) await store(name, response);
	else await response.body?.cancel();
}

async function cached(name) {
	const cache = await caches.open(CACHE);
	return cache.match(keyOf(name), { ignoreSearch: true, ignoreVary: true });
}

self.addEventListener("install", (event) => {
	event.waitUntil((async () => {
		// One file at a time, each on its own: a file missing on the server
		// (say wasm_exec.js in a development tree) must not keep the rest from
		// being cached.
		for (const name of SHELL) {
			try {
				await refresh(new Request(keyOf(name), { cache: "no-cache" }), name);
			} catch { /* offline or missing: cached on first use */ }
		}
		await self.skipWaiting();
	})());
});

self.addEventListener("activate", (event) => {
	event.waitUntil((async () => {
		for (const key of await caches.keys()) {
			if (key.startsWith("phi2web-shell-") && key !== CACHE) await caches.delete(key);
		}
		await self.clients.claim();
	})());
});

self.addEventListener("fetch", (event) => {
	const request = event.request;
	if (request.method !== "GET" || request.headers.has("range")) return;
	const name = shellName(new URL(request.url));
	if (name === null) return;
	event.respondWith(networkFirst(event, name));
});

async function networkFirst(event, name) {
	try {
		const response = await fetch(event.request);
		if (cacheable(response)) {
			event.waitUntil(store(name, response.clone()).catch(() => {}));
			return response;
		}
		// A server error: a cached copy is the better answer.
		const copy = await cached(name);
		if (!copy) return response;
		response.body?.cancel();
		return copy;
	} catch (err) {
		const copy = await cached(name);
		if (copy) return copy;
		throw err;
	}
}
