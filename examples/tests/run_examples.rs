//! Runs every example on every runtime and checks what it printed: the order
//! of its ENTER/EXIT events, the rows left in the database, the lines read,
//! and that no child process is left behind.

mod common;

use common::{assert_output, on_every_runtime};

#[test]
fn connections_enter_in_order_and_exit_in_reverse() {
    on_every_runtime("connections", |runtime, run| {
        assert_output(
            "connections",
            runtime,
            run,
            "
            == asynccontextmanager ==
            Making connection...A
            Using connection: A
            Connection made! A
            Connection closed.
            == nested ==
            ENTER A
            ENTER B
            ENTER C
            Using connections: A, B, and C
            EXIT C
            EXIT B
            EXIT A
            All connections closed.
            == conditional (A) ==
            ENTER A
            ENTER B
            Using connection: A and B
            Doing with A and B
            Custom cleanup logic here.
            EXIT B
            EXIT A
            == conditional (X) ==
            ENTER X
            Doing with X and no B
            Custom cleanup logic here.
            EXIT X
            == stack ==
            ENTER A
            ENTER B
            ENTER C
            Using connections: A, B, and C
            EXIT C
            EXIT B
            EXIT A
            All connections closed.
            == loop ==
            ENTER A
            ENTER B
            ENTER C
            ENTER D
            Using: [\"A\", \"B\", \"C\", \"D\"]
            EXIT D
            EXIT C
            EXIT B
            EXIT A
            == conditional on a stack (A) ==
            ENTER A
            ENTER B
            Using connection: A and B
            Doing with A and B
            Custom cleanup logic here.
            EXIT B
            EXIT A
            == conditional on a stack (X) ==
            ENTER X
            Doing with X and no B
            Custom cleanup logic here.
            EXIT X
            == pool ==
            ENTER A
            ENTER B
            Pool ready with 2 connections
            Query on A
            Query on B
            EXIT B
            EXIT A
            Pool closed.
            ",
        );
    });
}

/// The number in a line `"<prefix><number><suffix>"`.
fn number_in(line: &str, prefix: &str, suffix: &str) -> f64 {
    line.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("`{line}` is not `{prefix}<number>{suffix}`"))
}

#[test]
fn rent_car_sets_up_drives_and_cleans_up_really_sleeping() {
    on_every_runtime("rent_car", |runtime, run| {
        let lines = run.lines();
        let (timings, events): (Vec<&str>, Vec<&str>) = lines
            .iter()
            .partition(|line| line.starts_with("rental took") || line.starts_with("resource held"));
        assert_eq!(
            events,
            [
                "Preparing car Tesla for you...",
                "Filling up gas for Tesla...",
                "Paperwork for Tesla done!",
                "Driving the Tesla around town",
                "Had fun with the Tesla!",
                "Returning Tesla...",
                "Cleaning up Tesla for the next customer.",
                "Acquiring resource...",
                "Resource acquired.",
                "Using the resource...",
                "Releasing resource...",
                "Resource released.",
            ],
            "rent_car --runtime {runtime}"
        );
        // Five 100 ms sleeps for the car, three for the resource: they really
        // happened (a lower bound, not a speed check).
        assert!(
            number_in(timings[0], "rental took ", " ms") >= 500.0,
            "{timings:?}"
        );
        assert!(
            number_in(timings[1], "resource held for ", " ms") >= 300.0,
            "{timings:?}"
        );
    });
}

#[test]
fn transaction_commits_on_success_and_rolls_back_on_failure() {
    on_every_runtime("transaction", |runtime, run| {
        assert_output(
            "transaction",
            runtime,
            run,
            "
            Connecting to the database...
            Connected.
            == a transaction that succeeds ==
            ENTER transaction: BEGIN
            INSERT ada
            INSERT grace
            EXIT transaction: COMMIT
            == a transaction that fails ==
            ENTER transaction: BEGIN
            INSERT linus
            INSERT ada
            EXIT transaction: ROLLBACK (UNIQUE constraint failed: users.name)
            the caller got: UNIQUE constraint failed: users.name
            Disconnecting from the database...
            Disconnected.
            == reconnecting to read what survived ==
            Connecting to the database...
            Connected.
            rows: ada, grace
            Disconnecting from the database...
            Disconnected.
            ",
        );
    });
}

