//! Runtime errors: every way a statement can fail, each with a stable code
//! and a label on the script's source.

use miette::{Diagnostic, LabeledSpan, SourceSpan};
use thiserror::Error;

use crate::expand::ExpandError;

use super::status::Status;

#[derive(Debug, Error, Diagnostic)]
pub enum RunError {
    #[error("`{command}` {status}")]
    #[diagnostic(code(pipe::run::failed), help("{statuses}"))]
    Failed {
        command: String,
        status: Status,
        /// Every stage's status as bash's PIPESTATUS would show it.
        statuses: String,
        #[label(collection)]
        labels: Vec<LabeledSpan>,
    },

    #[error("command not found: `{name}`")]
    #[diagnostic(
        code(pipe::run::command_not_found),
        help("{}{}", not_found_help(.name, .suggestion, .path), .stages.table())
    )]
    NotFound {
        name: String,
        suggestion: Option<String>,
        /// What is wrong with PATH, if it explains the miss (see
        /// [`super::command::path_note`]).
        path: Option<Box<PathNote>>,
        #[label(primary, "{}", not_found_label(.name))]
        span: SourceSpan,
        #[label(collection)]
        stages: Stages,
    },

    #[error("cannot run `{name}`: {reason}")]
    #[diagnostic(code(pipe::run::not_executable), help("{help}{}", .stages.table()))]
    NotExecutable {
        name: String,
        reason: String,
        help: &'static str,
        #[label(primary, "{reason}")]
        span: SourceSpan,
        #[label(collection)]
        stages: Stages,
    },

    /// A `#!` script whose interpreter does not exist: execve's ENOENT,
    /// status 127 as in bash (the script is there, what runs it is not).
    #[error("cannot run `{name}`: interpreter `{interpreter}` not found")]
    #[diagnostic(
        code(pipe::run::interpreter_not_found),
        help("{}{}", interpreter_help(.interpreter, *.binary), .stages.table())
    )]
    InterpreterNotFound {
        name: String,
        interpreter: String,
        /// The program is a binary: what is missing is its loader.
        binary: bool,
        #[label(primary, "interpreter `{interpreter}` not found")]
        span: SourceSpan,
        #[label(collection)]
        stages: Stages,
    },

    /// A command whose working directory, checked by the `cd` that went
    /// there, was removed (or made unusable) since: the child could not
    /// change directory to it. Status 126, as for any command that could
    /// not start.
    #[error("cannot run `{name}` in `{dir}`: {}", reason(.source))]
    #[diagnostic(
        code(pipe::run::working_directory),
        help(
            "the working directory was removed or made unusable after `cd` went there; \
             `cd` to one that exists{}",
            .stages.table()
        )
    )]
    WorkingDirectory {
        name: String,
        dir: String,
        source: std::io::Error,
        #[label(primary, "could not start there")]
        span: SourceSpan,
        #[label(collection)]
        stages: Stages,
    },

    #[error("cannot start `{name}`: {}", reason(.source))]
    #[diagnostic(code(pipe::run::spawn))]
    Spawn {
        name: String,
        source: std::io::Error,
        /// What to do about it, where that is known: see [`spawn_help`].
        #[help]
        help: Option<&'static str>,
        #[label("could not start")]
        span: SourceSpan,
    },

    /// `pipe`'s own machinery (its event loop, its signal queue) could not
    /// be set up: nothing of the script ran.
    #[error("cannot start running the script: {}", reason(.source))]
    #[diagnostic(code(pipe::run::start))]
    Start {
        source: std::io::Error,
        #[help]
        help: Option<&'static str>,
        #[label("nothing of it ran")]
        span: SourceSpan,
    },

    /// E2BIG where one argument or environment entry is past the
    /// system's limit for one string (Linux's MAX_ARG_STRLEN), named.
    #[error(
        "cannot start `{name}`: {what} is {kib} KiB, more than the 128 KiB the system takes for one"
    )]
    #[diagnostic(code(pipe::run::argument_too_long), help("{help}"))]
    TooLong {
        name: String,
        /// `argument 2`, or `the environment variable `big``.
        what: String,
        kib: usize,
        help: &'static str,
        #[label("could not start")]
        span: SourceSpan,
    },

    #[error("cannot open `{path}`: {}", reason(.source))]
    #[diagnostic(
        code(pipe::run::redirect),
        help("{}{}", redirect_help(.path, .source), .stages.table())
    )]
    Redirect {
        path: String,
        source: std::io::Error,
        #[label(primary, "this redirect")]
        span: SourceSpan,
        #[label(collection)]
        stages: Stages,
    },

    #[error("`{path}` is both read and truncated by {by}")]
    #[diagnostic(
        code(pipe::run::same_file),
        help("the file would be emptied before it is read; write to another file, then rename it")
    )]
    SameFile {
        path: String,
        #[label("read here")]
        input: SourceSpan,
        #[label("truncated here")]
        output: SourceSpan,
        /// What runs the two at once: "this pipeline", or a block's
        /// "these parallel branches".
        by: &'static str,
    },

    #[error("{what} contains a NUL byte")]
    #[diagnostic(
        code(pipe::run::nul_byte),
        help("{}", nul_help(*.expanded))
    )]
    NulByte {
        what: &'static str,
        /// Whether the word expands a variable or a `$(...)`, whose value
        /// a command may have printed with NUL bytes in it.
        expanded: bool,
        #[label("holds a NUL byte")]
        span: SourceSpan,
    },

    #[error("cannot change directory to `{path}`: {}", reason(.source))]
    #[diagnostic(code(pipe::run::cd), help("{}", cd_help(.source)))]
    Cd {
        path: String,
        source: std::io::Error,
        #[label("this directory")]
        span: SourceSpan,
    },

    #[error("cannot write the block's output: {}", reason(.source))]
    #[diagnostic(code(pipe::run::write))]
    Write {
        source: std::io::Error,
        #[label("its output was lost")]
        span: SourceSpan,
    },

    /// `cd -` could not print the directory it went to (a full disk).
    #[error("cannot print the directory `cd -` went to: {}", reason(.source))]
    #[diagnostic(code(pipe::run::cd_print))]
    CdPrint {
        source: std::io::Error,
        #[label("not printed")]
        span: SourceSpan,
    },

    #[error("invalid {what} `{value}`")]
    #[diagnostic(code(pipe::run::bad_value), help("{help}"))]
    BadValue {
        what: &'static str,
        value: String,
        reason: &'static str,
        help: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("exit status `{value}` is not a number from 0 to 255")]
    #[diagnostic(
        code(pipe::run::bad_exit_status),
        help(
            "an exit status is a whole number from 0 to 255: 0 for success, 1 to 125 for a \
             failure (126 and up say that a command could not run or was killed)"
        )
    )]
    BadExit {
        value: String,
        /// "not a status", or that it is empty.
        reason: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
    },

    /// A block's set-up failed: a pipe, or the thread that copies its
    /// input or output (EAGAIN at the process limit, which no pipe gives).
    #[error("{} could not be created: {}", pipe_what(.source), reason(.source))]
    #[diagnostic(
        code(pipe::run::pipe),
        help(
            "{}",
            spawn_help(.source).unwrap_or("the process may have too many open files (ulimit -n)")
        )
    )]
    Pipe {
        source: std::io::Error,
        #[label("while starting this")]
        span: SourceSpan,
    },

    #[error("{count} more {} failed the same way", if *.count == 1 { "branch" } else { "branches" })]
    #[diagnostic(
        code(pipe::run::alike),
        help("each failure with the same message at the same place is shown once")
    )]
    Alike {
        count: usize,
        #[label("in this block")]
        span: SourceSpan,
    },

    #[error("a {kind} branch exited with status {status}")]
    #[diagnostic(code(pipe::run::branch_exit))]
    BranchExit {
        /// The block the branch is in: `parallel` or `fanout`.
        kind: &'static str,
        status: i32,
        #[label(primary, "{branch}")]
        span: SourceSpan,
        /// "this branch", or the item a `parallel for`'s branch ran for.
        branch: String,
        #[label(collection)]
        stages: Stages,
        /// In a pipeline, every stage's status (the table of `stages`).
        #[help]
        table: Option<String>,
    },

    #[error("`exit {status}` in a `$(...)`")]
    #[diagnostic(
        code(pipe::run::subst_exit),
        help(
            "`exit` in a `$(...)` ends only the `$(...)`; a status other than 0 fails the statement that uses it{}",
            .stages.table()
        )
    )]
    SubstExit {
        status: i32,
        #[label(primary, "exited with status {status}")]
        span: SourceSpan,
        #[label(collection)]
        stages: Stages,
    },

    #[error("a `$(...)` ended with status {status}")]
    #[diagnostic(
        code(pipe::run::subst_status),
        help(
            "its last statement is a condition that failed (as in `test -f x && cat x`), and a failing `$(...)` fails the statement that uses it; add `|| true` if the failure is expected{}",
            .stages.table()
        )
    )]
    SubstStatus {
        status: i32,
        #[label(primary, "ended with status {status}")]
        span: SourceSpan,
        #[label(collection)]
        stages: Stages,
    },

    /// A `$(...)` whose output outgrew [`super::SUBST_LIMIT`]: it was read
    /// no further, so that `pipe`'s memory stays bounded.
    #[error("a `$(...)` printed more than {limit}")]
    #[diagnostic(
        code(pipe::run::subst_too_large),
        help(
            "a `$(...)` is held in memory whole; send large output to a file (`cmd > out`) or through a pipeline instead"
        )
    )]
    SubstTooLarge {
        limit: String,
        #[label("printed more than {limit}")]
        span: SourceSpan,
    },

    #[error("timed out after {after}")]
    #[diagnostic(
        code(pipe::run::timeout),
        help("{summary}; the block's status is 124{}", .stages.table())
    )]
    TimedOut {
        after: String,
        summary: String,
        #[label(collection)]
        labels: Vec<LabeledSpan>,
        #[label(collection)]
        stages: Stages,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Expand(#[from] ExpandError),

    /// A command that could not start, whose message was written to its
    /// own stderr already, where its redirects (or its block's) sent it,
    /// as bash writes it: `tool --version 2>/dev/null || echo missing`
    /// prints only `missing`. It is shown again only if it ends the
    /// script.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Shown(Box<RunError>),
}

/// How [`RunError::in_branch`] starts its line.
const BRANCH_NOTE: &str = "in the branch where ";

/// How [`RunError::in_pass`] starts its line.
const PASS_NOTE: &str = "in the pass where ";

/// The lines of a help that say which branch failed.
pub fn branch_notes(help: &str) -> impl Iterator<Item = &str> {
    help.lines().filter(|line| line.starts_with(BRANCH_NOTE))
}

impl RunError {
    /// Whether the error is the system running out of fds or processes.
    pub fn is_resource(&self) -> bool {
        let source = match self {
            RunError::Pipe { source, .. }
            | RunError::Spawn { source, .. }
            | RunError::Redirect { source, .. } => source,
            _ => return false,
        };
        matches!(
            source.raw_os_error(),
            Some(libc::EMFILE | libc::ENFILE | libc::EAGAIN | libc::ENOMEM)
        )
    }

    /// Whether the error only reports a status (a command that ran and
    /// failed, a timeout), as opposed to a command that could not run.
    pub fn is_status(&self) -> bool {
        matches!(
            self,
            RunError::Failed { .. }
                | RunError::TimedOut { .. }
                | RunError::BranchExit { .. }
                | RunError::SubstExit { .. }
                | RunError::SubstStatus { .. }
                // Its message is out already: nothing more to show, unless
                // it ends the script.
                | RunError::Shown(_)
        )
    }

    /// The status a failure of this kind gives the statement: 127 for a
    /// command not found, 126 for one that cannot run, the child's own
    /// status for a failed command, 1 otherwise. A `#!` script whose
    /// interpreter is missing is 127, as bash makes it (execve's ENOENT).
    pub fn status(&self) -> i32 {
        match self {
            RunError::Failed { status, .. } => status.code(),
            RunError::Shown(error) => error.status(),
            RunError::NotFound { .. } | RunError::InterpreterNotFound { .. } => 127,
            RunError::NotExecutable { .. }
            | RunError::WorkingDirectory { .. }
            | RunError::TooLong { .. }
            | RunError::Spawn { .. } => 126,
            RunError::TimedOut { .. } => super::timeout::TIMED_OUT,
            RunError::BranchExit { status, .. }
            | RunError::SubstExit { status, .. }
            | RunError::SubstStatus { status, .. } => *status,
            RunError::Redirect { .. }
            | RunError::SameFile { .. }
            | RunError::NulByte { .. }
            | RunError::SubstTooLarge { .. }
            | RunError::Cd { .. }
            | RunError::BadExit { .. }
            | RunError::BadValue { .. }
            | RunError::Write { .. }
            | RunError::CdPrint { .. }
            | RunError::Pipe { .. }
            | RunError::Alike { .. }
            | RunError::Start { .. }
            | RunError::Expand(_) => 1,
        }
    }

    /// A NUL byte in `word`'s value, `what` it is ("an argument").
    pub fn nul_byte(what: &'static str, word: &crate::syntax::ast::Word) -> RunError {
        use crate::syntax::ast::WordPart;
        RunError::NulByte {
            what,
            expanded: word
                .parts
                .iter()
                .any(|part| matches!(part, WordPart::Var(_) | WordPart::Subst { .. })),
            span: word.span.into(),
        }
    }

    /// Leaves out the "did you mean" of a command whose name holds a
    /// secret: the name is shown as `***`, and the close name found on
    /// PATH would tell what it is.
    pub fn without_secret_hints(mut self, secrets: &[Vec<u8>]) -> RunError {
        if let RunError::NotFound {
            name, suggestion, ..
        } = &mut self
            && super::redact(secrets, name.clone()) != *name
        {
            *suggestion = None;
        }
        self
    }

    /// The error, with a line after its help that says which branch of a
    /// `parallel for` it is from (`in the branch where `h` is `web2``):
    /// every branch has the same span. The line is help, not a label, so
    /// that branches failing alike are still counted as one.
    pub fn in_branch(self, var: &str, value: &str) -> RunError {
        self.with_item_note(BRANCH_NOTE, var, value)
    }

    /// The error, with a line after its help that says in which pass of
    /// a `for` loop it happened (`in the pass where `f` is `b.txt``): the
    /// body's commands have one span for every item.
    pub fn in_pass(self, var: &str, value: &str) -> RunError {
        self.with_item_note(PASS_NOTE, var, value)
    }

    /// The error with the line `{start}`var` is `value`` after its help.
    fn with_item_note(self, start: &str, var: &str, value: &str) -> RunError {
        // One line, whatever the item holds (a file name with a newline):
        // the note is found by its line, and must not pass for wrapping.
        let one_line = value.replace('\n', "\\n");
        let branch = &format!("{start}`{var}` is `{one_line}`");
        let note = |help: &mut String| {
            help.push('\n');
            help.push_str(branch);
        };
        match self {
            RunError::Shown(error) => {
                RunError::Shown(Box::new(error.with_item_note(start, var, value)))
            }
            RunError::Failed {
                command,
                status,
                mut statuses,
                labels,
            } => {
                note(&mut statuses);
                RunError::Failed {
                    command,
                    status,
                    statuses,
                    labels,
                }
            }
            mut error => {
                match &mut error {
                    RunError::NotFound { stages, .. }
                    | RunError::NotExecutable { stages, .. }
                    | RunError::WorkingDirectory { stages, .. }
                    | RunError::InterpreterNotFound { stages, .. }
                    | RunError::Redirect { stages, .. }
                    | RunError::TimedOut { stages, .. }
                    | RunError::SubstExit { stages, .. }
                    | RunError::SubstStatus { stages, .. } => stages.add_line(branch),
                    _ => {}
                }
                error
            }
        }
    }

    /// `pipe`'s own machinery could not be set up, for `source`.
    pub fn start(source: std::io::Error, span: SourceSpan) -> RunError {
        let help = match source.raw_os_error() {
            Some(libc::EMFILE | libc::ENFILE) => Some(
                "before it runs anything, pipe opens a few files of its own (an event \
                 queue, a signal queue), and the limit on open files leaves it none: raise \
                 it (`ulimit -n`)",
            ),
            _ => spawn_help(&source),
        };
        RunError::Start { source, help, span }
    }

    /// A program that exists but that the system would not start.
    pub fn spawn(name: String, source: std::io::Error, span: SourceSpan) -> RunError {
        RunError::Spawn {
            name,
            help: spawn_help(&source),
            source,
            span,
        }
    }
}

/// What to do when the system would not start a program, where the
/// reason tells.
/// What to do about a missing interpreter: a script's `#!` line, or a
/// binary's loader, which a build for another system names.
fn interpreter_help(interpreter: &str, binary: bool) -> String {
    if binary {
        format!(
            "it is a binary whose loader `{interpreter}` is missing: it was built for \
             another system (another C library or architecture); install a build for \
             this one"
        )
    } else {
        format!("fix the script's `#!` line, or install `{interpreter}`")
    }
}

/// What a block's set-up failed to create: a thread where the process
/// limit was reached (pipe(2) never fails with EAGAIN), else a pipe.
fn pipe_what(err: &std::io::Error) -> &'static str {
    match err.raw_os_error() {
        Some(libc::EAGAIN) => "a thread",
        _ => "a pipe",
    }
}

