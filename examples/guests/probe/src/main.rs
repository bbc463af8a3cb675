//! `probe`: a `wasi:cli/command` component that reports what its host granted it.
//!
//! Built for `wasm32-wasip2`, a plain `fn main` program is a command component; `tairitsu run`
//! runs it. It prints its arguments and the variables it was asked about, reads and writes
//! files, and exits with the code it is given, so that a test can check each grant:
//!
//! ```text
//! probe [--env NAME]... [--read PATH]... [--write PATH TEXT]... [--stdin] [--program] [--trap] [--exit CODE] [WORD]...
//! ```
//!
//! * every `WORD` is echoed as `arg: WORD`;
//! * `--program` prints `program NAME`, its own first argument (`argv[0]`);
//! * `--env NAME` prints `env NAME=value`, or `env NAME unset`;
//! * `--read PATH` prints `read PATH: contents`, or `read PATH failed: error`;
//! * `--write PATH TEXT` writes `TEXT` to `PATH` and prints `wrote PATH`, or `write PATH failed: error`;
//! * `--stdin` copies its standard input to `stdin: …`;
//! * `--trap` panics (a wasm trap); `--exit CODE` exits with `CODE` after the rest.
//!
//! It also prints `argc N` (the number of arguments after the program name) first, and
//! `probe done` to stderr last.

use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("argc {}", args.len());
    let mut exit = 0u8;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--env" => {
                let name = rest.next().map(String::as_str).unwrap_or_default();
                match std::env::var(name) {
                    Ok(value) => println!("env {name}={value}"),
                    Err(_) => println!("env {name} unset"),
                }
            }
            "--read" => {
                let path = rest.next().map(String::as_str).unwrap_or_default();
                match std::fs::read_to_string(path) {
                    Ok(text) => println!("read {path}: {}", text.trim_end()),
                    Err(e) => println!("read {path} failed: {e}"),
                }
            }
            "--write" => {
                let path = rest.next().map(String::as_str).unwrap_or_default();
                let text = rest.next().map(String::as_str).unwrap_or_default();
                match std::fs::write(path, text) {
                    Ok(()) => println!("wrote {path}"),
                    Err(e) => println!("write {path} failed: {e}"),
                }
            }
            "--stdin" => {
                let mut input = String::new();
                match std::io::stdin().read_to_string(&mut input) {
                    Ok(_) => println!("stdin: {}", input.trim_end()),
                    Err(e) => println!("stdin failed: {e}"),
                }
            }
            "--program" => match std::env::args().next() {
                Some(name) => println!("program {name}"),
                None => println!("program unnamed"),
            },
            "--trap" => panic!("probe was asked to trap"),
            "--exit" => {
                exit = rest
                    .next()
                    .and_then(|code| code.parse().ok())
                    .unwrap_or(255);
            }
            word => println!("arg: {word}"),
        }
    }
    eprintln!("probe done");
    ExitCode::from(exit)
}
