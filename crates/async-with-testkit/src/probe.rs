//! Fault-injection contexts: enters and exits that suspend, fail, panic or
//! never finish, and write what they saw to a [`Journal`].

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_with::{AsyncContext, Error, Exit, Outcome};

use crate::suspend;

/// A shared log of what probes saw, and a count of their live resources.
///
/// Events are short strings, easy to compare in a test:
/// `"enter A"`, `"exit A: success"`, `"exit A: failed: boom"`,
/// `"exit A: panicked"`, `"exit A: cancelled"`, `"exit A done"`, and
/// `"dropped A"` when a resource is dropped without its exit.
///
/// # Examples
///
/// ```
/// use async_with::with;
/// use async_with_testkit::Journal;
///
/// # futures_lite::future::block_on(async {
/// let journal = Journal::new();
/// with(journal.probe("A"), async |_a| Ok(())).await?;
/// assert_eq!(journal.events(), ["enter A", "exit A: success", "exit A done"]);
/// assert_eq!(journal.live(), 0);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct Journal {
    events: Arc<Mutex<Vec<String>>>,
    live: Arc<AtomicUsize>,
}

impl Journal {
    /// An empty journal.
    ///
    /// # Examples
    ///
    /// See [`Journal`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A well-behaved probe named `name` writing to this journal; configure
    /// its faults with the [`Probe`] methods.
    ///
    /// # Examples
    ///
    /// See [`Journal`].
    pub fn probe(&self, name: &'static str) -> Probe {
        Probe {
            name,
            journal: self.clone(),
            enter_suspends: 0,
            exit_suspends: 0,
            enter_fault: Fault::None,
            exit_fault: Fault::None,
            suppress: false,
        }
    }

    /// Adds an event.
    ///
    /// # Examples
    ///
    /// ```
    /// let journal = async_with_testkit::Journal::new();
    /// journal.record("body");
    /// assert_eq!(journal.events(), ["body"]);
    /// ```
    pub fn record(&self, event: impl Into<String>) {
        self.lock().push(event.into());
    }

    /// Every event so far, oldest first.
    ///
    /// # Examples
    ///
    /// See [`Journal`].
    pub fn events(&self) -> Vec<String> {
        self.lock().clone()
    }

    /// How many events were recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(async_with_testkit::Journal::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing was recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(async_with_testkit::Journal::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// How many probe resources are alive (entered and not yet dropped).
    ///
    /// # Examples
    ///
    /// See [`Journal`].
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<String>> {
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What a probe's enter or exit does after its suspensions.
///
/// # Examples
///
/// ```
/// use async_with_testkit::{Fault, Journal};
/// let _hung = Journal::new().probe("A").exit_fault(Fault::Hang);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fault {
    /// Completes normally.
    #[default]
    None,
    /// Returns a [`ProbeError`].
    Fail,
    /// Panics with the message `"enter A panicked"` / `"exit A panicked"`.
    Panic,
    /// Never completes.
    Hang,
}

/// A context for tests: it records its enter and exit in a [`Journal`],
/// and can be told to suspend, fail, panic or hang in either. It is
/// `Send + 'static`, so runtime adapters can run its exit after a
/// cancellation.
///
/// # Examples
///
/// ```
/// use async_with::with;
/// use async_with_testkit::{Fault, Journal, ProbeError};
///
/// # futures_lite::future::block_on(async {
/// let journal = Journal::new();
/// let failing = journal.probe("A").exit_suspends(2).exit_fault(Fault::Fail);
/// let error = with(failing, async |_a| Ok(())).await.unwrap_err();
/// assert!(error.is::<ProbeError>());
/// assert_eq!(error.to_string(), "exit A failed");
/// assert_eq!(journal.events(), ["enter A", "exit A: success"]);
/// # });
/// ```
#[derive(Clone, Debug)]
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Probe {
    name: &'static str,
    journal: Journal,
    enter_suspends: usize,
    exit_suspends: usize,
    enter_fault: Fault,
    exit_fault: Fault,
    suppress: bool,
}

impl Probe {
    /// Suspends `times` times (waking itself) before entering.
    ///
    /// # Examples
    ///
    /// See [`Probe`].
    pub fn enter_suspends(mut self, times: usize) -> Self {
        self.enter_suspends = times;
        self
    }

