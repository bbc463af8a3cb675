;; Core module of the `faults` fixture (world `test:faults/faults`).
(module
  (memory (export "memory") 1)
  ;; The declared maximum ends `grow-table` even when the host sets no limit.
  (table $table 1 65536 funcref)
  (global $count (mut i32) (i32.const 0))
  ;; Not UTF-8: a lone continuation byte and two bytes that never occur in UTF-8.
  (data (i32.const 16) "\80\fe\ff")

  (func (export "ok") (result i32)
    (i32.const 42))

  (func (export "count") (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (global.get $count))

  (func (export "crash")
    unreachable)

  (func (export "spin")
    (loop $forever
      (br $forever)))

  (func (export "grow-memory") (result i32)
    (local $grown i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set $grown (i32.add (local.get $grown) (i32.const 1)))
        (br $again)))
    (local.get $grown))

  (func (export "grow-table") (result i32)
    (local $grown i32)
    (block $done
      (loop $again
        (br_if $done
          (i32.eq (table.grow $table (ref.null func) (i32.const 1)) (i32.const -1)))
        (local.set $grown (i32.add (local.get $grown) (i32.const 1)))
        (br $again)))
    (local.get $grown))

  (func (export "divide") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))

  ;; 0xfffffff0: far past the end of any memory smaller than 4 GiB.
  (func (export "out-of-bounds") (result i32)
    (i32.load (i32.const -16)))

  ;; Not a tail call: every level keeps a frame until the stack overflows.
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add
      (call $recurse (i32.add (local.get 0) (i32.const 1)))
      (i32.const 1)))

  (func (export "bad-string") (result i32)
    (i32.store (i32.const 32) (i32.const 16))
    (i32.store (i32.const 36) (i32.const 3))
    (i32.const 32))
)
