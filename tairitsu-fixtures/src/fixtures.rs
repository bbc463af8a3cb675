//! The named fixtures: real components with known behaviour, and the WIT they implement.

use std::path::PathBuf;

use crate::generate::{Bodies, DATA_START, generate};

/// WIT of [`root()`]: package `test:root`, world `root` (file `wit/root/root.wit`).
pub const ROOT_WIT: &str = include_str!("../wit/root/root.wit");
/// WIT of [`calc()`]: package `test:calc@0.1.0`, world `calc` (file `wit/calc/calc.wit`).
pub const CALC_WIT: &str = include_str!("../wit/calc/calc.wit");
/// WIT of [`host_import()`]: package `test:host@0.1.0`, world `host-import`
/// (file `wit/host/host.wit`).
pub const HOST_IMPORT_WIT: &str = include_str!("../wit/host/host.wit");
/// WIT of [`faults()`]: package `test:faults`, world `faults` (file `wit/faults/faults.wit`).
pub const FAULTS_WIT: &str = include_str!("../wit/faults/faults.wit");
/// WIT of [`kitchen()`]: package `test:kitchen@0.1.0`, world `kitchen`
/// (file `wit/kitchen/kitchen.wit`).
pub const KITCHEN_WIT: &str = include_str!("../wit/kitchen/kitchen.wit");
/// WIT of [`blob_user()`]: package `test:blobs@0.1.0`, world `blob-user`
/// (file `wit/blobs/blobs.wit`).
pub const BLOB_USER_WIT: &str = include_str!("../wit/blobs/blobs.wit");

const CALC_WAT: &str = include_str!("../wat/calc.wat");
const FAULTS_WAT: &str = include_str!("../wat/faults.wat");

/// The folder holding the fixtures' WIT, one package per subfolder (`root/`, `calc/`, `host/`,
/// `faults/`, `kitchen/`, `blobs/`), so that `wit_parser::Resolve::push_dir(wit_dir().join("calc"))`
/// loads one package.
pub fn wit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("wit")
}

/// World `test:root/root`: root-level exports only.
///
/// * `add(a: u32, b: u32) -> u32`: `a + b`, wrapping;
/// * `greet(name: string) -> string`: `"Hello, " + name + "!"`;
/// * `sum(values: list<u32>) -> u64`: the sum, without overflow;
/// * `version() -> string`: `"1.0.0"`;
/// * `count() -> u32`: 1, 2, 3… on successive calls of one instance (a new instance starts
///   again at 1).
pub fn root() -> Vec<u8> {
    let greet = format!(
        "(local $out i32) (local $len i32)
         (local.set $len (i32.add (local.get 1) (i32.const 8)))
         (local.set $out (call $alloc (local.get $len) (i32.const 1)))
         (memory.copy (local.get $out) (i32.const {hello}) (i32.const 7))
         (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get 0) (local.get 1))
         (i32.store8 (i32.add (local.get $out) (i32.sub (local.get $len) (i32.const 1)))
           (i32.const 33))
         (i32.store (global.get $ret_area) (local.get $out))
         (i32.store offset=4 (global.get $ret_area) (local.get $len))
         (global.get $ret_area)",
        hello = DATA_START
    );
    let sum = "(local $total i64) (local $end i32)
         (local.set $end (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))
         (block $done
           (loop $next
             (br_if $done (i32.ge_u (local.get 0) (local.get $end)))
             (local.set $total
               (i64.add (local.get $total) (i64.extend_i32_u (i32.load (local.get 0)))))
             (local.set 0 (i32.add (local.get 0) (i32.const 4)))
             (br $next)))
         (local.get $total)";
    let version = format!(
        "(i32.store (global.get $ret_area) (i32.const {v}))
         (i32.store offset=4 (global.get $ret_area) (i32.const 5))
         (global.get $ret_area)",
        v = DATA_START + 16
    );
    let bodies = Bodies::new()
        .wat("add", "(i32.add (local.get 0) (local.get 1))")
        .wat("greet", greet)
        .wat("sum", sum)
        .wat("version", version)
        .wat(
            "count",
            "(global.set $count (i32.add (global.get $count) (i32.const 1)))
             (global.get $count)",
        )
        .extra(format!(
            r#"  (global $count (mut i32) (i32.const 0))
  (data (i32.const {hello}) "Hello, ")
  (data (i32.const {v}) "1.0.0")"#,
            hello = DATA_START,
            v = DATA_START + 16
        ));
    generate(ROOT_WIT, "root", &bodies).expect("the root fixture builds")
}

/// World `test:calc/calc@0.1.0`: two exported interfaces that both have an `add`.
///
/// * `test:calc/api@0.1.0`: `add(a, b) = a + b`, `mul(a, b) = a * b`, `negate(x) = -x`
///   (all `s32`, wrapping);
/// * `test:calc/extra@0.1.0`: `add(a, b) = a + b + 1000` (so the two `add`s are told apart),
///   `describe() = "calc extra"`;
/// * root `version() = "0.1.0"`.
///
/// This is also the *ambiguous* fixture: a bare `add` names two exports, a bare `mul` one.
/// Its core module is hand-written WAT (`wat/calc.wat`) passed to [`build`](crate::build).
pub fn calc() -> Vec<u8> {
    crate::build(CALC_WIT, "calc", CALC_WAT).expect("the calc fixture builds")
}

/// The fixture for name-resolution tests: [`calc()`], where `add` is exported by both
/// `test:calc/api@0.1.0` and `test:calc/extra@0.1.0`.
pub fn ambiguous() -> Vec<u8> {
    calc()
}

