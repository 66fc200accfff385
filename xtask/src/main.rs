//! Project automation: `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! Commands:
//! - `bench [--quick] [--filter <regex>]`: runs the criterion benchmarks of
//!   `benches/` and writes a report to `target/bench-report/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;

/// Every command's error: shown to the user, then exit code 1.
type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  bench [--quick] [--filter <regex>]
      run the criterion benchmarks (benches/) and write target/bench-report/
      (report.md, data.json, one SVG chart per group); with the overhead group,
      also the nestings' future sizes and their instruction counts (callgrind,
      when valgrind is installed)
      --quick           short measurements, fewer depths: a smoke run in under 3 minutes
      --filter <regex>  only the benchmarks whose id (group/runtime/construct/param) matches";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bench") => bench::Options::parse(&args[1..]).and_then(|options| bench::run(&options)),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate).
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The cargo that runs this xtask (`$CARGO`), so the same toolchain builds
/// the benches.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}
