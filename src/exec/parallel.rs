//! `parallel [max N] [fail-fast] [OUTPUT] { ... }` and its `for` form:
//! structured concurrency. Every branch starts at once (at most N
//! running); the block ends when every branch has ended; nothing started
//! inside outlives it.

use std::ffi::OsString;
use std::rc::Rc;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::syntax::ast::{Block, OutputMode, ParallelBody, ParallelOptions, Span, Stmt};

use super::error::{RunError, Stages};
use super::io::{Fd, Io};
use super::output::Output;
use super::status;
use super::supervise::{CancelScope, DEFAULT_GRACE, Reason};
use super::{Failure, Flow, Interp, LocalFuture, PipeOutcome, Scope};

/// One branch: a statement of the block, or the body with one list item.
pub(super) enum Branch<'a> {
    Stmt(&'a Stmt),
    Item {
        var: &'a str,
        value: OsString,
        body: &'a [Stmt],
        span: Span,
    },
}

impl Branch<'_> {
    fn span(&self) -> Span {
        match self {
            Branch::Stmt(stmt) => stmt.span,
            Branch::Item { span, .. } => *span,
        }
    }
}

/// Branches to run at once, and how.
pub(super) struct Branches<'a> {
    pub list: Vec<Branch<'a>>,
    pub max: usize,
    pub fail_fast: bool,
    pub mode: OutputMode,
    /// Each branch's stdin; /dev/null for all when None.
    pub stdins: Option<Vec<Fd>>,
}

/// How a branch ended.
struct BranchEnd {
    status: i32,
    error: Option<RunError>,
    /// It ended by `exit N` or with a condition's status (`false && x`),
    /// neither of which has a diagnostic of its own.
    exited: bool,
}

