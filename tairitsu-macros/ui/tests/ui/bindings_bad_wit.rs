// WIT that does not resolve: wit-parser's message, with line and caret.
tairitsu_macros::bindings!(
    inline = "package test:bad; world w { export a: func() -> strng; }",
    world = "w",
);

fn main() {}