#[test]
fn complex_operation_cleans_up_in_reverse_on_success_and_failure() {
    on_every_runtime("complex_operation", |runtime, run| {
        let operation = |outcome: &str| {
            format!(
                "
                Starting transaction
                Acquiring lock on data.txt
                Creating HTTP session...
                HTTP session ready
                All resources ready: transaction, lock:data.txt, session
                (a second acquire of the lock fails: it is held)
                {outcome}
                Closing HTTP session...
                HTTP session closed
                Releasing lock on data.txt
                "
            )
        };
        let expected = format!(
            "
            == the operation succeeds ==
            {}
            Committing transaction
            == the operation fails ==
            {}
            Rolling back transaction
            the caller got: GET /status/503 answered 503
            rows: report-1
            lock file left behind: false
            ",
            operation("fetched /delay/50/report-1: report-1\nComplex operation complete"),
            operation("Error occurred in session: GET /status/503 answered 503"),
        );
        assert_output("complex_operation", runtime, run, &expected);
    });
}

#[test]
fn timer_reports_the_elapsed_time_whatever_the_block_did() {
    on_every_runtime("timer", |runtime, run| {
        let lines = run.lines();
        assert_eq!(lines.len(), 5, "timer --runtime {runtime}: {lines:?}");
        assert_eq!(
            lines[0],
            "timer: the stopwatch shows the 150 ms sleep: true"
        );
        assert!(number_in(lines[1], "timer: Async elapsed: ", "s") >= 0.15);
        assert!(number_in(lines[2], "async_timer: Async elapsed: ", "s (ok)") >= 0.15);
        assert!(number_in(lines[3], "failing block: Async elapsed: ", "s (failed)") >= 0.15);
        assert_eq!(lines[4], "the caller got: work failed");
    });
}

#[test]
fn error_handling_keeps_every_error_and_cleans_up() {
    on_every_runtime("error_handling", |runtime, run| {
        assert_output(
            "error_handling",
            runtime,
            run,
            "
            === No Exception ===
            Entering context
            Using resource normally
            Cleanup always happens
            === Exception in with block ===
            Entering context
            Using resource
            Caught ValueError in context manager: Something went wrong!
            Cleanup always happens
            Exception propagated: Something went wrong!
            === Exception in setup ===
            About to fail in setup...
            Setup exception caught: Setup failed!
            === Suppressing one error type ===
            suppress(ValueError) swallowed a ValueError: block value None
            suppress(ValueError) let a RuntimeError through: disk on fire
            Entering context
            Using resource
            Caught other exception: unexpected state
            Cleanup always happens
            Exception propagated: unexpected state
            === A failing cleanup on top of a failing block ===
            ENTER flaky connection
            querying over connection
            EXIT flaky connection (block failed: true)
            the caller got 2 errors; the newest: rollback failed: connection lost (after 1 earlier error)
            all of them, oldest first:
            1/2: query failed: timeout
            2/2: rollback failed: connection lost
            ",
        );
    });
}

#[test]
fn async_iteration_closes_the_stream_on_every_path() {
    on_every_runtime("async_iteration", |runtime, run| {
        assert_output(
            "async_iteration",
            runtime,
            run,
            "
            == to the end ==
            ENTER number_stream(5)
            0
            1
            2
            3
            4
            EXIT number_stream(5): closed after 5 of 5 numbers
            == break early ==
            ENTER number_stream(5)
            0
            1
            2
            EXIT number_stream(5): closed after 3 of 5 numbers
            == an error mid-stream ==
            ENTER number_stream(5)
            0
            1
            EXIT number_stream(5): closed after 2 of 5 numbers
            the caller got: cannot process 1
            ",
        );
    });
}

