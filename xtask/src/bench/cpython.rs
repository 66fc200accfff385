//! The CPython reference: `benches/python/contextlib_bench.py`.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// CPython's time per entry for each contextlib construct and depth.
#[derive(Debug)]
pub(crate) struct Reference {
    pub(crate) version: String,
    pub(crate) raw: Value,
    /// (construct, depth, ns per entry)
    pub(crate) results: Vec<(String, u64, f64)>,
}

impl Reference {
    /// CPython's ns per entry for the Python construct matching the Rust
    /// `construct`, at `depth`.
    pub(crate) fn ns_per_entry(&self, construct: &str, depth: u64) -> Option<f64> {
        let python = python_name(construct)?;
        self.results
            .iter()
            .find(|(name, d, _)| name == python && *d == depth)
            .map(|(_, _, ns)| *ns)
    }
}

/// The contextlib construct a Rust construct is compared with.
pub(crate) fn python_name(construct: &str) -> Option<&'static str> {
    match construct {
        "with" => Some("async-with"),
        "generator" => Some("asynccontextmanager"),
        "exit-stack" => Some("AsyncExitStack"),
        _ => None,
    }
}

/// Runs the script with `python3`; `Err` says why there is no reference.
pub(crate) fn run(root: &Path, quick: bool) -> Result<Reference, String> {
    let script = root
        .join("benches")
        .join("python")
        .join("contextlib_bench.py");
    let mut command = Command::new("python3");
    command.arg(&script).stderr(Stdio::inherit());
    if quick {
        command.arg("--quick");
    }
    let output = match command.output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err("python3 is not installed on this machine".to_owned());
        }
        Err(error) => return Err(format!("python3 could not be started: {error}")),
    };
    if !output.status.success() {
        return Err(format!("{} failed ({})", script.display(), output.status));
    }
    let raw: Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("unreadable output from {}: {error}", script.display()))?;
    let implementation = raw["implementation"].as_str().unwrap_or("?");
    let version = format!(
        "{implementation} {}",
        raw["version"].as_str().unwrap_or("?")
    );
    let results = raw["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                r["construct"].as_str()?.to_owned(),
                r["depth"].as_u64()?,
                r["ns_per_entry"].as_f64()?,
            ))
        })
        .collect();
    Ok(Reference {
        version,
        raw,
        results,
    })
}