    /// Suspends `times` times (waking itself) in the exit, after recording it.
    ///
    /// # Examples
    ///
    /// See [`Probe`].
    pub fn exit_suspends(mut self, times: usize) -> Self {
        self.exit_suspends = times;
        self
    }

    /// What the enter does after its suspensions.
    ///
    /// # Examples
    ///
    /// See [`Fault`].
    pub fn enter_fault(mut self, fault: Fault) -> Self {
        self.enter_fault = fault;
        self
    }

    /// What the exit does after its suspensions.
    ///
    /// # Examples
    ///
    /// See [`Probe`].
    pub fn exit_fault(mut self, fault: Fault) -> Self {
        self.exit_fault = fault;
        self
    }

    /// Suppresses any error the exit is told about.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{AllowSuppressed, Error, with};
    /// # futures_lite::future::block_on(async {
    /// let journal = async_with_testkit::Journal::new();
    /// let value: Option<u8> = with(journal.probe("A").suppressing(), async |_a| Err(Error::msg("boom")))
    ///     .await
    ///     .allow_suppressed()?;
    /// assert_eq!(value, None);
    /// # Ok::<(), Error>(()) }).unwrap();
    /// ```
    pub fn suppressing(mut self) -> Self {
        self.suppress = true;
        self
    }
}

impl AsyncContext for Probe {
    type Resource = Held;

    async fn enter(&mut self) -> Result<Held, Error> {
        suspend(self.enter_suspends).await;
        apply(self.enter_fault, self.name, "enter").await?;
        self.journal.record(format!("enter {}", self.name));
        self.journal.live.fetch_add(1, Ordering::SeqCst);
        Ok(Held {
            name: self.name,
            journal: self.journal.clone(),
            exited: false,
        })
    }

    async fn exit(self, mut held: Held, outcome: Outcome) -> Result<Exit, Error> {
        held.exited = true;
        self.journal
            .record(format!("exit {}: {}", self.name, describe(&outcome)));
        suspend(self.exit_suspends).await;
        apply(self.exit_fault, self.name, "exit").await?;
        let suppress = self.suppress && matches!(outcome, Outcome::Failed(_));
        drop(outcome);
        drop(held);
        self.journal.record(format!("exit {} done", self.name));
        Ok(if suppress {
            Exit::Suppress
        } else {
            Exit::Propagate
        })
    }
}

async fn apply(fault: Fault, name: &'static str, stage: &'static str) -> Result<(), Error> {
    match fault {
        Fault::None => Ok(()),
        Fault::Fail => Err(ProbeError { name, stage }.into()),
        Fault::Panic => panic!("{stage} {name} panicked"),
        Fault::Hang => std::future::pending().await,
    }
}

/// How an exit describes its outcome in the journal.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Success => "success".into(),
        Outcome::Failed(error) => format!("failed: {error}"),
        Outcome::Panicked => "panicked".into(),
        Outcome::Cancelled => "cancelled".into(),
    }
}

/// A probe's resource. Counted live in its [`Journal`] until dropped;
/// dropped without its exit, it records `"dropped A"`.
///
/// # Examples
///
/// See [`Journal`].
pub struct Held {
    name: &'static str,
    journal: Journal,
    exited: bool,
}

impl Held {
    /// The probe's name.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::with;
    /// # futures_lite::future::block_on(async {
    /// let name = with(async_with_testkit::Journal::new().probe("A"), async |a| Ok(a.name())).await?;
    /// assert_eq!(name, "A");
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Debug for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Held").field("name", &self.name).finish()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if !self.exited {
            self.journal.record(format!("dropped {}", self.name));
        }
        self.journal.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The error a probe told to [`Fault::Fail`] returns: `"enter A failed"`,
/// `"exit A failed"`.
///
/// # Examples
///
/// See [`Probe`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeError {
    name: &'static str,
    stage: &'static str,
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} failed", self.stage, self.name)
    }
}

impl std::error::Error for ProbeError {}
