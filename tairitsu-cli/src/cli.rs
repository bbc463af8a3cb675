//! The command line, as clap reads it: every subcommand, option and help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tairitsu_runtime::AddressRule;

use crate::units::{Timeout, parse_size, parse_timeout};

const EXAMPLES: &str = "\
Examples:
  tairitsu inspect plugin.wasm
  tairitsu call plugin.wasm 'add(1, 2)'
  tairitsu call plugin.wasm 'greet(name: \"Ada\")' --output wave
  tairitsu run hello.wasm -- --name Ada
  tairitsu bindgen wit/ --world plugin > src/bindings.rs
  tairitsu image load plugin.wasm --tag plugin:1.0 && tairitsu call plugin:1.0 'version()'
  tairitsu serve app.wasm --addr 127.0.0.1:8080 --allow-http api.example.com

Exit codes:
  0  success
  1  the guest failed: a trap, a deadline, a memory limit, a failing import, a failed start
     (for `run`: the guest's own exit code)
  2  bad usage or bad input: not a component, unknown function, wrong value, missing import

Environment:
  TAIRITSU_STORE      the image store directory (default $XDG_DATA_HOME/tairitsu/images,
                      else ~/.local/share/tairitsu/images, else %LOCALAPPDATA%\\tairitsu\\images)
  TAIRITSU_CACHE_DIR  where compiled components are cached (default $XDG_CACHE_HOME/tairitsu,
                      else ~/.cache/tairitsu, else %LOCALAPPDATA%\\tairitsu\\cache)";

/// Host WebAssembly components from the command line: look inside them, call their
/// functions with RON or WAVE values, run commands, print Rust bindings for WIT, and keep a
/// local store of images.
#[derive(Debug, Parser)]
#[command(name = "tairitsu", version, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// The image store directory.
    #[arg(long, global = true, env = "TAIRITSU_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// Say more on stderr: `-v` adds what the runtime does (images loaded, calls that failed),
    /// `-vv` everything it traces. Warnings are always shown.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a component's imports and exports with their WIT signatures, its named types, its
    /// digest and its size.
    #[command(after_help = "\
Examples:
  tairitsu inspect plugin.wasm
  tairitsu inspect plugin.wasm --json | jq '.exports[].wit'
  tairitsu inspect plugin:1.0            (an image in the store)")]
    Inspect(InspectArgs),

    /// Call one exported function with arguments written in RON or WAVE, and print its result
    /// alone on stdout.
    #[command(after_help = "\
Examples:
  tairitsu call plugin.wasm 'add(1, 2)'
  tairitsu call plugin.wasm 'add(a: 1, b: 2)'
  tairitsu call plugin.wasm 'api.add(1, 2)'                        (a name in two interfaces)
  tairitsu call plugin.wasm 'paint([Red, DarkMagenta], (x: 1, y: 2))'    (RON)
  tairitsu call plugin.wasm 'paint([red, dark-magenta], {x: 1, y: 2})' --format wave
  tairitsu call plugin.wasm 'run(4)' --import 'test:host/math#double=8' --import 'log#log=()'
  tairitsu call plugin.wasm 'spin()' --timeout 500ms --max-memory 64MiB
  tairitsu call plugin.wasm 'load(\"/data/x.json\")' --dir ./data::/data --env MODE=test
  tairitsu call plugin.wasm 'fetch(1)' --allow-net 127.0.0.1:9000 --inherit-stderr
  tairitsu call plugin.wasm 'version()' --watch     (again at every change of plugin.wasm)

The function is a root export (`version`), qualified (`pkg:ns/api@1.0.0#add`, `pkg:ns/api.add`),
by interface (`api.add`), or bare when only one exported interface has it.

A WIT `result` is a value: `Err(\"no\")` is printed and the exit code is 0. The guest's stdout is
not connected, so that stdout carries the result alone; what the guest writes to stderr is
dropped unless `--inherit-stderr` is given (a panicking Rust guest says why there).")]
    Call(CallArgs),

    /// Run a `wasi:cli/command` component (a `fn main` program built for wasm32-wasip2), with
    /// the host's stdio and nothing else unless granted.
    #[command(after_help = "\
Examples:
  tairitsu run hello.wasm
  tairitsu run hello.wasm -- --verbose input.txt
  tairitsu run --dir ./data::/data --env LANG=en hello.wasm /data/input.txt
  tairitsu run --timeout 10s --max-memory 256MiB hello.wasm

Options for tairitsu come before COMPONENT; everything after it goes to the guest (a `--`
after COMPONENT is allowed too). The guest's first argument (`argv[0]`) is the component's
file name without its directories, or the image reference, unless `--argv0` names it: the
guest is not told where the file is on this machine.

Exit code: the guest's. WASI 0.2's `exit` carries only success or failure, so a guest's
`exit(3)` ends with 1. A trap (a Rust panic is one), the deadline or a
limit ends with 1 and a message on stderr; bad input before the guest starts ends with 2.")]
    Run(RunArgs),

    /// Print the Rust bindings that tairitsu-build generates for WIT (what a build.rs would
    /// include).
    #[command(after_help = "\
Examples:
  tairitsu bindgen wit/
  tairitsu bindgen wit/ --world plugin
  tairitsu bindgen wit/ --all-worlds --out-dir src/generated
  tairitsu bindgen wit/ --with my:plugin/files/file=crate::OpenFile --derive Hash
  tairitsu bindgen wit/host.wit --runtime-path ::tairitsu_runtime
  tairitsu bindgen wit/ --async
  tairitsu bindgen wit/ --async-import my:plugin/files#read --features experimental")]
    Bindgen(BindgenArgs),

    /// Manage the local image store: components kept by digest under `name:tag` references.
    #[command(
        subcommand,
        after_help = "\
Examples:
  tairitsu image load calc.wasm --tag calc:1.0
  tairitsu image ls
  tairitsu call calc:1.0 'add(1, 2)'
  tairitsu image inspect calc:1.0
  tairitsu image rm calc:1.0
  tairitsu image push calc:1.0 localhost:5000/calc:1.0
  tairitsu image pull localhost:5000/calc:1.0

The store keeps each component once, by its sha256; commands that take a component file also
take a stored image, by `name:tag` (`name` means `name:latest`) or by digest (6 or more hex
digits). `sha256:…` always means a digest, never a tag. `call` and `run` pull a reference
that names a registry host (`localhost:5000/calc:1.0`, `ghcr.io/org/calc:1.0`) on first use."
    )]
    Image(ImageCommand),

    /// Serve a `wasi:http/proxy` component over HTTP/1.1: a fresh instance per request, with
    /// its own memory limit and deadline. Ctrl-C stops accepting and lets the requests in
    /// flight finish.
    #[command(after_help = "\
