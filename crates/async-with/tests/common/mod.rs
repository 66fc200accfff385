//! Shared test helpers: an event log, contexts whose enter and exit really
//! suspend, the user error and panic types they fail with, and a poller that
//! counts how often a future suspended.
//!
//! Every test binary uses a different subset of these helpers.
#![allow(dead_code, unreachable_pub)]

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use async_with::{AsyncContext, Error, Exit, Outcome, With, Yield, boxed_context, context};

/// What happened, in order, plus which resources were dropped.
///
/// Cloning shares the log; it is `Send + Sync` so scopes using it can be
/// spawned on a multi-threaded runtime.
#[derive(Clone, Default, Debug)]
pub struct Events {
    inner: Arc<Inner>,
}

#[derive(Default, Debug)]
struct Inner {
    log: Mutex<Vec<String>>,
    drops: Mutex<Vec<&'static str>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panics on purpose must not poison the log for its asserts.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Events {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&self, event: impl Into<String>) {
        lock(&self.inner.log).push(event.into());
    }

    /// Every event so far, oldest first, without resource drops.
    pub fn log(&self) -> Vec<String> {
        lock(&self.inner.log)
            .iter()
            .filter(|e| !e.starts_with("drop "))
            .cloned()
            .collect()
    }

    /// Every event so far, oldest first, resource drops (`drop NAME`) included.
    pub fn full_log(&self) -> Vec<String> {
        lock(&self.inner.log).clone()
    }

    /// Names of the resources dropped so far, in drop order.
    pub fn drops(&self) -> Vec<&'static str> {
        lock(&self.inner.drops).clone()
    }

    /// How many events equal `event`.
    pub fn count(&self, event: &str) -> usize {
        lock(&self.inner.log).iter().filter(|e| *e == event).count()
    }

    /// How many events start with `prefix`.
    pub fn count_prefix(&self, prefix: &str) -> usize {
        lock(&self.inner.log)
            .iter()
            .filter(|e| e.starts_with(prefix))
            .count()
    }

    /// A resource named `name` that records its drop here.
    pub fn resource(&self, name: &'static str) -> Res {
        Res {
            name,
            events: self.clone(),
        }
    }
}

/// The resource every test context yields. Its `Drop` is recorded, so a
/// test can tell a resource that was cleaned up from one that leaked.
#[derive(Debug)]
pub struct Res {
    pub name: &'static str,
    events: Events,
}

impl Res {
    /// Records a use of the resource by the body.
    pub fn touch(&mut self) {
        self.events.push(format!("use {}", self.name));
    }
}

impl Drop for Res {
    fn drop(&mut self) {
        lock(&self.events.inner.drops).push(self.name);
        self.events.push(format!("drop {}", self.name));
    }
}

/// What a test context does at its enter or exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Succeed (the exit propagates).
    Ok,
    /// Return the user's error type ([`EnterError`] or [`ExitError`]).
    Fail,
    /// Panic with [`Boom`].
    Panic,
    /// Exit only: suppress the pending error.
    Suppress,
}

/// How a test context behaves.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub enter: Act,
    pub exit: Act,
    /// How many times the enter and the exit each suspend (return `Pending`
    /// after waking themselves) before doing their work.
    pub steps: usize,
}

impl Spec {
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            enter: Act::Ok,
            exit: Act::Ok,
            steps: 2,
        }
    }

    pub const fn enter(mut self, act: Act) -> Self {
        self.enter = act;
        self
    }

    pub const fn exit(mut self, act: Act) -> Self {
        self.exit = act;
        self
    }

    pub const fn steps(mut self, steps: usize) -> Self {
        self.steps = steps;
        self
    }
}

/// The user's error type for a failed enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterError(pub &'static str);

impl fmt::Display for EnterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "enter {} failed", self.0)
    }
}

impl std::error::Error for EnterError {}

/// The user's error type for a failed exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitError(pub &'static str);

impl fmt::Display for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {} failed", self.0)
    }
}

impl std::error::Error for ExitError {}

/// The user's error type for a failed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError(pub &'static str);

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "body failed: {}", self.0)
    }
}

impl std::error::Error for BodyError {}

/// A panic payload of a type of the test's own, to check the original
/// payload is resumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boom(pub &'static str);

/// How an exit describes the outcome it was told, in the event log.
pub fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Success => "success".to_string(),
        Outcome::Failed(error) => format!("failed({error})"),
        Outcome::Panicked => "panicked".to_string(),
        Outcome::Cancelled => "cancelled".to_string(),
    }
}

/// Suspends `steps` times, each time waking itself first, as a real I/O
/// operation that completes later would.
pub async fn suspend(steps: usize) {
    for _ in 0..steps {
        futures_lite::future::yield_now().await;
    }
}

/// An [`AsyncContext`] driven by a [`Spec`], logging `enter NAME` and
/// `exit NAME: OUTCOME` to its [`Events`].
#[derive(Debug)]
pub struct Tracked {
    spec: Spec,
    events: Events,
}

