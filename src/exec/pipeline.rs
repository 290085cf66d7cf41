//! Pipelines: expanding each command, starting every stage at once wired
//! by OS pipes in one process group, waiting for all of them, and deciding
//! the pipeline's status.

use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::rc::Rc;

use futures_util::future::join_all;
use miette::LabeledSpan;

use crate::expand;
use crate::syntax::ast::{BlockKind, Command, Pipeline, Stage, Word, WordPart};

use super::child::{self, Child};
use super::error::{RunError, Stages};
use super::io::{Fd, Io};
use super::redirect::expand_redirects;
use super::status::{self, Status};
use super::supervise::StageRecord;
use super::{Flow, Interp, LocalFuture, PipeOutcome, Scope, View, WithAssigns, command};

impl Interp<'_> {
    /// Expands a command's words, assignments and redirects.
    async fn plan(
        &self,
        scope: &Scope,
        io: &Io,
        command: &Command,
    ) -> Result<command::Plan, PipeOutcome> {
        // As bash does, the command's words are expanded first, then its
        // redirects, wherever they stand among the words, and its prefix
        // assignments last: each `$(...)` sets `$?` for what is expanded
        // after it (`X=$(true) cmd $?` passes the `$?` of before, `X=$?
        // cmd $(true)` gives `X` 0, `cmd $? <<< $(true) $?` passes the
        // `$?` of before twice).
        let words: Vec<&Word> = command.words.iter().collect();
        let substs = self.run_substs(scope, io, &words).await?;
        let targets: Vec<&Word> = command
            .redirects
            .iter()
            .filter_map(|redirect| redirect.target.as_ref())
            .collect();
        let status = if substs.is_empty() {
            scope.last_status
        } else {
            0
        };
        let redirect_substs = self.run_substs_after(scope, io, &targets, status).await?;
        let after_substs = !substs.is_empty() || !redirect_substs.is_empty();
        let values: Vec<&Word> = command.assigns.iter().map(|assign| &assign.value).collect();
        let status = if after_substs { 0 } else { scope.last_status };
        let assign_substs = if values.is_empty() {
            HashMap::new()
        } else {
            self.run_substs_after(scope, io, &values, status).await?
        };
        let view = View {
            interp: self,
            scope,
            substs: &substs,
        };
        let assigns_view = View {
            interp: self,
            scope,
            substs: &assign_substs,
        };
        let fail = |err: RunError| PipeOutcome::failed(err);

        let mut argv = Vec::new();
        // The word the program's name came from: not the first one when
        // that expands to nothing (`$@ x` without arguments runs `x`).
        let mut program_word = None;
        for word in &command.words {
            let fields =
                expand::argument(word, &view, &scope.cwd).map_err(|err| fail(err.into()))?;
            if fields.iter().any(|field| field.as_bytes().contains(&0)) {
                return Err(fail(RunError::nul_byte("an argument", word)));
            }
            if program_word.is_none() && !fields.is_empty() {
                program_word = Some(word.span);
            }
            argv.extend(fields);
        }
        let program_span = program_word
            .or(command.words.first().map(|word| word.span))
            .unwrap_or(command.span);
        if argv.is_empty() {
            return Err(fail(RunError::Expand(expand::ExpandError::Ambiguous {
                what: "command",
                count: 0,
                span: program_span.into(),
            })));
        }

        let mut env: Vec<(OsString, OsString)> = scope
            .vars
            .iter()
            .filter(|(_, var)| var.export)
            .map(|(name, var)| (OsString::from(name), var.value.clone()))
            .collect();
        let exported = env.len();
        for assign in &command.assigns {
            let earlier = WithAssigns {
                view: &assigns_view,
                assigns: &env[exported..],
                after_substs,
            };
            let value =
                expand::assignment(&assign.value, &earlier).map_err(|err| fail(err.into()))?;
            if value.as_bytes().contains(&0) {
                return Err(fail(RunError::nul_byte(
                    "an environment value",
                    &assign.value,
                )));
            }
            // A secret's name given a value for one command (`TOKEN=$(cat
            // other) cmd`) holds a secret, as `let` on it makes one.
            if scope
                .vars
                .get(&assign.name.name)
                .is_some_and(|var| var.secret)
            {
                self.hide(value.as_bytes());
            }
            env.push((OsString::from(&assign.name.name), value));
        }
        // Only a name without a `/` is looked for on PATH: a thousand
        // branches running `/bin/true` need no copy of it each.
        let path_var = (!argv[0].as_bytes().contains(&b'/'))
            .then(|| {
                let assigned = env.iter().rev().find(|(key, _)| key == "PATH");
                match (assigned, scope.vars.get("PATH")) {
                    (Some((_, value)), _) => Some(Rc::from(value.as_os_str())),
                    (None, Some(var)) => Some(Rc::from(var.value.as_os_str())),
                    (None, None) => self.programs.environment_path(),
                }
            })
            .flatten();

        let redirects_view = View {
            interp: self,
            scope,
            substs: &redirect_substs,
        };
        let after_words = WithAssigns {
            view: &redirects_view,
            assigns: &[],
            after_substs: !substs.is_empty(),
        };
        let redirects = expand_redirects(&command.redirects, &after_words)?;
        Ok(command::Plan {
            argv,
            assigned: env.len() - exported,
            env,
            redirects,
            cwd: scope.cwd_changed.then(|| scope.cwd.to_path_buf()),
            path_var,
            program_span,
            span: command.span,
        })
    }

    /// Runs a pipeline of several stages (or one command): every stage at
    /// once, wired by OS pipes, in one new process group.
    pub(super) async fn run_stages(
        &self,
        scope: &Scope,
        io: &Io,
        pipeline: &Pipeline,
    ) -> PipeOutcome {
        // Expand every command, and every block's redirects, first, so
        // that a bad word starts nothing. A later command with a `$(...)`
        // is expanded when the stages before it have started, as bash's
        // subshell does it: its `$(...)` reads the stage's stdin, the
        // pipe (`seq 3 | echo "$(cat)"`), not the pipeline's. Only after
        // commands: a block stage runs once all have started, and a
        // `$(...)` reading its output would wait for it forever.
        let mut plans = Vec::with_capacity(pipeline.stages.len());
        let mut after_commands = true;
        for (i, stage) in pipeline.stages.iter().enumerate() {
            // Boxed: planning needs much more room than running, and a
            // future is as large as its largest state.
            let plan = match stage {
                Stage::Command(command) if i > 0 && after_commands && reads_stdin(command) => {
                    Ok(StagePlan::Later)
                }
                Stage::Command(command) => Box::pin(self.plan(scope, io, command))
                    .await
                    .map(StagePlan::Command),
                Stage::Block(block) if block.redirects.is_empty() => {
                    Ok(StagePlan::Block(Vec::new(), false))
                }
                Stage::Block(block) => Box::pin(self.plan_redirects(scope, io, &block.redirects))
                    .await
                    .map(|(redirects, ran_subst)| StagePlan::Block(redirects, ran_subst)),
            };
            after_commands &= matches!(stage, Stage::Command(_));
            match plan {
                Ok(plan) => plans.push(plan),
                Err(outcome) => return outcome,
            }
        }
        if let Some(error) = self.same_file(scope, pipeline, &plans, None) {
            return PipeOutcome::failed(error);
        }

        let count = pipeline.stages.len();
        // Only a block stage has failures of its own to show besides.
        let held = (count > 1
            && pipeline
                .stages
                .iter()
                .any(|stage| matches!(stage, Stage::Block(_))))
        .then(Rc::default);
        let mut stdin = io.stdin.clone();
        // The process group: the first child leads it; it stays unreaped
        // (and the group id reserved) until the pipeline is over.
        let mut group: Option<(u64, i32)> = None;
        let mut running: Vec<LocalFuture<'_, StageEnd>> = Vec::with_capacity(count);
        // By index: the plans stay where they are, not in the future's
        // state at each start.
        for (i, stage) in pipeline.stages.iter().enumerate() {
            let (next_stdin, stdout) = if i + 1 == count {
                (None, io.stdout.clone())
            } else {
                match os_pipe::pipe() {
                    Ok((reader, writer)) => (Some(Fd::owned(reader)), Fd::owned(writer)),
                    Err(source) => {
                        let error = RunError::Pipe {
                            source,
                            span: stage.span().into(),
                        };
                        running.push(Box::pin(async move { StageEnd::failed(error) }));
                        break;
                    }
                }
            };
            let stage_io = Io {
                stdin: std::mem::replace(&mut stdin, Fd::Parent(0)),
                stdout,
                stderr: io.stderr.clone(),
            };
            match (stage, &plans[i]) {
                (Stage::Command(command), StagePlan::Later) => {
                    // Boxed: planning and starting need much more room than
                    // running, and a future is as large as its largest state.
                    let begun =
                        Box::pin(self.start_later(
                            scope, pipeline, &plans, i, command, &stage_io, &mut group,
                        ))
                        .await;
                    running.push(begun.end);
                    drop(stage_io);
                    if begun.starved {
                        break;
                    }
                }
                (_, StagePlan::Later) => unreachable!("only a command is expanded later"),
                (_, StagePlan::Command(plan)) => {
                    // Boxed for the same reason as `plan`.
                    let begun =
                        Box::pin(self.start_command(scope, plan, &stage_io, &mut group)).await;
                    running.push(begun.end);
                    // The child has its copies; the parent keeps no pipe end.
                    drop(stage_io);
                    // Out of fds or processes, as when a pipe could not be
                    // made above: the stages after it would fail alike, a
                    // diagnostic each; they start no more.
                    if begun.starved {
                        break;
                    }
                }
                (Stage::Block(block), StagePlan::Block(redirects, ran_subst)) => {
                    let mut inner = scope.clone();
                    if held.is_some() {
                        inner.held.clone_from(&held);
                    }
                    // As in bash, a `$(...)` of its redirects sets `$?`
                    // for the block, to its status, 0.
                    if *ran_subst {
                        inner.last_status = 0;
                    }
                    running.push(Box::pin(async move {
                        // The block's streams, and the files its redirects
                        // open, close when it ends.
                        let flow = self
                            .run_redirected(&mut inner, stage_io, block, redirects)
                            .await;
                        match flow {
                            // A condition's status, the last one the block
                            // ran (`{ yes && echo done } | head -n 1`):
                            // a 141 there lost the reader too.
                            Flow::Normal => StageEnd::status(block_status(inner.last_status)),
                            Flow::Exit(status) => StageEnd::status(Status::Exited(status)),
                            Flow::Fail(failure) => StageEnd {
                                status: block_status(failure.status),
                                error: failure.error.map(|e| *e),
                                leader: None,
                            },
                        }
                    }));
                }
                (Stage::Command(_), StagePlan::Block(..)) => {
                    unreachable!("every command stage has a command's plan")
                }
            }
            if let Some(next) = next_stdin {
                stdin = next;
            }
        }
        drop(stdin);

        let ends = join_all(running);
        let mut results = match group {
            // The pipeline holding the terminal gets Ctrl-Z, not pipe: when
            // it stops, the whole job does.
            // Boxed: only the pipeline holding the terminal has one, and a
            // future is as large as its largest state (every parallel
            // branch would hold room for this watch).
            Some((_, pgid)) if self.terminal_group.get() == Some(pgid) => {
                Box::pin(async {
                    let stops = async {
                        loop {
                            child::stopped(pgid).await;
                            self.suspend();
                        }
                    };
                    tokio::select! {
                        results = ends => results,
                        () = stops => unreachable!("the stop watcher never ends"),
                    }
                })
                .await
            }
            _ => ends.await,
        };
        // Every stage ended: end what they left in the group, then reap the
        // leader, which frees the group's id.
        if let Some((id, pgid)) = group {
            self.supervisor.close(id);
            if let Some(terminal) = &self.terminal
                && self.terminal_group.get() == Some(pgid)
            {
                terminal.reclaim();
                self.terminal_group.set(None);
            }
        }
        for end in &mut results {
            if let Some(mut leader) = end.leader.take() {
                leader.reap();
                self.supervisor.forget(leader.pid());
            }
        }
        let results: Vec<(Status, Option<RunError>)> = results
            .into_iter()
            .map(|end| (end.status, end.error))
            .collect();
        let raw: Vec<Status> = results.iter().map(|(status, _)| *status).collect();
        let (effective, failed) = status::pipeline_status(&raw);
        if let Some(held) = held {
            // A pipeline that ends quietly, its stdout `pipe`'s own closed
            // one, shows none of what its blocks found besides either.
            let quiet = failed.is_some_and(|i| effective[i].code() == 128 + status::SIGPIPE)
                && super::io::stdout_is_broken();
            if !quiet {
                for error in held.take() {
                    self.report_aside(scope, error);
                }
            }
        }
        let Some(failed) = failed else {
            return PipeOutcome::success();
        };
        let mut errors: Vec<Option<RunError>> =
            results.into_iter().map(|(_, error)| error).collect();
        // A stage that could not run (not found, a redirect that failed)
        // is shown even when another stage decides the status, as bash
        // shows "command not found" in `catt | false`; a plain status is
        // in the table of stage statuses.
        for (i, error) in errors.iter_mut().enumerate() {
            if i != failed
                && let Some(error) = error.take_if(|error| !error.is_status())
            {
                self.reporter.error(error, &self.secrets.borrow());
            }
        }
        // The diagnostic shows each stage's own status, as bash's PIPESTATUS
        // does: 141 for a stage whose reader stopped reading, which did not
        // count as a failure (the failed stage's is the same either way).
        if let Some(error) = errors[failed].take() {
            // Ended from around (a timeout, fail-fast, a signal to `pipe`),
            // whose own diagnostic is the one told of the pipeline: a
            // stage that could not run before that is shown here, as it
            // is above when another stage decides the status.
            if scope.cancel.cancelled().is_some() && !error.is_status() {
                self.reporter.error(error, &self.secrets.borrow());
                return PipeOutcome::new(
                    effective[failed].code(),
                    Some(self.failed_error(pipeline, &raw, failed)),
                );
            }
            return PipeOutcome::new(
                effective[failed].code(),
                Some(self.with_stage_statuses(error, pipeline, &raw, failed)),
            );
        }
        PipeOutcome::new(
            effective[failed].code(),
            Some(self.failed_error(pipeline, &raw, failed)),
        )
    }

    /// Starts one command of a pipeline in its process group (a new one
    /// for the first), and returns the future of its end.
    /// Expands the command of stage `i`, which has a `$(...)`, now that
    /// the stages before it have started, checks its redirects against
    /// every other stage's before it opens any (the file is still intact),
    /// and starts it.
    #[allow(clippy::too_many_arguments)]
    async fn start_later<'a>(
        &'a self,
        scope: &Scope,
        pipeline: &Pipeline,
        plans: &[StagePlan],
        i: usize,
        command: &Command,
        io: &Io,
        group: &mut Option<(u64, i32)>,
    ) -> Begun<'a> {
        // Boxed for the same reason as `plan`.
        let planned = Box::pin(self.plan(scope, io, command)).await;
        let checked = planned.and_then(|plan| {
            match self.same_file(scope, pipeline, plans, Some((i, &plan))) {
                Some(error) => Err(PipeOutcome::failed(error)),
                None => Ok(plan),
            }
        });
        match checked {
            Ok(plan) => Box::pin(self.start_command(scope, &plan, io, group)).await,
            Err(outcome) => Begun::ended(StageEnd {
                status: Status::Exited(outcome.status),
                error: outcome.error,
                leader: None,
            }),
        }
    }

    async fn start_command<'a>(
        &'a self,
        scope: &Scope,
        plan: &command::Plan,
        io: &Io,
        group: &mut Option<(u64, i32)>,
    ) -> Begun<'a> {
        // A cancelled scope starts nothing: the command counts as killed.
        if let Some(signal) = scope.cancel.cancelled() {
            return Begun::ended(StageEnd::status(Status::Signaled(signal)));
        }
        let leads = group.is_none();
        // The pipeline that reads pipe's own stdin gets the terminal.
        let terminal = self
            .terminal
            .as_ref()
            .filter(|terminal| leads && matches!(io.stdin, Fd::Parent(0)) && terminal.available());
        let pgid = group.map(|(_, pgid)| pgid);
        // Among parallel branches, a starter thread waits for the child's
        // exec, and the other branches start meanwhile.
        let elsewhere = self.branches.get() > 1;
        if self.observe {
            let line = self.trace_line(plan);
            self.reporter.starting(self.started.elapsed(), &line);
        }
        let starting = elsewhere.then(|| self.supervisor.start());
        let started = command::spawn(
            &self.programs,
            plan,
            io,
            pgid,
            &self.own_cwd,
            terminal.is_some(),
            elsewhere,
            &scope.cancel,
        )
        .await;
        let child = match started {
            Ok(child) => Child::new(child),
            // Cancelled while its FIFO waited for the other end: killed.
            Err(refused)
                if let Some(signal) = scope.cancel.cancelled()
                    && command::was_cancelled(&refused.error) =>
            {
                return Begun::ended(StageEnd::status(Status::Signaled(signal)));
            }
            Err(refused) => {
                let starved = refused.error.is_resource();
                let secrets = self.secrets.borrow();
                let error = refused.error.without_secret_hints(&secrets);
                let error = if matches!(refused.stderr, Fd::Parent(2)) {
                    error
                } else {
                    self.reporter
                        .error_to(&error, &secrets, refused.stderr.as_fd());
                    RunError::Shown(Box::new(error))
                };
                return Begun {
                    end: Box::pin(async move { StageEnd::failed(error) }),
                    starved,
                };
            }
        };
        // Cancelled while it started: it gets what the others got.
        if elsewhere && let Some(signal) = scope.cancel.cancelled() {
            // SAFETY: a child just started, not reaped.
            unsafe {
                libc::kill(child.pid(), signal);
                libc::kill(child.pid(), libc::SIGCONT);
            }
        }
        if let Some(terminal) = terminal {
            terminal.lend(child.pid());
            self.terminal_group.set(Some(child.pid()));
        }
        let id = match *group {
            Some((id, _)) => id,
            None => {
                let id = self.supervisor.register(child.pid(), &scope.cancel);
                *group = Some((id, child.pid()));
                id
            }
        };
        let record = Rc::new(StageRecord {
            name: self.redact(plan.argv[0].as_bytes()),
            span: plan.span,
            status: Cell::new(None),
        });
        self.supervisor.add_stage(id, child.pid(), record.clone());
        // Ctrl-C (or Ctrl-\) goes to the pipeline holding the terminal, not
        // to pipe: a command of it that dies of SIGINT (SIGQUIT) interrupts
        // pipe too, at once, so that the signal reaches every other group
        // (a block stage's commands, parallel branches) as it would have
        // in bash's one group, not once the whole pipeline has ended; this
        // group, which had it from the terminal, is not sent it again.
        let on_terminal = group
            .map(|(_, pgid)| pgid)
            .filter(|&pgid| self.terminal_group.get() == Some(pgid));
        drop(starting);
        if self.observe {
            let argv: Vec<String> = plan
                .argv
                .iter()
                .map(|arg| self.redact(arg.as_bytes()))
                .collect();
            self.reporter.started(&super::Started {
                at: self.started.elapsed(),
                pid: child.pid(),
                argv: &argv,
            });
        }
        let mut child = child;
        Begun::running(Box::pin(async move {
            let status = child.exited().await;
            record.status.set(Some(status));
            if let Some(pgid) = on_terminal
                && let Status::Signaled(signal @ (libc::SIGINT | libc::SIGQUIT)) = status
            {
                self.interrupt_except(signal, Some(pgid));
            }
            if self.observe {
                self.reporter.ended(&super::Ended {
                    at: self.started.elapsed(),
                    pid: child.pid(),
                    name: &record.name,
                    status,
                });
            }
            if leads {
                return StageEnd {
                    status,
                    error: None,
                    leader: Some(child),
                };
            }
            child.reap();
            self.supervisor.forget(child.pid());
            StageEnd::status(status)
        }))
    }

    /// The diagnostic of a pipeline whose stage `failed` decided its status.
    /// A command that failed inside a block standing as a stage keeps its
    /// own diagnostic, with the pipeline's other stages and every stage's
    /// status added, as a failing command stage would show them.
    fn with_stage_statuses(
        &self,
        error: RunError,
        pipeline: &Pipeline,
        statuses: &[Status],
        failed: usize,
    ) -> RunError {
        let block = matches!(pipeline.stages[failed], Stage::Block(_));
        if let RunError::Shown(error) = error {
            let error = self.with_stage_statuses(*error, pipeline, statuses, failed);
            return RunError::Shown(Box::new(error));
        }
        match error {
            RunError::Failed {
                command,
                status,
                statuses: help,
                mut labels,
            } if block && pipeline.stages.len() > 1 => {
                labels.extend(other_stages(pipeline, statuses, failed));
                // The table in place of the help, but for which branch of
                // a `parallel for` in the block failed.
                let mut table = stage_table(pipeline, statuses);
                for note in super::error::branch_notes(&help) {
                    table.push('\n');
                    table.push_str(note);
                }
                RunError::Failed {
                    command,
                    status,
                    statuses: table,
                    labels,
                }
            }
            // A block that timed out, a branch's `exit`, a `$(...)`'s
            // status: each keeps its own help, the table after it.
            mut error if block && pipeline.stages.len() > 1 => {
                let stages = Stages::new(
                    other_stages(pipeline, statuses, failed).collect(),
                    stage_table(pipeline, statuses),
                );
                match &mut error {
                    RunError::BranchExit {
                        stages: slot,
                        table,
                        ..
                    } => {
                        *table = stages.statuses().map(str::to_owned);
                        *slot = stages;
                    }
                    RunError::TimedOut { stages: slot, .. }
                    | RunError::SubstExit { stages: slot, .. }
                    | RunError::SubstStatus { stages: slot, .. }
                    // A command in the block that could not run, as below.
                    | RunError::NotFound { stages: slot, .. }
                    | RunError::NotExecutable { stages: slot, .. }
                    | RunError::WorkingDirectory { stages: slot, .. }
                    | RunError::InterpreterNotFound { stages: slot, .. }
                    | RunError::Redirect { stages: slot, .. } => slot.replace(stages),
                    _ => {}
                }
                error
            }
            // A command that could not run (not found, not executable, a
            // redirect that failed): its own help, the table after it, as
            // bash's PIPESTATUS would show its 127 or 126 among the others.
            mut error if pipeline.stages.len() > 1 => {
                let stages = Stages::new(
                    other_stages(pipeline, statuses, failed).collect(),
                    stage_table(pipeline, statuses),
                );
                match &mut error {
                    RunError::NotFound { stages: slot, .. }
                    | RunError::NotExecutable { stages: slot, .. }
                    | RunError::WorkingDirectory { stages: slot, .. }
                    | RunError::InterpreterNotFound { stages: slot, .. }
                    | RunError::Redirect { stages: slot, .. } => *slot = stages,
                    _ => {}
                }
                error
            }
            other => other,
        }
    }

    fn failed_error(&self, pipeline: &Pipeline, statuses: &[Status], failed: usize) -> RunError {
        let primary = LabeledSpan::new_primary_with_span(
            Some(statuses[failed].to_string()),
            pipeline.stages[failed].span(),
        );
        let mut labels = vec![primary];
        labels.extend(other_stages(pipeline, statuses, failed));
        RunError::Failed {
            command: stage_name(&pipeline.stages[failed]),
            status: statuses[failed],
            statuses: stage_table(pipeline, statuses),
            labels,
        }
    }
}

