//! Building and running the example binaries.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Every runtime an example takes with `--runtime`.
pub(crate) const RUNTIMES: [&str; 3] = ["tokio", "smol", "async-std"];

/// How long one example may run before the test gives up on it.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// What one run of an example printed.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) success: bool,
}

impl Run {
    pub(crate) fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// `target/<profile>`, found from this test binary (`target/<profile>/deps/…`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_path_buf()
}

/// Builds the examples once per test process. `cargo test` has built them
/// already (this is then a no-op); `cargo test --test run_examples` has not.
fn build_examples() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let profile_dir = profile_dir();
        let target_dir = profile_dir.parent().expect("target/<profile> has a parent");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_string());
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "async-with-examples",
                "--examples",
            ])
            .arg("--target-dir")
            .arg(target_dir);
        if profile_dir
            .file_name()
            .is_some_and(|name| name == "release")
        {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building the examples failed");
        profile_dir.join("examples")
    })
}

/// Runs example `name` on `runtime` to completion and returns its output.
pub(crate) fn run(name: &str, runtime: &str) -> Run {
    let binary = build_examples().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let mut child = Command::new(&binary)
        .args(["--runtime", runtime])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let started = Instant::now();
    while child
        .try_wait()
        .expect("the example can be waited for")
        .is_none()
    {
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let output = child
                .wait_with_output()
                .expect("the killed example is reaped");
            panic!(
                "{name} --runtime {runtime} still ran after {TIME_LIMIT:?}; it printed:\n{}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child
        .wait_with_output()
        .expect("the example's output is readable");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    }
}

/// Runs example `name` on every runtime, asserting each run succeeded, and
/// hands each run's output to `check`.
pub(crate) fn on_every_runtime(name: &str, check: impl Fn(&str, &Run)) {
    for runtime in RUNTIMES {
        let run = run(name, runtime);
        assert!(
            run.success,
            "{name} --runtime {runtime} failed:\n{}\n{}",
            run.stdout, run.stderr
        );
        check(runtime, &run);
    }
}

/// Asserts that an example printed exactly `expected` (ignoring the
/// indentation of the expected text).
pub(crate) fn assert_output(name: &str, runtime: &str, run: &Run, expected: &str) {
    let expected: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        run.lines(),
        expected,
        "{name} --runtime {runtime} printed something else"
    );
}
