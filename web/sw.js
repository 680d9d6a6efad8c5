// The service worker of the phi2web page: it keeps the app shell in Cache
// Storage so that the page starts offline once visited. Models are not its
// business (IndexedDB holds them): model shards and manifests, cross-origin
// requests and anything outside the shell list go straight to the network.
//
// Every shell file is network-first: fresh when online (the browser's HTTP
// cache makes that a revalidation), cached when not, so the page never runs
// scripts of two versions together. Cached responses keep the headers
// they came with (CSP, COOP/COEP), so the page stays cross-origin isolated.
//
// It also isolates the site where the host cannot: static hosts such as
// GitHub Pages send no COOP/COEP headers, and without them the SIMD
// kernels run on one thread. Pages and worker scripts of the site are
// re-served with those headers when they lack them (the page reloads once
// to be served so).

const VERSION = "v1";
const CACHE = `phi2web-shell-${VERSION}`;
const SHELL = [
	"index.html", "demo.js", "demo-model.js", "demo-format.js", "demo.css",
	"phi2.js", "phi2-options.js", "phi2-connection.js", "phi2-openai.js", "phi2-model.js",
	"phi2-chat.js", "phi2-worker.js", "phi2-aliases.js",
	"kernels.js", "kernels.wasm", "kernels-relaxed.wasm", "phi2.wasm", "wasm_exec.js", "models.json", "favicon.svg",
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
	const isolate = needsIsolation(request);
	if (name !== null) event.respondWith(networkFirst(event, name).then((r) => isolate ? isolated(r) : r));
	else if (isolate) event.respondWith(fetch(request).then(isolated));
});

// The headers that make a page cross-origin isolated, and its worker
// scripts loadable there.
const isolationHeaders = [
	["Cross-Origin-Opener-Policy", "same-origin"],
	["Cross-Origin-Embedder-Policy", "require-corp"],
	["Cross-Origin-Resource-Policy", "cross-origin"],
];

// needsIsolation: a page or worker script of this site, under this scope.
function needsIsolation(request) {
	const url = new URL(request.url);
	const kind = request.mode === "navigate" || request.destination === "worker" || request.destination === "sharedworker";
	return kind && url.origin === scope.origin && url.pathname.startsWith(scope.pathname);
}

// isolated returns response with the isolation headers it lacks. Opaque
// and redirect responses cannot be rewritten; a response that states an
// embedder policy of its own keeps it.
function isolated(response) {
	if (response.type !== "basic" && response.type !== "default") return response;
	if (response.headers.has("Cross-Origin-Embedder-Policy")) return response;
	const headers = new Headers(response.headers);
	for (const [name, value] of isolationHeaders) {
		if (!headers.has(name)) headers.set(name, value);
	}
	return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

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