/// How many stages on each side of the failed one a diagnostic labels with
/// their status: a label each on a pipeline of 2,000 stages made a
/// diagnostic of 16 MB (a row of connectors for each, as wide as the
/// line). The help lists every stage's status all the same.
const LABELLED_NEIGHBOURS: usize = 8;

/// A label with its status on every stage but `failed`, up to
/// [`LABELLED_NEIGHBOURS`] on each side of it.
fn other_stages(
    pipeline: &Pipeline,
    statuses: &[Status],
    failed: usize,
) -> impl Iterator<Item = LabeledSpan> {
    pipeline
        .stages
        .iter()
        .zip(statuses)
        .enumerate()
        .filter(move |&(i, _)| i != failed && i.abs_diff(failed) <= LABELLED_NEIGHBOURS)
        .map(|(_, (stage, status))| {
            LabeledSpan::new_with_span(Some(format!("status {}", status.code())), stage.span())
        })
}

/// The help of a failed pipeline: every stage's status, as bash's
/// PIPESTATUS shows them, or for a single command what a failure does.
fn stage_table(pipeline: &Pipeline, statuses: &[Status]) -> String {
    if pipeline.stages.len() == 1 {
        return "the script stops at the first failing statement; use `||` to handle a failure"
            .to_owned();
    }
    let table: Vec<String> = pipeline
        .stages
        .iter()
        .zip(statuses)
        .map(|(stage, status)| format!("{} {}", stage_name(stage), status.code()))
        .collect();
    format!("stage statuses: {}", table.join(" | "))
}