pub fn tracked(spec: Spec, events: &Events) -> Tracked {
    Tracked {
        spec,
        events: events.clone(),
    }
}

impl AsyncContext for Tracked {
    type Resource = Res;

    async fn enter(&mut self) -> Result<Res, Error> {
        let Spec { name, steps, .. } = self.spec;
        suspend(steps).await;
        match self.spec.enter {
            Act::Fail => {
                self.events.push(format!("enter {name} failed"));
                Err(EnterError(name).into())
            }
            Act::Panic => {
                self.events.push(format!("enter {name} panics"));
                std::panic::panic_any(Boom(name))
            }
            Act::Ok | Act::Suppress => {
                self.events.push(format!("enter {name}"));
                Ok(self.events.resource(name))
            }
        }
    }

    async fn exit(self, resource: Res, outcome: Outcome) -> Result<Exit, Error> {
        let Spec { name, steps, .. } = self.spec;
        assert_eq!(resource.name, name, "the exit got its own resource back");
        self.events
            .push(format!("exit {name}: {}", describe(&outcome)));
        drop(outcome);
        suspend(steps).await;
        drop(resource);
        act_at_exit(name, self.spec.exit)
    }
}

fn act_at_exit(name: &'static str, act: Act) -> Result<Exit, Error> {
    match act {
        Act::Ok => Ok(Exit::Propagate),
        Act::Suppress => Ok(Exit::Suppress),
        Act::Fail => Err(ExitError(name).into()),
        Act::Panic => std::panic::panic_any(Boom(name)),
    }
}

/// The same behaviour as [`Tracked`], written as a generator-style context.
pub fn generated(spec: Spec, events: &Events) -> impl With<Resource = Res> {
    let events = events.clone();
    context(async move |scope: Yield<'_, Res>| generator_body(spec, events, scope).await)
}

/// The same behaviour again, as a generator-style context that is an
/// [`AsyncContext`] (`boxed_context`).
pub fn boxed(spec: Spec, events: &Events) -> impl AsyncContext<Resource = Res> + 'static {
    let events = events.clone();
    boxed_context(move |scope: Yield<'static, Res>| generator_body(spec, events, scope))
}

/// The closure of [`generated`] and [`boxed`]: setup, yield, cleanup.
async fn generator_body(spec: Spec, events: Events, scope: Yield<'_, Res>) -> Result<Exit, Error> {
    let Spec { name, steps, .. } = spec;
    suspend(steps).await;
    match spec.enter {
        Act::Fail => {
            events.push(format!("enter {name} failed"));
            return Err(EnterError(name).into());
        }
        Act::Panic => {
            events.push(format!("enter {name} panics"));
            std::panic::panic_any(Boom(name))
        }
        Act::Ok | Act::Suppress => events.push(format!("enter {name}")),
    }
    let (resource, outcome) = scope.yield_(events.resource(name)).await;
    assert_eq!(resource.name, name, "the closure got its own resource back");
    events.push(format!("exit {name}: {}", describe(&outcome)));
    drop(outcome);
    suspend(steps).await;
    drop(resource);
    act_at_exit(name, spec.exit)
}

/// A waker that counts its wakes.
#[derive(Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

/// Runs `future` to completion on this thread; returns its output and how
/// many times it returned `Pending`. Every `Pending` must have been preceded
/// by a wake, or the future would hang on a real executor.
pub fn run_counting<F: Future>(future: F) -> (F::Output, usize) {
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&counter));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let mut pendings = 0;
    loop {
        let wakes_before = counter.wakes();
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return (output, pendings),
            Poll::Pending => {
                pendings += 1;
                assert!(
                    counter.wakes() > wakes_before,
                    "the future returned Pending without arranging a wake"
                );
            }
        }
    }
}

/// Runs `future` on this thread to completion.
pub fn block_on<F: Future>(future: F) -> F::Output {
    futures_lite::future::block_on(future)
}

/// Runs `future`, expecting it to panic; returns the payload.
pub fn panic_payload<F: Future>(future: F) -> Box<dyn std::any::Any + Send> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| block_on(future))) {
        Ok(_) => panic!("the scope was expected to resume a panic"),
        Err(payload) => payload,
    }
}

/// The messages of every error in `error`, oldest first.
pub fn messages(error: &Error) -> Vec<String> {
    error.errors().map(|e| e.to_string()).collect()
}

/// Strings from string literals, for comparing with [`Events::log`].
pub fn strings(events: &[&str]) -> Vec<String> {
    events.iter().map(|e| (*e).to_string()).collect()
}

/// A context lending a `!Send` value: what a single-threaded program enters
/// on a `LocalExitStack`.
pub struct LocalValue<T>(pub Option<T>);

impl<T> async_with::LocalAsyncContext for LocalValue<T> {
    type Resource = T;

    async fn enter(&mut self) -> Result<T, Error> {
        self.0.take().ok_or_else(|| Error::msg("entered twice"))
    }

    async fn exit(self, _: T, _: Outcome) -> Result<Exit, Error> {
        Ok(Exit::Propagate)
    }
}
