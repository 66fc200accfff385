//! `task_group` on a runtime whose tasks the test runs by hand, so that
//! when each child runs and what wakes the group are fixed, not raced.
//! (The conformance suite in async-with-testkit runs task groups on tokio,
//! smol and async-std.)

mod common;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use async_with::{Error, Runtime, task_group};
use common::*;

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A runtime that queues spawned tasks until the test runs them.
#[derive(Clone, Default)]
struct Queue(Arc<Mutex<VecDeque<Task>>>);

impl Queue {
    /// Polls the oldest queued task once, requeueing it if it is pending;
    /// false when none is left.
    fn step(&self) -> bool {
        let Some(mut task) = self.0.lock().unwrap().pop_front() else {
            return false;
        };
        let mut cx = Context::from_waker(Waker::noop());
        if task.as_mut().poll(&mut cx).is_pending() {
            self.0.lock().unwrap().push_back(task);
        }
        true
    }
}

impl Runtime for Queue {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
        self.0.lock().unwrap().push_back(Box::pin(task));
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
        async move { std::thread::sleep(duration) }
    }
}

/// Spawns ten children that each suspend three times and return their
/// number; child `failing`, if any, fails after suspending once, while the
/// others are still suspended.
async fn ten_children(
    queue: Queue,
    failing: Option<u64>,
    events: &Events,
) -> Result<Vec<Option<u64>>, Error> {
    let handles = task_group(queue, async |group| {
        Ok((0..10)
            .map(|child| {
                let events = events.clone();
                group.spawn(async move {
                    if failing == Some(child) {
                        suspend(1).await;
                        return Err(Error::msg(format!("child {child} failed")));
                    }
                    suspend(3).await;
                    events.push(format!("child {child} returned"));
                    Ok(child)
                })
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(handles.into_iter().map(|h| h.into_value()).collect())
}

/// Runs the group as an executor would: the children one poll at a time,
/// round-robin, and the group again whenever it was woken. Returns how many
/// times the group was woken after its first poll, and its result.
fn run_group(failing: Option<u64>, events: &Events) -> (usize, Result<Vec<Option<u64>>, Error>) {
    let queue = Queue::default();
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&counter));
    let mut cx = Context::from_waker(&waker);
    let mut group = pin!(ten_children(queue.clone(), failing, events));
    assert!(
        group.as_mut().poll(&mut cx).is_pending(),
        "the children have not run"
    );
    let mut polled_at = counter.wakes();
    while queue.step() {
        if counter.wakes() > polled_at {
            polled_at = counter.wakes();
            if let Poll::Ready(result) = group.as_mut().poll(&mut cx) {
                assert!(!queue.step(), "the group ended before its children");
                return (counter.wakes(), result);
            }
        }
    }
    panic!("every child ended, yet the group was not woken to end")
}

#[test]
fn the_group_is_woken_once_when_its_last_child_ends() {
    let events = Events::new();
    let (wakes, values) = run_group(None, &events);
    assert_eq!(wakes, 1, "one wake for ten children: by the last");
    assert_eq!(events.count_prefix("child "), 10);
    let expected: Vec<Option<u64>> = (0..10).map(Some).collect();
    assert_eq!(values.unwrap(), expected);
}

#[test]
fn a_failing_child_cancels_the_rest_and_the_group_waits_for_them_without_a_wake_each() {
    let events = Events::new();
    let (wakes, result) = run_group(Some(0), &events);
    // By the last child to end only: the body had already returned, so
    // cancelling its scope has no task to wake.
    assert_eq!(wakes, 1);
    assert_eq!(
        events.log(),
        Vec::<String>::new(),
        "the others were stopped"
    );
    let error = result.unwrap_err();
    assert_eq!(
        messages(&error),
        ["child 0 failed"],
        "cancellations are left out"
    );
}

#[test]
fn a_child_costs_one_allocation_beside_its_task_for_its_scope_and_value() {
    const CHILDREN: usize = 100;
    let queue = Queue::default();
    queue.0.lock().unwrap().reserve(CHILDREN);
    let mut allocations = 0;
    let handles = block_on(task_group(queue.clone(), async |group| {
        let mut handles = Vec::with_capacity(CHILDREN);
        allocations = allocation_counter::measure(|| {
            for child in 0..CHILDREN {
                handles.push(group.spawn(async move { Ok(child) }));
            }
        })
        .count_total;
        while queue.step() {}
        Ok(handles)
    }))
    .unwrap();
    let values: Vec<usize> = handles.into_iter().flat_map(|h| h.into_value()).collect();
    assert_eq!(values, (0..CHILDREN).collect::<Vec<_>>());

    let tasks = CHILDREN as u64; // the queue's box of each task
    let scopes = CHILDREN as u64; // each child's cancel scope, with its value
    // The group's list of running children grows by doubling.
    let growth = (usize::BITS - (2 * CHILDREN).leading_zeros()) as u64 + 1;
    assert!(
        (tasks + scopes..=tasks + scopes + growth).contains(&allocations),
        "{CHILDREN} children: {allocations} allocations"
    );
}

#[test]
fn a_long_lived_group_keeps_no_trace_of_children_that_ended() {
    // A server's group: each child ends before the next is spawned. What
    // the group holds for them must not grow with how many there were.
    fn peak_bytes(children: usize) -> u64 {
        let queue = Queue::default();
        let mut peak = 0;
        block_on(task_group(queue.clone(), async |group| {
            peak = allocation_counter::measure(|| {
                for child in 0..children {
                    drop(group.spawn(async move { Ok(child) }));
                    while queue.step() {}
                }
            })
            .bytes_max;
            Ok(())
        }))
        .unwrap();
        peak
    }
    let (few, many) = (peak_bytes(10), peak_bytes(10_000));
    assert!(
        many <= few + 64,
        "peak {few} bytes with 10 children one after another, {many} with 10,000"
    );
}