/// How a stage is named in a diagnostic: its program as written.
fn stage_name(stage: &Stage) -> String {
    match stage {
        // A name written in parts (`"$tool"`, `ti"meout"`, `/bin/fal\se`)
        // is shown when every part is text; an expansion may hold a secret.
        Stage::Command(command) => {
            let mut name = Vec::new();
            let parts = command
                .words
                .first()
                .map_or(&[][..], |word| &word.parts[..]);
            for part in parts {
                match part {
                    WordPart::Literal { bytes, .. } => name.extend_from_slice(bytes),
                    _ => return "command".to_owned(),
                }
            }
            if name.is_empty() {
                return "command".to_owned();
            }
            String::from_utf8_lossy(&name).into_owned()
        }
        // A block by its keyword and braces: `timeout` alone would read
        // as coreutils' command of that name.
        Stage::Block(block) => match block.kind {
            BlockKind::Group(_) => "{ }".to_owned(),
            BlockKind::For(_) => "for { }".to_owned(),
            BlockKind::Parallel { .. } => "parallel { }".to_owned(),
            BlockKind::Fanout { .. } => "fanout { }".to_owned(),
            BlockKind::Timeout { .. } => "timeout { }".to_owned(),
        },
    }
}

/// What a stage needs to start, expanded before any stage starts.
pub(super) enum StagePlan {
    Command(command::Plan),
    /// A block's own redirects, and whether a `$(...)` of theirs ran.
    Block(Vec<command::PlannedRedirect>, bool),
    /// A command expanded once the stages before it have started.
    Later,
}

