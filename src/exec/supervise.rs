//! Supervision: which process groups run in which cancel scope, ending
//! them (a timeout, `fail-fast`, a signal to `pipe`), and ending orphans.
//!
//! A cancel scope is the body of a `timeout` or `parallel` block, or the
//! whole script. Cancelling it sends a signal to the process group of
//! every pipeline running inside it (nested scopes included), SIGCONT so
//! that a stopped group can act on it, and after the grace period SIGKILL
//! to whatever is still there; nothing new starts in a cancelled scope.
//!
//! A group is signalled only while its leader is not reaped (see
//! `child.rs`), so its id cannot have been reused by then.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

use crate::syntax::ast::Span;

use super::status::Status;

/// The grace period of a signal to `pipe` and of `fail-fast`.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(2);

/// Why a scope was cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Timeout,
    FailFast,
    /// `pipe` itself received this signal.
    Signal(i32),
}

pub struct CancelScope {
    parent: Option<Rc<CancelScope>>,
    /// Set once: the reason and the signal sent.
    cancelled: Cell<Option<(Reason, i32)>>,
    /// The commands that were running when the scope was cancelled.
    caught: RefCell<Vec<Rc<StageRecord>>>,
    /// Set once the grace period after the cancellation has passed and
    /// what still ran was killed: what `pipe` itself still does for the
    /// scope (writing out a block's held output) is given up then too.
    killed: Cell<bool>,
    on_killed: tokio::sync::Notify,
    /// Set on a killed scope when output held for a block in it was
    /// dropped unwritten, for the diagnostic to say.
    dropped_output: Cell<bool>,
}

impl CancelScope {
    pub fn root() -> Rc<CancelScope> {
        Rc::new(CancelScope {
            parent: None,
            cancelled: Cell::new(None),
            caught: RefCell::new(Vec::new()),
            killed: Cell::new(false),
            on_killed: tokio::sync::Notify::new(),
            dropped_output: Cell::new(false),
        })
    }

    pub fn child(self: &Rc<Self>) -> Rc<CancelScope> {
        Rc::new(CancelScope {
            parent: Some(self.clone()),
            cancelled: Cell::new(None),
            caught: RefCell::new(Vec::new()),
            killed: Cell::new(false),
            on_killed: tokio::sync::Notify::new(),
            dropped_output: Cell::new(false),
        })
    }

    /// This scope's own cancellation, not its ancestors'.
    pub fn own_cancel(&self) -> Option<(Reason, i32)> {
        self.cancelled.get()
    }

    /// The signal of the nearest cancelled scope, this one or an ancestor:
    /// what a command that would start now is deemed killed by.
    pub fn cancelled(&self) -> Option<i32> {
        self.chain()
            .find_map(|scope| scope.cancelled.get())
            .map(|(_, signal)| signal)
    }

    /// Whether this scope or an ancestor was killed (see `killed`).
    pub fn is_killed(&self) -> bool {
        self.chain().any(|scope| scope.killed.get())
    }

    /// This scope and its ancestors, innermost first.
    fn chain(&self) -> impl Iterator<Item = &CancelScope> {
        std::iter::successors(Some(self), |scope| scope.parent.as_deref())
    }

    /// Returns once this scope or an ancestor has been killed: the grace
    /// period after its cancellation has passed.
    pub async fn killed(&self) {
        loop {
            let mut waits: Vec<_> = self
                .chain()
                .map(|scope| Box::pin(scope.on_killed.notified()))
                .collect();
            for wait in &mut waits {
                wait.as_mut().enable();
            }
            if self.is_killed() {
                return;
            }
            futures_util::future::select_all(waits).await;
        }
    }

    /// Notes, on the killed scope this one is in, that output held for a
    /// block was dropped unwritten.
    pub fn note_dropped_output(&self) {
        if let Some(scope) = self.chain().find(|scope| scope.killed.get()) {
            scope.dropped_output.set(true);
        }
    }

    /// Whether output held for a block in this scope was dropped unwritten
    /// when the scope was killed.
    pub fn dropped_output(&self) -> bool {
        self.dropped_output.get()
    }

