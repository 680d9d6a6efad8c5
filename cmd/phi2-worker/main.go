//go:build js && wasm

// Command browser is the engine of the page product (phi2.wasm): it runs
// in a dedicated Web Worker started by web/phi2-worker.js, which provides
// the SIMD kernel imports and calls the worker protocol's handler.
//
// Once it can take messages, main calls the global phi2Ready(handler);
// the worker script then hands every message the page sends to handler
// (a function of one message object) and sends the page {type:"ready"}.
// Replies go out with postMessage. The messages, their fields and the
// error codes are those of the page's worker protocol (load, generate,
// abort, unload, info, cache, count; progress, token, fallback, done,
// error);
// the checks and codes are in package protocol.
//
// # Notes
//
//   - The handler never blocks: it reads the message and handles it on a
//     goroutine. A generation lets the worker's event loop run after each
//     token, so that an abort stops it at the next token; loads and unloads
//     run one at a time, and stop a running generation first.
//   - A token message whose token is -1 carries text held back until the
//     end of the generation (a possible stop string that was not one, or
//     the end of an incomplete UTF-8 sequence).
//   - Models are stored in the IndexedDB database phi2web-models, under
//     the Web Lock "phi2web download <key>", as the CLI's page does.
package main

import (
	"fmt"
	"os"
	"syscall/js"
)

func main() {
	ready := js.Global().Get("phi2Ready")
	if ready.Type() != js.TypeFunction {
		fmt.Fprintln(os.Stderr, "phi2: no phi2Ready function: run phi2.wasm through phi2-worker.js")
		os.Exit(2)
	}
	initYield()
	e := newWorker()
	handler := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 {
			e.receive(args[0])
		}
		return nil
	})
	ready.Invoke(handler)
	select {}
}
