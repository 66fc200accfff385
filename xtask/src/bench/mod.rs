//! `cargo xtask bench`: runs the criterion benchmarks group by group, then
//! writes `target/bench-report/` (report.md, data.json, SVG charts).
//!
//! Results are read from criterion's `raw.csv` files (its `csv_output`
//! feature), the one output criterion documents as stable: every sample's
//! iteration count and measured time. The time per iteration is the slope of
//! time against iterations (least squares through the origin), the same
//! estimator criterion reports for linear sampling. Its `estimates.json`
//! files are private and may change between versions, so they are not read.
//!
//! When the `overhead` group runs, its bench binary is also run as a probe
//! (`probe.rs`): the size of each nesting's future, and instructions per
//! iteration under callgrind (`target/bench-report/callgrind/`).

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{Result, cargo, project_root};

mod cpython;
mod machine;
mod measurements;
mod probe;
mod report;
mod svg;

/// The benches crate.
const PACKAGE: &str = "async-with-benches";

/// Criterion settings for `--quick`: a smoke run of the whole suite.
const QUICK_ARGS: &[&str] = &[
    "--warm-up-time",
    "0.05",
    "--measurement-time",
    "0.2",
    "--sample-size",
    "10",
    "--nresamples",
    "1000",
];

/// Criterion settings for a full run (about 20 minutes on 2 cores).
const FULL_ARGS: &[&str] = &["--warm-up-time", "2", "--measurement-time", "4"];

/// Command-line options of `cargo xtask bench`.
#[derive(Debug, Default)]
pub(crate) struct Options {
    quick: bool,
    filter: Option<String>,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--filter" => {
                    let regex = args.next().ok_or("--filter needs a regex")?;
                    options.filter = Some(regex.clone());
                }
                other => match other.strip_prefix("--filter=") {
                    Some(regex) => options.filter = Some(regex.to_owned()),
                    None => return Err(format!("unknown option `{other}` for `bench`").into()),
                },
            }
        }
        Ok(options)
    }

    fn mode(&self) -> &'static str {
        if self.quick { "quick" } else { "full" }
    }

    /// Cargo arguments selecting the benches crate (and its `quick` feature).
    fn cargo_args(&self) -> Vec<&'static str> {
        let mut args = vec!["bench", "--package", PACKAGE];
        if self.quick {
            args.extend(["--features", "quick"]);
        }
        args
    }
}

/// The benchmarks of one criterion group, in one bench target.
#[derive(Debug)]
struct Group {
    target: String,
    name: String,
    ids: Vec<String>,
}

pub(crate) fn run(options: &Options) -> Result<()> {
    let started = Instant::now();
    let root = project_root();
    let out = root.join("target").join("bench-report");
    let criterion_home = out.join("criterion");
    if criterion_home.exists() {
        fs::remove_dir_all(&criterion_home)?; // the report shows this run only
    }
    fs::create_dir_all(&out)?;
    let log_path = out.join("criterion.log");
    let mut log = fs::File::create(&log_path)?;

    step(&format!(
        "compiling {PACKAGE} (release, {} mode)",
        options.mode()
    ));
    // Diagnostics still reach the terminal; stdout carries the artifacts,
    // where the `overhead` binary's path is (the probes run it directly).
    let built = Command::new(cargo())
        .args(options.cargo_args())
        .args(["--no-run", "--message-format=json-render-diagnostics"])
        .current_dir(&root)
        .stderr(Stdio::inherit())
        .output()?;
    if !built.status.success() {
        return Err(format!("building the benches failed ({})", built.status).into());
    }
    let overhead_exe = bench_executable(&String::from_utf8_lossy(&built.stdout), "overhead");

    let groups = plan(&root, options)?;
    let total: usize = groups.iter().map(|group| group.ids.len()).sum();
    if total == 0 {
        return Err("no benchmark matches the filter".into());
    }
    step(&format!(
        "running {total} benchmarks in {} groups",
        groups.len()
    ));
    let mut done = 0;
    let mut planned_so_far = 0;
    for (index, group) in groups.iter().enumerate() {
        planned_so_far += group.ids.len();
        step(&format!(
            "group {}/{}: {} ({} benchmarks, {} left after it)",
            index + 1,
            groups.len(),
            group.name,
            group.ids.len(),
            total - planned_so_far,
        ));
        run_group(
            &root,
            options,
            group,
            &criterion_home,
            &mut log,
            &mut done,
            total,
        )?;
    }

    step("CPython reference (contextlib)");
    let cpython = cpython::run(&root, options.quick);
    match &cpython {
        Ok(reference) => eprintln!("      CPython {} measured", reference.version),
        Err(reason) => eprintln!("      skipped: {reason}"),
    }

    let probes = if groups.iter().any(|group| group.name == "overhead") {
        step("future sizes and instruction counts (callgrind) of the overhead nestings");
        let probes = match &overhead_exe {
            Some(exe) => probe::run(exe, &out),
            None => probe::Probes::not_run("cargo reported no `overhead` bench executable"),
        };
        for reason in [
            &probes.sizes.as_ref().err(),
            &probes.instructions.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            eprintln!("      skipped: {reason}");
        }
        probes
    } else {
        probe::Probes::not_run("the overhead group was not run")
    };

    step("writing the report");
    let ids: Vec<&str> = groups
        .iter()
        .flat_map(|g| g.ids.iter().map(String::as_str))
        .collect();
    let measured = measurements::read(&criterion_home, &ids)?;
    let context = report::Context {
        machine: machine::describe(&root),
        mode: options.mode(),
        filter: options.filter.clone(),
        criterion_args: if options.quick { QUICK_ARGS } else { FULL_ARGS }.join(" "),
        wall_time: started.elapsed(),
    };
    let written = report::write(&out, &context, &measured, cpython, &probes)?;
    for path in written {
        eprintln!("      {}", path.display());
    }
    eprintln!(
        "done in {:.0} s; criterion's output is in {}",
        started.elapsed().as_secs_f64(),
        log_path.display()
    );
    Ok(())
}

