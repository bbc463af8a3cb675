// A misspelt option.
tairitsu::bindings!(inline = "package test:one; world w {}", wrld = "w");

fn main() {}
