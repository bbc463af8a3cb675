// The response type is required; a variant name must be kebab-case.
#[derive(tairitsu_macros::WitCommand)]
#[wit(interface = "files")]
enum FilesCommand {
    #[wit(name = "Read_File")]
    Read { path: String },
}

fn main() {}