/// Whether a command has a `$(...)`, which may read the stage's stdin.
fn reads_stdin(command: &Command) -> bool {
    fn has_subst(word: &Word) -> bool {
        word.parts.iter().any(|part| match part {
            WordPart::Subst { .. } => true,
            WordPart::Var(var) => var.default.as_deref().is_some_and(has_subst),
            WordPart::Literal { .. } | WordPart::Args { .. } => false,
        })
    }
    command
        .assigns
        .iter()
        .any(|assign| has_subst(&assign.value))
        || command.words.iter().any(has_subst)
        || command
            .redirects
            .iter()
            .filter_map(|redirect| redirect.target.as_ref())
            .any(has_subst)
}

/// A stage started, or not: the future of its end, and whether it could
/// not start for want of fds or processes (`RunError::is_resource`).
struct Begun<'a> {
    end: LocalFuture<'a, StageEnd>,
    starved: bool,
}

impl<'a> Begun<'a> {
    fn running(end: LocalFuture<'a, StageEnd>) -> Begun<'a> {
        Begun {
            end,
            starved: false,
        }
    }

    /// A stage that ended before it started (cancelled, or not planned).
    fn ended(end: StageEnd) -> Begun<'a> {
        Begun::running(Box::pin(async move { end }))
    }
}

/// How a stage ended, and the group leader to reap once all have.
struct StageEnd {
    status: Status,
    error: Option<RunError>,
    leader: Option<Child>,
}

impl StageEnd {
    fn status(status: Status) -> StageEnd {
        StageEnd {
            status,
            error: None,
            leader: None,
        }
    }

    fn failed(error: RunError) -> StageEnd {
        StageEnd {
            status: Status::Exited(error.status()),
            error: Some(error),
            leader: None,
        }
    }
}

/// The status of a block standing as a stage. A block that ended because
/// a command in it was killed by SIGPIPE (status 141) counts as killed by
/// SIGPIPE itself, so the closed-reader rule applies to it too.
fn block_status(status: i32) -> Status {
    if status == 128 + status::SIGPIPE {
        Status::Signaled(status::SIGPIPE)
    } else {
        Status::Exited(status)
    }
}
