;; A stand-in guest for the codec tests: it exports its memory and the
;; phi2 codec functions, which the tests call on that memory.
;; Rebuild: wat2wasm --enable-threads codec.wat -o codec.wasm
(module
  (import "phi2" "brotli_decode" (func $decode (param i32 i32 i32 i32) (result i32)))
  (import "phi2" "sha256" (func $sha256 (param i32 i32 i32)))
  (memory (export "memory") 16 16) ;; a maximum: the host reserves capacity up to it
  (func (export "decode") (param i32 i32 i32 i32) (result i32)
    (call $decode (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sha256") (param i32 i32 i32)
    (call $sha256 (local.get 0) (local.get 1) (local.get 2))))