fn spawn_help(err: &std::io::Error) -> Option<&'static str> {
    Some(match err.raw_os_error()? {
        libc::E2BIG => {
            "an argument may be at most 128 KiB, and all of them with the environment \
             a quarter of the stack limit (often 2 MiB); pass large data on standard \
             input (`cmd <<< $data`) or in a file"
        }
        libc::EMFILE | libc::ENFILE => {
            "pipe has too many files open: raise the limit (`ulimit -n`), or run \
             fewer commands at once (`parallel max N`)"
        }
        libc::EAGAIN => {
            "too many processes: raise the limit (`ulimit -u`), or run fewer \
             commands at once (`parallel max N`)"
        }
        libc::ENOMEM => {
            "the system is short of memory: run fewer commands at once (`parallel max N`)"
        }
        libc::ETXTBSY => "the program's file is being written; start it once it is complete",
        _ => return None,
    })
}

/// The other stages of the pipeline a block that failed stood in, each
/// labelled with its status, and the table of every stage's status, as
/// bash's PIPESTATUS shows them; none where there was no such pipeline.
/// Boxed: most errors have none, and every error is as large as the
/// largest.
#[derive(Debug, Default)]
pub struct Stages(Option<Box<(Vec<LabeledSpan>, String)>>);

impl Stages {
    pub fn new(labels: Vec<LabeledSpan>, table: String) -> Stages {
        Stages(Some(Box::new((labels, table))))
    }

