//! What the `overhead` bench binary measures besides wall time, asked
//! through its `ASYNC_WITH_BENCH_PROBE` variable (see
//! `async_with_benches::probe`): the size of each nesting's future, and
//! instruction counts under callgrind, which do not move between runs as
//! wall-clock cells do.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The variable the bench binary reads (`async_with_benches::probe::PROBE`).
const PROBE: &str = "ASYNC_WITH_BENCH_PROBE";

/// Two iteration counts: their difference cancels the process's start-up,
/// the first iteration's lazy initializations included.
const ITERATIONS: (u64, u64) = (1_000, 11_000);

/// The depth instruction counts are taken at (the deepest the quick build
/// compiles for every construct but generator-style).
pub(crate) const COUNTED_DEPTH: u64 = 16;

/// Constructs counted by callgrind: every construct, in the report's order.
const COUNTED: &[&str] = super::report::CONSTRUCT_ORDER;

/// The size of the future one nesting makes, in a release build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FutureSize {
    pub(crate) construct: String,
    pub(crate) depth: u64,
    pub(crate) bytes: u64,
}

impl FutureSize {
    pub(crate) fn per_level(&self) -> f64 {
        self.bytes as f64 / self.depth.max(1) as f64
    }
}

/// Instructions one iteration of a construct executes (callgrind's `Ir`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Instructions {
    pub(crate) construct: String,
    /// Depth of the nesting, or entries of a dynamic stack.
    pub(crate) depth: u64,
    pub(crate) per_iteration: f64,
}

impl Instructions {
    pub(crate) fn per_level(&self) -> f64 {
        self.per_iteration / self.depth.max(1) as f64
    }
}

/// Both probes' results, or why each was not taken.
#[derive(Debug)]
pub(crate) struct Probes {
    pub(crate) sizes: Result<Vec<FutureSize>, String>,
    pub(crate) instructions: Result<Vec<Instructions>, String>,
}

impl Probes {
    pub(crate) fn not_run(reason: &str) -> Self {
        Self {
            sizes: Err(reason.to_owned()),
            instructions: Err(reason.to_owned()),
        }
    }
}

/// Runs both probes on the `overhead` bench binary `exe`; callgrind's
/// files go to `out`.
pub(crate) fn run(exe: &Path, out: &Path) -> Probes {
    let sizes = sizes(exe);
    let instructions = match &sizes {
        Ok(sizes) => instructions(exe, out, sizes),
        Err(reason) => Err(format!("no nesting to count: {reason}")),
    };
    Probes {
        sizes,
        instructions,
    }
}