/// World `test:host/host-import@0.1.0`: imports `log.log(message: string)` and
/// `math.double(x: u32) -> u32` from the host; exports `run(x: u32) -> u32`, which calls
/// `log("run called")` and returns `double(x) + 1` (wrapping), whatever the host's `double`
/// answers.
pub fn host_import() -> Vec<u8> {
    let run = format!(
        r#"(call $"log#log" (i32.const {message}) (i32.const 10))
           (i32.add (call $"math#double" (local.get 0)) (i32.const 1))"#,
        message = DATA_START
    );
    let bodies = Bodies::new().wat("run", run).extra(format!(
        r#"  (data (i32.const {message}) "run called")"#,
        message = DATA_START
    ));
    generate(HOST_IMPORT_WIT, "host-import", &bodies).expect("the host-import fixture builds")
}

/// World `test:faults/faults`: a guest that misbehaves on request.
///
/// * `ok() = 42`; `count()` = 1, 2, 3…;
/// * `crash()` traps (`unreachable`);
/// * `spin()` loops forever: only fuel or epoch interruption stops it;
/// * `grow-memory()` grows memory one page at a time until `memory.grow` fails, then returns
///   the number of pages grown (the memory starts at 1 page and declares no maximum);
/// * `grow-table()` does the same with a funcref table (1 slot to start, declared maximum
///   65536, so it ends even when the host sets no limit);
/// * `divide(a, b)` is `i32.div_s`: traps on `b = 0` and on `s32::MIN / -1`;
/// * `out-of-bounds()` loads from address `0xfffffff0`;
/// * `recurse(n)` recurses without end: stack overflow;
/// * `bad-string()` returns the bytes `80 fe ff`, which are not UTF-8, so lifting fails.
///
/// Its core module is hand-written WAT (`wat/faults.wat`) passed to [`build`](crate::build).
pub fn faults() -> Vec<u8> {
    crate::build(FAULTS_WIT, "faults", FAULTS_WAT).expect("the faults fixture builds")
}

/// Creates a counter cell holding local 0 and returns a new `counter` handle for it.
const NEW_COUNTER: &str = r#"(local $cell i32)
(local.set $cell (call $alloc_keep (i32.const 4) (i32.const 4)))
(i32.store (local.get $cell) (local.get 0))
(call $"counters#[resource-new]counter" (local.get $cell))"#;

const COUNTER_INCREMENT: &str =
    "(i32.store (local.get 0) (i32.add (i32.load (local.get 0)) (i32.const 1)))
(i32.load (local.get 0))";

const BLOB_SIZE: &str = r#"(local $blob i32) (local $size i32)
(local.set $blob (call $"blobs#[constructor]blob" (local.get 0) (local.get 1)))
(local.set $size (call $"blobs#[method]blob.size" (local.get $blob)))
(call $"blobs#[resource-drop]blob" (local.get $blob))
(local.get $size)"#;

/// World `test:kitchen/kitchen@0.1.0`: every kind of WIT value, both directions, and resources.
///
/// * `export echo`: every function returns its argument (`pair(a, b)` returns `(a, b)`,
///   `nothing()` does nothing), generated with [`Body::Echo`](crate::Body::Echo). It covers
///   bool, all integers, f32/f64, char, string, lists, a tuple, records (`point`, `item-info`
///   with kebab-case and keyword field names, `person`), variants (`shape`, and `scalar` whose
///   f32/char cases ride in an i64 slot), an enum, flags, options (nested too), the four
///   shapes of result, an alias (`id`), `list<option<result<point, shape>>>`, a deeply nested
///   record (`deep`) and a record of more than 16 flat values (`big`, passed through memory).
/// * `import host`: the same functions, served by the host.
/// * `export relay`: the same functions again; each passes its arguments to the same-named
///   function of `host` and returns the host's answer ([`Body::Relay`](crate::Body::Relay)).
/// * `export counters`: `resource counter` implemented in WAT: the representation is a pointer
///   to a 4-byte heap cell holding the value; `constructor(start)` and `make-counter(start)`
///   create one, `increment()` adds one and returns the new value, `get()` reads it,
///   `total(a, b)` returns `a.get() + b.get()`. The destructor does nothing (cells are never
///   reused).
/// * `import blobs`: `resource blob` served by the host, with `constructor(data: list<u8>)` and
///   `size() -> u32`.
/// * root export `blob-size(data: list<u8>) -> u32`: constructs a `blob` through the import,
///   calls `size`, drops the blob (the host sees its destructor run) and returns the size.
pub fn kitchen() -> Vec<u8> {
    let bodies = Bodies::new()
        .echo_interface("echo")
        .relay_interface("relay", "host")
        .wat("counters#[constructor]counter", NEW_COUNTER)
        .wat("counters#make-counter", NEW_COUNTER)
        .wat("counters#[method]counter.increment", COUNTER_INCREMENT)
        .wat("counters#[method]counter.get", "(i32.load (local.get 0))")
        .wat(
            "counters#total",
            "(i32.add (i32.load (local.get 0)) (i32.load (local.get 1)))",
        )
        .wat("counters#[dtor]counter", "")
        .wat("blob-size", BLOB_SIZE);
    generate(KITCHEN_WIT, "kitchen", &bodies).expect("the kitchen fixture builds")
}

/// World `test:blobs/blob-user@0.1.0`: the kitchen's `blobs` interface alone.
///
/// * `import blobs`: `resource blob` served by the host, with `constructor(data: list<u8>)` and
///   `size() -> u32`;
/// * root export `blob-size(data: list<u8>) -> u32`, as in [`kitchen()`]: constructs a `blob`,
///   calls `size`, drops it and returns the size.
pub fn blob_user() -> Vec<u8> {
    let bodies = Bodies::new().wat("blob-size", BLOB_SIZE);
    generate(BLOB_USER_WIT, "blob-user", &bodies).expect("the blob-user fixture builds")
}
