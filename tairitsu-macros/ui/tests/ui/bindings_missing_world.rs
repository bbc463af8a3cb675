// `world` is required; the error lists the package's worlds.
tairitsu_macros::bindings!(inline = "
    package test:two;
    world first { export a: func(); }
    world second { export b: func(); }
");

fn main() {}