Examples:
  tairitsu serve app.wasm
  tairitsu serve app.wasm --addr 127.0.0.1:3000 --timeout 2s --max-memory 64MiB
  tairitsu serve app.wasm --allow-http api.example.com --max-body 4MiB
  tairitsu serve app.wasm --watch        (serve each new version of app.wasm as it is written)

Each request gets a fresh instance from one pre-instantiated component (the pooling
allocator makes that cheap). A guest that traps or exceeds its memory answers 500, one past
its deadline 504, a body over --max-body 413; the other requests are not touched. One line per
request goes to stderr: client, request line, status, time to the response head, request
number.")]
    Serve(ServeArgs),
}

/// `tairitsu inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A component file, or an image in the store (`name:tag`, or a digest prefix).
    #[arg(value_name = "COMPONENT")]
    pub component: String,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The text formats of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// RON, as serde writes the generated Rust types: `(x: 1, y: 2)`, `Some("a")`, `[Read]`.
    Ron,
    /// WAVE, as `wasmtime run --invoke` reads it: `{x: 1, y: 2}`, `some("a")`, `{read}`.
    Wave,
}

impl From<FormatArg> for tairitsu_runtime::Format {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Ron => tairitsu_runtime::Format::Ron,
            FormatArg::Wave => tairitsu_runtime::Format::Wave,
        }
    }
}

