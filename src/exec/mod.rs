//! The executor: the only code that spawns, pipes, waits and signals.
//!
//! It walks the syntax tree with an I/O context ([`Io`]) and a [`Scope`]
//! passed down by value and cloned for each block, the way the plan nests.
//! Everything runs on one thread: a pipeline's stages and a block standing
//! as a stage are futures joined together, and waiting on children costs no
//! thread of its own.

mod cd;
mod child;
mod command;
mod error;
mod fanout;
mod io;
mod output;
mod parallel;
mod pipeline;
mod process;
mod redact;
mod redirect;
mod same_file;
mod spawn;
mod status;
mod supervise;
mod terminal;
mod timeout;
mod trace;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;

use tokio::io::AsyncReadExt;

use crate::expand::{self, Lookup};
use crate::syntax::ast::{
    Block, BlockKind, Connector, ForLoop, List, ListItem, Pipeline, RangeBound, Setting, Span,
    Spanned, Stage, Stmt, StmtKind, Word, WordPart,
};

use supervise::{CancelScope, Reason, Supervisor};

use cd::{logical, pwd_is_cwd};
pub use command::{path_note, probe, resolve};
pub use error::{PathNote, RunError, reason as io_reason, spaced_assignment};
pub use io::{Fd, Io};
pub use process::{die_by, prepare_process};
pub use redact::{mask_secrets, redact};
pub use status::{Status, exit_status, signal_name};

type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// What a `parallel` header's `max` is called in a diagnostic, and the
/// help of one that is wrong.
pub const MAX_SETTING: (&str, &str) = (
    "`max` value",
    "`max` takes a whole number of branches, 1 or more",
);

/// What a `timeout` header's duration or `grace` is called in a
/// diagnostic, and the help of one that is wrong.
pub const DURATION_SETTING: (&str, &str) = (
    "duration",
    "a duration is a number and a unit: `500us`, `150ms`, `2s`, `1.5s`, `5m` or `1h`",
);

/// The most a `$(...)` may print, 64 MiB: its output is held in memory
/// whole (a value for an argument, which the system limits to far less,
/// a `<<<` or a `for` list), and `pipe`'s memory stays bounded whatever
/// a command prints.
pub const SUBST_LIMIT: usize = 64 << 20;

