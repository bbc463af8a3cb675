// A misspelt option.
tairitsu_macros::bindings!(inline = "package test:one; world w {}", wrld = "w");

fn main() {}