/// `tairitsu call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// A component file, or an image in the store (`name:tag`, or a digest prefix).
    #[arg(value_name = "COMPONENT")]
    pub component: String,

    /// The call: `name(arguments)`, positional `add(1, 2)` or named `add(a: 1, b: 2)`.
    #[arg(value_name = "CALL")]
    pub call: String,

    /// The format of the arguments, of `--import` values, and of the result.
    #[arg(long, value_enum, default_value_t = FormatArg::Ron)]
    pub format: FormatArg,

    /// The format of the result, when it differs from `--format`.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output: Option<FormatArg>,

    /// Serve the import NAME with a constant result VALUE, in the input format (`()` for a
    /// function without a result). NAME is qualified (`pkg:ns/iface@1.0.0#func`, the version
    /// may be left out), by interface (`iface#func`), or bare when unique. Repeat for each.
    #[arg(long = "import", value_name = "NAME=VALUE")]
    pub imports: Vec<String>,

    /// Define every import that nothing provides as a function that traps when called,
    /// instead of refusing to start.
    #[arg(long)]
    pub trap_unknown_imports: bool,

    /// Connect the guest's stderr to this process's stderr (by default what the guest writes
    /// there is dropped).
    #[arg(long)]
    pub inherit_stderr: bool,

    /// The limits of the call.
    #[command(flatten)]
    pub limits: LimitArgs,

    /// What the guest may touch.
    #[command(flatten)]
    pub sandbox: SandboxArgs,

    /// When COMPONENT is an image in a registry.
    #[command(flatten)]
    pub pull: PullArgs,

    /// Make the call again every time COMPONENT (a file) changes, printing each result; a
    /// version that does not load or fails the call prints its error, and the watching goes
    /// on. Ctrl-C stops.
    #[arg(long)]
    pub watch: bool,
}

/// `tairitsu run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// A `wasi:cli/command` component file (or an image in the store), then the guest's
    /// arguments.
    #[arg(
        value_name = "COMPONENT [ARGS]",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,

    /// Define every import that nothing provides (neither WASI nor the host) as a function
    /// that traps when called, instead of refusing to start.
    #[arg(long)]
    pub trap_unknown_imports: bool,

    /// The guest's first argument, its program name (default: the component's file name, or
    /// the image reference).
    #[arg(long, value_name = "NAME")]
    pub argv0: Option<String>,

    /// The limits of the run (no deadline unless `--timeout` is given).
    #[command(flatten)]
    pub limits: LimitArgs,

    /// What the guest may touch (stdio is always the host's).
    #[command(flatten)]
    pub sandbox: SandboxArgs,

    /// When COMPONENT is an image in a registry.
    #[command(flatten)]
    pub pull: PullArgs,
}

/// When to pull an image given as a registry reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum PullPolicy {
    /// Never: use the image in the store, or fail.
    Never,
    /// When the store does not have it (the default).
    #[default]
    Missing,
    /// Every time: ask the registry for the reference's current image.
    Always,
}

/// `--pull` and the registry options of `call` and `run`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// When COMPONENT is a registry reference (`localhost:5000/calc:1.0`,
    /// `ghcr.io/org/plugin@sha256:…`): pull it `never`, when `missing` from the store, or
    /// `always`.
    #[arg(long = "pull", value_enum, value_name = "WHEN", default_value_t = PullPolicy::Missing)]
    pub policy: PullPolicy,

    /// How to reach the registry.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Credentials and transport for registries.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// The user name for the registry (with `--password-stdin`). Without it, the `auths`
    /// entry of `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`) for the registry is
    /// used, else none.
    #[arg(long, value_name = "NAME", requires = "password_stdin")]
    pub username: Option<String>,

    /// Read the password (or access token) for `--username` from stdin, up to the first line
    /// break.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,

    /// Allow plain HTTP to this registry: no TLS, so anyone on the network path can read
    /// what is transferred and, for a pull by tag, change it (digests are still verified,
    /// which protects a pull by digest). Registries on this machine (`localhost`,
    /// `127.0.0.0/8`) use plain HTTP unless `--tls` is given.
    #[arg(long, conflicts_with = "tls")]
    pub insecure: bool,

    /// Use TLS for a registry on this machine too (`localhost`, `127.0.0.0/8`), for a local
    /// registry that only serves HTTPS.
    #[arg(long)]
    pub tls: bool,

    /// Trust this certificate (PEM: a CA's, or the registry's own self-signed one) in
    /// addition to the system's roots. `SSL_CERT_FILE` instead replaces the system's roots.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<std::path::PathBuf>,
}