fn step(message: &str) {
    eprintln!("==> {message}");
}

/// The path of bench target `name`'s executable, from cargo's
/// `--message-format=json` output.
fn bench_executable(cargo_json: &str, name: &str) -> Option<PathBuf> {
    cargo_json.lines().find_map(|line| {
        let message: serde_json::Value = serde_json::from_str(line).ok()?;
        let target = &message["target"];
        let is_bench = target["kind"]
            .as_array()?
            .iter()
            .any(|kind| kind == "bench");
        (message["reason"] == "compiler-artifact" && target["name"] == name && is_bench)
            .then(|| message["executable"].as_str().map(PathBuf::from))
            .flatten()
    })
}

/// The bench targets: one file per area in `benches/benches/`.
fn bench_targets(root: &Path) -> Result<Vec<String>> {
    let mut targets = Vec::new();
    for entry in fs::read_dir(root.join("benches").join("benches"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "rs")
            && let Some(stem) = path.file_stem().and_then(|stem| stem.to_str())
        {
            targets.push(stem.to_owned());
        }
    }
    targets.sort();
    Ok(targets)
}

/// Asks each bench target for its benchmarks (criterion's `--list`), keeps
/// those matching the filter, and groups them by criterion group.
fn plan(root: &Path, options: &Options) -> Result<Vec<Group>> {
    let mut groups: Vec<Group> = Vec::new();
    for target in bench_targets(root)? {
        let mut command = Command::new(cargo());
        command
            .args(options.cargo_args())
            .args(["--bench", &target, "--", "--list", "--format", "terse"])
            .current_dir(root)
            .stderr(Stdio::null());
        if let Some(filter) = &options.filter {
            command.arg(filter);
        }
        let output = command.output()?;
        if !output.status.success() {
            return Err(format!("listing the benchmarks of `{target}` failed").into());
        }
        for line in String::from_utf8(output.stdout)?.lines() {
            let Some(id) = line.strip_suffix(": benchmark") else {
                continue;
            };
            let name = id.split('/').next().unwrap_or(id).to_owned();
            match groups
                .iter_mut()
                .find(|g| g.name == name && g.target == target)
            {
                Some(group) => group.ids.push(id.to_owned()),
                None => groups.push(Group {
                    target: target.clone(),
                    name,
                    ids: vec![id.to_owned()],
                }),
            }
        }
    }
    Ok(groups)
}

/// Runs one group's benchmarks, printing one line per benchmark started.
fn run_group(
    root: &Path,
    options: &Options,
    group: &Group,
    criterion_home: &PathBuf,
    log: &mut fs::File,
    done: &mut usize,
    total: usize,
) -> Result<()> {
    let exact: Vec<String> = group.ids.iter().map(|id| escape_regex(id)).collect();
    let filter = format!("^(?:{})$", exact.join("|"));
    let mut child = Command::new(cargo())
        .args(options.cargo_args())
        .args(["--bench", &group.target, "--"])
        .args(if options.quick { QUICK_ARGS } else { FULL_ARGS })
        .args(["--noplot", &filter])
        .env("CRITERION_HOME", criterion_home)
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(log.try_clone()?)
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or("no stdout from the bench process")?;
    // criterion prints each result on stdout as the id, then
    // `time: [low estimate high]`: on one line for short ids, on two for long.
    let mut current: Option<String> = None;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        writeln!(log, "{line}")?;
        let mut rest = line.trim();
        if let Some(id) = group.ids.iter().find(|id| {
            rest.strip_prefix(id.as_str())
                .is_some_and(|after| after.is_empty() || after.starts_with(' '))
        }) {
            current = Some(id.clone());
            rest = rest[id.len()..].trim_start();
        }
        if let Some(estimates) = rest.strip_prefix("time:")
            && let Some(id) = current.take()
        {
            *done += 1;
            let estimate: Vec<&str> = estimates
                .trim_matches(|c| " []".contains(c))
                .split(' ')
                .collect();
            let middle = estimate.get(2..4).map(|e| e.join(" ")).unwrap_or_default();
            eprintln!("    [{done:>3}/{total}] {id:<48} {middle}");
        }
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(format!(
            "group `{}` failed ({status}); see criterion.log",
            group.name
        )
        .into());
    }
    Ok(())
}

/// Escapes `text` for use as a literal in a regex (criterion's filter).
fn escape_regex(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_executable_is_found_among_cargo_messages() {
        let json = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"overhead"},"executable":null}
{"reason":"compiler-artifact","target":{"kind":["bench"],"name":"stack"},"executable":"/t/stack-1"}
{"reason":"compiler-artifact","target":{"kind":["bench"],"name":"overhead"},"executable":"/t/overhead-2"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            bench_executable(json, "overhead"),
            Some(PathBuf::from("/t/overhead-2"))
        );
        assert_eq!(bench_executable(json, "resources"), None);
    }
}
