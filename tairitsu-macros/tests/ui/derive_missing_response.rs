// The response type is required; a variant name must be kebab-case.
#[derive(tairitsu::WitCommand)]
#[wit(interface = "files")]
enum FilesCommand {
    #[wit(name = "Read_File")]
    Read { path: String },
}

fn main() {}
