//! `report.md`, `data.json` and the charts, from one run's measurements.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use super::cpython::{self, Reference};
use super::machine::Machine;
use super::measurements::Measurement;
use super::svg;
use crate::Result;

/// Groups whose parameter counts entries: reported per enter/exit.
const PER_ENTRY_GROUPS: &[&str] = &["overhead", "stack-scaling"];

/// Constructs in the order tables and charts show them.
const CONSTRUCT_ORDER: &[&str] = &[
    "hand-written",
    "panic-safe-by-hand",
    "with",
    "generator",
    "boxed-vec",
    "exit-stack",
];

/// Everything about the run besides the measurements.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) machine: Machine,
    pub(crate) mode: &'static str,
    pub(crate) filter: Option<String>,
    pub(crate) criterion_args: String,
    pub(crate) wall_time: Duration,
}

/// The code a construct is compared with in the same run.
fn baseline_of(construct: &str) -> Option<&'static str> {
    match construct {
        "hand-written" => None,
        "exit-stack" => Some("boxed-vec"),
        _ => Some("hand-written"),
    }
}

/// The measurements of one run, indexed the way the report reads them.
struct Run<'m> {
    all: &'m [Measurement],
}

impl<'m> Run<'m> {
    fn find(
        &self,
        group: &str,
        runtime: &str,
        construct: &str,
        param: u64,
    ) -> Option<&'m Measurement> {
        self.all.iter().find(|m| {
            m.group == group && m.runtime == runtime && m.construct == construct && m.param == param
        })
    }

    fn in_group(&self, group: &str) -> impl Iterator<Item = &'m Measurement> {
        self.all.iter().filter(move |m| m.group == group)
    }

    fn groups(&self) -> Vec<&'m str> {
        unique(self.all.iter().map(|m| m.group.as_str()))
    }

    fn runtimes(&self, group: &str) -> Vec<&'m str> {
        unique(self.in_group(group).map(|m| m.runtime.as_str()))
    }

    fn params(&self, group: &str) -> Vec<u64> {
        let mut params = unique(self.in_group(group).map(|m| m.param));
        params.sort_unstable();
        params
    }

    fn constructs(&self, group: &str) -> Vec<&'m str> {
        let mut constructs = unique(self.in_group(group).map(|m| m.construct.as_str()));
        constructs.sort_by_key(|c| {
            CONSTRUCT_ORDER
                .iter()
                .position(|o| o == c)
                .unwrap_or(usize::MAX)
        });
        constructs
    }

    /// `m`'s time over its baseline's, same group, runtime and parameter.
    fn ratio(&self, m: &Measurement) -> Option<f64> {
        let baseline = self.find(&m.group, &m.runtime, baseline_of(&m.construct)?, m.param)?;
        Some(m.ns_per_iter / baseline.ns_per_iter)
    }

    /// The time a table shows for `m`.
    fn shown(&self, m: &Measurement) -> f64 {
        if PER_ENTRY_GROUPS.contains(&m.group.as_str()) {
            m.ns_per_entry()
        } else {
            m.ns_per_iter
        }
    }
}

fn unique<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// Formats nanoseconds with a unit that keeps 3 significant digits.
pub(crate) fn format_ns(ns: f64) -> String {
    match ns {
        ns if ns < 10.0 => format!("{ns:.2} ns"),
        ns if ns < 100.0 => format!("{ns:.1} ns"),
        ns if ns < 1e3 => format!("{ns:.0} ns"),
        ns if ns < 1e6 => format!("{:.2} µs", ns / 1e3),
        ns if ns < 1e9 => format!("{:.2} ms", ns / 1e6),
        ns => format!("{:.2} s", ns / 1e9),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Met,
    Missed,
    NotMeasured,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Missed => "**missed**",
            Status::NotMeasured => "not measured",
        }
    }
}

struct Target {
    name: &'static str,
    status: Status,
    detail: String,
}