    /// The labels, for miette's `#[label(collection)]`.
    pub fn iter(&self) -> std::slice::Iter<'_, LabeledSpan> {
        self.0.as_ref().map_or(&[][..], |stages| &stages.0).iter()
    }

    /// The table of statuses, if there is one.
    pub fn statuses(&self) -> Option<&str> {
        self.0.as_ref().map(|stages| stages.1.as_str())
    }

    /// These stages in place of the old ones, keeping the old ones' notes
    /// of which branch failed (see [`RunError::in_branch`]).
    pub fn replace(&mut self, mut stages: Stages) {
        if let Some(old) = self.statuses() {
            for note in branch_notes(old) {
                stages.add_line(note);
            }
        }
        *self = stages;
    }

    /// A line more after the table (or in its place).
    fn add_line(&mut self, line: &str) {
        match &mut self.0 {
            Some(stages) => {
                stages.1.push('\n');
                stages.1.push_str(line);
            }
            None => *self = Stages::new(Vec::new(), line.to_owned()),
        }
    }

    /// The table, on a line of its own after a help's text.
    fn table(&self) -> String {
        self.statuses()
            .map_or_else(String::new, |table| format!("\n{table}"))
    }
}

/// A name with a `/` is a path, not looked for on PATH.
fn not_found_label(name: &str) -> &'static str {
    if name.contains('/') {
        "no such file"
    } else {
        "not found on PATH"
    }
}