/// Where the executor sends what it has to say while it runs: errors that
/// do not stop the script (the left side of `||`), and, when asked for
/// (`Config::observe`), every child's start and end and every timeout,
/// fail-fast and signal, for `-x` and `--timeline`. Every text is already
/// redacted.
pub trait Reporter {
    fn error(&self, error: RunError, secrets: &[Vec<u8>]);
    /// The error of a command that could not start, written where the
    /// command's stderr went (a file, `/dev/null`, a pipe), as text.
    fn error_to(&self, error: &RunError, secrets: &[Vec<u8>], to: std::os::fd::BorrowedFd<'_>);
    /// A child is about to start, `at` after the script did: its command
    /// line, quoted and redacted. Reported before the child exists, so
    /// that a trace of it comes before anything it writes. A `let`,
    /// `export`, `secret`, `cd` or `exit` is reported so too, as it acts.
    fn starting(&self, at: std::time::Duration, line: &str);
    fn started(&self, event: &Started<'_>);
    fn ended(&self, event: &Ended<'_>);
    fn note(&self, at: std::time::Duration, what: &str);
    /// A value became secret: what is reported from now on is redacted
    /// already, and what was reported before may hold it and is not.
    fn secret(&self, value: &[u8]);
}

/// A child started, `at` after the script did.
pub struct Started<'a> {
    pub at: std::time::Duration,
    pub pid: i32,
    pub argv: &'a [String],
}

/// A child ended.
pub struct Ended<'a> {
    pub at: std::time::Duration,
    pub pid: i32,
    pub name: &'a str,
    pub status: Status,
}

/// What a run needs besides the script.
pub struct Config {
    /// `$0` followed by the script's arguments.
    pub positional: Vec<OsString>,
    /// Report every child's start and end to the reporter.
    pub observe: bool,
}

/// A failed statement: the status the script ends with, and why. No error
/// means the script ends quietly (its stdout was closed by its reader).
#[derive(Debug)]
pub struct Failure {
    pub status: i32,
    pub error: Option<Box<RunError>>,
    /// The values to hide when the error is shown.
    pub secrets: Vec<Vec<u8>>,
}

/// A pipeline of more stages than this runs enough children at once to
/// need more fds than the usual soft limit of 1024 may leave: `pipe` holds
/// one (a pidfd) for each running child.
const LONG_PIPELINE: usize = 64;

/// Whether `stmt` has a `parallel` or `fanout` block anywhere in it, or a
/// pipeline of more than [`LONG_PIPELINE`] stages: what runs many children
/// at once.
fn has_branches(stmt: &Stmt) -> bool {
    let mut found = false;
    crate::syntax::ast::walk_stmt(stmt, &mut |stmt| {
        if let StmtKind::List(list) = &stmt.kind {
            found |= list.pipelines().any(|pipeline| {
                pipeline.stages.len() > LONG_PIPELINE
                    || pipeline.stages.iter().any(|stage| {
                        matches!(stage, Stage::Block(block)
                            if matches!(block.kind, BlockKind::Parallel { .. } | BlockKind::Fanout { .. }))
                    })
            });
        }
    });
    found
}

/// How a script ended.
#[derive(Debug)]
pub enum Outcome {
    /// It ran to its end or to `exit N`.
    Exited(i32),
    /// A statement failed and stopped it.
    Failed(Failure),
    /// `pipe` received this signal (Ctrl-C, SIGTERM, SIGHUP): its children
    /// were ended, and it should now end by the same signal.
    Interrupted(i32),
}

/// The output of whichever of `futures` ends first, the others dropped.
/// Unlike `select`, a wake polls only the future it was for
/// (`FuturesUnordered`): the script wakes at every child's end, and the
/// background's listeners (three signal streams, the orphan loop, the
/// grace period) need not be polled each time, nor the script at every
/// group close the orphan loop wakes for.
async fn first_of<'a, T, const N: usize>(
    futures: [futures_util::future::LocalBoxFuture<'a, T>; N],
) -> T {
    use futures_util::StreamExt;
    let mut running: futures_util::stream::FuturesUnordered<_> = futures.into_iter().collect();
    running
        .next()
        .await
        .expect("first_of is given at least one future")
}

/// Runs a parsed script to its end.
pub fn run(
    script: &crate::syntax::ast::Script,
    config: Config,
    reporter: &dyn Reporter,
) -> Outcome {
    // The working directory as the shell that started pipe named it
    // (through a link, maybe), so that `cd ..` and `$PWD` go on from the
    // logical path as in bash; else as the system names it.
    let system_cwd = std::env::current_dir().ok();
    // A `$PWD` is kept when it names the directory, or when the system
    // cannot name it (it was removed).
    let pwd_valid = pwd_is_cwd() || system_cwd.is_none();
    let cwd = match std::env::var_os("PWD") {
        Some(pwd) if pwd_valid && system_cwd.is_some() => logical(std::path::Path::new(&pwd)),
        _ => system_cwd.unwrap_or_else(|| PathBuf::from(".")),
    };
    // As bash does at start-up: a `$PWD` that is not the working
    // directory (a parent that changed directory without updating it, as
    // most process APIs do, or none at all) is set to it, in the script
    // and its children. In pipe's own environment, which children get as
    // it is, rather than as a change each child's start would apply.
    if !pwd_valid {
        // SAFETY: no thread of pipe's own exists yet, and nothing else
        // reads or writes the environment meanwhile.
        unsafe { std::env::set_var("PWD", &cwd) };
    }
    // Before any thread of pipe's own exists (see `reserve_fds`): a
    // parallel block uses a few fds a branch, a pipeline one a stage.
    if script.body.iter().any(has_branches) {
        process::raise_fd_limit();
        process::reserve_fds(4096);
    }
    // Before the runtime and any thread of pipe's: all inherit the mask.
    let mut interrupts = process::Interrupts::block();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return Outcome::Failed(Failure {
                status: 1,
                error: Some(Box::new(RunError::start(err, script.span.into()))),
                secrets: Vec::new(),
            });
        }
    };
    let interp = Interp {
        positional: config.positional,
        observe: config.observe,
        started: std::time::Instant::now(),
        secrets: RefCell::new(Vec::new()),
        own_cwd: cwd.clone(),
        reporter,
        supervisor: Supervisor::new(),
        interrupted: Cell::new(None),
        interrupt: tokio::sync::Notify::new(),
        terminal: terminal::Terminal::detect(),
        terminal_group: Cell::new(None),
        root: CancelScope::root(),
        branches: Cell::new(0),
        programs: command::Programs::default(),
        steps: Cell::new(0),
    };
    let root = interp.root.clone();
    let mut scope = Scope {
        vars: Rc::default(),
        cwd: Rc::new(cwd),
        cwd_changed: false,
        last_status: 0,
        cancel: root.clone(),
        condition: false,
        held: None,
    };
    let io = Io::inherit();
    let flow = runtime.block_on(async {
        // The background is polled first, so that signals to pipe are
        // caught before the script starts its first child. Interrupted,
        // and the script did not end even after SIGKILL to everything, the
        // script is given up on (its children are killed and reaped as its
        // future is dropped).
        first_of([
            Box::pin(async {
                interp.background(&root, &mut interrupts).await;
                Flow::Fail(Failure {
                    status: 1,
                    error: None,
                    secrets: Vec::new(),
                })
            }) as futures_util::future::LocalBoxFuture<'_, Flow>,
            Box::pin(interp.run_stmts(&mut scope, &io, &script.body)),
        ])
        .await
    });
    interp.supervisor.finish();
    if let Some(signal) = interp.interrupted.get() {
        return Outcome::Interrupted(signal);
    }
    match flow {
        Flow::Normal => Outcome::Exited(scope.last_status),
        Flow::Exit(status) => Outcome::Exited(status),
        Flow::Fail(mut failure) => {
            failure.secrets = interp.secrets.take();
            Outcome::Failed(failure)
        }
    }
}

/// What running a statement asks of the statements after it.
enum Flow {
    /// Go on with the next statement.
    Normal,
    /// `exit N`: end the script (or the pipeline stage it runs in).
    Exit(i32),
    /// A failure (errexit): end the script with this status.
    Fail(Failure),
}

/// How one pipeline ended, before errexit decides what that means.
struct PipeOutcome {
    status: i32,
    error: Option<RunError>,
    /// The status is a condition's, the last one a block ran (`{ false &&
    /// x }`): as bash's errexit does for a compound command, it does not
    /// stop the script, though `$?`, `&&` and `||` see it.
    condition: bool,
}

impl PipeOutcome {
    /// A failure that ends the script wherever it stands, on the left of
    /// `||` too: an `exit` whose status is no number (as an `exit` always
    /// ends it), and an undefined variable (as bash's `set -u` does: a
    /// mistake in the script, not a condition that failed).
    fn is_bad_exit(&self) -> bool {
        !self.condition
            && matches!(
                self.error,
                Some(
                    RunError::BadExit { .. }
                        | RunError::Expand(expand::ExpandError::Undefined { .. })
                )
            )
    }

    fn success() -> PipeOutcome {
        PipeOutcome::new(0, None)
    }

    fn new(status: i32, error: Option<RunError>) -> PipeOutcome {
        PipeOutcome {
            status,
            error,
            condition: false,
        }
    }

