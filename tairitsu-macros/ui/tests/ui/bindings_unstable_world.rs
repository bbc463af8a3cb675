// A world gated by `@unstable` without its feature: the error names the feature.
tairitsu_macros::bindings!(
    inline = "package test:one; @unstable(feature = shiny) world w { export f: func(); }",
    world = "w",
);

fn main() {}