    /// Whether `inner` is this scope or nested in it.
    fn contains(&self, inner: &CancelScope) -> bool {
        inner.chain().any(|scope| std::ptr::eq(scope, self))
    }

    /// The commands caught running by the cancellation, with how each ended.
    pub fn caught(&self) -> Vec<Rc<StageRecord>> {
        self.caught.borrow().clone()
    }
}

/// One started command, as diagnostics name it.
#[derive(Debug)]
pub struct StageRecord {
    pub name: String,
    pub span: Span,
    pub status: Cell<Option<Status>>,
}

struct Group {
    pgid: i32,
    scope: Rc<CancelScope>,
    stages: Vec<Rc<StageRecord>>,
}

/// The registry of running process groups and of `pipe`'s own children.
#[derive(Default)]
pub struct Supervisor {
    groups: RefCell<HashMap<u64, Group>>,
    next_id: Cell<u64>,
    /// Pids of the children the executor started and has not reaped.
    known: RefCell<HashSet<i32>>,
    /// Children `pipe` had before it started anything: left alone.
    inherited: RefCell<HashSet<i32>>,
    /// Adopted orphans already sent SIGTERM, and when.
    orphans: RefCell<HashMap<i32, std::time::Instant>>,
    /// Whether `pipe` adopts orphaned descendants (Linux).
    subreaper: Cell<bool>,
    /// Notified when a group closes: its processes have ended, so their
    /// children, if any live on, have just become `pipe`'s.
    closed: tokio::sync::Notify,
    /// Children being started on another thread: they may already be
    /// children of `pipe` and not yet known, so strangers are not looked
    /// for meanwhile.
    starting: Cell<usize>,
}

impl Supervisor {
    pub fn new() -> Supervisor {
        let supervisor = Supervisor::default();
        supervisor.subreaper.set(become_subreaper());
        supervisor.inherited.replace(main_thread_children());
        supervisor
    }

