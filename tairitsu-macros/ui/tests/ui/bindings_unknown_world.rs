// A world that is not in the package.
tairitsu_macros::bindings!(
    inline = "package test:one; world only { export a: func(); }",
    world = "missing",
);

fn main() {}
