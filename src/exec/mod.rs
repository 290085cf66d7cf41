//! The executor: the only code that spawns, pipes, waits and signals.
//!
//! It walks the syntax tree with an I/O context ([`Io`]) and a [`Scope`]
//! passed down by value and cloned for each block, the way the plan nests.
//! Everything runs on one thread: a pipeline's stages and a block standing
//! as a stage are futures joined together, and waiting on children costs no
//! thread of its own.

mod command;
mod error;
mod io;
mod process;
mod status;

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;

use futures_util::future::join_all;
use miette::LabeledSpan;
use tokio::io::AsyncReadExt;

use crate::expand::{self, Lookup};
use crate::syntax::ast::{
    Block, BlockKind, Command, Connector, ForLoop, List, ListItem, Pipeline, Span, Stage, Stmt,
    StmtKind, VarName, Word, WordPart,
};

pub use error::RunError;
pub use io::{Fd, Io};
pub use process::prepare_process;
pub use status::{Status, signal_name};

type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Where the executor sends what it has to say while it runs: errors that
/// do not stop the script (the left side of `||`) and trace lines.
pub trait Reporter {
    fn error(&self, error: RunError, secrets: &[Vec<u8>]);
    fn trace(&self, line: &str);
}

/// What a run needs besides the script.
pub struct Config {
    /// `$0` followed by the script's arguments.
    pub positional: Vec<OsString>,
    /// `-x`: print each command before it starts.
    pub trace: bool,
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

/// How a script ended.
#[derive(Debug)]
pub enum Outcome {
    /// It ran to its end or to `exit N`.
    Exited(i32),
    /// A statement failed and stopped it.
    Failed(Failure),
}

/// Runs a parsed script to its end.
pub fn run(
    script: &crate::syntax::ast::Script,
    config: Config,
    reporter: &dyn Reporter,
) -> Outcome {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return Outcome::Failed(Failure {
                status: 1,
                error: Some(Box::new(RunError::Spawn {
                    name: "pipe".to_owned(),
                    source: err,
                    span: script.span.into(),
                })),
                secrets: Vec::new(),
            });
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let interp = Interp {
        positional: config.positional,
        trace: config.trace,
        secrets: RefCell::new(Vec::new()),
        own_cwd: cwd.clone(),
        reporter,
    };
    let mut scope = Scope {
        vars: Rc::default(),
        cwd: Rc::new(cwd),
        cwd_changed: false,
        last_status: 0,
    };
    let io = Io::inherit();
    let flow = runtime.block_on(interp.run_stmts(&mut scope, &io, &script.body));
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
}

impl PipeOutcome {
    fn success() -> PipeOutcome {
        PipeOutcome {
            status: 0,
            error: None,
        }
    }

    fn failed(error: RunError) -> PipeOutcome {
        PipeOutcome {
            status: error.status(),
            error: Some(error),
        }
    }
}

#[derive(Clone, Debug)]
struct Var {
    value: OsString,
    export: bool,
}

/// Variables, working directory and `$?` of a block; cloned on entry to a
/// nested block, so what the block sets ends with it.
#[derive(Clone)]
struct Scope {
    vars: Rc<HashMap<String, Var>>,
    cwd: Rc<PathBuf>,
    cwd_changed: bool,
    last_status: i32,
}

impl Scope {
    fn set(&mut self, name: &str, value: OsString, export: bool) {
        Rc::make_mut(&mut self.vars).insert(name.to_owned(), Var { value, export });
    }
}

struct Interp<'r> {
    positional: Vec<OsString>,
    trace: bool,
    /// Values of `secret`s, hidden from every trace and diagnostic.
    secrets: RefCell<Vec<Vec<u8>>>,
    /// `pipe`'s own working directory.
    own_cwd: PathBuf,
    reporter: &'r dyn Reporter,
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

    fn last_status(&self) -> i32 {
        self.scope.last_status
    }