    /// Records a new process group (a pipeline's) running in `scope`.
    pub fn register(&self, pgid: i32, scope: &Rc<CancelScope>) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.groups.borrow_mut().insert(
            id,
            Group {
                pgid,
                scope: scope.clone(),
                stages: Vec::new(),
            },
        );
        id
    }

    pub fn add_stage(&self, group: u64, pid: i32, record: Rc<StageRecord>) {
        self.known.borrow_mut().insert(pid);
        if let Some(group) = self.groups.borrow_mut().get_mut(&group) {
            group.stages.push(record);
        }
    }

    /// The pid was reaped: it is no longer ours to signal.
    pub fn forget(&self, pid: i32) {
        self.known.borrow_mut().remove(&pid);
    }

    /// The pipeline ended: what its commands left running in its group is
    /// sent SIGTERM (and SIGCONT), and the group is forgotten. Its leader
    /// must still be unreaped.
    pub fn close(&self, group: u64) {
        if let Some(group) = self.groups.borrow_mut().remove(&group) {
            killpg(group.pgid, libc::SIGTERM);
            killpg(group.pgid, libc::SIGCONT);
            self.closed.notify_one();
        }
    }

    /// Sends `signal` to every running process group, cancelling none
    /// (job control: SIGTSTP and SIGCONT).
    pub fn signal_all(&self, signal: i32) {
        for group in self.groups.borrow().values() {
            killpg(group.pgid, signal);
        }
    }

    /// Waits until a group has closed since the last call returned.
    pub async fn group_closed(&self) {
        self.closed.notified().await;
    }

    /// Cancels `scope`: `signal` (and SIGCONT) to every group in it, and,
    /// when it is the whole script's (pipe was interrupted), to adopted
    /// orphans; the orphans of a part of the script are ended as they are
    /// found (`tend_orphans`). Nothing new starts in it afterwards.
    pub fn cancel(&self, scope: &Rc<CancelScope>, reason: Reason, signal: i32) {
        self.cancel_except(scope, reason, signal, None);
    }

    /// As `cancel`, but the group `spared` gets no signal now (it had it
    /// already: the terminal sent it Ctrl-C); it is still killed after
    /// the grace, with the rest.
    pub fn cancel_except(
        &self,
        scope: &Rc<CancelScope>,
        reason: Reason,
        signal: i32,
        spared: Option<i32>,
    ) {
        if scope.cancelled.get().is_none() {
            scope.cancelled.set(Some((reason, signal)));
        }
        let groups = self.groups.borrow();
        let mut caught = scope.caught.borrow_mut();
        for group in groups.values().filter(|group| scope.contains(&group.scope)) {
            if spared == Some(group.pgid) {
                continue;
            }
            killpg(group.pgid, signal);
            if signal != libc::SIGCONT && signal != libc::SIGKILL {
                killpg(group.pgid, libc::SIGCONT);
            }
            for stage in &group.stages {
                let running = stage.status.get().is_none();
                if running && !caught.iter().any(|seen| Rc::ptr_eq(seen, stage)) {
                    caught.push(stage.clone());
                }
            }
        }
        drop(groups);
        if scope.parent.is_none() {
            self.end_orphans(signal);
        }
    }

    /// After the grace period: SIGKILL to whatever still runs in `scope`,
    /// and `scope` marked killed.
    pub fn kill(&self, scope: &Rc<CancelScope>) {
        scope.killed.set(true);
        scope.on_killed.notify_waiters();
        for group in self
            .groups
            .borrow()
            .values()
            .filter(|group| scope.contains(&group.scope))
        {
            killpg(group.pgid, libc::SIGKILL);
        }
        self.end_orphans(libc::SIGKILL);
    }

    /// Cancels `scope` with `signal`, waits `grace`, then kills what is
    /// left. Dropping the future after the scope's work ended stops it.
    pub async fn terminate(
        &self,
        scope: &Rc<CancelScope>,
        reason: Reason,
        signal: i32,
        grace: Duration,
    ) {
        self.cancel(scope, reason, signal);
        tokio::time::sleep(grace).await;
        self.kill(scope);
    }

    /// Reaps adopted orphans that ended, sends SIGTERM to those still
    /// running, and SIGKILL to those still running the grace period after
    /// it: a process whose parent ended does not outlive it, even when it
    /// ignores SIGTERM. Returns whether orphans are left to tend again
    /// once the grace period has passed.
    pub fn tend_orphans(&self) -> bool {
        if !self.subreaper.get() {
            return false;
        }
        let mut killed = false;
        for pid in self.running_strangers() {
            let mut orphans = self.orphans.borrow_mut();
            match orphans.get(&pid) {
                None => {
                    orphans.insert(pid, std::time::Instant::now());
                    // SAFETY: a child of ours that is not reaped.
                    unsafe {
                        libc::kill(pid, libc::SIGTERM);
                        libc::kill(pid, libc::SIGCONT);
                    }
                }
                Some(since) if since.elapsed() >= DEFAULT_GRACE => {
                    // SAFETY: a child of ours that is not reaped.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    killed = true;
                }
                Some(_) => {}
            }
        }
        if killed {
            // Its children, if any live on, are about to be ours.
            self.closed.notify_one();
        }
        !self.orphans.borrow().is_empty()
    }

    /// After a block ran out of time: the orphans its processes left (a
    /// command that escaped its group with `setsid`, whose parent was then
    /// ended) get `signal` and SIGCONT as they are found, and SIGKILL once
    /// `grace` has passed since the first was found; the block ends when
    /// they have, as it does for its own groups. An orphan that appears
    /// after the grace (the child of one just killed) is killed at once.
    /// Looks every 10 ms; gives up a second after the grace if one will not
    /// go, leaving it to `tend_orphans`.
    pub async fn settle_orphans(&self, signal: i32, grace: Duration) {
        if !self.subreaper.get() {
            return;
        }
        let mut deadline = None;
        let mut signalled = HashSet::new();
        loop {
            let alive = self.running_strangers();
            if alive.is_empty() {
                return;
            }
            let now = tokio::time::Instant::now();
            let deadline = *deadline.get_or_insert(now + grace);
            if now >= deadline + Duration::from_secs(1) {
                return;
            }
            for pid in alive {
                if now >= deadline {
                    // SAFETY: a child of ours that is not reaped.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                } else if signalled.insert(pid) {
                    // SAFETY: a child of ours that is not reaped.
                    unsafe {
                        libc::kill(pid, signal);
                        libc::kill(pid, libc::SIGCONT);
                    }
                    self.orphans
                        .borrow_mut()
                        .entry(pid)
                        .or_insert_with(std::time::Instant::now);
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The strangers still running; those that ended are reaped here.
    /// One that ended between the listing and its reaping may have left
    /// children, which the kernel gave to `pipe` as it ended, after the
    /// listing: so the list is made again until a round reaps nothing.
    fn running_strangers(&self) -> Vec<i32> {
        loop {
            let mut reaped_any = false;
            let mut running = self.strangers();
            running.retain(|&pid| {
                // SAFETY: waitpid on our own child, which nothing else reaps.
                let reaped =
                    unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) } == pid;
                if reaped {
                    self.orphans.borrow_mut().remove(&pid);
                    reaped_any = true;
                }
                !reaped
            });
            if !reaped_any {
                return running;
            }
        }
    }

    /// `signal` to every adopted orphan still running.
    fn end_orphans(&self, signal: i32) {
        if !self.subreaper.get() {
            return;
        }
        for pid in self.strangers() {
            // SAFETY: a child of ours that is not reaped.
            unsafe { libc::kill(pid, signal) };
            self.orphans
                .borrow_mut()
                .entry(pid)
                .or_insert_with(std::time::Instant::now);
        }
    }

    /// At the very end: every adopted orphan is killed and reaped.
    pub fn finish(&self) {
        if !self.subreaper.get() {
            return;
        }
        for _ in 0..100 {
            let strangers = self.strangers();
            if strangers.is_empty() {
                return;
            }
            for pid in strangers {
                // SAFETY: kill and reap a child of ours.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), 0);
                }
            }
        }
    }

    /// Counts a child being started until the guard is dropped, after the
    /// child is added (see `starting`).
    pub fn start(&self) -> Starting<'_> {
        self.starting.set(self.starting.get() + 1);
        Starting(self)
    }

    /// Our children that the executor did not start (adopted orphans).
    /// None while a child is being started: looked for again later.
    fn strangers(&self) -> Vec<i32> {
        if self.starting.get() > 0 {
            self.closed.notify_one();
            return Vec::new();
        }
        let known = self.known.borrow();
        let inherited = self.inherited.borrow();
        main_thread_children()
            .into_iter()
            .filter(|pid| !known.contains(pid) && !inherited.contains(pid))
            .collect()
    }
}

