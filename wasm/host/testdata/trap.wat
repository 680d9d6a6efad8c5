;; A guest that traps at once.
;; Rebuild: wat2wasm trap.wat -o trap.wasm
(module (func (export "_start") unreachable))
