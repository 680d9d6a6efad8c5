;; A guest that imports a function the phi2 module does not have.
;; Rebuild: wat2wasm badimport.wat -o badimport.wasm
(module
  (import "phi2" "teleport" (func $teleport))
  (func (export "_start") (call $teleport)))
