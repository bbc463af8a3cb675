// A world that is not in the package.
tairitsu::bindings!(
    inline = "package test:one; world only { export a: func(); }",
    world = "missing",
);

fn main() {}