    fn substitution(&self, span: Span) -> Option<&[u8]> {
        self.substs.get(&(span.start, span.end)).map(Vec::as_slice)
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
            for stmt in stmts {
                match self.run_stmt(scope, io, stmt).await {
                    Flow::Normal => {}
                    other => return other,
                }
            }
            Flow::Normal
        })
    }

    async fn run_stmt(&self, scope: &mut Scope, io: &Io, stmt: &Stmt) -> Flow {
        match &stmt.kind {
            StmtKind::Let { name, value } => {
                self.assign(scope, io, &name.name, value, false, false)
                    .await
            }
            StmtKind::Export { name, value } => {
                self.assign(scope, io, &name.name, value, true, false).await
            }
            StmtKind::Secret { name, value } => {
                self.assign(scope, io, &name.name, value, true, true).await
            }
            StmtKind::Cd { dir } => self.cd(scope, io, dir).await,
            StmtKind::Exit { status } => self.exit(scope, io, status.as_ref()).await,
            StmtKind::List(list) => self.run_list(scope, io, list).await,
        }
    }

    async fn assign(
        &self,
        scope: &mut Scope,
        io: &Io,
        name: &str,
        value: &Word,
        export: bool,
        secret: bool,
    ) -> Flow {
        let result = async {
            let substs = self
                .run_substs(scope, io, std::slice::from_ref(value))
                .await?;
            let view = View {
                interp: self,
                scope,
                substs: &substs,
            };
            let expanded =
                expand::joined(value, &view).map_err(|err| PipeOutcome::failed(err.into()))?;
            if export && expanded.as_bytes().contains(&0) {
                return Err(PipeOutcome::failed(RunError::NulByte {
                    what: "an environment value",
                    span: value.span.into(),
                }));
            }
            Ok(expanded)
        };
        match result.await {
            Ok(value) => {
                if secret && !value.is_empty() {
                    self.secrets.borrow_mut().push(value.as_bytes().to_vec());
                }
                scope.set(name, value, export);
                scope.last_status = 0;
                Flow::Normal
            }
            Err(outcome) => self.finish(scope, outcome),
        }
    }

    async fn cd(&self, scope: &mut Scope, io: &Io, dir: &Word) -> Flow {
        let result = async {
            let substs = self
                .run_substs(scope, io, std::slice::from_ref(dir))
                .await?;
            let view = View {
                interp: self,
                scope,
                substs: &substs,
            };
            let target = expand::single(dir, "directory", &view)
                .map_err(|err| PipeOutcome::failed(err.into()))?;
            let path = scope.cwd.join(&target);
            let cd_error = |source| {
                PipeOutcome::failed(RunError::Cd {
                    path: self.redact(target.as_bytes()),
                    source,
                    span: dir.span.into(),
                })
            };
            match path.metadata() {
                Ok(meta) if meta.is_dir() => Ok(path),
                Ok(_) => Err(cd_error(std::io::Error::from_raw_os_error(libc::ENOTDIR))),
                Err(err) => Err(cd_error(err)),
            }
        };
        match result.await {
            Ok(path) => {
                scope.cwd = Rc::new(path);
                scope.cwd_changed = true;
                scope.last_status = 0;
                Flow::Normal
            }
            Err(outcome) => self.finish(scope, outcome),
        }
    }

    async fn exit(&self, scope: &mut Scope, io: &Io, status: Option<&Word>) -> Flow {
        let Some(word) = status else {
            return Flow::Exit(scope.last_status);
        };
        let result = async {
            let substs = self
                .run_substs(scope, io, std::slice::from_ref(word))
                .await?;
            let view = View {
                interp: self,
                scope,
                substs: &substs,
            };
            let value = expand::single(word, "exit status", &view)
                .map_err(|err| PipeOutcome::failed(err.into()))?;
            let text = value.to_string_lossy();
            text.parse::<u8>().map(i32::from).map_err(|_| {
                PipeOutcome::failed(RunError::BadExit {
                    value: self.redact(value.as_bytes()),
                    span: word.span.into(),
                })
            })
        };
        match result.await {
            Ok(status) => Flow::Exit(status),
            Err(outcome) => self.finish(scope, outcome),
        }
    }

    /// errexit: a failed statement stops the script.
    fn finish(&self, scope: &mut Scope, outcome: PipeOutcome) -> Flow {
        scope.last_status = outcome.status;
        if outcome.status == 0 {
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
        let mut outcome = match self.run_pipeline(scope, io, &list.first).await {
            Ok(outcome) => outcome,
            Err(exit) => return Flow::Exit(exit),
        };
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
            // The left side was a condition: its error is shown, not fatal.
            if let Some(error) = outcome.error.take() {
                self.reporter.error(error, &self.secrets.borrow());
            }
            outcome = match self.run_pipeline(scope, io, pipeline).await {
                Ok(outcome) => outcome,
                Err(exit) => return Flow::Exit(exit),
            };
            last_ran = i + 1;
        }
        if last_ran == list.rest.len() {
            self.finish(scope, outcome)
        } else {
            if let Some(error) = outcome.error.take() {
                self.reporter.error(error, &self.secrets.borrow());
            }
            scope.last_status = outcome.status;
            Flow::Normal
        }
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
            return match self.run_block(&mut inner, io, block).await {
                Flow::Normal => Ok(PipeOutcome {
                    status: inner.last_status,
                    error: None,
                }),
                Flow::Exit(status) => Err(status),
                Flow::Fail(failure) => Ok(PipeOutcome {
                    status: failure.status,
                    error: failure.error.map(|error| *error),
                }),
            };
        }
        Ok(self.run_stages(scope, io, pipeline).await)
    }

    async fn run_block(&self, scope: &mut Scope, io: &Io, block: &Block) -> Flow {
        match &block.kind {
            BlockKind::Group(body) => self.run_stmts(scope, io, body).await,
            BlockKind::For(for_loop) => self.run_for(scope, io, for_loop).await,
            BlockKind::Parallel { .. } => self.unsupported(scope, "parallel", block.span),
            BlockKind::Fanout { .. } => self.unsupported(scope, "fanout", block.span),
            BlockKind::Timeout { .. } => self.unsupported(scope, "timeout", block.span),
        }
    }

    fn unsupported(&self, scope: &mut Scope, what: &'static str, span: Span) -> Flow {
        self.finish(
            scope,
            PipeOutcome::failed(RunError::Unsupported {
                what,
                span: span.into(),
            }),
        )
    }

    async fn run_for(&self, scope: &mut Scope, io: &Io, for_loop: &ForLoop) -> Flow {
        let values = match self.list_values(scope, io, &for_loop.items).await {
            Ok(values) => values,
            Err(outcome) => return self.finish(scope, outcome),
        };
        for value in values {
            let mut body_scope = scope.clone();
            body_scope.set(&for_loop.var.name, value, false);
            match self.run_stmts(&mut body_scope, io, &for_loop.body).await {
                Flow::Normal => scope.last_status = body_scope.last_status,
                other => return other,
            }
        }
        Flow::Normal
    }

    async fn list_values(
        &self,
        scope: &Scope,
        io: &Io,
        items: &[ListItem],
    ) -> Result<Vec<OsString>, PipeOutcome> {
        let words: Vec<Word> = items
            .iter()
            .filter_map(|item| match item {
                ListItem::Word(word) => Some(word.clone()),
                ListItem::Range { .. } => None,
            })
            .collect();
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
            values.extend(expanded);
        }
        Ok(values)
    }

    /// Runs every `$(...)` of the words, in order, and returns their outputs
    /// by span. A default (`${x:-$(...)}`) runs only when it is needed.
    async fn run_substs(
        &self,
        scope: &Scope,
        io: &Io,
        words: &[Word],
    ) -> Result<HashMap<(usize, usize), Vec<u8>>, PipeOutcome> {
        let mut pending: Vec<(&[Stmt], Span)> = Vec::new();
        let empty = HashMap::new();
        let view = View {
            interp: self,
            scope,
            substs: &empty,
        };
        let mut stack: Vec<&Word> = words.iter().rev().collect();
        // Depth-first, so that outputs are taken in source order.
        while let Some(word) = stack.pop() {
            for part in word.parts.iter().rev() {
                match part {
                    WordPart::Subst { body, span } => pending.push((body, *span)),
                    WordPart::Var(var) => {
                        if let (Some(default), VarName::Named(name)) = (&var.default, &var.name)
                            && view.var(name).is_none_or(|value| value.is_empty())
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
        for (body, span) in pending {
            let (bytes, outcome) = self.capture(scope, io, body).await;
            if outcome.status != 0 {
                return Err(outcome);
            }
            outputs.insert((span.start, span.end), bytes);
        }
        Ok(outputs)
    }

    /// Runs statements with their stdout captured, as `$(...)` does.
    async fn capture(&self, scope: &Scope, io: &Io, body: &[Stmt]) -> (Vec<u8>, PipeOutcome) {
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
        let inner_io = Io {
            stdin: io.stdin.clone(),
            stdout: Fd::owned(writer),
            stderr: io.stderr.clone(),
        };
        let run = async move {
            let flow = self.run_stmts(&mut inner, &inner_io, body).await;
            drop(inner_io);
            match flow {
                Flow::Normal => PipeOutcome {
                    status: inner.last_status,
                    error: None,
                },
                Flow::Exit(status) => PipeOutcome {
                    status,
                    error: None,
                },
                Flow::Fail(failure) => PipeOutcome {
                    status: failure.status,
                    error: failure.error.map(|e| *e),
                },
            }
        };
        let read = async move {
            let mut bytes = Vec::new();
            if let Ok(mut receiver) = tokio::net::unix::pipe::Receiver::from_owned_fd(reader.into())
            {
                let _ = receiver.read_to_end(&mut bytes).await;
            }
            bytes
        };
        let (outcome, bytes) = futures_util::future::join(run, read).await;
        (bytes, outcome)
    }

    /// Expands a command's words, assignments and redirects.
    async fn plan(
        &self,
        scope: &Scope,
        io: &Io,
        command: &Command,
    ) -> Result<command::Plan, PipeOutcome> {
        let mut words: Vec<Word> = command
            .assigns
            .iter()
            .map(|assign| assign.value.clone())
            .collect();
        words.extend(command.words.iter().cloned());
        words.extend(
            command
                .redirects
                .iter()
                .filter_map(|redirect| redirect.target.clone()),
        );
        let substs = self.run_substs(scope, io, &words).await?;
        let view = View {
            interp: self,
            scope,
            substs: &substs,
        };
        let fail = |err: RunError| PipeOutcome::failed(err);

        let mut argv = Vec::new();
        for word in &command.words {
            let fields = expand::fields(word, &view).map_err(|err| fail(err.into()))?;
            if fields.iter().any(|field| field.as_bytes().contains(&0)) {
                return Err(fail(RunError::NulByte {
                    what: "an argument",
                    span: word.span.into(),
                }));
            }
            argv.extend(fields);
        }
        let program_span = command.words.first().map_or(command.span, |word| word.span);
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
        for assign in &command.assigns {
            let value = expand::joined(&assign.value, &view).map_err(|err| fail(err.into()))?;
            if value.as_bytes().contains(&0) {
                return Err(fail(RunError::NulByte {
                    what: "an environment value",
                    span: assign.value.span.into(),
                }));
            }
            env.push((OsString::from(&assign.name.name), value));
        }
        let path_var = env
            .iter()
            .rev()
            .find(|(key, _)| key == "PATH")
            .map(|(_, value)| value.clone())
            .or_else(|| view.var("PATH"));

        let mut redirects = Vec::new();
        for redirect in &command.redirects {
            let target = match &redirect.target {
                Some(word) => {
                    Some(expand::single(word, "redirect", &view).map_err(|err| fail(err.into()))?)
                }
                None => None,
            };
            redirects.push(command::PlannedRedirect {
                op: redirect.op,
                target,
                span: redirect.span,
            });
        }
        Ok(command::Plan {
            argv,
            env,
            redirects,
            cwd: scope.cwd_changed.then(|| scope.cwd.to_path_buf()),
            path_var,
            program_span,
        })
    }

    /// Runs a pipeline of several stages (or one command): every stage at
    /// once, wired by OS pipes, in one new process group.
    async fn run_stages(&self, scope: &Scope, io: &Io, pipeline: &Pipeline) -> PipeOutcome {
        // Expand every command first, so that a bad word starts nothing.
        let mut plans = Vec::with_capacity(pipeline.stages.len());
        for stage in &pipeline.stages {
            plans.push(match stage {
                Stage::Command(command) => match self.plan(scope, io, command).await {
                    Ok(plan) => Some(plan),
                    Err(outcome) => return outcome,
                },
                Stage::Block(_) => None,
            });
        }
        if let Some(error) = same_file(&plans, &scope.cwd) {
            return PipeOutcome::failed(error);
        }

        let count = pipeline.stages.len();
        let mut stdin = io.stdin.clone();
        let mut pgid = None;
        let mut running: Vec<LocalFuture<'_, (Status, Option<RunError>)>> =
            Vec::with_capacity(count);
        for (i, (stage, plan)) in pipeline.stages.iter().zip(plans).enumerate() {
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
                        running.push(Box::pin(async move {
                            (Status::Exited(error.status()), Some(error))
                        }));
                        break;
                    }
                }
            };
            let stage_io = Io {
                stdin: std::mem::replace(&mut stdin, Fd::Parent(0)),
                stdout,
                stderr: io.stderr.clone(),
            };
            match (stage, plan) {
                (Stage::Command(_), Some(plan)) => {
                    if self.trace {
                        self.reporter.trace(&self.trace_line(&plan.argv));
                    }
                    match command::spawn(&plan, &stage_io, pgid, &self.own_cwd) {
                        Ok(mut child) => {
                            pgid = pgid.or(child.id());
                            running.push(Box::pin(async move {
                                match child.wait().await {
                                    Ok(status) => (Status::from_std(status), None),
                                    Err(_) => (Status::Exited(1), None),
                                }
                            }));
                        }
                        Err(error) => running.push(Box::pin(async move {
                            (Status::Exited(error.status()), Some(error))
                        })),
                    }
                    // The child has its copies; the parent keeps no pipe end.
                    drop(stage_io);
                }
                (Stage::Block(block), _) => {
                    let mut inner = scope.clone();
                    running.push(Box::pin(async move {
                        let flow = self.run_block(&mut inner, &stage_io, block).await;
                        drop(stage_io);
                        match flow {
                            Flow::Normal => (Status::Exited(inner.last_status), None),
                            Flow::Exit(status) => (Status::Exited(status), None),
                            Flow::Fail(failure) => {
                                (Status::Exited(failure.status), failure.error.map(|e| *e))
                            }
                        }
                    }));
                }
                (Stage::Command(_), None) => unreachable!("every command stage has a plan"),
            }
            if let Some(next) = next_stdin {
                stdin = next;
            }
        }
        drop(stdin);

        let results = join_all(running).await;
        let raw: Vec<Status> = results.iter().map(|(status, _)| *status).collect();
        let (effective, failed) = status::pipeline_status(&raw);
        let Some(failed) = failed else {
            return PipeOutcome::success();
        };
        let mut errors: Vec<Option<RunError>> =
            results.into_iter().map(|(_, error)| error).collect();
        if let Some(error) = errors[failed].take() {
            return PipeOutcome {
                status: effective[failed].code(),
                error: Some(error),
            };
        }
        PipeOutcome {
            status: effective[failed].code(),
            error: Some(self.failed_error(pipeline, &effective, failed)),
        }
    }

    /// The diagnostic of a pipeline whose stage `failed` decided its status.
    fn failed_error(&self, pipeline: &Pipeline, statuses: &[Status], failed: usize) -> RunError {
        let mut labels = Vec::new();
        let mut table = Vec::new();
        for (i, (stage, status)) in pipeline.stages.iter().zip(statuses).enumerate() {
            let span = stage.span();
            let name = stage_name(stage);
            table.push(format!("{name} {}", status.code()));
            if i == failed {
                labels.push(LabeledSpan::new_primary_with_span(
                    Some(status.to_string()),
                    span,
                ));
            } else if pipeline.stages.len() > 1 {
                labels.push(LabeledSpan::new_with_span(
                    Some(format!("status {}", status.code())),
                    span,
                ));
            }
        }
        let table = if pipeline.stages.len() > 1 {
            format!("stage statuses: {}", table.join(" | "))
        } else {
            "the script stops at the first failing statement; use `||` to handle a failure"
                .to_owned()
        };
        RunError::Failed {
            command: stage_name(&pipeline.stages[failed]),
            status: statuses[failed],
            statuses: table,
            labels,
        }
    }

    /// A command line for `-x`, quoted so it can be pasted, secrets hidden.
    fn trace_line(&self, argv: &[OsString]) -> String {
        let words: Vec<String> = argv
            .iter()
            .map(|arg| quote(&self.redact(arg.as_bytes())))
            .collect();
        format!("+ {}", words.join(" "))
    }

    /// Text with every secret's value replaced by `***`.
    fn redact(&self, bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes).into_owned();
        redact(&self.secrets.borrow(), text)
    }
}

