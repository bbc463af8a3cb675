//! WAVE (and RON) parsing against the wasmtime types of real components: the first byte picks a
//! parameter type or a whole function of the catalogue, the rest is the text.
//!
//! Reading must never panic. A value that reads must print in both formats and read back the
//! same through each; an argument list that reads must print and read back the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tairitsu_fuzz::{catalogue, sorted_flags};
use tairitsu_runtime::dynamic::{NoHandles, ValueLimits, call, ron, wave};

fuzz_target!(|data: &[u8]| {
    let catalogue = catalogue();
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let limits = ValueLimits::default();
    if pick & 0x80 == 0 {
        let typed = &catalogue.types[usize::from(pick) % catalogue.types.len()];
        let ty = &typed.wasmtime;
        if let Ok(val) = wave::parse(text, ty) {
            let printed = wave::to_string(&val)
                .unwrap_or_else(|e| panic!("{val:?} read from {text:?} does not print: {e}"));
            let back = wave::parse(&printed, ty)
                .unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not read: {e}"));
            assert_eq!(sorted_flags(&back), sorted_flags(&val), "WAVE {text:?}");
            if let Some(model) = &typed.model {
                let as_ron = ron::to_string(&val, model)
                    .unwrap_or_else(|e| panic!("{model}: {val:?} does not print as RON: {e}"));
                let back = ron::parse(&as_ron, model)
                    .unwrap_or_else(|e| panic!("{model}: {as_ron:?} does not read: {e}"));
                assert_eq!(sorted_flags(&back), sorted_flags(&val), "RON {as_ron:?}");
            }
        }
        if let Some(model) = &typed.model
            && let Ok(val) = ron::parse(text, model)
        {
            let as_wave = wave::to_string(&val)
                .unwrap_or_else(|e| panic!("{model}: {val:?} does not print as WAVE: {e}"));
            let back = wave::parse(&as_wave, ty)
                .unwrap_or_else(|e| panic!("{model}: {as_wave:?} does not read: {e}"));
            assert_eq!(sorted_flags(&back), sorted_flags(&val), "WAVE {as_wave:?}");
        }
    } else {
        let func = &catalogue.funcs[usize::from(pick & 0x7f) % catalogue.funcs.len()];
        if let Ok(args) = call::parse_ron_input(text, func, &limits, &mut NoHandles) {
            let printed = call::ron_args_to_string(&args, func, &limits, &mut NoHandles)
                .unwrap_or_else(|e| panic!("{}: {args:?} does not print: {e}", func.name));
            let back = call::parse_ron_args(&printed, func, &limits, &mut NoHandles)
                .unwrap_or_else(|e| panic!("{}: {printed:?} does not read: {e}", func.name));
            assert_eq!(back.len(), args.len());
            for (b, a) in back.iter().zip(&args) {
                assert_eq!(sorted_flags(b), sorted_flags(a), "{printed:?}");
            }
        }
        if let Ok(args) = call::parse_wave_args(text, func, &limits) {
            assert_eq!(args.len(), func.params.len(), "{}: {text:?}", func.name);
            for arg in &args {
                wave::to_string(arg)
                    .unwrap_or_else(|e| panic!("{}: {arg:?} does not print: {e}", func.name));
            }
        }
        if let Ok(call) = call::CallText::parse(text) {
            let _ = call.ron_args(func, &limits, &mut NoHandles);
            let _ = call.wave_args(func, &limits);
        }
    }
});