#[test]
fn tail_f_reads_ten_lines_then_kills_and_reaps_the_writer() {
    on_every_runtime("tail_f", |runtime, run| {
        let lines = run.lines();
        let context = format!("tail_f --runtime {runtime}: {lines:#?}");
        assert_eq!(lines.len(), 15, "{context}");
        let pid: u32 = lines[1]
            .strip_prefix("writer pid: ")
            .and_then(|pid| pid.parse().ok())
            .unwrap_or_else(|| panic!("{context}"));
        assert_eq!(lines[0], format!("ENTER log writer (pid {pid})"));
        assert_eq!(lines[2], "ENTER tail -f app.log");
        for (index, line) in lines[3..13].iter().enumerate() {
            // "line N: <seconds>.<millis> tick <N-1>": every line, in order.
            let rest = line
                .strip_prefix(&format!("line {}: ", index + 1))
                .unwrap_or_else(|| panic!("{context}"));
            let (timestamp, tick) = rest
                .split_once(" tick ")
                .unwrap_or_else(|| panic!("{context}"));
            assert!(timestamp.parse::<f64>().is_ok(), "{context}");
            assert_eq!(tick, index.to_string(), "{context}");
        }
        assert_eq!(lines[13], "EXIT tail -f app.log (10 lines read)");
        assert_eq!(
            lines[14],
            "EXIT log writer: killed and reaped (signal: 9 (SIGKILL))"
        );
        // Reaped, not just killed: no process, not even a zombie, has its pid.
        if cfg!(target_os = "linux") {
            let proc_entry = std::path::PathBuf::from(format!("/proc/{pid}"));
            assert!(
                !proc_entry.exists(),
                "the writer {pid} is still there: {context}"
            );
        }
    });
}

/// Asserts that `lines` hold exactly `expected`, in any order (events of
/// tasks running in parallel), and returns where each one is.
fn positions(lines: &[&str], expected: &[&str], context: &str) -> Vec<usize> {
    let mut sorted_lines = lines.to_vec();
    let mut sorted_expected = expected.to_vec();
    sorted_lines.sort_unstable();
    sorted_expected.sort_unstable();
    assert_eq!(sorted_lines, sorted_expected, "{context}");
    expected
        .iter()
        .map(|event| {
            lines
                .iter()
                .position(|line| line == event)
                .expect("checked above")
        })
        .collect()
}

#[test]
fn task_group_cancels_the_other_downloads_and_runs_their_cleanups() {
    on_every_runtime("task_group", |runtime, run| {
        let lines = run.lines();
        let context = format!("task_group --runtime {runtime}: {lines:#?}");
        assert_eq!(lines.len(), 20, "{context}");

        assert_eq!(lines[0], "== every download succeeds ==");
        let at = positions(
            &lines[1..7],
            &[
                "ENTER download a",
                "ENTER download b",
                "ENTER download c",
                "EXIT download a: done",
                "EXIT download b: done",
                "EXIT download c: done",
            ],
            &context,
        );
        for task in 0..3 {
            assert!(
                at[task] < at[task + 3],
                "each download enters before it exits: {context}"
            );
        }
        assert_eq!(
            lines[7..10],
            [
                "URL 0 returned 5 characters",
                "URL 1 returned 5 characters",
                "URL 2 returned 7 characters",
            ],
            "{context}"
        );

        assert_eq!(lines[10], "== one download fails ==");
        let at = positions(
            &lines[11..19],
            &[
                "ENTER download slow-1",
                "ENTER download slow-2",
                "ENTER download slow-3",
                "ENTER download broken",
                "EXIT download slow-1: cancelled",
                "EXIT download slow-2: cancelled",
                "EXIT download slow-3: cancelled",
                "EXIT download broken: failed (GET /delay/500/status/404 answered 404)",
            ],
            &context,
        );
        for task in 0..4 {
            assert!(
                at[task] < at[task + 4],
                "each download enters before it exits: {context}"
            );
        }
        // The failure comes first; then every other download is cancelled
        // and still runs its cleanup before the group returns.
        for cancelled in 4..7 {
            assert!(
                at[7] < at[cancelled],
                "the failure cancels the others: {context}"
            );
        }
        assert_eq!(
            lines[19], "the group failed with 1 error(s): GET /delay/500/status/404 answered 404",
            "{context}"
        );
    });
}