impl RunArgs {
    /// The component: the first word after the options.
    pub fn component(&self) -> &str {
        &self.command[0]
    }

    /// The guest's arguments: the rest, without a `--` right after the component.
    pub fn args(&self) -> &[String] {
        match self.command.get(1).map(String::as_str) {
            Some("--") => &self.command[2..],
            _ => &self.command[1..],
        }
    }
}

/// `tairitsu serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A `wasi:http/proxy` component file, or an image in the store.
    #[arg(value_name = "COMPONENT")]
    pub component: String,

    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,

    /// The largest request body: `1MiB`, `64KiB`. A larger `content-length` is answered 413.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_body: usize,

    /// The limits of each request (`--timeout` is wall-clock time per request; default 30s).
    #[command(flatten)]
    pub limits: LimitArgs,

    /// What each request's instance may touch (its stderr is the server's).
    #[command(flatten)]
    pub sandbox: SandboxArgs,

    /// Reload COMPONENT (a file) when it changes: the new version is compiled and checked
    /// beside the one serving, then new requests go to it while the requests in flight finish
    /// on the old one. A version that does not load (or is not a proxy) is logged, and the
    /// old one keeps serving.
    #[arg(long)]
    pub watch: bool,
}

/// `--timeout` and `--max-memory`.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Interrupt the guest after this long: `500ms`, `2s`, `1m`, or `none`. Default for
    /// `call`: 5s; for `run`: none.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<Timeout>,

    /// The most linear memory the guest may have, all its memories together: `64MiB`, `1GiB`,
    /// `512KiB`. Default 128MiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<usize>,
}

/// The WASI grants: nothing unless asked.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Let the guest read and write the host directory HOST, seen as GUEST (`./data::/data`).
    /// GUEST is required, so that the guest never learns the host's paths. Repeat for more.
    #[arg(long = "dir", value_name = "HOST::GUEST")]
    pub dirs: Vec<String>,

    /// Let the guest read (only) the host directory HOST, seen as GUEST.
    #[arg(long = "ro-dir", value_name = "HOST::GUEST")]
    pub ro_dirs: Vec<String>,

    /// Let the guest send `wasi:http` requests to HOST: `api.example.com` (ports 80 and 443),
    /// `api.example.com:8443`, `*.example.org`, `127.0.0.1:9000`, `*` (any public host).
    /// Private, loopback and link-local addresses stay refused unless listed as addresses,
    /// also when an allowed name resolves to one. Repeat for more.
    #[arg(long = "allow-http", value_name = "HOST")]
    pub allow_http: Vec<String>,

    /// Set the guest's environment variable K to V; `--env K` passes the host's value of K.
    /// The host's environment is never inherited otherwise.
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,

    /// Let the guest connect to (TCP) and send to (UDP) ADDR: `127.0.0.1:9000`, `[::1]:9000`,
    /// `10.0.0.7` (any port), `10.0.0.0/8`, `10.0.0.0/8:443`. Repeat for more. Nothing else is
    /// reachable, names are not looked up, and the guest cannot listen. No network by default.
    #[arg(long = "allow-net", value_name = "ADDR", value_parser = parse_address_rule)]
    pub allow_net: Vec<AddressRule>,
}

fn parse_address_rule(text: &str) -> Result<AddressRule, String> {
    text.parse()
        .map_err(|e: tairitsu_runtime::AddressRuleError| e.to_string())
}

/// `tairitsu bindgen`.
#[derive(Debug, Args)]
pub struct BindgenArgs {
    /// A directory of `.wit` files (with `deps/`), or one `.wit` file.
    #[arg(value_name = "WIT_DIR")]
    pub wit_dir: PathBuf,