/// What is wrong with PATH, when a command is not found.
#[derive(Debug)]
pub enum PathNote {
    /// PATH holds no absolute directory that exists: this is PATH.
    Barren(Box<str>),
    /// An entry starts with a `~`, which no lookup expands: this entry.
    Tilde(Box<str>),
    /// A file of that name is in the working directory (`build.sh`,
    /// `deploy.pipe`), where no lookup looks.
    Here,
    /// Not PATH's doing: the command is `NAME = VALUE`, an assignment
    /// written with bash's habit of spaces (`x = 5`).
    Assignment,
}

/// Whether a command whose program is `name` and whose next word is
/// `second` reads as an assignment with spaces around its `=` (`x = 5`).
pub fn spaced_assignment(name: &[u8], second: Option<&[u8]>) -> bool {
    second == Some(b"=")
        && name
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// The statement keyword a command's name not found is a typo of: in
/// another case, or one edit away (two in a name of five letters or
/// more; in one of three, no letter changed: `lte`, `ext`, but not `get`).
fn keyword_typo(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let length = lower.chars().count();
    let limit = match length {
        0..=2 => 0,
        3 | 4 => 1,
        _ => 2,
    };
    let same_letters = |keyword: &str| {
        let mut a: Vec<char> = lower.chars().collect();
        let mut b: Vec<char> = keyword.chars().collect();
        a.sort_unstable();
        b.sort_unstable();
        a == b
    };
    let keyword = ["let", "export", "secret", "exit", "cd"]
        .into_iter()
        .filter(|keyword| *keyword != name)
        .map(|keyword| (strsim::damerau_levenshtein(&lower, keyword), keyword))
        .filter(|&(distance, keyword)| {
            distance <= limit
                && (length != 3 || distance == 0 || keyword.len() != 3 || same_letters(keyword))
        })
        .min_by_key(|&(distance, _)| distance)?
        .1;
    let form = match keyword {
        "let" | "export" | "secret" => format!("`{keyword} NAME = value`"),
        "exit" => "`exit N`".to_owned(),
        _ => "`cd DIR`".to_owned(),
    };
    Some(if lower == keyword {
        format!("did you mean the keyword `{keyword}`? Keywords are lower case: {form}")
    } else {
        format!("did you mean the keyword `{keyword}`, as in {form}?")
    })
}

fn not_found_help(name: &str, suggestion: &Option<String>, path: &Option<Box<PathNote>>) -> String {
    if let Some(help) = crate::syntax::bash_builtin_help(name) {
        return help.to_owned();
    }
    if name.is_empty() {
        return "the command's name is empty: a variable or `$(...)` in it may have \
                expanded to nothing"
            .to_owned();
    }
    // A `\r` alone is part of a word, as in bash: a script whose lines end
    // in `\r` only is one long line.
    if name.contains('\r') {
        return "the name holds a carriage return (`\\r`), which ends no line: if the \
                script's lines end in `\\r` alone, end them in `\\n` (or `\\r\\n`)"
            .to_owned();
    }
    // `echo hi` with a no-break space, pasted from a web page or typed
    // with Option-Space on a Mac: it looks like a space, and is a letter of
    // the name to bash as to pipe.
    if let Some(odd) = name.chars().find(|&c| {
        (c.is_whitespace() && !c.is_control() && c != ' ')
            || matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}')
    }) {
        let code = u32::from(odd);
        return if odd.is_whitespace() {
            let what = if odd == '\u{a0}' {
                "a no-break space"
            } else {
                "a Unicode space"
            };
            format!(
                "the name holds U+{code:04X}, {what}, which looks like a space but is none, to \
                 pipe as to bash: a paste from a web page or a word processor, or Option-Space \
                 on a Mac, puts one there; type a plain space instead"
            )
        } else {
            format!(
                "the name holds U+{code:04X}, an invisible character, which shows as nothing \
                 but is part of the name, to pipe as to bash: a paste from a web page or a word \
                 processor can put one there; delete it"
            )
        };
    }
    // `let cmd = "ls -l"`, then `$cmd /`: bash would split the value into
    // the program and its arguments; pipe looks for one program named so.
    // Not a path whose directory has a space in its name (`/my dir/x`).
    if let Some(first) = name.split([' ', '\t']).next()
        && !first.is_empty()
        && first.len() < name.len()
        && (!first.contains('/') || std::path::Path::new(first).is_file())
    {
        return format!(
            "the name holds a space: pipe never splits a value into words, as bash would, \
             so it looked for one program named `{name}`; write the words out, or keep the \
             program's name in a variable of its own and its arguments apart (`let tool = \
             {first}`, then `$tool ARGS`)"
        );
    }
    // bash's `x+=more`, which is no command there but an assignment.
    if let Some((target, _)) = name.split_once("+=")
        && target.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && target
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return format!(
            "pipe has no `+=`; name the old value in the new one: `let {target} = \"${{{target}}}more\"`"
        );
    }
    // `PATH=~/bin:$PATH` in a quoted export or a crontab: execvp looks in a
    // directory named `~`, so the program there is not found.
    if let Some(PathNote::Tilde(entry)) = path.as_deref()
        && !name.contains('/')
    {
        return format!(
            "PATH holds `{entry}`, whose `~` no lookup expands (execvp does not): write \
             `$HOME{}` there, or give the `~` unquoted, as in `export PATH = ~/bin:$PATH`, \
             which pipe expands",
            &entry[1..]
        );
    }
    // `build.sh` for `./build.sh`, `deploy.pipe` for `pipe deploy.pipe`.
    if let Some(PathNote::Here) = path.as_deref() {
        let run = if name.ends_with(".pipe") {
            format!("`pipe {name}` or `./{name}`")
        } else {
            format!("`./{name}`")
        };
        return format!(
            "`{name}` is a file in the working directory, but a name without a slash is looked \
             for on PATH only, as in bash: run it as {run}"
        );
    }
    if let Some(PathNote::Assignment) = path.as_deref() {
        return format!(
            "this runs a program named `{name}`, as in bash; to set a variable, write \
             `let {name} = value`, or `export {name} = value` for the commands after it"
        );
    }
    // `fanout { sha256sum, wc -c }`, `parallel { a, b }`: a `,` between
    // commands, as in a list elsewhere.
    if let Some(bare) = name.strip_suffix(',')
        && !bare.is_empty()
        && !bare.contains(',')
    {
        let meant = match suggestion {
            Some(close) if close == bare => format!("`{bare}` is a program; "),
            _ => String::new(),
        };
        return format!(
            "{meant}a `,` is part of the word, and separates nothing: write `;` or a line \
             break between commands, as in `fanout {{ sha256sum ; wc -c }}`"
        );
    }
    // `expor X = 1`, `Let x = 1`, `exti 1`: a statement's keyword
    // misspelled or capitalised, run as a command; a program of a close
    // name (`expr`, `ex`) is not what was meant.
    if let Some(help) = keyword_typo(name) {
        return help;
    }
    match suggestion {
        Some(close) => format!("did you mean `{close}`?"),
        None if name.contains('/') => {
            "check the path; a relative one starts from the working directory".to_owned()
        }
        // A cron job's or a container's PATH, say: nothing could be found.
        None if matches!(path.as_deref(), Some(PathNote::Barren(path)) if path.is_empty()) => {
            "PATH is empty, so no command can be found: set it to the directories of your \
             programs, as `/usr/local/bin:/usr/bin:/bin`"
                .to_owned()
        }
        None if let Some(PathNote::Barren(path)) = path.as_deref() => format!(
            "PATH (`{path}`) holds no absolute directory that exists (relative ones are \
             skipped), so no command can be found: set it to the directories of your \
             programs, as `/usr/local/bin:/usr/bin:/bin`"
        ),
        None => {
            "check the spelling, or install it and make sure its directory is on PATH".to_owned()
        }
    }
}

