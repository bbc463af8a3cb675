// `async_import` naming no imported function points at that name.
tairitsu_macros::bindings!(
    inline = "package test:one; interface i { f: func(); } world w { import i; }",
    world = "w",
    async_import = ["test:one/i#g"],
);

fn main() {}
