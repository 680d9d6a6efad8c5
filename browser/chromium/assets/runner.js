// The program's worker: it runs a GOOS=js program with wasm_exec.js and the
// phi2 import module of kernels.js, sends its output and exit code to the
// server, and gives it the server's directories as its file system.
import { kernelsFile, phi2Imports } from "/kernels.js";

const params = new URL(import.meta.url).searchParams;
const control = params.get("control");
const copy = params.get("copy") ?? "0"; // which of Options.Copies this worker runs
const program = WebAssembly.compileStreaming(fetch("/program.wasm"));
const kernels = WebAssembly.compileStreaming(fetch(`/${kernelsFile()}`)); // relaxed SIMD where V8 has it
const encoder = new TextEncoder();
let ended = false;

// Output is sent by synchronous requests, so that it arrives in order and
// before the exit report. A request costs about a millisecond, so writes
// in quick succession are gathered: a write goes out at once when the
// last request is flushInterval old, else with the next write, when the
// program yields, or before the exit.
const flushInterval = 20; // ms
const flushBytes = 1 << 18;
let pending = [], pendingFd = 0, pendingBytes = 0, lastFlush = -Infinity, flushScheduled = false;

function post(path, body) {
	const x = new XMLHttpRequest();
	x.open("POST", control + path, false);
	x.send(body);
}

function flush() {
	flushScheduled = false;
	if (pendingBytes === 0) return;
	const body = new Uint8Array(pendingBytes);
	let at = 0;
	for (const p of pending) {
		body.set(p, at);
		at += p.length;
	}
	pending = [];
	pendingBytes = 0;
	lastFlush = performance.now();
	post(`out?fd=${pendingFd}&copy=${copy}`, body);
}

function out(fd, bytes) {
	if (ended || bytes.length === 0) return;
	if (fd !== pendingFd) flush();
	pendingFd = fd;
	pending.push(bytes.slice());
	pendingBytes += bytes.length;
	if (pendingBytes >= flushBytes || performance.now() - lastFlush >= flushInterval) {
		flush();
	} else if (!flushScheduled) {
		flushScheduled = true;
		setTimeout(flush, 0);
	}
}

function end(code) {
	if (ended) return;
	flush();
	ended = true;
	post(`exit?copy=${copy}`, String(code));
}

function fatal(e) {
	out(2, encoder.encode(`${e && e.stack || e}\n`));
	end(2);
}

addEventListener("error", (e) => { e.preventDefault(); fatal(e.error ?? e.message); });
// Go's fetch transport leaves some rejections unhandled (a body cut mid-way
// rejects a stream promise Go does not wait on, while Go gets the error by
// its own read): they are reported, and the program decides what follows.
addEventListener("unhandledrejection", (e) => {
	e.preventDefault();
	out(2, encoder.encode(`runner: unhandled rejection: ${e.reason && e.reason.stack || e.reason}\n`));
});

// The file system seen by Go's syscall package (Node.js fs calls with
// callbacks), served by the server's fs/ routes.
const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFCHR = 0o020000;
const O = { O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536 };
let cwd = "/";
const files = new Map(); // fd → { path, pos, append }
let nextFd = 3;

function fsError(code) {
	const e = new Error(code);
	e.code = code;
	return e;
}

function resolvePath(...parts) {
	let segs = [];
	for (const p of [cwd, ...parts]) {
		if (p.startsWith("/")) segs = [];
		for (const s of p.split("/")) {
			if (s === "" || s === ".") continue;
			if (s === "..") segs.pop();
			else segs.push(s);
		}
	}
	return "/" + segs.join("/");
}

// fsCall is a file operation on the server: GET reads, POST changes.
function fsCall(method, op, params, type = "text", body = null) {
	const x = new XMLHttpRequest();
	x.open(method, `${control}fs/${op}?${new URLSearchParams(params)}`, false);
	x.responseType = type;
	x.send(body);
	if (x.status !== 200) throw fsError(x.getResponseHeader("X-Phi2-Error") || "EIO");
	return x.response;
}

function withMethods(st) {
	st.isDirectory = () => (st.mode & S_IFMT) === S_IFDIR;
	return st;
}

const stat = (path, lstat) => withMethods(fsCall("GET", "stat", { path: resolvePath(path), lstat: lstat ? 1 : 0 }, "json"));
const stdStat = () => withMethods({ dev: 0, ino: 0, mode: S_IFCHR | 0o620, nlink: 1, uid: 0, gid: 0, rdev: 0,
	size: 0, blksize: 4096, blocks: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0 });

function file(fd) {
	const f = files.get(fd);
	if (!f) throw fsError("EBADF");
	return f;
}

