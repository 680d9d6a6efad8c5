;; A stand-in kernel module for the host's tests: it imports the shared
;; device memory as the real kernel module does and exports a few kernels.
;; Rebuild: wat2wasm --enable-threads kernels.wat -o kernels.wasm
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; add(dst, a, b, i0, i1): dst[i] = a[i] + b[i] (f32) for i0 <= i < i1.
  (func (export "add") (param $dst i32) (param $a i32) (param $b i32) (param $i0 i32) (param $i1 i32)
    (local $o i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i0) (local.get $i1)))
        (local.set $o (i32.shl (local.get $i0) (i32.const 2)))
        (f32.store (i32.add (local.get $dst) (local.get $o))
          (f32.add (f32.load (i32.add (local.get $a) (local.get $o)))
                   (f32.load (i32.add (local.get $b) (local.get $o)))))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 1)))
        (br $next))))

  ;; count(cells, i): atomically adds 1 to the i32 cell i.
  (func (export "count") (param $cells i32) (param $i i32)
    (drop (i32.atomic.rmw.add
      (i32.add (local.get $cells) (i32.shl (local.get $i) (i32.const 2)))
      (i32.const 1))))

  ;; meet(flag, seen, role, spins): role 1 sets the i32 at flag; role 0
  ;; polls it up to spins times and stores 1 at seen if it became set. Two
  ;; such jobs meet only when they run at the same time.
  (func (export "meet") (param $flag i32) (param $seen i32) (param $role i32) (param $spins i32)
    (if (local.get $role)
      (then (i32.atomic.store (local.get $flag) (i32.const 1)) (return)))
    (block $done
      (loop $poll
        (if (i32.atomic.load (local.get $flag))
          (then (i32.atomic.store (local.get $seen) (i32.const 1)) (br $done)))
        (local.set $spins (i32.sub (local.get $spins) (i32.const 1)))
        (br_if $poll (i32.gt_s (local.get $spins) (i32.const 0))))))

  ;; trap(): always traps.
  (func (export "trap") unreachable)

  ;; nop(): does nothing; the per-run overhead benchmark submits it.
  (func (export "nop")))