    /// The world to generate (`plugin`, or qualified `ns:pkg/plugin`). Repeat for more.
    /// Default: the only world of the main package.
    #[arg(long = "world", value_name = "WORLD")]
    pub worlds: Vec<String>,

    /// Generate every world of the main package.
    #[arg(long, conflicts_with = "worlds")]
    pub all_worlds: bool,

    /// The path generated code names the runtime by.
    #[arg(long, value_name = "PATH", default_value = "::tairitsu")]
    pub runtime_path: String,

    /// Write one `<world>.rs` per world into this directory instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// Bind an imported resource to a host type, so that its handles are `Resource<PATH>`
    /// (`my:plugin/files/file=crate::OpenFile`). Repeat for more.
    #[arg(long = "with", value_name = "RESOURCE=PATH")]
    pub with: Vec<String>,

    /// Derive this trait too on the generated records, variants and enums (`Hash`, `Eq`,
    /// `PartialOrd`, a path). Repeat for more.
    #[arg(long = "derive", value_name = "TRAIT")]
    pub derives: Vec<String>,

    /// Make handler methods return `wasmtime::Result<T>`, so that an `Err` traps the guest.
    #[arg(long)]
    pub trappable_imports: bool,

    /// Enable the items gated by `@unstable(feature = NAME)`. Repeat for more.
    #[arg(long = "features", value_name = "NAME", value_delimiter = ',')]
    pub features: Vec<String>,

    /// Enable every `@unstable` feature.
    #[arg(long)]
    pub all_features: bool,

    /// Async imports and exports: handler methods return `Send` futures (write them as
    /// `async fn`), typed callers await `call_async`. Same as `--async-imports --async-exports`.
    #[arg(long = "async")]
    pub async_all: bool,

    /// Make every imported function async (handler methods return futures).
    #[arg(long)]
    pub async_imports: bool,

    /// Make every typed caller of an export async.
    #[arg(long)]
    pub async_exports: bool,

    /// Make one imported function async: `pkg:ns/iface#f`, or `f` for the world's own.
    /// Repeat for more.
    #[arg(long = "async-import", value_name = "FUNCTION")]
    pub async_import: Vec<String>,

    /// Make the caller of one exported function async: `pkg:ns/iface#f`, or `f`. Repeat for
    /// more.
    #[arg(long = "async-export", value_name = "FUNCTION")]
    pub async_export: Vec<String>,
}

/// `tairitsu image …`.
#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Compile a component and keep it in the store under a reference.
    #[command(after_help = "\
Examples:
  tairitsu image load calc.wasm                       (as calc:latest)
  tairitsu image load calc.wasm --tag calc:1.0 --tag calc:stable

Loading compiles the component once; later loads and calls of the same component, from any
process, read the compiled code from the cache.")]
    Load(ImageLoadArgs),

    /// List the stored images.
    #[command(
        visible_alias = "list",
        after_help = "\
Examples:
  tairitsu image ls
  tairitsu image ls --json
  tairitsu image ls -q | xargs tairitsu image rm     (empty the store)"
    )]
    Ls(ImageLsArgs),

    /// Show a stored image: what `tairitsu inspect` shows, and its references and file.
    #[command(after_help = "\
Examples:
  tairitsu image inspect calc:1.0
  tairitsu image inspect 273dbf21cdaa --json")]
    Inspect(ImageInspectArgs),

    /// Remove references; a component goes with its last reference (a digest removes them
    /// all).
    #[command(
        visible_alias = "remove",
        after_help = "\
Examples:
  tairitsu image rm calc:1.0
  tairitsu image rm calc:1.0 calc:latest
  tairitsu image rm sha256:273dbf21cdaa     (every reference to it, and the component)"
    )]
    Rm(ImageRmArgs),

    /// Pull a Wasm component from an OCI registry into the store.
    #[command(after_help = "\
Examples:
  tairitsu image pull localhost:5000/calc:1.0
  tairitsu image pull ghcr.io/org/plugin@sha256:6c48b4…     (by manifest digest: pinned)
  echo \"$TOKEN\" | tairitsu image pull ghcr.io/org/plugin:1.0 --username ada --password-stdin