// callback adapts a function that returns or throws to a Node.js-style
// call whose last argument is the callback.
const callback = (fn) => (...args) => {
	const cb = args.pop();
	let result;
	try {
		result = fn(...args);
	} catch (e) {
		if (!e.code) throw e;
		cb(e);
		return;
	}
	cb(null, result);
};
const enosys = () => { throw fsError("ENOSYS"); };
const change = (op, params) => fsCall("POST", op, params);

globalThis.fs = {
	constants: O,
	writeSync(fd, buf) {
		if (fd !== 1 && fd !== 2) throw fsError("EBADF");
		out(fd, buf);
		return buf.length;
	},
	write: callback((fd, buf, offset, length, position) => {
		const data = buf.subarray(offset, offset + length);
		if (fd === 1 || fd === 2) {
			out(fd, data);
			return length;
		}
		const f = file(fd);
		const off = position ?? (f.append ? -1 : f.pos);
		const n = Number(fsCall("POST", "write", { path: f.path, off }, "text", data));
		if (position == null) f.pos += n;
		return n;
	}),
	open: callback((path, flags, mode) => {
		const abs = resolvePath(path);
		change("open", { path: abs, flags, mode });
		files.set(nextFd, { path: abs, pos: 0, append: (flags & O.O_APPEND) !== 0 });
		return nextFd++;
	}),
	close: callback((fd) => { if (fd > 2) file(fd) && files.delete(fd); }),
	fstat: callback((fd) => fd <= 2 ? stdStat() : stat(file(fd).path)),
	stat: callback((path) => stat(path)),
	lstat: callback((path) => stat(path, true)),
	readdir: callback((path) => fsCall("GET", "readdir", { path: resolvePath(path) }, "json")),
	read: callback((fd, buffer, offset, length, position) => {
		if (fd <= 2) return 0;
		const f = file(fd);
		const data = new Uint8Array(fsCall("GET", "read", { path: f.path, off: position ?? f.pos, n: length }, "arraybuffer"));
		buffer.set(data, offset);
		if (position == null) f.pos += data.length;
		return data.length;
	}),
	fsync: callback(() => undefined),
	ftruncate: callback((fd, size) => change("truncate", { path: file(fd).path, size })),
	truncate: callback((path, size) => change("truncate", { path: resolvePath(path), size })),
	mkdir: callback((path, mode) => change("mkdir", { path: resolvePath(path), mode })),
	unlink: callback((path) => change("unlink", { path: resolvePath(path) })),
	rmdir: callback((path) => change("rmdir", { path: resolvePath(path) })),
	rename: callback((from, to) => change("rename", { path: resolvePath(from), to: resolvePath(to) })),
	chmod: callback((path, mode) => change("chmod", { path: resolvePath(path), mode })),
	fchmod: callback((fd, mode) => change("chmod", { path: file(fd).path, mode })),
	readlink: callback(enosys), chown: callback(enosys), fchown: callback(enosys), lchown: callback(enosys),
	link: callback(enosys), symlink: callback(enosys), utimes: callback(enosys),
};

globalThis.process = {
	getuid: () => -1, getgid: () => -1, geteuid: () => -1, getegid: () => -1, getgroups: enosys,
	pid: -1, ppid: -1, umask: enosys,
	cwd: () => cwd,
	chdir(path) {
		const abs = resolvePath(path);
		if (!stat(abs).isDirectory()) throw fsError("ENOTDIR");
		cwd = abs;
	},
};
globalThis.path = { resolve: resolvePath };

async function main() {
	const config = await (await fetch(control + "config.json")).json();
	cwd = config.dir;
	if (config.webgpu === "absent") {
		delete WorkerNavigator.prototype.gpu;
	} else if (config.webgpu === "no-adapter" && globalThis.GPU) {
		GPU.prototype.requestAdapter = async () => null;
	}
	await import("/wasm_exec.js");
	const go = new Go();
	// "{origin}" in arguments and environment is this page's origin, where
	// Options.Files routes are served.
	const at = (v) => v.replaceAll("{origin}", location.origin);
	go.argv = config.argv.map(at);
	go.env = Object.fromEntries(Object.entries(config.env).map(([k, v]) => [k, at(v)]));
	go.env.PHI2_COPY = copy;
	go.exit = end;
	let instance;
	const phi2 = phi2Imports(() => instance.exports.mem, await kernels, {
		threads: config.threads,
		onError: (message) => out(2, encoder.encode(message + "\n")),
	});
	go.importObject.phi2 = phi2;
	await phi2.ready;
	instance = await WebAssembly.instantiate(await program, go.importObject);
	post("started");
	await go.run(instance);
	phi2.close();
}

main().catch(fatal);
