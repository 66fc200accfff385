//! `report.md`, `data.json` and the charts, from one run's measurements.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use super::cpython::{self, Reference};
use super::machine::Machine;
use super::measurements::Measurement;
use super::probe::{COUNTED_DEPTH, FutureSize, Instructions, Probes};
use super::svg;
use crate::Result;

/// Groups whose parameter counts entries: reported per enter/exit.
const PER_ENTRY_GROUPS: &[&str] = &["overhead", "stack-scaling"];

/// Constructs in the order tables and charts show them.
pub(crate) const CONSTRUCT_ORDER: &[&str] = &[
    "hand-written",
    "panic-safe-by-hand",
    "same-guarantees-by-hand",
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

/// The reference the nesting constructs' targets compare with: every
/// guarantee of `with`, written by hand.
const SAME_GUARANTEES: &str = "same-guarantees-by-hand";

/// The code a construct is compared with in the same run: in the overhead
/// group, `with` and generator-style against the same guarantees by hand
/// (which is itself compared with the bare hand-written nesting, what the
/// guarantees cost); `ExitStack` against a `Vec` of boxed cleanup futures;
/// anything else against its group's hand-written code.
fn baseline_of(group: &str, construct: &str) -> Option<&'static str> {
    match (group, construct) {
        (_, "hand-written") => None,
        (_, "exit-stack") => Some("boxed-vec"),
        ("overhead", "with" | "generator") => Some(SAME_GUARANTEES),
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
        self.ratio_to(m, baseline_of(&m.group, &m.construct)?)
    }

    /// `m`'s time over `baseline`'s, same group, runtime and parameter.
    fn ratio_to(&self, m: &Measurement, baseline: &str) -> Option<f64> {
        let baseline = self.find(&m.group, &m.runtime, baseline, m.param)?;
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
    /// Met when no cell is over the limit.
    fn of(cells_over: usize) -> Self {
        if cells_over == 0 {
            Status::Met
        } else {
            Status::Missed
        }
    }

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

/// A ratio target: `construct`'s time ≤ `limit` × its baseline's, in every
/// cell (runtime and parameter) of `groups`.
struct RatioTarget {
    name: &'static str,
    construct: &'static str,
    groups: &'static [&'static str],
    /// The baseline; `None`: the construct's usual one ([`baseline_of`]).
    against: Option<&'static str>,
    /// Only this parameter (depth); `None`: every one.
    param: Option<u64>,
    limit: f64,
}

impl RatioTarget {
    fn judge(&self, run: &Run<'_>) -> Target {
        let Self {
            name,
            construct,
            limit,
            ..
        } = *self;
        let cells: Vec<(f64, &Measurement)> = run
            .all
            .iter()
            .filter(|m| m.construct == construct && self.groups.contains(&m.group.as_str()))
            .filter(|m| self.param.is_none_or(|param| m.param == param))
            .filter_map(|m| {
                let ratio = match self.against {
                    Some(baseline) => run.ratio_to(m, baseline),
                    None => run.ratio(m),
                };
                Some((ratio?, m))
            })
            .collect();
        let Some(&(worst, at)) = cells.iter().max_by(|a, b| a.0.total_cmp(&b.0)) else {
            return Target {
                name,
                status: Status::NotMeasured,
                detail: format!(
                    "no `{construct}` benchmark with its baseline{} in this run",
                    self.param.map(|p| format!(" at {p}")).unwrap_or_default()
                ),
            };
        };
        let over = cells.iter().filter(|(ratio, _)| *ratio > limit).count();
        let median = median(cells.iter().map(|(ratio, _)| *ratio).collect());
        Target {
            name,
            status: Status::of(over),
            detail: format!(
                "median {median:.2}×, worst {worst:.2}× ({} {} {}); {over} of {} cells over {limit}×",
                at.group,
                at.runtime,
                at.param,
                cells.len()
            ),
        }
    }
}

/// A ratio target over every runtime and parameter of `groups`, against
/// the construct's usual baseline.
fn ratio_target(
    run: &Run<'_>,
    name: &'static str,
    construct: &'static str,
    groups: &'static [&'static str],
    limit: f64,
) -> Target {
    RatioTarget {
        name,
        construct,
        groups,
        against: None,
        param: None,
        limit,
    }
    .judge(run)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// What the guarantees cost by hand: `same-guarantees-by-hand` over the
/// bare hand-written nesting, per depth (median over runtimes).
fn guarantee_cost(run: &Run<'_>) -> Option<String> {
    let per_depth: Vec<String> = run
        .params("overhead")
        .into_iter()
        .filter_map(|depth| {
            let ratios: Vec<f64> = run
                .in_group("overhead")
                .filter(|m| m.construct == SAME_GUARANTEES && m.param == depth)
                .filter_map(|m| run.ratio_to(m, "hand-written"))
                .collect();
            (!ratios.is_empty()).then(|| format!("{:.2}× at depth {depth}", median(ratios)))
        })
        .collect();
    (!per_depth.is_empty()).then(|| {
        format!(
            "What the guarantees cost: `{SAME_GUARANTEES}` (enter and exit through \
             `AsyncContext`, each block's panic caught, the exit told the outcome, the cancel \
             policy on drop) over the bare `hand-written` nesting, median over runtimes: {}. \
             The targets compare `with` and generator-style with it, not with the \
             bare row.",
            per_depth.join(", ")
        )
    })
}

/// A target's detail, with the instruction-count ratio beside the wall
/// times when callgrind counted both constructs (at `depth`, or at the
/// deepest depth it counted both).
fn with_instructions(
    mut target: Target,
    probes: &Probes,
    construct: &str,
    against: &str,
    depth: Option<u64>,
) -> Target {
    if let Ok(counted) = &probes.instructions {
        // The deepest count of `construct` that has its baseline beside it.
        let pair = counted
            .iter()
            .filter(|m| m.construct == construct && depth.is_none_or(|d| m.depth == d))
            .filter_map(|m| {
                let b = counted
                    .iter()
                    .find(|b| b.construct == against && b.depth == m.depth)?;
                Some((m, b))
            })
            .max_by_key(|(m, _)| m.depth);
        if let Some((m, b)) = pair {
            let _ = write!(
                target.detail,
                "; instructions (callgrind, depth {}): {:.2}×",
                m.depth,
                m.per_iteration / b.per_iteration
            );
        }
    }
    target
}

/// Each `with` level's future at most `limit` × the hand-written level's,
/// at every depth measured.
fn size_target(probes: &Probes, limit: f64) -> Target {
    let name = "future size per `with` level ≤ 2× the hand-written nesting's";
    let sizes = match &probes.sizes {
        Ok(sizes) => sizes,
        Err(reason) => {
            return Target {
                name,
                status: Status::NotMeasured,
                detail: reason.clone(),
            };
        }
    };
    let ratios: Vec<(f64, &FutureSize, &FutureSize)> = sizes
        .iter()
        .filter(|s| s.construct == "with")
        .filter_map(|with| {
            let hand = sizes
                .iter()
                .find(|s| s.construct == "hand-written" && s.depth == with.depth)?;
            Some((with.per_level() / hand.per_level(), with, hand))
        })
        .collect();
    let Some(&(worst, with, hand)) = ratios.iter().max_by(|a, b| a.0.total_cmp(&b.0)) else {
        return Target {
            name,
            status: Status::NotMeasured,
            detail: "no `with` and hand-written sizes at the same depth".into(),
        };
    };
    let over = ratios.iter().filter(|(ratio, ..)| *ratio > limit).count();
    Target {
        name,
        status: Status::of(over),
        detail: format!(
            "worst {worst:.2}× at depth {} ({:.0} B against {:.0} B per level); {over} of {} depths over {limit}×",
            with.depth,
            with.per_level(),
            hand.per_level(),
            ratios.len()
        ),
    }
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
    probes: &Probes,
) -> Result<Vec<PathBuf>> {
    let run = Run { all: measured };
    let nesting = |name, construct, against, param, limit| {
        RatioTarget {
            name,
            construct,
            groups: &["overhead"],
            against: Some(against),
            param,
            limit,
        }
        .judge(&run)
    };
    let targets = vec![
        with_instructions(
            nesting(
                "`with` ≤ 1.15× the same guarantees by hand",
                "with",
                SAME_GUARANTEES,
                None,
                1.15,
            ),
            probes,
            "with",
            SAME_GUARANTEES,
            None,
        ),
        with_instructions(
            nesting(
                "generator-style ≤ 1.5× the same guarantees by hand",
                "generator",
                SAME_GUARANTEES,
                None,
                1.5,
            ),
            probes,
            "generator",
            SAME_GUARANTEES,
            None,
        ),
        size_target(probes, 2.0),
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
        with_instructions(
            nesting(
                "aim: `with` ≤ 2.5× bare hand-written nesting at depth 16",
                "with",
                "hand-written",
                Some(16),
                2.5,
            ),
            probes,
            "with",
            "hand-written",
            Some(16),
        ),
        with_instructions(
            nesting(
                "aim: generator-style ≤ 4× bare hand-written nesting at depth 16",
                "generator",
                "hand-written",
                Some(16),
                4.0,
            ),
            probes,
            "generator",
            "hand-written",
            Some(16),
        ),
    ];

    let mut written = Vec::new();
    for group in run.groups() {
        let path = out.join(format!("{group}.svg"));
        fs::write(&path, chart(&run, group))?;
        written.push(path);
    }
    let path = out.join("report.md");
    fs::write(&path, markdown(&run, context, &targets, &cpython, probes))?;
    written.insert(0, path);
    let path = out.join("data.json");
    fs::write(
        &path,
        serde_json::to_string_pretty(&data(&run, context, &targets, &cpython, probes))?,
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
    probes: &Probes,
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
         runtime: `with` and generator-style against `{SAME_GUARANTEES}` (the same \
         guarantees written by hand), that one and `panic-safe-by-hand` against the bare \
         hand-written nesting, `ExitStack` against a `Vec` of boxed cleanup futures. Future \
         sizes and instruction counts (callgrind) come from the same release build of the \
         `overhead` bench."
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

    if let Some(line) = guarantee_cost(run) {
        let _ = writeln!(md, "\n{line}");
    }

    if run.groups().contains(&"overhead") {
        let _ = writeln!(
            md,
            "\n## Overhead: time per enter/exit\n\nEach cell: time per enter/exit pair \
             (iteration time ÷ depth) and, in parentheses, the ratio to the row's baseline at \
             the same depth on the same runtime: `with` and `generator` against \
             `{SAME_GUARANTEES}`, which (like `panic-safe-by-hand`) is against the bare \
             `hand-written` nesting; `exit-stack` against `boxed-vec`. `panic-safe-by-hand` \
             only catches each block's panic to run its exit (no `AsyncContext`, no cancel \
             policy); `{SAME_GUARANTEES}` has every guarantee of `with`, written by \
             hand.\n\n![overhead](overhead.svg)\n"
        );
        let counted = probes.instructions.as_deref().unwrap_or_default();
        md.push_str(&table(run, "overhead", "depth", counted));
        md.push_str(&instructions_note(&probes.instructions));
        md.push_str(&sizes_table(&probes.sizes));
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
            &[],
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

/// Rows: construct × parameter; columns: runtimes, then instructions per
/// entry when some were `counted` (callgrind), with the ratio to the
/// row's baseline counted at the same depth.
fn table(run: &Run<'_>, group: &str, param_label: &str, counted: &[Instructions]) -> String {
    let runtimes = run.runtimes(group);
    let mut md = format!("| construct | {param_label} |");
    for runtime in &runtimes {
        let _ = write!(md, " {runtime} |");
    }
    if !counted.is_empty() {
        md.push_str(" instructions per enter/exit (callgrind) |");
    }
    md.push_str("\n|---|---:|");
    md.push_str(&"---:|".repeat(runtimes.len() + usize::from(!counted.is_empty())));
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
            let _ = write!(md, "| {construct} | {param} | {} |", cells.join(" | "));
            if !counted.is_empty() {
                let _ = write!(
                    md,
                    " {} |",
                    instructions_cell(group, construct, param, counted)
                );
            }
            md.push('\n');
        }
    }
    md
}

/// Instructions per entry of `construct` at `param`, and the ratio to its
/// baseline's count at the same depth; `–` when not counted.
fn instructions_cell(group: &str, construct: &str, param: u64, counted: &[Instructions]) -> String {
    let find = |name: &str| {
        counted
            .iter()
            .find(|c| c.construct == name && c.depth == param)
    };
    let Some(c) = find(construct) else {
        return "–".to_owned();
    };
    match baseline_of(group, construct).and_then(find) {
        Some(b) => format!(
            "{:.1} ({:.2}×)",
            c.per_level(),
            c.per_iteration / b.per_iteration
        ),
        None => format!("{:.1}", c.per_level()),
    }
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

/// How the instruction counts of the overhead table were taken, or why
/// they were not.
fn instructions_note(instructions: &Result<Vec<Instructions>, String>) -> String {
    match instructions {
        Ok(_) => format!(
            "\nInstructions per enter/exit: what one iteration executes under a plain \
             `block_on` (the `overhead` bench binary looping over one construct), counted by \
             callgrind, divided by the depth; the same on every run of the same build, unlike \
             the wall times. Counted at depth {COUNTED_DEPTH}, or at the deepest depth this build \
             has (generator-style in a quick build, with its references); in parentheses, the \
             ratio to the row's baseline as for the times. Per iteration in `data.json`; \
             callgrind's files in `callgrind/`.\n"
        ),
        Err(reason) => format!("\nInstructions (callgrind): not measured: {reason}.\n"),
    }
}

/// Future sizes per construct and depth: bytes, per level, and the ratio
/// per level to the hand-written nesting's.
fn sizes_table(sizes: &Result<Vec<FutureSize>, String>) -> String {
    let sizes = match sizes {
        Ok(sizes) => sizes,
        Err(reason) => return format!("\n### Future sizes\n\nNot measured: {reason}.\n"),
    };
    let mut depths = unique(sizes.iter().map(|s| s.depth));
    depths.sort_unstable();
    let mut md = String::from(
        "\n### Future sizes\n\n`size_of_val` of the future each nesting makes (release build), \
         per level (size ÷ depth) and, in parentheses, the ratio per level to the hand-written \
         nesting's at the same depth. A future this size sits whole in its task (or on the \
         stack of a `block_on`).\n\n| construct |",
    );
    for depth in &depths {
        let _ = write!(md, " depth {depth} |");
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(depths.len()));
    md.push('\n');
    let mut constructs = unique(sizes.iter().map(|s| s.construct.as_str()));
    constructs.sort_by_key(|c| {
        CONSTRUCT_ORDER
            .iter()
            .position(|o| o == c)
            .unwrap_or(usize::MAX)
    });
    for construct in constructs {
        let cells: Vec<String> = depths
            .iter()
            .map(|&depth| {
                let find = |name: &str| {
                    sizes
                        .iter()
                        .find(|s| s.construct == name && s.depth == depth)
                };
                match (find(construct), find("hand-written")) {
                    (Some(s), Some(hand)) if construct != "hand-written" => format!(
                        "{} B, {:.0} B/level ({:.2}×)",
                        s.bytes,
                        s.per_level(),
                        s.per_level() / hand.per_level()
                    ),
                    (Some(s), _) => format!("{} B, {:.0} B/level", s.bytes, s.per_level()),
                    (None, _) => "–".to_owned(),
                }
            })
            .collect();
        let _ = writeln!(md, "| {construct} | {} |", cells.join(" | "));
    }
    md
}

fn data(
    run: &Run<'_>,
    context: &Context,
    targets: &[Target],
    cpython: &Result<Reference, String>,
    probes: &Probes,
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
            "baseline": baseline_of(&m.group, &m.construct),
            "ratio_to_baseline": run.ratio(m),
        })).collect::<Vec<_>>(),
        "future_sizes": match &probes.sizes {
            Ok(sizes) => json!(sizes.iter().map(|s| json!({
                "construct": s.construct,
                "depth": s.depth,
                "bytes": s.bytes,
                "bytes_per_level": s.per_level(),
            })).collect::<Vec<_>>()),
            Err(reason) => json!({ "not_measured": reason }),
        },
        "instructions": match &probes.instructions {
            Ok(counted) => json!(counted.iter().map(|c| json!({
                "construct": c.construct,
                "depth": c.depth,
                "per_iteration": c.per_iteration,
                "per_level": c.per_level(),
            })).collect::<Vec<_>>()),
            Err(reason) => json!({ "not_measured": reason }),
        },
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
    fn with_is_judged_against_the_same_guarantees_by_hand_cell_by_cell() {
        let all = [
            measured("smol", "hand-written", 4, 10.0),
            measured("smol", SAME_GUARANTEES, 4, 40.0),
            measured("smol", "with", 4, 44.0),
            measured("tokio-ct", SAME_GUARANTEES, 4, 10.0),
            measured("tokio-ct", "with", 4, 12.0),
            measured("tokio-ct", "with", 16, 999.0), // no reference at depth 16
        ];
        let run = Run { all: &all };
        let target = RatioTarget {
            name: "with",
            construct: "with",
            groups: &["overhead"],
            against: Some(SAME_GUARANTEES),
            param: None,
            limit: 1.15,
        }
        .judge(&run);
        assert_eq!(target.status, Status::Missed);
        assert_eq!(
            target.detail,
            "median 1.15×, worst 1.20× (overhead tokio-ct 4); 1 of 2 cells over 1.15×"
        );
        // The tables show the same ratio: `with` against the reference.
        assert_eq!(run.ratio(&all[2]), Some(1.1));
        assert_eq!(run.ratio(&all[1]), Some(4.0));
        assert_eq!(
            guarantee_cost(&run).expect("the reference was measured"),
            "What the guarantees cost: `same-guarantees-by-hand` (enter and exit through \
             `AsyncContext`, each block's panic caught, the exit told the outcome, the cancel \
             policy on drop) over the bare `hand-written` nesting, median over runtimes: \
             4.00× at depth 4. The targets compare `with` and generator-style with it, not \
             with the bare row."
        );
        assert_eq!(guarantee_cost(&Run { all: &all[2..] }), None);
    }

    #[test]
    fn an_aim_reads_only_its_depth() {
        let all = [
            measured("smol", "hand-written", 4, 10.0),
            measured("smol", "with", 4, 90.0),
            measured("smol", "hand-written", 16, 10.0),
            measured("smol", "with", 16, 20.0),
        ];
        let target = RatioTarget {
            name: "aim",
            construct: "with",
            groups: &["overhead"],
            against: Some("hand-written"),
            param: Some(16),
            limit: 2.5,
        }
        .judge(&Run { all: &all });
        assert_eq!(target.status, Status::Met);
        assert_eq!(
            target.detail,
            "median 2.00×, worst 2.00× (overhead smol 16); 0 of 1 cells over 2.5×"
        );
    }

    fn size(construct: &str, depth: u64, bytes: u64) -> FutureSize {
        FutureSize {
            construct: construct.into(),
            depth,
            bytes,
        }
    }

    #[test]
    fn the_size_target_compares_per_level_sizes_at_each_depth() {
        let probes = |sizes| Probes {
            sizes: Ok(sizes),
            instructions: Err("not counted".into()),
        };
        let target = size_target(
            &probes(vec![
                size("hand-written", 1, 100),
                size("with", 1, 150),
                size("hand-written", 16, 1600),
                size("with", 16, 4800),
                size("with", 64, 1), // no hand-written size to compare with
            ]),
            2.0,
        );
        assert_eq!(target.status, Status::Missed);
        assert_eq!(
            target.detail,
            "worst 3.00× at depth 16 (300 B against 100 B per level); 1 of 2 depths over 2×"
        );
        let not_measured = size_target(&Probes::not_run("filtered out"), 2.0);
        assert_eq!(not_measured.status, Status::NotMeasured);
        assert_eq!(not_measured.detail, "filtered out");
        assert!(
            sizes_table(&Ok(vec![
                size("hand-written", 4, 384),
                size("with", 4, 768)
            ]))
            .contains("| with | 768 B, 192 B/level (2.00×) |")
        );
    }

    #[test]
    fn instruction_ratios_go_with_the_targets_when_both_were_counted() {
        let counted = |construct: &str, per_iteration| Instructions {
            construct: construct.into(),
            depth: 16,
            per_iteration,
        };
        let probes = Probes {
            sizes: Err("not sized".into()),
            instructions: Ok(vec![
                counted(SAME_GUARANTEES, 2000.0),
                counted("with", 2600.0),
            ]),
        };
        let target = |detail: &str| Target {
            name: "with",
            status: Status::Met,
            detail: detail.into(),
        };
        assert_eq!(
            with_instructions(
                target("median 1.10×"),
                &probes,
                "with",
                SAME_GUARANTEES,
                None
            )
            .detail,
            "median 1.10×; instructions (callgrind, depth 16): 1.30×"
        );
        assert_eq!(
            with_instructions(target("aim"), &probes, "with", SAME_GUARANTEES, Some(4)).detail,
            "aim",
            "an aim at one depth takes no count from another"
        );
        assert_eq!(
            with_instructions(
                target("median 1.10×"),
                &probes,
                "generator",
                SAME_GUARANTEES,
                None
            )
            .detail,
            "median 1.10×"
        );
        let all = [
            measured("smol", SAME_GUARANTEES, 16, 100.0),
            measured("smol", "with", 16, 150.0),
            measured("smol", "with", 4, 50.0),
        ];
        let counted = probes.instructions.as_deref().unwrap();
        let table = table(&Run { all: &all }, "overhead", "depth", counted);
        assert!(
            table.contains("| with | 16 | 9.38 ns (1.50×) | 162.5 (1.30×) |"),
            "{table}"
        );
        assert!(table.contains("| with | 4 | 12.5 ns | – |"), "{table}");
    }
}
