//! Prints the bindings of a WIT directory's worlds: `cargo run -p tairitsu-build --example
//! bindgen -- <wit-dir> [world…]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: bindgen <wit-dir> [world…]");
        std::process::exit(2);
    };
    let mut builder = tairitsu_build::Builder::new().wit_dir(dir);
    let mut any = false;
    for w in args {
        builder = builder.world(w);
        any = true;
    }
    if !any {
        builder = builder.all_worlds();
    }
    match builder.generate() {
        Ok(worlds) => {
            for w in worlds {
                println!("{}", w.source);
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