impl Interp<'_> {
    pub(super) async fn run_parallel(
        &self,
        scope: &mut Scope,
        io: &Io,
        block: &Block,
        options: &ParallelOptions,
        body: &ParallelBody,
    ) -> Flow {
        let max = match &options.max {
            None => usize::MAX,
            Some(max) => {
                let max = self
                    .setting(scope, io, max, super::MAX_SETTING, |text| {
                        crate::syntax::parse_max(text).map_err(|err| err.reason())
                    })
                    .await;
                match max {
                    Ok(max) => max.value,
                    Err(outcome) => return self.finish(scope, outcome),
                }
            }
        };
        // With `max 1` they run one after another.
        if let ParallelBody::Branches(stmts) = body
            && max > 1
            && let Some(error) = self.branches_same_file(scope, stmts)
        {
            return self.finish(scope, PipeOutcome::failed(error));
        }
        let branches: Vec<Branch<'_>> = match body {
            ParallelBody::Branches(stmts) => stmts.iter().map(Branch::Stmt).collect(),
            ParallelBody::For(for_loop) => match self
                .list_values(scope, io, &for_loop.var.name, &for_loop.items)
                .await
            {
                Ok(values) => {
                    self.hide_items(scope, &for_loop.var.name, &values);
                    if self.observe {
                        let line = self.for_line(&for_loop.var.name, &values);
                        self.trace_stmt(&format!("parallel {line}"), None);
                    }
                    // Passes that run at once count against each other.
                    if max > 1
                        && values.len() > 1
                        && let Some(error) = self.passes_same_file(scope, for_loop)
                    {
                        return self.finish(scope, PipeOutcome::failed(error));
                    }
                    values
                        .into_iter()
                        .map(|value| Branch::Item {
                            var: &for_loop.var.name,
                            value,
                            body: &for_loop.body,
                            span: for_loop.span,
                        })
                        .collect()
                }
                Err(outcome) => return self.finish(scope, outcome),
            },
        };
        let branches = Branches {
            list: branches,
            max,
            fail_fast: options.fail_fast.is_some(),
            mode: options
                .output
                .map(|output| output.value)
                .unwrap_or_default(),
            // Branches share no input: stdin is /dev/null, as for `&` in sh.
            stdins: None,
        };
        self.run_branches(scope, io, block, branches).await
    }

    /// Runs branches at once (at most `max`), their output combined as
    /// `mode` says, and decides the block's status.
    pub(super) async fn run_branches(
        &self,
        scope: &mut Scope,
        io: &Io,
        block: &Block,
        branches: Branches<'_>,
    ) -> Flow {
        let Branches {
            list: branches,
            max,
            fail_fast,
            mode,
            stdins,
        } = branches;
        let count = branches.len();
        // Only a fanout hands its branches their stdins.
        let kind = if stdins.is_some() {
            "fanout"
        } else {
            "parallel"
        };
        let mut stdins: Vec<Option<Fd>> = match stdins {
            Some(stdins) => stdins.into_iter().map(Some).collect(),
            None => (0..count).map(|_| None).collect(),
        };
        let cancel = scope.cancel.child();
        let setup = || -> std::io::Result<(Option<Output>, Fd)> {
            let output = match mode {
                OutputMode::Raw => None,
                _ => Some(Output::new(mode, &io.stdout, count, &cancel)?),
            };
            let null = Fd::owned(std::fs::File::open("/dev/null")?);
            Ok((output, null))
        };
        let (output, null) = match setup() {
            Ok(setup) => setup,
            Err(source) => {
                let error = RunError::Pipe {
                    source,
                    span: block.span.into(),
                };
                return self.finish(scope, PipeOutcome::failed(error));
            }
        };

        // Killed by SIGPIPE: the branch lost its reader (see the status).
        let closed_reader = |status: i32| status == 128 + status::SIGPIPE;
        let mut ends: Vec<Option<BranchEnd>> = (0..count).map(|_| None).collect();
        let mut started = vec![false; count];
        let mut cancelled = vec![false; count];
        // Whether the branch ended before anything around the block (a
        // timeout, a signal to pipe, an outer fail-fast) cancelled it: its
        // failure is then its own, and is shown whatever happens later.
        let mut own = vec![false; count];
        let mut running = FuturesUnordered::new();
        let mut next = 0;
        let mut terminate: Option<LocalFuture<'_, ()>> = None;
        loop {
            // Nothing new starts once a failure has ended the block, even
            // before the termination has begun.
            while running.len() < max
                && next < count
                && cancel.cancelled().is_none()
                && terminate.is_none()
            {
                started[next] = true;
                let branch = &branches[next];
                // The branch's stdin moves into it: when it ends, it closes.
                let stdin = stdins[next].take().unwrap_or_else(|| null.clone());
                running.push(self.run_branch(
                    scope,
                    io,
                    &cancel,
                    output.as_ref(),
                    stdin,
                    next,
                    branch,
                ));
                next += 1;
                self.branches.set(self.branches.get() + 1);
            }
            let finished = match terminate.as_mut() {
                Some(terminate) => {
                    tokio::select! {
                        end = running.next() => end,
                        () = terminate => None,
                    }
                }
                None => running.next().await,
            };
            let Some((index, end)) = finished else { break };
            self.branches.set(self.branches.get() - 1);
            own[index] = scope.cancel.cancelled().is_none();
            let failed = end.status != 0;
            // A branch killed by SIGPIPE lost the block's reader, which is
            // no failure (see below): it ends no sibling, which may still
            // fail on its own and decide the status.
            let fails_fast = fail_fast && !closed_reader(end.status);
            // Out of fds or processes: the block cannot do its work, so it
            // fails at once, as with fail-fast.
            let starved = end.error.as_ref().is_some_and(RunError::is_resource);
            ends[index] = Some(end);
            if failed && (fails_fast || starved) && terminate.is_none() && !cancelled[index] {
                // The first failure ends the others, as a timeout would.
                for (i, was_started) in started.iter().enumerate() {
                    cancelled[i] = *was_started && ends[i].is_none();
                }
                self.note("fail-fast: a branch failed; ending the others");
                let cancel = cancel.clone();
                terminate = Some(Box::pin(async move {
                    self.supervisor
                        .terminate(&cancel, Reason::FailFast, libc::SIGTERM, DEFAULT_GRACE)
                        .await;
                    std::future::pending::<()>().await;
                }));
            }
        }
        // Ended by fail-fast: as after a timeout, the block ends once what
        // its processes left running elsewhere (a command that escaped its
        // group with `setsid`) has ended too, not up to a grace later.
        let ended_early = terminate.is_some();
        drop(terminate);
        self.branches.set(self.branches.get() - running.len());
        drop(running);
        if ended_early {
            // Boxed: a future is as large as its largest state.
            Box::pin(self.supervisor.settle_orphans(libc::SIGTERM, DEFAULT_GRACE)).await;
        }
        // The block's stdout could not take what it was given: its reader
        // went away (EPIPE), as if the branches had written to it directly
        // and been killed by SIGPIPE; or a full disk, a failure whatever
        // its branches did.
        let write_error = match output {
            Some(output) => output.finish().await,
            None => None,
        };
        let lost_reader = write_error
            .as_ref()
            .is_some_and(|err| err.raw_os_error() == Some(libc::EPIPE));
        let write_error = write_error
            .filter(|_| !lost_reader)
            .map(|source| RunError::Write {
                source,
                span: block.span.into(),
            });

        // The status of the first branch, in script order, that failed on
        // its own (not ended by fail-fast); the other failures are shown too.
        // A branch killed by SIGPIPE lost its reader, the block's own: it
        // comes after every other failure and is never shown on its own,
        // so that `parallel { yes; yes } | head -n 1` is the quiet success
        // a closed reader makes of `yes | head -n 1`.
        // A stable sort: script order otherwise.
        let mut order: Vec<usize> = (0..ends.len()).collect();
        order.sort_by_key(|&i| {
            ends[i]
                .as_ref()
                .is_some_and(|end| closed_reader(end.status))
        });
        let mut first: Option<BranchEnd> = None;
        // Whether `first` failed on its own, before anything around the
        // block cancelled it.
        let mut first_own = false;
        // What was shown (the first failure is shown last, by the caller):
        // a failure that would read exactly the same is counted instead,
        // so that a hundred branches failing alike say so once.
        let mut shown: Vec<Fingerprint> = Vec::new();
        let mut alike = 0;
        for i in order {
            let Some(end) = ends[i].take() else { continue };
            if end.status == 0 || cancelled[i] {
                continue;
            }
            let quiet = closed_reader(end.status);
            // `exit N` gets a diagnostic naming the branch; a failure with
            // none is a quiet one (a closed stdout) and stays quiet.
            let end = match end.exited {
                true => BranchEnd {
                    error: Some(RunError::BranchExit {
                        kind,
                        status: end.status,
                        span: branches[i].span().into(),
                        // Every branch of a `parallel for` has the same
                        // span: the item tells them apart.
                        branch: match &branches[i] {
                            Branch::Item { var, value, .. } => format!(
                                "the branch where `{var}` is `{}`",
                                self.redact(value.as_encoded_bytes())
                            ),
                            Branch::Stmt(_) => "this branch".to_owned(),
                        },
                        stages: Stages::default(),
                        table: None,
                    }),
                    ..end
                },
                // A failure with a diagnostic of its own: which item's
                // branch it is, since they all share one span.
                false => match &branches[i] {
                    Branch::Item { var, value, .. } => BranchEnd {
                        error: end.error.map(|error| {
                            error.in_branch(var, &self.redact(value.as_encoded_bytes()))
                        }),
                        ..end
                    },
                    Branch::Stmt(_) => end,
                },
            };
            match &first {
                None => {
                    shown.extend(end.error.as_ref().map(fingerprint));
                    first = Some(end);
                    first_own = own[i];
                }
                Some(_) => {
                    // Failures after a timeout or a signal are its doing,
                    // and it is reported once, by whoever cancelled.
                    // Inside a condition (`parallel { a ; b } || x`), a
                    // plain status is not shown, as the first one is not.
                    if let Some(error) = end.error
                        && own[i]
                        && !quiet
                        && !(scope.condition && error.is_status())
                    {
                        let print = fingerprint(&error);
                        if shown.contains(&print) {
                            alike += 1;
                        } else {
                            shown.push(print);
                            self.report_aside(scope, error);
                        }
                    }
                }
            }
        }
        if alike > 0 {
            let error = RunError::Alike {
                count: alike,
                span: block.span.into(),
            };
            self.report_aside(scope, error);
        }
        // A write error goes before a branch that lost its reader (which
        // it caused), after any other failure.
        let first = match (first, write_error) {
            (first, Some(error)) if first.as_ref().is_none_or(|end| closed_reader(end.status)) => {
                first_own = true;
                Some(BranchEnd {
                    status: error.status(),
                    error: Some(error),
                    exited: false,
                })
            }
            (first, Some(error)) => {
                self.report_aside(scope, error);
                first
            }
            (None, None) if lost_reader => Some(BranchEnd {
                status: 128 + status::SIGPIPE,
                error: None,
                exited: false,
            }),
            (first, None) => first,
        };
        // Cancelled from around the block, whose canceller reports it
        // instead of the block's failure: a failure that came before, on
        // its own, is shown here, or never.
        let first = match first {
            Some(mut end) if scope.cancel.cancelled().is_some() => {
                if first_own
                    && let Some(error) = end.error.take()
                    && !(scope.condition && error.is_status())
                {
                    self.report_aside(scope, error);
                }
                Some(end)
            }
            other => other,
        };
        match first {
            None => {
                scope.last_status = 0;
                Flow::Normal
            }
            Some(end) => {
                scope.last_status = end.status;
                Flow::Fail(Failure {
                    status: end.status,
                    error: end.error.map(Box::new),
                    secrets: Vec::new(),
                })
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run_branch<'a>(
        &'a self,
        scope: &Scope,
        io: &'a Io,
        cancel: &Rc<CancelScope>,
        output: Option<&'a Output>,
        stdin: Fd,
        index: usize,
        branch: &'a Branch<'a>,
    ) -> LocalFuture<'a, (usize, BranchEnd)> {
        let mut inner = scope.clone();
        inner.cancel = cancel.clone();
        Box::pin(async move {
            let (stdout, reader) = match output {
                None => (io.stdout.clone(), None),
                // The branch's start and end are boxed: a future is as
                // large as its largest state, and a thousand of these wait
                // in their middle one.
                Some(output) => match Box::pin(output.branch_stdout(index)).await {
                    Ok(pair) => pair,
                    Err(source) => {
                        let error = RunError::Pipe {
                            source,
                            span: branch.span().into(),
                        };
                        Box::pin(output.complete(index)).await;
                        return (
                            index,
                            BranchEnd {
                                status: error.status(),
                                error: Some(error),
                                exited: false,
                            },
                        );
                    }
                },
            };
            let branch_io = Io {
                stdin,
                stdout,
                stderr: io.stderr.clone(),
            };
            let run = async {
                let flow = match branch {
                    Branch::Stmt(stmt) => {
                        self.run_stmts(&mut inner, &branch_io, std::slice::from_ref(*stmt))
                            .await
                    }
                    Branch::Item {
                        var, value, body, ..
                    } => {
                        self.set_var(&mut inner, var, value.clone(), super::Assign::Plain);
                        self.run_stmts(&mut inner, &branch_io, body).await
                    }
                };
                // The branch's end of its pipe closes with it.
                drop(branch_io);
                flow
            };
            let flow = match (output, reader) {
                (Some(output), Some(reader)) => {
                    futures_util::future::join(run, output.relay(index, reader))
                        .await
                        .0
                }
                _ => run.await,
            };
            if let Some(output) = output {
                Box::pin(output.complete(index)).await;
            }
            let end = match flow {
                Flow::Normal => BranchEnd {
                    status: inner.last_status,
                    error: None,
                    exited: true,
                },
                Flow::Exit(status) => BranchEnd {
                    status,
                    error: None,
                    exited: true,
                },
                Flow::Fail(failure) => BranchEnd {
                    status: failure.status,
                    error: failure.error.map(|e| *e),
                    exited: false,
                },
            };
            (index, end)
        })
    }
}

/// What a diagnostic says: its code, its message and its labels.
#[derive(PartialEq)]
struct Fingerprint {
    code: Option<String>,
    message: String,
    labels: Vec<(usize, usize, Option<String>)>,
}

fn fingerprint(error: &RunError) -> Fingerprint {
    use miette::Diagnostic;
    Fingerprint {
        code: error.code().map(|code| code.to_string()),
        message: error.to_string(),
        labels: error
            .labels()
            .into_iter()
            .flatten()
            .map(|label| {
                // A branch's `exit` names its item: the same `exit` in
                // every branch of a `parallel for` is alike all the same.
                let named_branch = label.primary() && matches!(error, RunError::BranchExit { .. });
                (
                    label.offset(),
                    label.len(),
                    label.label().filter(|_| !named_branch).map(str::to_owned),
                )
            })
            .collect(),
    }
}