/// A ratio target (`construct` time ≤ `limit` × its baseline's) over every
/// runtime and parameter of `groups`.
fn ratio_target(
    run: &Run<'_>,
    name: &'static str,
    construct: &str,
    groups: &[&str],
    limit: f64,
) -> Target {
    let cells: Vec<(f64, &Measurement)> = run
        .all
        .iter()
        .filter(|m| m.construct == construct && groups.contains(&m.group.as_str()))
        .filter_map(|m| Some((run.ratio(m)?, m)))
        .collect();
    let Some(&(worst, at)) = cells.iter().max_by(|a, b| a.0.total_cmp(&b.0)) else {
        return Target {
            name,
            status: Status::NotMeasured,
            detail: format!("no `{construct}` benchmark in this run"),
        };
    };
    let over = cells.iter().filter(|(ratio, _)| *ratio > limit).count();
    let median = median(cells.iter().map(|(ratio, _)| *ratio).collect());
    Target {
        name,
        status: if over == 0 {
            Status::Met
        } else {
            Status::Missed
        },
        detail: format!(
            "median {median:.2}×, worst {worst:.2}× ({} {} {}); {over} of {} cells over {limit}×",
            at.group,
            at.runtime,
            at.param,
            cells.len()
        ),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The nesting constructs against the least code that keeps the same panic
/// guarantee by hand: what the construct costs beyond catching panics.
fn against_panic_safe(run: &Run<'_>) -> Option<String> {
    let medians: Vec<String> = ["with", "generator"]
        .into_iter()
        .filter_map(|construct| {
            let ratios: Vec<f64> = run
                .in_group("overhead")
                .filter(|m| m.construct == construct)
                .filter_map(|m| {
                    let safe = run.find(&m.group, &m.runtime, "panic-safe-by-hand", m.param)?;
                    Some(m.ns_per_iter / safe.ns_per_iter)
                })
                .collect();
            (!ratios.is_empty()).then(|| format!("`{construct}` {:.2}×", median(ratios)))
        })
        .collect();
    (!medians.is_empty()).then(|| {
        format!(
            "Against `panic-safe-by-hand` (hand-written nesting that catches each block's panic \
             to run its exit, the least code with the same guarantee), the medians are {}.",
            medians.join(", ")
        )
    })
}

/// Every construct at least 30× faster than its contextlib counterpart.
fn cpython_target(run: &Run<'_>, cpython: &Result<Reference, String>) -> Target {
    let name = "every construct ≥ 30× faster than CPython contextlib";
    let reference = match cpython {
        Ok(reference) => reference,
        Err(reason) => {
            return Target {
                name,
                status: Status::NotMeasured,
                detail: reason.clone(),
            };
        }
    };
    let mut worst: Option<(f64, &Measurement)> = None;
    for m in run.in_group("overhead") {
        let Some(python) = reference.ns_per_entry(&m.construct, m.param) else {
            continue;
        };
        let speedup = python / m.ns_per_entry();
        if worst.is_none_or(|(w, _)| speedup < w) {
            worst = Some((speedup, m));
        }
    }
    let missing: Vec<&str> = ["with", "generator", "exit-stack"]
        .into_iter()
        .filter(|c| run.in_group("overhead").all(|m| m.construct != *c))
        .collect();
    let Some((speedup, at)) = worst else {
        return Target {
            name,
            status: Status::NotMeasured,
            detail: "no construct measured".into(),
        };
    };
    let mut detail = format!(
        "slowest: {} {:.0}× ({} depth {})",
        at.construct, speedup, at.runtime, at.param
    );
    if !missing.is_empty() {
        let _ = write!(detail, "; not measured: {}", missing.join(", "));
    }
    Target {
        name,
        // Judged on what was measured; what was not is listed in the detail.
        status: if speedup < 30.0 {
            Status::Missed
        } else {
            Status::Met
        },
        detail,
    }
}

pub(crate) fn write(
    out: &Path,
    context: &Context,
    measured: &[Measurement],
    cpython: Result<Reference, String>,
) -> Result<Vec<PathBuf>> {
    let run = Run { all: measured };
    let targets = vec![
        ratio_target(
            &run,
            "`with` ≤ 1.05× hand-written nesting",
            "with",
            &["overhead"],
            1.05,
        ),
        ratio_target(
            &run,
            "generator-style ≤ 1.5× hand-written nesting",
            "generator",
            &["overhead"],
            1.5,
        ),
        ratio_target(
            &run,
            "`ExitStack` ≤ 1.2× a `Vec` of boxed cleanup futures",
            "exit-stack",
            &["overhead", "stack-scaling"],
            1.2,
        ),
        ratio_target(
            &run,
            "cancelled exits ≤ 1.5× a hand-written spawning guard",
            "with",
            &["cancel-latency", "cancel-storm"],
            1.5,
        ),
        cpython_target(&run, &cpython),
    ];

    let mut written = Vec::new();
    for group in run.groups() {
        let path = out.join(format!("{group}.svg"));
        fs::write(&path, chart(&run, group))?;
        written.push(path);
    }
    let path = out.join("report.md");
    fs::write(&path, markdown(&run, context, &targets, &cpython))?;
    written.insert(0, path);
    let path = out.join("data.json");
    fs::write(
        &path,
        serde_json::to_string_pretty(&data(&run, context, &targets, &cpython))?,
    )?;
    written.insert(1, path);
    Ok(written)
}

fn chart(run: &Run<'_>, group: &str) -> String {
    let per_entry = PER_ENTRY_GROUPS.contains(&group);
    let runtimes = run.runtimes(group);
    let constructs = run.constructs(group);
    let panels = run
        .params(group)
        .into_iter()
        .map(|param| svg::Panel {
            title: match group {
                "overhead" => format!("depth {param}"),
                "stack-scaling" => format!("{param} entries"),
                _ if param == 1 => String::new(),
                _ => format!("{param} per iteration"),
            },
            bars: runtimes
                .iter()
                .map(|runtime| {
                    constructs
                        .iter()
                        .map(|construct| {
                            run.find(group, runtime, construct, param)
                                .map(|m| run.shown(m))
                        })
                        .collect()
                })
                .collect(),
        })
        .filter(|panel| panel.bars.iter().flatten().any(Option::is_some))
        .collect();
    svg::grouped_bars(&svg::Chart {
        title: format!(
            "{group}: time per {} (lower is better)",
            if per_entry { "enter/exit" } else { "iteration" }
        ),
        categories: runtimes.iter().map(|r| r.to_string()).collect(),
        series: constructs.iter().map(|c| c.to_string()).collect(),
        panels,
    })
}

fn markdown(
    run: &Run<'_>,
    context: &Context,
    targets: &[Target],
    cpython: &Result<Reference, String>,
) -> String {
    let machine = &context.machine;
    let mut md = String::new();
    let _ = writeln!(md, "# async-with benchmark report\n");
    let _ = writeln!(
        md,
        "- **Date**: {}\n- **Commit**: {}\n- **Machine**: {} ({} cores), {}\n- **Toolchain**: {}\n\
         - **Mode**: {} (criterion `{}`){}\n- **Wall time of the benchmarks**: {:.0} s",
        machine.date,
        machine.commit,
        machine.cpu,
        machine.cores,
        machine.os,
        machine.rustc,
        context.mode,
        context.criterion_args,
        context
            .filter
            .as_ref()
            .map(|f| format!(", filter `{f}`"))
            .unwrap_or_default(),
        context.wall_time.as_secs_f64(),
    );
    if context.mode == "quick" {
        let _ = writeln!(
            md,
            "\n> Quick mode is a smoke run: short measurements, no depth 64, generator-style \
             only to depth 4. Ratios near a limit need a full run (`cargo xtask bench`)."
        );
    }
    let _ = writeln!(
        md,
        "\nTimes are criterion's slope estimate (time per iteration, least squares over all \
         samples). A ratio compares a construct with its baseline in the same run, same \
         runtime: `with` and generator-style against hand-written nesting, `ExitStack` against \
         a `Vec` of boxed cleanup futures."
    );

    let _ = writeln!(
        md,
        "\n## Targets (DESIGN.md)\n\n| target | result | measured |\n|---|---|---|"
    );
    for target in targets {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            target.name,
            target.status.label(),
            target.detail
        );
    }

    if let Some(line) = against_panic_safe(run) {
        let _ = writeln!(md, "\n{line}");
    }

    if run.groups().contains(&"overhead") {
        let _ = writeln!(
            md,
            "\n## Overhead: time per enter/exit\n\nEach cell: time per enter/exit pair \
             (iteration time ÷ depth) and, in parentheses, the ratio to hand-written nesting \
             at the same depth on the same runtime. `panic-safe-by-hand` is the hand-written \
             nesting with each level catching its block's panic to run its exit before \
             resuming it: what that guarantee costs written by hand (a reference; the \
             targets compare with `hand-written`).\n\n![overhead](overhead.svg)\n"
        );
        md.push_str(&table(run, "overhead", "depth"));
        if let Ok(reference) = cpython {
            md.push_str(&speedups(run, reference));
        }
    }
    if let Err(reason) = cpython {
        let _ = writeln!(md, "\n## CPython reference\n\nNot measured: {reason}.");
    }
    for group in run.groups().into_iter().filter(|g| *g != "overhead") {
        let per = if PER_ENTRY_GROUPS.contains(&group) {
            "enter/exit"
        } else {
            "iteration"
        };
        let _ = writeln!(
            md,
            "\n## {group}: time per {per}\n\n![{group}]({group}.svg)\n"
        );
        md.push_str(&table(
            run,
            group,
            if group == "stack-scaling" {
                "entries"
            } else {
                "per iteration"
            },
        ));
    }
    let _ = writeln!(
        md,
        "\n## Reproduce\n\n```sh\ncargo xtask bench{}{}\n```\n\nRaw samples: `target/bench-report/criterion/` \
         (criterion's `raw.csv`); every figure above is in `data.json`.",
        if context.mode == "quick" {
            " --quick"
        } else {
            ""
        },
        context
            .filter
            .as_ref()
            .map(|f| format!(" --filter '{f}'"))
            .unwrap_or_default(),
    );
    md
}

/// Rows: construct × parameter; columns: runtimes.
fn table(run: &Run<'_>, group: &str, param_label: &str) -> String {
    let runtimes = run.runtimes(group);
    let mut md = format!("| construct | {param_label} |");
    for runtime in &runtimes {
        let _ = write!(md, " {runtime} |");
    }
    md.push_str("\n|---|---:|");
    md.push_str(&"---:|".repeat(runtimes.len()));
    md.push('\n');
    for construct in run.constructs(group) {
        for param in run.params(group) {
            let cells: Vec<String> = runtimes
                .iter()
                .map(|runtime| match run.find(group, runtime, construct, param) {
                    Some(m) => match run.ratio(m) {
                        Some(ratio) => format!("{} ({ratio:.2}×)", format_ns(run.shown(m))),
                        None => format_ns(run.shown(m)),
                    },
                    None => "–".to_owned(),
                })
                .collect();
            if cells.iter().all(|c| c == "–") {
                continue;
            }
            let _ = writeln!(md, "| {construct} | {param} | {} |", cells.join(" | "));
        }
    }
    md
}

/// CPython's time per entry beside each runtime's speed-up.
fn speedups(run: &Run<'_>, reference: &Reference) -> String {
    let runtimes = run.runtimes("overhead");
    let mut md = format!(
        "\n### Against CPython ({}, `contextlib`)\n\nCPython's time per entry on the same \
         workload (`benches/python/contextlib_bench.py`), and how many times faster each runtime \
         runs the matching construct.\n\n| construct | depth | CPython |",
        reference.version
    );
    for runtime in &runtimes {
        let _ = write!(md, " {runtime} |");
    }
    md.push_str("\n|---|---:|---:|");
    md.push_str(&"---:|".repeat(runtimes.len()));
    md.push('\n');
    for construct in run.constructs("overhead") {
        let Some(python) = cpython::python_name(construct) else {
            continue;
        };
        for param in run.params("overhead") {
            let Some(python_ns) = reference.ns_per_entry(construct, param) else {
                continue;
            };
            let cells: Vec<String> = runtimes
                .iter()
                .map(
                    |runtime| match run.find("overhead", runtime, construct, param) {
                        Some(m) => format!("{:.0}×", python_ns / m.ns_per_entry()),
                        None => "–".to_owned(),
                    },
                )
                .collect();
            if cells.iter().all(|c| c == "–") {
                continue;
            }
            let _ = writeln!(
                md,
                "| {construct} (`{python}`) | {param} | {} | {} |",
                format_ns(python_ns),
                cells.join(" | ")
            );
        }
    }
    md
}

fn data(
    run: &Run<'_>,
    context: &Context,
    targets: &[Target],
    cpython: &Result<Reference, String>,
) -> Value {
    let machine = &context.machine;
    json!({
        "meta": {
            "date": machine.date,
            "commit": machine.commit,
            "cpu": machine.cpu,
            "cores": machine.cores,
            "os": machine.os,
            "rustc": machine.rustc,
            "mode": context.mode,
            "filter": context.filter,
            "criterion_args": context.criterion_args,
            "wall_time_s": context.wall_time.as_secs_f64(),
            "estimator": "slope of time against iterations over criterion's raw.csv samples",
        },
        "targets": targets.iter().map(|t| json!({
            "target": t.name,
            "status": match t.status { Status::Met => "met", Status::Missed => "missed", Status::NotMeasured => "not measured" },
            "detail": t.detail,
        })).collect::<Vec<_>>(),
        "benchmarks": run.all.iter().map(|m| json!({
            "id": format!("{}/{}/{}/{}", m.group, m.runtime, m.construct, m.param),
            "group": m.group,
            "runtime": m.runtime,
            "construct": m.construct,
            "param": m.param,
            "ns_per_iteration": m.ns_per_iter,
            "ns_per_entry": m.ns_per_entry(),
            "fastest_sample_ns_per_iteration": m.fastest,
            "slowest_sample_ns_per_iteration": m.slowest,
            "samples": m.samples,
            "iterations": m.iterations,
            "baseline": baseline_of(&m.construct),
            "ratio_to_baseline": run.ratio(m),
        })).collect::<Vec<_>>(),
        "cpython": match cpython {
            Ok(reference) => reference.raw.clone(),
            Err(reason) => json!({ "not_measured": reason }),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(runtime: &str, construct: &str, param: u64, ns_per_iter: f64) -> Measurement {
        Measurement {
            group: "overhead".into(),
            runtime: runtime.into(),
            construct: construct.into(),
            param,
            ns_per_iter,
            fastest: ns_per_iter,
            slowest: ns_per_iter,
            samples: 10,
            iterations: 100,
        }
    }

    #[test]
    fn the_cancellation_target_reads_both_cancel_groups_only() {
        let in_group = |group: &str, m: Measurement| Measurement {
            group: group.into(),
            ..m
        };
        let all = [
            in_group("cancel-latency", measured("smol", "hand-written", 1, 100.0)),
            in_group("cancel-latency", measured("smol", "with", 1, 120.0)),
            in_group(
                "cancel-storm",
                measured("smol", "hand-written", 10_000, 1e7),
            ),
            in_group("cancel-storm", measured("smol", "with", 10_000, 2e7)),
            in_group("mutex", measured("smol", "hand-written", 1, 10.0)),
            in_group("mutex", measured("smol", "with", 1, 90.0)), // not a cancel group
        ];
        let target = ratio_target(
            &Run { all: &all },
            "cancelled exits",
            "with",
            &["cancel-latency", "cancel-storm"],
            1.5,
        );
        assert_eq!(target.status, Status::Missed);
        assert_eq!(
            target.detail,
            "median 1.60×, worst 2.00× (cancel-storm smol 10000); 1 of 2 cells over 1.5×"
        );
    }

    #[test]
    fn the_panic_safe_medians_compare_cells_of_the_same_runtime_and_depth() {
        let all = [
            measured("smol", "panic-safe-by-hand", 4, 40.0),
            measured("smol", "with", 4, 80.0),
            measured("tokio-ct", "panic-safe-by-hand", 4, 10.0),
            measured("tokio-ct", "with", 4, 40.0),
            measured("tokio-ct", "with", 16, 999.0), // no reference at depth 16
        ];
        let run = Run { all: &all };
        assert_eq!(
            against_panic_safe(&run).expect("with was measured"),
            "Against `panic-safe-by-hand` (hand-written nesting that catches each block's panic \
             to run its exit, the least code with the same guarantee), the medians are `with` \
             3.00×."
        );
        assert_eq!(against_panic_safe(&Run { all: &all[..1] }), None);
    }
}