The image is stored as REGISTRY/REPOSITORY:TAG (`tairitsu image ls` lists it) with its
registry digest (`tairitsu image inspect` prints it, for pinning). A reference without a
registry host is on Docker Hub (`calc` is docker.io/library/calc:latest). The manifest must be
a Wasm artifact: config application/vnd.wasm.config.v0+json, one application/wasm layer. Its
digest and the layer's are verified; nothing is stored when they do not match.")]
    Pull(ImagePullArgs),

    /// Push an image (a component file or an image in the store) to an OCI registry, as a
    /// Wasm artifact.
    #[command(after_help = "\
Examples:
  tairitsu image push calc.wasm localhost:5000/calc:1.0
  tairitsu image push calc:1.0 ghcr.io/org/calc:1.0 --username ada --password-stdin

The artifact follows the CNCF Wasm OCI layout that wkg, wash and Spin read: one
application/wasm layer (the component, digest = its sha256) and an
application/vnd.wasm.config.v0+json config listing the component's imports and exports, with
the creation time.")]
    Push(ImagePushArgs),
}

/// `tairitsu image pull`.
#[derive(Debug, Args)]
pub struct ImagePullArgs {
    /// `REGISTRY/REPOSITORY[:TAG]` or `REGISTRY/REPOSITORY@sha256:DIGEST`.
    #[arg(value_name = "REFERENCE")]
    pub reference: String,

    /// How to reach the registry.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// `tairitsu image push`.
#[derive(Debug, Args)]
pub struct ImagePushArgs {
    /// A component file, or an image in the store (`name:tag`, or a digest).
    #[arg(value_name = "IMAGE")]
    pub image: String,

    /// `REGISTRY/REPOSITORY[:TAG]` (`:latest` by default).
    #[arg(value_name = "REFERENCE")]
    pub reference: String,

    /// How to reach the registry.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// `tairitsu image load`.
#[derive(Debug, Args)]
pub struct ImageLoadArgs {
    /// The component file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// A reference, `name` or `name:tag` (default: the file name, `:latest`). Repeat for more.
    #[arg(long = "tag", short = 't', value_name = "NAME[:TAG]")]
    pub tags: Vec<String>,
}

/// `tairitsu image ls`.
#[derive(Debug, Args)]
pub struct ImageLsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Print only the digests.
    #[arg(long, short = 'q', conflicts_with = "json")]
    pub quiet: bool,
}

/// `tairitsu image inspect`.
#[derive(Debug, Args)]
pub struct ImageInspectArgs {
    /// `name:tag`, `name` (`:latest`), or a digest (`sha256:…`, or 6 or more of its first hex
    /// digits).
    #[arg(value_name = "IMAGE")]
    pub image: String,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `tairitsu image rm`.
#[derive(Debug, Args)]
pub struct ImageRmArgs {
    /// References or digests.
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn run_passes_everything_after_the_component_to_the_guest() {
        let cli = Cli::try_parse_from([
            "tairitsu", "run", "--env", "A=1", "app.wasm", "--env", "x", "--", "y",
        ])
        .unwrap();
        let Command::Run(run) = cli.command else {
            panic!("not run")
        };
        assert_eq!(run.component(), "app.wasm");
        assert_eq!(run.sandbox.env, ["A=1"]);
        assert_eq!(run.args(), ["--env", "x", "--", "y"]);
        let cli =
            Cli::try_parse_from(["tairitsu", "run", "app.wasm", "--", "--read", "f"]).unwrap();
        let Command::Run(run) = cli.command else {
            panic!("not run")
        };
        assert_eq!(run.component(), "app.wasm");
        assert_eq!(run.args(), ["--read", "f"]);
        let cli = Cli::try_parse_from(["tairitsu", "run", "app.wasm", "--", "--", "x"]).unwrap();
        let Command::Run(run) = cli.command else {
            panic!("not run")
        };
        assert_eq!(run.args(), ["--", "x"]);
        assert!(Cli::try_parse_from(["tairitsu", "run"]).is_err());
    }
}