    fn failed(error: RunError) -> PipeOutcome {
        PipeOutcome::new(error.status(), Some(error))
    }
}

#[derive(Clone, Debug)]
struct Var {
    value: OsString,
    export: bool,
    secret: bool,
}

/// A block's variables, sorted by name. A vector, not a hash map: a script
/// has few variables, and each parallel branch that sets its loop variable
/// holds its own copy (one entry: 56 bytes, where a map takes 300).
#[derive(Clone, Debug, Default)]
struct Vars(Vec<(String, Var)>);

impl Vars {
    fn get(&self, name: &str) -> Option<&Var> {
        let index = self.0.binary_search_by(|(key, _)| key.as_str().cmp(name));
        index.ok().map(|i| &self.0[i].1)
    }

    fn insert(&mut self, name: &str, var: Var) -> &Var {
        let i = match self.0.binary_search_by(|(key, _)| key.as_str().cmp(name)) {
            Ok(i) => {
                self.0[i].1 = var;
                i
            }
            Err(i) => {
                // Room for just this one while there are few (as in a
                // branch's copy); amortized growth beyond.
                if self.0.len() < 8 {
                    self.0.reserve_exact(1);
                }
                self.0.insert(i, (name.to_owned(), var));
                i
            }
        };
        &self.0[i].1
    }

    fn iter(&self) -> impl Iterator<Item = (&String, &Var)> {
        self.0.iter().map(|(name, var)| (name, var))
    }

    fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(name, _)| name)
    }
}

/// How a statement sets a variable.
#[derive(Clone, Copy, PartialEq)]
enum Assign {
    /// `let`, or a loop's variable: as a bash assignment, a name that is
    /// exported (by `export`, `secret` or pipe's own environment) stays
    /// exported with its new value, and a secret stays secret.
    Plain,
    Export,
    Secret,
}

/// Variables, working directory and `$?` of a block; cloned on entry to a
/// nested block, so what the block sets ends with it.
#[derive(Clone)]
struct Scope {
    vars: Rc<Vars>,
    cwd: Rc<PathBuf>,
    cwd_changed: bool,
    last_status: i32,
    /// The innermost `timeout` or `parallel` body (or the script).
    cancel: Rc<CancelScope>,
    /// The statement runs as a condition (on the left of `&&` or `||`,
    /// or inside a block that does): a plain failing status found inside
    /// it is not shown, as the condition's own is not.
    condition: bool,
    /// Inside a stage of a pipeline of several: the other failures a
    /// `parallel` or `fanout` block shows besides its own, held until the
    /// pipeline has ended, which shows them unless it ends quietly (its
    /// last stage lost `pipe`'s closed stdout), as its own failure is then.
    held: Option<Rc<RefCell<Vec<RunError>>>>,
}

impl Scope {
    /// Whether setting `name` this way makes (or keeps) it exported, and
    /// secret.
    fn attributes(&self, name: &str, how: Assign) -> (bool, bool) {
        match how {
            Assign::Secret => (true, true),
            // `export` on a secret keeps it secret, as `let` does.
            Assign::Export => (true, self.vars.get(name).is_some_and(|var| var.secret)),
            Assign::Plain => match self.vars.get(name) {
                Some(var) => (var.export, var.secret),
                None => (std::env::var_os(name).is_some(), false),
            },
        }
    }

    /// Sets a variable; returns its value if it is a secret.
    fn set(&mut self, name: &str, value: OsString, how: Assign) -> Option<&OsString> {
        let (export, secret) = self.attributes(name, how);
        let var = Var {
            value,
            export,
            secret,
        };
        let var = Rc::make_mut(&mut self.vars).insert(name, var);
        var.secret.then_some(&var.value)
    }
}

struct Interp<'r> {
    positional: Vec<OsString>,
    observe: bool,
    /// When the script started, for event times.
    started: std::time::Instant,
    /// Values of `secret`s, hidden from every trace and diagnostic.
    secrets: RefCell<Vec<Vec<u8>>>,
    /// `pipe`'s own working directory.
    own_cwd: PathBuf,
    reporter: &'r dyn Reporter,
    supervisor: Supervisor,
    /// The signal `pipe` received, if any.
    interrupted: Cell<Option<i32>>,
    /// Woken when `pipe` receives a signal, to start the grace period.
    interrupt: tokio::sync::Notify,
    /// The terminal, when `pipe` runs in its foreground.
    terminal: Option<terminal::Terminal>,
    /// The process group the terminal is lent to.
    terminal_group: Cell<Option<i32>>,
    /// The script's root cancel scope.
    root: Rc<CancelScope>,
    /// How many parallel branches run now, in all blocks.
    branches: Cell<usize>,
    /// The programs found on PATH so far.
    programs: command::Programs,
    /// Statements started so far, to yield to signals and timers every so
    /// often (see `run_stmts`).
    steps: Cell<u32>,
}

/// Expansion's view of a scope, with the `$(...)` outputs of one word set.
struct View<'a> {
    interp: &'a Interp<'a>,
    scope: &'a Scope,
    substs: &'a HashMap<(usize, usize), Vec<u8>>,
}

impl Lookup for View<'_> {
    fn var(&self, name: &str) -> Option<OsString> {
        match self.scope.vars.get(name) {
            Some(var) => Some(var.value.clone()),
            None => std::env::var_os(name),
        }
    }

    fn var_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.scope.vars.keys().cloned().collect();
        names.extend(std::env::vars_os().filter_map(|(key, _)| key.into_string().ok()));
        names
    }

    fn positional(&self) -> &[OsString] {
        &self.interp.positional
    }

    fn last_status(&self, at: usize) -> i32 {
        // Each `$(...)` that ran sets `$?` to its status, 0: one that
        // failed failed the statement.
        if self.substs.keys().any(|&(_, end)| end <= at) {
            0
        } else {
            self.scope.last_status
        }
    }

    fn substitution(&self, span: Span) -> Option<&[u8]> {
        self.substs.get(&(span.start, span.end)).map(Vec::as_slice)
    }
}