/// What to look at when a redirect's file cannot be opened.
fn redirect_help(path: &str, err: &std::io::Error) -> &'static str {
    if path == "<<<" {
        // No name of the script's: the text's own temporary file failed.
        return "the text is written to a temporary file first (in $TMPDIR, else /tmp, else in memory): \
                check the space there and the file size limit (`ulimit -f`)";
    }
    if path.is_empty() {
        "the file name is empty: a variable or `$(...)` in it may have expanded to nothing"
    } else {
        open_help(err)
    }
}

/// What to look at when `cd` cannot go into a directory.
/// The help of a NUL byte in an argument or environment value: where the
/// value came from a command's output, the usual cause, a list of names
/// that a command printed NUL-separated.
fn nul_help(expanded: bool) -> &'static str {
    if expanded {
        "arguments and environment values may hold any byte but NUL; a list of names \
         printed NUL-separated (`find -print0`) goes through a pipe instead: `find . \
         -print0 | xargs -0 CMD`, or drop `-print0`, since a `for` list splits a `$(...)` \
         into lines"
    } else {
        "arguments and environment values may hold any byte but NUL"
    }
}

fn cd_help(err: &std::io::Error) -> &'static str {
    match err.raw_os_error() {
        Some(libc::EACCES | libc::EPERM) => {
            "going into a directory takes search (`x`) permission on it and on every \
             directory above it: check them with `ls -ld`"
        }
        _ => open_help(err),
    }
}

/// What to look at when a file or directory cannot be opened.
fn open_help(err: &std::io::Error) -> &'static str {
    match err.raw_os_error() {
        Some(libc::ENOENT) => {
            "check the name: a relative path starts from the working directory, and \
             every directory on the way must exist"
        }
        Some(libc::ENOTDIR) => "a name in the path that should be a directory is not one",
        Some(libc::EISDIR) => "name a file, not a directory",
        Some(libc::EACCES | libc::EPERM) => "check the permissions of the file and its directory",
        _ => "check the path and the file system it is on",
    }
}

/// An OS error as a person reads it: "no such file or directory", without
/// the "(os error 2)" that the standard library appends, and in lower case
/// as every other message ("cannot run `x`: permission denied"); a word in
/// capitals (an acronym) is kept as it is.
pub fn reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error ") {
        Some(end) => &text[..end],
        None => &text[..],
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_ascii_uppercase() && !second.is_uppercase() => {
            format!("{}{}", first.to_ascii_lowercase(), &text[1..])
        }
        _ => text.to_owned(),
    }
}
