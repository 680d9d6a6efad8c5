;; A stand-in guest for the host's tests: a WASI command that uses every
;; function of the phi2 module and exits with
;; workers·100 + argc·10 + envc, or with 10–15 where a step goes wrong.
;; With a single argument it writes outside the device memory instead.
;; Rebuild: wat2wasm --enable-threads guest.wat -o guest.wasm
(module
  (import "phi2" "workers" (func $workers (result i32)))
  (import "phi2" "grow" (func $grow (param i64) (result i32)))
  (import "phi2" "write" (func $write (param i32 i32 i32)))
  (import "phi2" "read" (func $read (param i32 i32 i32)))
  (import "phi2" "run" (func $run (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  (data (i32.const 0) "\00\00\80\3f\00\00\00\40\00\00\40\40\00\00\80\40")     ;; a: 1 2 3 4
  (data (i32.const 16) "\00\00\20\41\00\00\a0\41\00\00\f0\41\00\00\20\42")    ;; b: 10 20 30 40
  (data (i32.const 32) "\00\00\30\41\00\00\b0\41\00\00\04\42\00\00\30\42")    ;; a+b: 11 22 33 44
  (data (i32.const 64) "ok\n")
  ;; jobs at 1024: add(768, 256, 512, 0, 4), then trap() at 1088.
  (data (i32.const 1024) "\00\00\00\00\00\03\00\00\00\01\00\00\00\02\00\00\00\00\00\00\04\00\00\00")
  (data (i32.const 1088) "\01\00\00\00")

  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $code)))))

  (func (export "_start")
    (drop (call $args (i32.const 200) (i32.const 204)))
    (drop (call $environ (i32.const 208) (i32.const 212)))
    (call $check (i32.eqz (call $grow (i64.const 131072))) (i32.const 10))
    (call $check (i32.eq (call $grow (i64.const 8589934592)) (i32.const 1)) (i32.const 11))
    (if (i32.eq (i32.load (i32.const 200)) (i32.const 1))
      (then (call $write (i32.const 0xffffff00) (i32.const 0) (i32.const 1024))))
    (call $write (i32.const 256) (i32.const 0) (i32.const 16))
    (call $write (i32.const 512) (i32.const 16) (i32.const 16))
    (call $check (i32.eqz (call $run (i32.const 1024) (i32.const 1))) (i32.const 12))
    (call $read (i32.const 128) (i32.const 768) (i32.const 16))
    (call $check (i64.eq (i64.load (i32.const 128)) (i64.load (i32.const 32))) (i32.const 13))
    (call $check (i64.eq (i64.load (i32.const 136)) (i64.load (i32.const 40))) (i32.const 13))
    (call $check (i32.eq (call $run (i32.const 1024) (i32.const 2)) (i32.const 2)) (i32.const 14))
    ;; iovec {64, 3} at 96; bytes written at 104
    (i32.store (i32.const 96) (i32.const 64))
    (i32.store (i32.const 100) (i32.const 3))
    (call $check (i32.eqz (call $fd_write (i32.const 1) (i32.const 96) (i32.const 1) (i32.const 104))) (i32.const 15))
    (call $exit (i32.add (i32.add
      (i32.mul (call $workers) (i32.const 100))
      (i32.mul (i32.load (i32.const 200)) (i32.const 10)))
      (i32.load (i32.const 208))))))