/// A view that also sees a command's earlier prefix assignments, as each
/// assignment's word does in bash (`A=1 B=$A cmd` gives `B` 1). With no
/// assignments, it is the view of a command's redirects, which bash
/// expands after the command's words.
struct WithAssigns<'a> {
    view: &'a View<'a>,
    assigns: &'a [(OsString, OsString)],
    /// A `$(...)` of what bash expands before (the command's words, for
    /// its redirects; its words and redirects, for its assignments) ran:
    /// `$?` is its status there, 0.
    after_substs: bool,
}

impl Lookup for WithAssigns<'_> {
    fn var(&self, name: &str) -> Option<OsString> {
        match self.assigns.iter().rev().find(|(key, _)| key == name) {
            Some((_, value)) => Some(value.clone()),
            None => self.view.var(name),
        }
    }

    fn var_names(&self) -> Vec<String> {
        let mut names = self.view.var_names();
        names.extend(
            self.assigns
                .iter()
                .filter_map(|(key, _)| key.to_str().map(str::to_owned)),
        );
        names
    }

    fn positional(&self) -> &[OsString] {
        self.view.positional()
    }

    fn last_status(&self, at: usize) -> i32 {
        if self.after_substs {
            0
        } else {
            self.view.last_status(at)
        }
    }

    fn substitution(&self, span: Span) -> Option<&[u8]> {
        self.view.substitution(span)
    }
}