/// A child being started; see [`Supervisor::start`].
pub struct Starting<'a>(&'a Supervisor);

impl Drop for Starting<'_> {
    fn drop(&mut self) {
        self.0.starting.set(self.0.starting.get() - 1);
    }
}

fn killpg(pgid: i32, signal: i32) {
    // SAFETY: kill with a negative pid signals a group whose leader is not
    // reaped (the caller's invariant), so the id is still that group's.
    unsafe { libc::kill(-pgid, signal) };
}

/// Makes `pipe` the reaper of its orphaned descendants (Linux).
fn become_subreaper() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with an integer argument.
        unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// The children of `pipe`'s main thread, from `/proc` (Linux). Every
/// orphan `pipe` adopts is one, as the kernel gives an orphan to the first
/// live thread of its reaper: the main thread, which lives as long as
/// `pipe`. So is every child `pipe` had when it started (before any thread
/// of its own). The children a starter thread started are listed under
/// that thread, and are known anyway.
fn main_thread_children() -> HashSet<i32> {
    #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
    let mut pids = HashSet::new();
    #[cfg(target_os = "linux")]
    if has_children()
        && let Ok(text) =
            std::fs::read_to_string(format!("/proc/self/task/{}/children", std::process::id()))
    {
        pids.extend(
            text.split_whitespace()
                .filter_map(|pid| pid.parse::<i32>().ok()),
        );
    }
    pids
}

/// Whether this process has any child, running or not yet reaped: one
/// system call, where listing them reads a file.
#[cfg(target_os = "linux")]
fn has_children() -> bool {
    // SAFETY: WNOWAIT|WNOHANG only looks; `info` is ours to write.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        libc::waitid(
            libc::P_ALL,
            0,
            &mut info,
            libc::WEXITED | libc::WSTOPPED | libc::WNOHANG | libc::WNOWAIT | libc::__WALL,
        ) == 0
    }
}
