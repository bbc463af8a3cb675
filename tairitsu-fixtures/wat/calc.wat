;; Core module of the `calc` fixture (world `test:calc/calc@0.1.0`).
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "0.1.0")
  (data (i32.const 32) "calc extra")

  (func (export "test:calc/api@0.1.0#add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "test:calc/api@0.1.0#mul") (param i32 i32) (result i32)
    (i32.mul (local.get 0) (local.get 1)))
  (func (export "test:calc/api@0.1.0#negate") (param i32) (result i32)
    (i32.sub (i32.const 0) (local.get 0)))

  (func (export "test:calc/extra@0.1.0#add") (param i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (local.get 1)) (i32.const 1000)))
  ;; Strings are returned through a return area: (pointer, length).
  (func (export "test:calc/extra@0.1.0#describe") (result i32)
    (i32.store (i32.const 64) (i32.const 32))
    (i32.store (i32.const 68) (i32.const 10))
    (i32.const 64))

  (func (export "version") (result i32)
    (i32.store (i32.const 72) (i32.const 16))
    (i32.store (i32.const 76) (i32.const 5))
    (i32.const 72))
)
