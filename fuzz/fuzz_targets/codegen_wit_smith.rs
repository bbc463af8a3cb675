//! The generator against random WIT from `wit-smith`: for every world of the package, generating
//! must not panic; it either fails with an error or gives tokens that parse as a Rust file with
//! syn, and that prettyplease formats into text that parses again.

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use tairitsu_build::{Options, generate_source, generate_tokens};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(mut config) = u.arbitrary::<wit_smith::Config>() else {
        return;
    };
    // wit-smith 0.254 can nest a type deeper than wit-parser accepts and then panics on its own
    // output ("type nesting too deep"); a type of at most 64 parts nests less than that.
    config.max_type_size = config.max_type_size.min(64);
    let Ok(wasm) = wit_smith::smith(&config, &mut u) else {
        return;
    };
    let decoded = wit_component::decode(&wasm).expect("wit-smith output decodes");
    let resolve = decoded.resolve();
    let package = decoded.package();
    let options = Options::default();
    for (name, &world) in &resolve.packages[package].worlds {
        let tokens = match generate_tokens(resolve, world, &options) {
            Ok(tokens) => tokens,
            Err(e) => {
                let message = e.to_string();
                assert!(!message.is_empty(), "world `{name}`: an empty error");
                continue;
            }
        };
        if let Err(e) = syn::parse2::<syn::File>(tokens.clone()) {
            panic!("world `{name}`: the tokens are not a Rust file: {e}\n{tokens}");
        }
        let source = generate_source(resolve, world, &options).expect("the tokens generated");
        if let Err(e) = syn::parse_file(&source) {
            panic!("world `{name}`: the formatted source does not parse: {e}\n{source}");
        }
    }
});