impl<'r> Interp<'r> {
    fn run_stmts<'a>(
        &'a self,
        scope: &'a mut Scope,
        io: &'a Io,
        stmts: &'a [Stmt],
    ) -> LocalFuture<'a, Flow> {
        Box::pin(async move {
            // An empty body (`{ }`, `for x in a { }`) ran no command: its
            // status is 0, as `{ :; }` is in bash, not the `$?` before it.
            if stmts.is_empty() {
                scope.last_status = 0;
            }
            for stmt in stmts {
                // Let signals and timers in, even in a loop that never waits
                // (`for i in 1..100000 { let x = $i }` starts no process): the
                // count is the script's, so a loop whose body is one
                // statement yields as often as a long block does.
                let steps = self.steps.get().wrapping_add(1);
                self.steps.set(steps);
                if steps.is_multiple_of(64) {
                    tokio::task::yield_now().await;
                }
                // A cancelled block (timeout, fail-fast, signal) starts nothing
                // more; whoever cancelled it reports why.
                if let Some(signal) = scope.cancel.cancelled() {
                    return Flow::Fail(Failure {
                        status: 128 + signal,
                        error: None,
                        secrets: Vec::new(),
                    });
                }
                match self.run_stmt(scope, io, stmt).await {
                    Flow::Normal => {}
                    other => return other,
                }
            }
            Flow::Normal
        })
    }

    /// What runs beside the script: signals to `pipe` are forwarded to
    /// every process group, then, after the grace period, SIGKILL; orphans
    /// adopted by `pipe` are ended and reaped. It returns only when the
    /// script, interrupted, has not ended a second after that SIGKILL.
    async fn background(&self, root: &Rc<CancelScope>, interrupts: &mut process::Interrupts) {
        // SIGINT, SIGTERM, SIGHUP, and the other signals a user sends by
        // hand, whose default would end pipe at once and leave its
        // children's children running (only its direct children die with
        // it): they end the script as SIGTERM does. SIGTSTP (Ctrl-Z while
        // pipe holds the terminal): the job stops, all of it.
        let mut source = process::InterruptSource::new(interrupts);
        let signals = async {
            loop {
                match source.next().await {
                    libc::SIGTSTP => self.suspend(),
                    signal => self.interrupt(signal),
                }
            }
        };
        let grace = async {
            self.interrupt.notified().await;
            tokio::time::sleep(supervise::DEFAULT_GRACE).await;
            self.supervisor.kill(root);
            // Every process is gone by now; what can still hold the script
            // is output that pipe writes itself, for a reader that does not
            // read (`pipe x.pipe | less`, paused): pipe does not wait on it
            // to end by the signal.
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        };
        // Orphans appear when a process with live children ends, which, for
        // the ones that become pipe's, is a stage of a group that then
        // closes. Waking on group closes rather than on SIGCHLD spares every
        // child's end a signal to pipe.
        // An orphan sent SIGTERM is looked at again every 100 ms, group
        // closes or not: reaped soon once it has ended (no zombie lingers
        // for the grace period), killed if it still runs after the grace.
        let orphans = async {
            let mut pending = false;
            loop {
                if pending {
                    tokio::select! {
                        () = self.supervisor.group_closed() => {}
                        () = tokio::time::sleep(std::time::Duration::from_millis(100)) => {}
                    }
                } else {
                    self.supervisor.group_closed().await;
                }
                pending = self.supervisor.tend_orphans();
                // Looking costs a read of /proc: at most every 20 ms, however
                // fast groups close (the closes meanwhile coalesce).
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        // The loops never end; the grace period does, after an interrupt.
        first_of([
            Box::pin(async {
                signals.await;
            }) as futures_util::future::LocalBoxFuture<'_, ()>,
            Box::pin(async {
                orphans.await;
            }),
            Box::pin(grace),
        ])
        .await;
    }

    /// One statement. Only a pipeline runs in place: the others' futures
    /// are boxed, as is a pipeline after `&&` or `||` (see `run_list`),
    /// because a statement's future is as large as its largest case, and
    /// every branch of a parallel block holds one while it runs.
    async fn run_stmt(&self, scope: &mut Scope, io: &Io, stmt: &Stmt) -> Flow {
        match &stmt.kind {
            StmtKind::Let { name, value } => {
                Box::pin(self.assign(scope, io, &name.name, value, Assign::Plain)).await
            }
            StmtKind::Export { name, value } => {
                Box::pin(self.assign(scope, io, &name.name, value, Assign::Export)).await
            }
            StmtKind::Secret { name, value } => {
                Box::pin(self.assign(scope, io, &name.name, value, Assign::Secret)).await
            }
            StmtKind::Cd { dir } => Box::pin(self.cd(scope, io, dir.as_ref(), stmt.span)).await,
            StmtKind::Exit { status } => Box::pin(self.exit(scope, io, status.as_ref())).await,
            StmtKind::List(list) => self.run_list(scope, io, list).await,
        }
    }

    async fn assign(
        &self,
        scope: &mut Scope,
        io: &Io,
        name: &str,
        value: &Word,
        how: Assign,
    ) -> Flow {
        let outcome = self.set_from_word(scope, io, name, value, how).await;
        self.finish(scope, outcome)
    }

    /// `let`, `export` or `secret`: sets the variable in `scope`, or
    /// fails, leaving it as it was.
    async fn set_from_word(
        &self,
        scope: &mut Scope,
        io: &Io,
        name: &str,
        value: &Word,
        how: Assign,
    ) -> PipeOutcome {
        let result = async {
            let expanded = self
                .expand_word(scope, io, value, expand::assignment)
                .await?;
            if scope.attributes(name, how).0 && expanded.as_bytes().contains(&0) {
                return Err(PipeOutcome::failed(RunError::nul_byte(
                    "an environment value",
                    value,
                )));
            }
            Ok(expanded)
        };
        match result.await {
            Ok(value) => {
                // Traced once set, so that a secret's own value is hidden.
                let trace = self.observe.then(|| value.clone());
                self.set_var(scope, name, value, how);
                if let Some(value) = trace {
                    let keyword = match how {
                        Assign::Plain => "let",
                        Assign::Export => "export",
                        Assign::Secret => "secret",
                    };
                    self.trace_stmt(&format!("{keyword} {name} ="), Some(value.as_bytes()));
                }
                PipeOutcome::success()
            }
            Err(outcome) => outcome,
        }
    }

    /// Sets a variable in `scope`, hiding its value from then on if it is
    /// a secret.
    fn set_var(&self, scope: &mut Scope, name: &str, value: OsString, how: Assign) {
        if let Some(value) = scope.set(name, value, how) {
            self.hide(value.as_bytes());
        }
    }

    /// Hides a secret's value, as `***`, in everything printed from then on.
    fn hide(&self, value: &[u8]) {
        if value.is_empty() {
            return;
        }
        let mut secrets = self.secrets.borrow_mut();
        if !secrets.iter().any(|secret| secret == value) {
            secrets.push(value.to_vec());
            self.reporter.secret(value);
        }
    }

    async fn exit(&self, scope: &mut Scope, io: &Io, status: Option<&Word>) -> Flow {
        let Some(word) = status.filter(|word| !expand::no_word(word, &self.positional)) else {
            self.trace_stmt("exit", None);
            return Flow::Exit(scope.last_status);
        };
        let result = async {
            let value = self
                .expand_word(scope, io, word, |word, view| {
                    expand::single(word, "exit status", view)
                })
                .await?;
            self.trace_stmt("exit", Some(value.as_bytes()));
            let text = value.to_string_lossy();
            status::exit_status(&text).map(i32::from).ok_or_else(|| {
                PipeOutcome::failed(RunError::BadExit {
                    value: self.redact(value.as_bytes()),
                    reason: expand::value_reason(&text, "not a status"),
                    span: word.span.into(),
                })
            })
        };
        match result.await {
            Ok(status) => Flow::Exit(status),
            Err(outcome) => self.finish(scope, outcome),
        }
    }

    /// A duration of a `timeout` header (see [`Interp::setting`]).
    async fn duration(
        &self,
        scope: &Scope,
        io: &Io,
        setting: &Setting<std::time::Duration>,
    ) -> Result<Spanned<std::time::Duration>, PipeOutcome> {
        self.setting(scope, io, setting, DURATION_SETTING, |text| {
            crate::syntax::parse_duration(text).map_err(|err| err.reason())
        })
        .await
    }

    /// A block header's value: as written, or its word expanded now, in the
    /// scope around the block, and checked as the parser checks one
    /// written out (`parallel max $(nproc)`, `timeout ${LIMIT:-5s}`).
    async fn setting<T: Copy>(
        &self,
        scope: &Scope,
        io: &Io,
        setting: &Setting<T>,
        (what, help): (&'static str, &'static str),
        parse: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Result<Spanned<T>, PipeOutcome> {
        let word = match setting {
            Setting::Fixed(fixed) => return Ok(*fixed),
            Setting::Expanded(word) => word,
        };
        let value = self
            .expand_word(scope, io, word, |word, view| {
                expand::single(word, what, view)
            })
            .await?;
        let text = value.to_string_lossy();
        match parse(&text) {
            Ok(value) => Ok(Spanned {
                value,
                span: word.span,
            }),
            Err(reason) => Err(PipeOutcome::failed(RunError::BadValue {
                what,
                value: self.redact(value.as_bytes()),
                reason: expand::value_reason(&text, reason),
                help,
                span: word.span.into(),
            })),
        }
    }

    /// errexit: a failed statement stops the script.
    fn finish(&self, scope: &mut Scope, outcome: PipeOutcome) -> Flow {
        scope.last_status = outcome.status;
        if outcome.status == 0 || outcome.condition {
            return Flow::Normal;
        }
        let quiet = outcome.status == 128 + status::SIGPIPE && io::stdout_is_broken();
        Flow::Fail(Failure {
            status: outcome.status,
            error: if quiet {
                None
            } else {
                outcome.error.map(Box::new)
            },
            secrets: Vec::new(),
        })
    }

    /// `a && b || c`: left to right; every pipeline but the last one run is
    /// a condition, whose failure does not stop the script.
    async fn run_list(&self, scope: &mut Scope, io: &Io, list: &List) -> Flow {
        let around = scope.condition;
        scope.condition = around || !list.rest.is_empty();
        let outcome = self.run_list_item(scope, io, &list.first).await;
        scope.condition = around;
        let mut outcome = match outcome {
            Ok(outcome) => outcome,
            Err(exit) => return Flow::Exit(exit),
        };
        if outcome.is_bad_exit() {
            return self.finish(scope, outcome);
        }
        let mut last_ran = 0;
        for (i, (connector, pipeline)) in list.rest.iter().enumerate() {
            scope.last_status = outcome.status;
            let run = match connector {
                Connector::And => outcome.status == 0,
                Connector::Or => outcome.status != 0,
            };
            if !run {
                continue;
            }
            // The left side was a condition: why it could not run is shown
            // (as bash shows "command not found"), a plain status is not.
            self.report_condition(outcome.error.take());
            scope.condition = around || i + 1 < list.rest.len();
            let next = Box::pin(self.run_list_item(scope, io, pipeline)).await;
            scope.condition = around;
            outcome = match next {
                Ok(outcome) => outcome,
                Err(exit) => return Flow::Exit(exit),
            };
            if outcome.is_bad_exit() {
                return self.finish(scope, outcome);
            }
            last_ran = i + 1;
        }
        if last_ran == list.rest.len() {
            self.finish(scope, outcome)
        } else {
            self.report_condition(outcome.error.take());
            scope.last_status = outcome.status;
            Flow::Normal
        }
    }

    /// `pipe` was interrupted by `signal`: every group gets it, and after
    /// the grace period SIGKILL; nothing new starts.
    fn interrupt(&self, signal: i32) {
        self.interrupt_except(signal, None);
    }

    /// As `interrupt`, but the process group `spared` is not sent the
    /// signal again: it is the one that got it from the terminal, whose
    /// commands may be handling it (a second Ctrl-C often means "quit at
    /// once"), as bash's one group gets Ctrl-C once.
    fn interrupt_except(&self, signal: i32, spared: Option<i32>) {
        self.note(&format!("received {}", signal_name(signal)));
        if self.interrupted.get().is_none() {
            self.interrupted.set(Some(signal));
        }
        self.supervisor
            .cancel_except(&self.root, Reason::Signal(signal), signal, spared);
        self.interrupt.notify_one();
    }

    /// Job control: the job was stopped (Ctrl-Z, SIGTSTP to `pipe`, or
    /// the pipeline holding the terminal stopped). Every process group gets
    /// SIGTSTP and `pipe` stops itself, so that its shell sees the whole job
    /// stopped, as it would a bash script's; once continued (`fg`, `bg`),
    /// `pipe` gives the terminal back to the pipeline that had it, and
    /// continues every group. Where no shell could continue it (an orphaned
    /// process group), `pipe` does not stop, and its children go on at once.
    fn suspend(&self) {
        self.note("stopped");
        self.supervisor.signal_all(libc::SIGTSTP);
        process::stop_self();
        if let (Some(terminal), Some(group)) = (&self.terminal, self.terminal_group.get()) {
            terminal.resume(group);
        }
        self.supervisor.signal_all(libc::SIGCONT);
        self.note("continued");
    }

    /// Shows a failure found besides the one that decides a status: now,
    /// or once the pipeline `scope` is a stage of has ended (see
    /// `Scope::held`).
    fn report_aside(&self, scope: &Scope, error: RunError) {
        match &scope.held {
            Some(held) => held.borrow_mut().push(error),
            None => self.reporter.error(error, &self.secrets.borrow()),
        }
    }

    fn report_condition(&self, error: Option<RunError>) {
        if let Some(error) = error
            && !error.is_status()
        {
            self.reporter.error(error, &self.secrets.borrow());
        }
    }

    /// Runs one pipeline of a list, where a `let`, `export`, `secret` or
    /// `cd` acts on the list's own scope (`cd build && make`, `cmd || let
    /// status = $?`), as it does in bash.
    async fn run_list_item(
        &self,
        scope: &mut Scope,
        io: &Io,
        pipeline: &Pipeline,
    ) -> Result<PipeOutcome, i32> {
        let lone = match pipeline.stages.as_slice() {
            [Stage::Block(block)] => block.lone_stmt(),
            _ => None,
        };
        let (name, value, how) = match lone.map(|stmt| (&stmt.kind, stmt.span)) {
            Some((StmtKind::Cd { dir }, span)) => {
                return Ok(Box::pin(self.change_dir(scope, io, dir.as_ref(), span)).await);
            }
            Some((StmtKind::Let { name, value }, _)) => (name, value, Assign::Plain),
            Some((StmtKind::Export { name, value }, _)) => (name, value, Assign::Export),
            Some((StmtKind::Secret { name, value }, _)) => (name, value, Assign::Secret),
            _ => return self.run_pipeline(scope, io, pipeline).await,
        };
        Ok(Box::pin(self.set_from_word(scope, io, &name.name, value, how)).await)
    }

    /// Runs a pipeline to its end. `Err(n)` is an `exit n` that ends the
    /// script.
    async fn run_pipeline(
        &self,
        scope: &Scope,
        io: &Io,
        pipeline: &Pipeline,
    ) -> Result<PipeOutcome, i32> {
        if let [Stage::Block(block)] = pipeline.stages.as_slice() {
            // A lone block runs in this statement's place: `exit` in it ends
            // the script, and its failure is the failure of its inner command.
            let mut inner = scope.clone();
            // Boxed: a block's future is large, and a pipeline's would be as
            // large for every command (in each of a thousand branches).
            return match Box::pin(self.run_block(&mut inner, io.clone(), block)).await {
                // The block ran to its end: a status other than 0 is that of
                // a condition (`{ false && x }`), no failure.
                Flow::Normal => Ok(PipeOutcome {
                    status: inner.last_status,
                    error: None,
                    condition: true,
                }),
                Flow::Exit(status) => Err(status),
                Flow::Fail(failure) => Ok(PipeOutcome::new(
                    failure.status,
                    failure.error.map(|error| *error),
                )),
            };
        }
        Ok(self.run_stages(scope, io, pipeline).await)
    }

    /// Runs what a block does, with `io` as its streams: its redirects
    /// are already applied (see `redirect.rs`).
    async fn run_block_kind(&self, scope: &mut Scope, io: &Io, block: &Block) -> Flow {
        match &block.kind {
            BlockKind::Group(body) => self.run_stmts(scope, io, body).await,
            BlockKind::For(for_loop) => self.run_for(scope, io, for_loop).await,
            BlockKind::Parallel { options, body } => {
                self.run_parallel(scope, io, block, options, body).await
            }
            BlockKind::Fanout { output, branches } => {
                self.run_fanout(scope, io, block, *output, branches).await
            }
            BlockKind::Timeout {
                duration,
                signal,
                grace,
                body,
            } => {
                let settings = async {
                    let duration = self.duration(scope, io, duration).await?;
                    let grace = match grace {
                        Some(grace) => self.duration(scope, io, grace).await?.value,
                        None => supervise::DEFAULT_GRACE,
                    };
                    Ok((duration, grace))
                };
                let (duration, grace) = match settings.await {
                    Ok(settings) => settings,
                    Err(outcome) => return self.finish(scope, outcome),
                };
                let limits = timeout::Limits {
                    duration,
                    signal: signal.map_or(libc::SIGTERM, |signal| signal.value),
                    grace,
                };
                self.run_timeout(scope, io, limits, body).await
            }
        }
    }

    async fn run_for(&self, scope: &mut Scope, io: &Io, for_loop: &ForLoop) -> Flow {
        let values = match self
            .list_values(scope, io, &for_loop.var.name, &for_loop.items)
            .await
        {
            Ok(values) => values,
            Err(outcome) => return self.finish(scope, outcome),
        };
        // As in bash, a loop over no items ends with status 0, whatever
        // `$?` was before it (`make || for f in $(cat failed) { ... }`).
        if values.is_empty() {
            scope.last_status = 0;
        }
        self.hide_items(scope, &for_loop.var.name, &values);
        if self.observe {
            self.trace_stmt(&self.for_line(&for_loop.var.name, &values), None);
        }
        for value in values {
            let mut body_scope = scope.clone();
            let item = value.clone();
            self.set_var(&mut body_scope, &for_loop.var.name, value, Assign::Plain);
            match self.run_stmts(&mut body_scope, io, &for_loop.body).await {
                Flow::Normal => scope.last_status = body_scope.last_status,
                // Every pass runs the same commands, at the same spans: the
                // diagnostic says which item's pass failed.
                Flow::Fail(mut failure) => {
                    let shown = self.redact(item.as_encoded_bytes());
                    failure.error = failure
                        .error
                        .map(|error| Box::new(error.in_pass(&for_loop.var.name, &shown)));
                    return Flow::Fail(failure);
                }
                other => return other,
            }
        }
        Flow::Normal
    }

    /// The values of a `for` list, for the loop variable `var`: one that
    /// is exported (as `let` keeps it) may hold no NUL byte, which no
    /// environment can take. As in bash, a `$(...)` of the list sets `$?`
    /// for the loop's body, to its status, 0.
    async fn list_values(
        &self,
        scope: &mut Scope,
        io: &Io,
        var: &str,
        items: &[ListItem],
    ) -> Result<Vec<OsString>, PipeOutcome> {
        // The list's words, and the defaults a range's bounds take, which
        // may hold a `$(...)` (`1..${n:-$(nproc)}`).
        let empty = HashMap::new();
        let before = View {
            interp: self,
            scope,
            substs: &empty,
        };
        let mut words: Vec<&Word> = Vec::new();
        for item in items {
            match item {
                ListItem::Word(word) => words.push(word),
                ListItem::Range { from, to, .. } => {
                    for bound in [from, to] {
                        match bound {
                            RangeBound::Var(var) => {
                                if let Some(default) = &var.default
                                    && expand::takes_default(var, &before)
                                {
                                    words.push(default);
                                }
                            }
                            RangeBound::Subst(word) => words.push(word),
                            RangeBound::Int(_) => {}
                        }
                    }
                }
            }
        }
        let substs = self.run_substs(scope, io, &words).await?;
        let view = View {
            interp: self,
            scope,
            substs: &substs,
        };
        let mut values = Vec::new();
        for item in items {
            let expanded = expand::list_item(item, &view, &scope.cwd)
                .map_err(|err| PipeOutcome::failed(err.into()))?;
            if let ListItem::Word(word) = item
                && scope.attributes(var, Assign::Plain).0
                && expanded.iter().any(|value| value.as_bytes().contains(&0))
            {
                return Err(PipeOutcome::failed(RunError::nul_byte(
                    "an environment value",
                    word,
                )));
            }
            values.extend(expanded);
        }
        if !substs.is_empty() {
            scope.last_status = 0;
        }
        Ok(values)
    }

    /// Expands one word with `expand`, after running the `$(...)` in it.
    async fn expand_word<T>(
        &self,
        scope: &Scope,
        io: &Io,
        word: &Word,
        expand: impl FnOnce(&Word, &dyn Lookup) -> Result<T, expand::ExpandError>,
    ) -> Result<T, PipeOutcome> {
        let substs = self.run_substs(scope, io, &[word]).await?;
        let view = View {
            interp: self,
            scope,
            substs: &substs,
        };
        expand(word, &view).map_err(|err| PipeOutcome::failed(err.into()))
    }

    /// Runs every `$(...)` of the words, in order, and returns their outputs
    /// by span. A default (`${x:-$(...)}`) runs only when it is needed.
    async fn run_substs(
        &self,
        scope: &Scope,
        io: &Io,
        words: &[&Word],
    ) -> Result<HashMap<(usize, usize), Vec<u8>>, PipeOutcome> {
        self.run_substs_after(scope, io, words, scope.last_status)
            .await
    }

    /// As [`Interp::run_substs`], the first `$(...)` seeing `status` as
    /// its `$?`.
    async fn run_substs_after(
        &self,
        scope: &Scope,
        io: &Io,
        words: &[&Word],
        status: i32,
    ) -> Result<HashMap<(usize, usize), Vec<u8>>, PipeOutcome> {
        // Most words have no `$(...)`, nor a default that could hold one.
        let may_run = words.iter().any(|word| {
            word.parts.iter().any(|part| match part {
                WordPart::Subst { .. } => true,
                WordPart::Var(var) => var.default.is_some(),
                WordPart::Literal { .. } | WordPart::Args { .. } => false,
            })
        });
        if !may_run {
            return Ok(HashMap::new());
        }
        let mut pending: Vec<(&[Stmt], Span)> = Vec::new();
        let empty = HashMap::new();
        let view = View {
            interp: self,
            scope,
            substs: &empty,
        };
        let mut stack: Vec<&Word> = words.iter().rev().copied().collect();
        // Depth-first, so that outputs are taken in source order.
        while let Some(word) = stack.pop() {
            for part in word.parts.iter().rev() {
                match part {
                    WordPart::Subst { body, span } => pending.push((body, *span)),
                    WordPart::Var(var) => {
                        if let Some(default) = &var.default
                            && expand::takes_default(var, &view)
                        {
                            stack.push(default);
                        }
                    }
                    WordPart::Literal { .. } | WordPart::Args { .. } => {}
                }
            }
        }
        pending.sort_by_key(|(_, span)| span.start);
        let mut outputs = HashMap::new();
        for (i, (body, span)) in pending.into_iter().enumerate() {
            // As in bash, a `$(...)` sets `$?`: one after another sees
            // the status of the one before, 0 (one that failed fails the
            // statement).
            let status = if i == 0 { status } else { 0 };
            // Boxed: only a `$(...)` needs it, and every statement's
            // future would otherwise have room for it.
            let (bytes, outcome) = Box::pin(self.capture(scope, io, body, span, status)).await;
            if outcome.status != 0 {
                return Err(outcome);
            }
            outputs.insert((span.start, span.end), bytes);
        }
        Ok(outputs)
    }

    /// Runs statements with their stdout captured, as `$(...)` does.
    /// At most [`SUBST_LIMIT`] bytes are kept: more fails the statement.
    async fn capture(
        &self,
        scope: &Scope,
        io: &Io,
        body: &[Stmt],
        span: Span,
        status: i32,
    ) -> (Vec<u8>, PipeOutcome) {
        let (reader, writer) = match os_pipe::pipe() {
            Ok(pair) => pair,
            Err(source) => {
                let span = body.first().map_or(Span::default(), |stmt| stmt.span);
                return (
                    Vec::new(),
                    PipeOutcome::failed(RunError::Pipe {
                        source,
                        span: span.into(),
                    }),
                );
            }
        };
        let mut inner = scope.clone();
        inner.last_status = status;
        let inner_io = Io {
            stdin: io.stdin.clone(),
            stdout: Fd::owned(writer),
            stderr: io.stderr.clone(),
        };
        let run = async move {
            let flow = self.run_stmts(&mut inner, &inner_io, body).await;
            drop(inner_io);
            match flow {
                // A last statement that ended with a condition's status
                // (`false && x`) did not stop the `$(...)`, but fails the
                // statement that uses it, which says why.
                Flow::Normal => {
                    let status = inner.last_status;
                    PipeOutcome::new(
                        status,
                        (status != 0).then(|| RunError::SubstStatus {
                            status,
                            span: span.into(),
                            stages: error::Stages::default(),
                        }),
                    )
                }
                // `exit N` ends the `$(...)`, as it ends bash's subshell;
                // a status other than 0 fails the statement, which says so.
                Flow::Exit(status) => PipeOutcome::new(
                    status,
                    (status != 0).then(|| RunError::SubstExit {
                        status,
                        span: span.into(),
                        stages: error::Stages::default(),
                    }),
                ),
                Flow::Fail(failure) => PipeOutcome::new(failure.status, failure.error.map(|e| *e)),
            }
        };
        // At most one byte past the limit is read; the reader is then
        // dropped, so the body sees a closed pipe (SIGPIPE), as under `head`.
        let read = async move {
            let mut bytes = Vec::new();
            if let Ok(receiver) = tokio::net::unix::pipe::Receiver::from_owned_fd(reader.into()) {
                let _ = receiver
                    .take(SUBST_LIMIT as u64 + 1)
                    .read_to_end(&mut bytes)
                    .await;
            }
            bytes
        };
        let (outcome, bytes) = futures_util::future::join(run, read).await;
        if bytes.len() > SUBST_LIMIT {
            // Whatever the body did after its reader went away, the
            // `$(...)` failed because of its size.
            let error = RunError::SubstTooLarge {
                limit: format!("{} MiB", SUBST_LIMIT >> 20),
                span: span.into(),
            };
            return (Vec::new(), PipeOutcome::failed(error));
        }
        (bytes, outcome)
    }
}
