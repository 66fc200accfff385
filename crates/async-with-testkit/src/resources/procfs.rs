//! Processes checked by pid in `/proc` (Linux), and children that say
//! their pid through a file, whatever the runtime's child type.

use std::path::Path;
use std::time::{Duration, Instant};

/// Whether a process with this pid exists at all (a zombie still does).
///
/// # Examples
///
/// ```
/// use async_with_testkit::resources::process_exists;
///
/// assert!(process_exists(std::process::id()));
/// ```
pub fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether the process is alive and not a zombie.
///
/// # Examples
///
/// ```
/// use async_with_testkit::resources::process_running;
///
/// assert!(process_running(std::process::id()));
/// ```
pub fn process_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (comm) S ...": the state follows the last ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits (up to 10 s) for a killed process to stop running: a signal is
/// delivered asynchronously, so `kill` returns before the process is dead.
///
/// # Examples
///
/// ```
/// use async_with_testkit::resources::eventually_not_running;
///
/// let mut child = std::process::Command::new("true").spawn()?;
/// child.wait()?;
/// assert!(eventually_not_running(child.id()));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn eventually_not_running(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while process_running(pid) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// A command that runs `script` with `sh`, after writing the shell's pid
/// to `pid_file`; `exec` in the script keeps that pid for the program it
/// runs. Each runtime's child reports its pid differently (tokio's as an
/// `Option`), and not at all once reaped: the file says it the same way on
/// every runtime.
///
/// # Examples
///
/// ```
/// use async_with_testkit::resources::{pid_from, reporting_pid};
///
/// let dir = tempfile::tempdir()?;
/// let pid_file = dir.path().join("pid");
/// let mut child = reporting_pid(&pid_file, "exec true").spawn()?;
/// assert_eq!(pid_from(&pid_file), child.id());
/// child.wait()?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn reporting_pid(pid_file: &Path, script: &str) -> std::process::Command {
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "echo $$ > \"$0.new\" && mv \"$0.new\" \"$0\"; {script}"
        ))
        .arg(pid_file);
    command
}

/// Blocks (up to 10 s) until the child made with [`reporting_pid`] has
/// written its pid to `pid_file`, and returns it.
///
/// # Examples
///
/// See [`reporting_pid`].
pub fn pid_from(pid_file: &Path) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(text) = std::fs::read_to_string(pid_file) {
            return text.trim().parse().expect("a pid");
        }
        assert!(Instant::now() < deadline, "no pid in {pid_file:?}");
        std::thread::sleep(Duration::from_millis(1));
    }
}