fn sizes(exe: &Path) -> Result<Vec<FutureSize>, String> {
    let output = Command::new(exe)
        .env(PROBE, "sizes")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("{} could not be started: {error}", exe.display()))?;
    if !output.status.success() {
        return Err(format!("the sizes probe failed ({})", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let sizes = parse_sizes(&stdout);
    if sizes.is_empty() {
        return Err("the sizes probe printed no size".into());
    }
    Ok(sizes)
}

fn parse_sizes(stdout: &str) -> Vec<FutureSize> {
    stdout
        .lines()
        .filter_map(|line| match line.split('\t').collect::<Vec<_>>()[..] {
            ["future-size", construct, depth, bytes] => Some(FutureSize {
                construct: construct.to_owned(),
                depth: depth.parse().ok()?,
                bytes: bytes.parse().ok()?,
            }),
            _ => None,
        })
        .collect()
}

/// Counts each [`COUNTED`] construct at [`COUNTED_DEPTH`], or at the
/// deepest depth the build has for it (generator-style in a quick build,
/// whose references are then counted at that depth too).
fn instructions(exe: &Path, out: &Path, sizes: &[FutureSize]) -> Result<Vec<Instructions>, String> {
    match Command::new("valgrind").arg("--version").output() {
        Ok(output) if output.status.success() => {}
        Ok(_) => return Err("`valgrind --version` failed".into()),
        Err(_) => return Err("valgrind is not installed (`apt-get install valgrind`)".into()),
    }
    let dir = out.join("callgrind");
    std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    let mut counted = Vec::new();
    for (construct, depth) in plan(sizes) {
        let (few, many) = ITERATIONS;
        let at_few = callgrind(exe, &dir, construct, depth, few)?;
        let at_many = callgrind(exe, &dir, construct, depth, many)?;
        let per_iteration = at_many.saturating_sub(at_few) as f64 / (many - few) as f64;
        eprintln!(
            "      {construct:<24} depth {depth:>2}: {per_iteration:>7.0} instructions per iteration"
        );
        counted.push(Instructions {
            construct: construct.to_owned(),
            depth,
            per_iteration,
        });
    }
    Ok(counted)
}

/// Which constructs to count at which depth, given the nestings the build
/// has (the sizes probe lists them).
fn plan(sizes: &[FutureSize]) -> Vec<(&'static str, u64)> {
    let has = |construct: &str, depth: u64| {
        // The dynamic stacks are benched beside the hand-written nesting.
        let nesting = match construct {
            "boxed-vec" | "exit-stack" => "hand-written",
            other => other,
        };
        sizes
            .iter()
            .any(|s| s.construct == nesting && s.depth == depth)
    };
    let deepest = |construct: &str| {
        let mut depths: Vec<u64> = sizes.iter().map(|s| s.depth).collect();
        depths.sort_unstable();
        depths
            .into_iter()
            .rev()
            .find(|&depth| depth <= COUNTED_DEPTH && has(construct, depth))
    };
    let mut depths: Vec<u64> = COUNTED.iter().filter_map(|c| deepest(c)).collect();
    depths.sort_unstable();
    depths.dedup();
    let mut plan = Vec::new();
    for depth in depths.into_iter().rev() {
        for &construct in COUNTED {
            // At a shallower depth, only what the deepest count lacks and
            // the references to compare it with.
            let wanted = depth == COUNTED_DEPTH
                || deepest(construct) == Some(depth)
                || matches!(construct, "hand-written" | "same-guarantees-by-hand");
            if wanted && has(construct, depth) {
                plan.push((construct, depth));
            }
        }
    }
    plan
}

/// The total instruction count of one probe run under callgrind.
fn callgrind(
    exe: &Path,
    dir: &Path,
    construct: &str,
    depth: u64,
    iterations: u64,
) -> Result<u64, String> {
    let file: PathBuf = dir.join(format!("{construct}-{depth}-{iterations}.out"));
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--quiet"])
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .env(PROBE, format!("run {construct} {depth} {iterations}"))
        .stdout(Stdio::null())
        .output()
        .map_err(|error| format!("valgrind could not be started: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "callgrind on `{construct}` at depth {depth} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let text =
        std::fs::read_to_string(&file).map_err(|error| format!("{}: {error}", file.display()))?;
    total_instructions(&text).ok_or_else(|| format!("{}: no `totals:` line", file.display()))
}

/// The `totals:` (or older `summary:`) line of a callgrind output file; the
/// first event is `Ir` unless told otherwise.
fn total_instructions(callgrind_out: &str) -> Option<u64> {
    callgrind_out.lines().find_map(|line| {
        let rest = line
            .strip_prefix("totals:")
            .or_else(|| line.strip_prefix("summary:"))?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_lines_are_read_and_other_lines_ignored() {
        let stdout = "future-size\twith\t16\t7040\nnoise\nfuture-size\thand-written\t1\t96\n";
        assert_eq!(
            parse_sizes(stdout),
            [
                FutureSize {
                    construct: "with".into(),
                    depth: 16,
                    bytes: 7040
                },
                FutureSize {
                    construct: "hand-written".into(),
                    depth: 1,
                    bytes: 96
                },
            ]
        );
    }

    #[test]
    fn what_the_deepest_count_lacks_is_counted_shallower_with_its_references() {
        let sizes: Vec<FutureSize> = [
            ("hand-written", 4),
            ("same-guarantees-by-hand", 4),
            ("with", 4),
            ("generator", 4),
            ("hand-written", 16),
            ("same-guarantees-by-hand", 16),
            ("with", 16),
            ("with", 64), // deeper than counted
        ]
        .into_iter()
        .map(|(construct, depth)| FutureSize {
            construct: construct.into(),
            depth,
            bytes: 1,
        })
        .collect();
        assert_eq!(
            plan(&sizes),
            [
                ("hand-written", 16),
                ("same-guarantees-by-hand", 16),
                ("with", 16),
                ("boxed-vec", 16),
                ("exit-stack", 16),
                ("hand-written", 4),
                ("same-guarantees-by-hand", 4),
                ("generator", 4),
            ]
        );
    }

    #[test]
    fn the_total_is_the_first_event_of_the_totals_line() {
        let out = "version: 1\ncreator: callgrind-3.22.0\nevents: Ir\nsummary: 1234\n\nfn=main\n5 10\ntotals: 1234\n";
        assert_eq!(total_instructions(out), Some(1234));
        assert_eq!(total_instructions("events: Ir\n"), None);
    }
}