/// Replaces every secret value in `text` by `***`.
pub fn redact(secrets: &[Vec<u8>], mut text: String) -> String {
    for secret in secrets {
        let secret = String::from_utf8_lossy(secret);
        if !secret.is_empty() {
            text = text.replace(secret.as_ref(), "***");
        }
    }
    text
}

/// How a stage is named in a diagnostic: its program as written.
fn stage_name(stage: &Stage) -> String {
    match stage {
        Stage::Command(command) => {
            match command.words.first().and_then(|word| word.parts.first()) {
                Some(WordPart::Literal { bytes, .. }) if command.words[0].parts.len() == 1 => {
                    String::from_utf8_lossy(bytes).into_owned()
                }
                _ => "command".to_owned(),
            }
        }
        Stage::Block(block) => match block.kind {
            BlockKind::Group(_) => "{ }".to_owned(),
            BlockKind::For(_) => "for".to_owned(),
            BlockKind::Parallel { .. } => "parallel".to_owned(),
            BlockKind::Fanout { .. } => "fanout".to_owned(),
            BlockKind::Timeout { .. } => "timeout".to_owned(),
        },
    }
}

/// Shell-quotes a word when it needs it.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// `sort < f > f`: a pipeline that would truncate a file it also reads is
/// refused before anything starts.
fn same_file(plans: &[Option<command::Plan>], cwd: &Path) -> Option<RunError> {
    use std::os::unix::fs::MetadataExt;
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for plan in plans.iter().flatten() {
        let dir = plan.cwd.as_deref().unwrap_or(cwd);
        for redirect in &plan.redirects {
            let Some(path) = redirect.path(dir) else {
                continue;
            };
            let Ok(meta) = path.metadata() else { continue };
            let id = (meta.dev(), meta.ino());
            if redirect.op == crate::syntax::ast::RedirectOp::In {
                inputs.push((id, redirect));
            } else if redirect.truncates() && meta.is_file() {
                outputs.push((id, redirect));
            }
        }
    }
    for (id, output) in &outputs {
        if let Some((_, input)) = inputs.iter().find(|(other, _)| other == id) {
            return Some(RunError::SameFile {
                path: output
                    .target
                    .as_deref()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                input: input.span.into(),
                output: output.span.into(),
            });
        }
    }
    None
}

impl RunError {
    /// The status a failure of this kind gives the statement: 127 for a
    /// command not found, 126 for one that cannot run, the child's own
    /// status for a failed command, 1 otherwise.
    pub fn status(&self) -> i32 {
        match self {
            RunError::Failed { status, .. } => status.code(),
            RunError::NotFound { .. } => 127,
            RunError::NotExecutable { .. } | RunError::Spawn { .. } => 126,
            RunError::Unsupported { .. } => 2,
            RunError::Redirect { .. }
            | RunError::SameFile { .. }
            | RunError::NulByte { .. }
            | RunError::Cd { .. }
            | RunError::BadExit { .. }
            | RunError::Pipe { .. }
            | RunError::Expand(_) => 1,
        }
    }
}
