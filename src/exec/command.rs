//! One command: finding the program, opening its redirects, starting it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::{File, OpenOptions};
use std::io::{Seek, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::syntax::ast::{RedirectOp, Span};

use super::error::{RunError, Stages};
use super::io::{Fd, Io};
use super::supervise::CancelScope;

/// A command with every word expanded, ready to start.
#[derive(Debug)]
pub struct Plan {
    pub argv: Vec<OsString>,
    /// Exported variables and prefix assignments, in that order.
    pub env: Vec<(OsString, OsString)>,
    /// How many of `env`'s last entries are prefix assignments, which
    /// `-x` shows before the command as bash does.
    pub assigned: usize,
    pub redirects: Vec<PlannedRedirect>,
    /// The working directory, when a `cd` changed it.
    pub cwd: Option<PathBuf>,
    /// The search path, from the script's `PATH` or the environment's;
    /// None for a program named by a path, which is not looked for.
    /// Shared, not copied: a thousand branches hold one.
    pub path_var: Option<Rc<OsStr>>,
    pub program_span: Span,
    /// The whole command.
    pub span: Span,
}

#[derive(Debug)]
pub struct PlannedRedirect {
    pub op: RedirectOp,
    /// The file name, or for `<<<` the text.
    pub target: Option<OsString>,
    pub span: Span,
}

impl PlannedRedirect {
    /// The path of a file redirect, relative names taken from `cwd`.
    pub fn path(&self, cwd: &Path) -> Option<PathBuf> {
        match self.op {
            RedirectOp::HereString | RedirectOp::ErrToOut | RedirectOp::OutToErr => None,
            _ => self
                .target
                .as_ref()
                .map(|target| redirect_path(cwd, target)),
        }
    }
}

/// Where a redirect's file name points, a relative one taken from `cwd`.
/// An empty name stays empty, which no file has (open says "no such file
/// or directory", as bash does): joined, it would be `cwd` itself, and
/// `cat < ""` would read the directory.
pub fn redirect_path(cwd: &Path, target: &OsStr) -> PathBuf {
    if target.is_empty() {
        PathBuf::new()
    } else {
        cwd.join(target)
    }
}

/// Starts the command with `io` as its streams, after applying its
/// redirects left to right, in process group `pgid` (a new one when None).
/// With `elsewhere`, a starter thread waits for its exec (see
/// `spawn::spawn_elsewhere`), and other work goes on meanwhile.
#[allow(clippy::too_many_arguments)]
pub async fn spawn(
    programs: &Programs,
    plan: &Plan,
    io: &Io,
    pgid: Option<i32>,
    own_cwd: &Path,
    take_terminal: bool,
    elsewhere: bool,
    cancel: &CancelScope,
) -> Result<i32, Refused> {
    // What this future holds while a start waits on a starter thread is
    // kept small (the program's path and the wait itself): a parallel
    // block's branches each hold one. The name is made again for an error.
    let name = || crate::diagnostics::shown_bytes(plan.argv[0].as_bytes());
    let cwd = plan.cwd.as_deref().unwrap_or(own_cwd);
    // Redirects first, then the program, as bash does them: `catt > out`
    // creates `out`, and `catt > no/dir/f` is the redirect's error
    // (status 1), not "command not found".
    // Boxed: only a command with redirects needs room for them, and the
    // futures of a parallel block's thousand branches would otherwise
    // each have it.
    let io = if plan.redirects.is_empty() {
        io.clone()
    } else {
        Box::pin(redirect_in_order(&plan.redirects, io.clone(), cwd, cancel)).await?
    };
    let stderr = io.stderr.clone();
    let refused = |error| Refused {
        error,
        stderr: stderr.clone(),
    };
    let program = programs
        .resolve(
            &plan.argv[0],
            plan.path_var.as_deref(),
            cwd,
            plan.program_span,
        )
        .map_err(|error| refused(assignment_not_found(error, &plan.argv)))?;
    #[cfg(not(target_os = "linux"))]
    check_format(&program, &name(), plan.program_span).map_err(refused)?;
    let stdio = {
        // Dropped here: the child gets its copies, and the future waiting
        // for its start holds none.
        let io = io;
        let spawn_error = |source: std::io::Error| {
            refused(RunError::spawn(name(), source, plan.program_span.into()))
        };
        [
            io.stdin.for_target(0).map_err(spawn_error)?,
            io.stdout.for_target(1).map_err(spawn_error)?,
            io.stderr.for_target(2).map_err(spawn_error)?,
        ]
    };
    let request = super::spawn::Request {
        program: &program,
        argv: &plan.argv,
        env: &plan.env,
        cwd: plan.cwd.as_deref(),
        stdio,
        pgid,
        take_terminal,
    };
    let started = if elsewhere {
        super::spawn::spawn_elsewhere(request).await
    } else {
        super::spawn::spawn(request)
    };
    started.map_err(|err| {
        if err.raw_os_error() == Some(libc::E2BIG)
            && cfg!(target_os = "linux")
            && let Some((what, kib, help)) = too_long(&plan.argv, &plan.env)
        {
            return refused(RunError::TooLong {
                name: name(),
                what,
                kib,
                help,
                span: plan.program_span.into(),
            });
        }
        // The child changes directory before it runs the program: a
        // directory gone since `cd` checked it fails the start first.
        let gone = plan.cwd.as_deref().and_then(unusable_dir);
        refused(match gone {
            Some(source) => RunError::WorkingDirectory {
                name: name(),
                dir: cwd.to_string_lossy().into_owned(),
                source,
                span: plan.program_span.into(),
                stages: Stages::default(),
            },
            None => spawn_failure(err, &name(), &program, plan.program_span),
        })
    })
}

/// The longest string the system takes in a child's arguments or
/// environment, its NUL included (Linux's MAX_ARG_STRLEN: 32 pages).
const MAX_ONE_STRING: usize = 128 << 10;

/// Which argument or environment variable of a start that failed with
/// E2BIG is past [`MAX_ONE_STRING`] on its own, its size in KiB, and what
/// to do instead; None when only their total is too large.
fn too_long(
    argv: &[OsString],
    env: &[(OsString, OsString)],
) -> Option<(String, usize, &'static str)> {
    let kib = |len: usize| len.div_ceil(1024);
    if let Some((i, arg)) = argv
        .iter()
        .enumerate()
        .find(|(_, arg)| arg.len() + 1 > MAX_ONE_STRING)
    {
        let help = "pass large data on standard input (`cmd <<< $data`) or in a file";
        return Some((format!("argument {i}"), kib(arg.len()), help));
    }
    // The environment as the child gets it: the script's, then pipe's own
    // for the names it does not set.
    let inherited = std::env::vars_os().filter(|(key, _)| env.iter().all(|(set, _)| set != key));
    let (key, value) = env
        .iter()
        .cloned()
        .chain(inherited)
        .find(|(key, value)| key.len() + value.len() + 2 > MAX_ONE_STRING)?;
    let help = "pass large data on standard input (`cmd <<< $data`) or in a file, \
                not in the environment";
    Some((
        format!("the environment variable `{}`", key.to_string_lossy()),
        kib(key.len() + value.len() + 1),
        help,
    ))
}

/// Why a child could not change directory to `dir`, if it could not: it
/// is missing, no directory, or may not be entered.
fn unusable_dir(dir: &Path) -> Option<std::io::Error> {
    match dir.metadata() {
        Err(err) => Some(err),
        Ok(meta) if !meta.is_dir() => Some(std::io::Error::from_raw_os_error(libc::ENOTDIR)),
        Ok(_) => nix::unistd::access(dir, nix::unistd::AccessFlags::X_OK)
            .err()
            .map(|errno| std::io::Error::from_raw_os_error(errno as i32)),
    }
}

/// Why the program at `path`, named by a path, could not start, as far as
/// can be told without starting it (for `pipe check`): missing, a
/// directory, or not executable, with the error the run would give.
pub fn probe(path: &Path, name: &str, span: Span) -> Option<RunError> {
    let errno = match path.metadata() {
        Err(err) => err.raw_os_error().unwrap_or(libc::ENOENT),
        Ok(meta) if runnable(&meta) && executable(path) => return None,
        Ok(_) => libc::EACCES,
    };
    let err = std::io::Error::from_raw_os_error(errno);
    Some(spawn_failure(err, name, path, span))
}

/// What an exec failure means for the user.
fn spawn_failure(err: std::io::Error, name: &str, program: &Path, span: Span) -> RunError {
    let not_executable = |reason: &str, help: &'static str| RunError::NotExecutable {
        name: name.to_owned(),
        reason: reason.to_owned(),
        help,
        span: span.into(),
        stages: Stages::default(),
    };
    match err.raw_os_error() {
        Some(libc::ENOENT) if program.exists() => {
            // A binary's interpreter is its dynamic loader: one built for
            // another system (musl's in a glibc container, say).
            let (interpreter, binary) = match shebang(program) {
                Some(interpreter) => (interpreter, false),
                None => (
                    elf_interpreter(program).unwrap_or_else(|| "its interpreter".to_owned()),
                    true,
                ),
            };
            RunError::InterpreterNotFound {
                name: name.to_owned(),
                interpreter,
                binary,
                span: span.into(),
                stages: Stages::default(),
            }
        }
        Some(libc::ENOENT) => RunError::NotFound {
            name: name.to_owned(),
            suggestion: None,
            path: None,
            span: span.into(),
            stages: Stages::default(),
        },
        // The script can run, but what its `#!` line names cannot: name
        // that, as bash does ("bad interpreter").
        Some(libc::EACCES | libc::ENOEXEC)
            if program.metadata().is_ok_and(|meta| runnable(&meta)) && executable(program) =>
        {
            let Some(interpreter) = shebang(program) else {
                return not_executable(
                    "not a binary and no `#!` line",
                    "start the script with a `#!` line, for example `#!/bin/sh`",
                );
            };
            let path = Path::new(&interpreter);
            let reason = if path.is_dir() {
                "is a directory"
            } else if err.raw_os_error() == Some(libc::ENOEXEC) {
                "is not a binary"
            } else {
                "is not executable"
            };
            not_executable(
                &format!("its interpreter `{interpreter}` {reason}"),
                "fix the script's `#!` line: it must name a program, as in `#!/bin/sh`",
            )
        }
        Some(libc::EACCES) if program.is_dir() => {
            not_executable("is a directory", "name a program, not a directory")
        }
        // Not the file's permission but a directory's on the way, which
        // may not be searched: the file cannot even be looked at.
        Some(libc::EACCES)
            if program
                .metadata()
                .is_err_and(|err| err.kind() == std::io::ErrorKind::PermissionDenied) =>
        {
            not_executable(
                "permission denied",
                "a directory on the way to it may not be searched, which takes `x` \
                 permission on it: check them with `ls -ld`",
            )
        }
        Some(libc::EACCES) => {
            not_executable("permission denied", "make it executable: `chmod +x FILE`")
        }
        Some(libc::ENOEXEC) => not_executable(
            "not a binary and no `#!` line",
            "start the script with a `#!` line, for example `#!/bin/sh`",
        ),
        _ => RunError::spawn(name.to_owned(), err, span.into()),
    }
}

/// Refuses a file that is neither a binary nor a `#!` script. execvp would
/// run such a file with /bin/sh (and so would std, which uses it), a
/// different language from the one the file may be written in.
#[cfg(not(target_os = "linux"))]
fn check_format(program: &Path, name: &str, span: Span) -> Result<(), RunError> {
    if !executable(program) || program.is_dir() {
        // exec will say why (permission denied, is a directory).
        return Ok(());
    }
    let mut head = [0u8; 4];
    let Ok(mut file) = File::open(program) else {
        // Unreadable but perhaps executable: let exec decide.
        return Ok(());
    };
    let n = std::io::Read::read(&mut file, &mut head).unwrap_or(0);
    if head[..n].starts_with(b"#!") || head[..n].starts_with(b"\x7fELF") {
        return Ok(());
    }
    Err(spawn_failure(
        std::io::Error::from_raw_os_error(libc::ENOEXEC),
        name,
        program,
        span,
    ))
}

/// The dynamic loader an ELF binary names (its `PT_INTERP`), if it is one.
fn elf_interpreter(program: &Path) -> Option<String> {
    use std::os::unix::fs::FileExt;
    let file = File::open(program).ok()?;
    let mut head = [0u8; 64];
    file.read_exact_at(&mut head, 0).ok()?;
    if !head.starts_with(b"\x7fELF") {
        return None;
    }
    let wide = match head[4] {
        1 => false,
        2 => true,
        _ => return None,
    };
    let big = head[5] == 2;
    let int = |bytes: &[u8]| -> u64 {
        let mut value = 0u64;
        let mut push = |b: &u8| value = value << 8 | u64::from(*b);
        if big {
            bytes.iter().for_each(&mut push);
        } else {
            bytes.iter().rev().for_each(&mut push);
        }
        value
    };
    let (phoff, phentsize, phnum) = if wide {
        (
            int(&head[0x20..0x28]),
            int(&head[0x36..0x38]),
            int(&head[0x38..0x3a]),
        )
    } else {
        (
            int(&head[0x1c..0x20]),
            int(&head[0x2a..0x2c]),
            int(&head[0x2c..0x2e]),
        )
    };
    const PT_INTERP: u64 = 3;
    for i in 0..phnum.min(256) {
        let mut entry = [0u8; 56];
        let size = if wide { 56 } else { 32 };
        if phentsize < size {
            return None;
        }
        let at = phoff.checked_add(i.checked_mul(phentsize)?)?;
        file.read_exact_at(&mut entry[..size as usize], at).ok()?;
        if int(&entry[0..4]) != PT_INTERP {
            continue;
        }
        let (offset, length) = if wide {
            (int(&entry[8..16]), int(&entry[32..40]))
        } else {
            (int(&entry[4..8]), int(&entry[16..20]))
        };
        let mut path = vec![0u8; usize::try_from(length.min(4096)).ok()?];
        file.read_exact_at(&mut path, offset).ok()?;
        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
        return Some(String::from_utf8_lossy(&path[..end]).into_owned());
    }
    None
}

/// The interpreter named by a script's `#!` line.
fn shebang(program: &Path) -> Option<String> {
    let mut head = [0u8; 256];
    let n = std::io::Read::read(&mut File::open(program).ok()?, &mut head).ok()?;
    let line = head[..n]
        .strip_prefix(b"#!")?
        .split(|&b| b == b'\n')
        .next()?;
    let text = String::from_utf8_lossy(line);
    text.split_whitespace().next().map(str::to_owned)
}

/// A program not found whose command reads as an assignment with
/// spaces (`x = 5`): its help says how to set a variable.
fn assignment_not_found(error: RunError, argv: &[OsString]) -> RunError {
    match error {
        RunError::NotFound {
            name,
            suggestion,
            span,
            stages,
            ..
        } if super::error::spaced_assignment(
            argv[0].as_bytes(),
            argv.get(1).map(|word| word.as_bytes()),
        ) =>
        {
            RunError::NotFound {
                name,
                suggestion,
                path: Some(Box::new(super::error::PathNote::Assignment)),
                span,
                stages,
            }
        }
        error => error,
    }
}

/// Finds a program as execvp does, with one difference for safety: empty
/// and relative PATH entries are skipped, so a file in the current
/// directory never runs by accident. A name with a `/` is used as is.
pub fn resolve(
    name: &OsStr,
    path_var: Option<&OsStr>,
    cwd: &Path,
    span: Span,
) -> Result<PathBuf, RunError> {
    if name.as_bytes().contains(&b'/') {
        // No lookup, so no `stat` either: if the file is missing, execve
        // says so, and `spawn_failure` turns that into the same error.
        return Ok(cwd.join(name));
    }
    // `.` and `..` are in every directory of PATH, and are no programs.
    let search = if name == "." || name == ".." {
        Search::Missing
    } else {
        search(name, path_var)
    };
    match search {
        Search::Found(path) | Search::Denied(path) => Ok(path),
        Search::Missing => {
            let display = crate::diagnostics::shown_bytes(name.as_bytes());
            // A PATH that explains the miss comes first; else a file of
            // that name where the command runs, which bash would not run
            // either.
            let here = || {
                cwd.join(name)
                    .is_file()
                    .then(|| Box::new(super::error::PathNote::Here))
            };
            Err(RunError::NotFound {
                suggestion: suggest(&display, path_var),
                path: path_note(path_var).or_else(here),
                name: display,
                span: span.into(),
                stages: Stages::default(),
            })
        }
    }
}

enum Search {
    /// The first executable file of that name on PATH.
    Found(PathBuf),
    /// None is executable; this is the first file of that name.
    Denied(PathBuf),
    Missing,
}

fn search(name: &OsStr, path_var: Option<&OsStr>) -> Search {
    let mut denied = None;
    if !name.is_empty() {
        for dir in search_path(path_var) {
            let candidate = dir.join(name);
            match candidate.metadata() {
                Ok(meta) if runnable(&meta) && executable(&candidate) => {
                    return Search::Found(candidate);
                }
                Ok(_) => {
                    denied.get_or_insert(candidate);
                }
                Err(_) => {}
            }
        }
    }
    denied.map_or(Search::Missing, Search::Denied)
}

fn runnable(meta: &std::fs::Metadata) -> bool {
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

/// The programs found on PATH so far, remembered as shells do (bash's
/// `hash`), so that a script running the same commands again does not
/// search every PATH directory each time: with a long PATH that search is
/// most of what starting a command costs pipe itself.
///
/// A remembered program is checked with one `stat` before it is used: one
/// that was removed or is no longer an executable file is searched for
/// again. The memory is for one PATH value and is forgotten when PATH
/// changes. What it does not see, as with bash and dash, is a program of the
/// same name installed mid-run in an earlier PATH directory.
#[derive(Default)]
pub struct Programs {
    /// The PATH the programs were found on.
    path_var: RefCell<Option<OsString>>,
    found: RefCell<HashMap<OsString, PathBuf>>,
    /// `pipe`'s own PATH, read once: `pipe` never changes its environment.
    environment: std::cell::OnceCell<Option<Rc<OsStr>>>,
}

impl Programs {
    /// The environment's PATH, shared.
    pub fn environment_path(&self) -> Option<Rc<OsStr>> {
        self.environment
            .get_or_init(|| std::env::var_os("PATH").map(|path| Rc::from(path.as_os_str())))
            .clone()
    }

    /// [`resolve`], remembering what it finds.
    pub fn resolve(
        &self,
        name: &OsStr,
        path_var: Option<&OsStr>,
        cwd: &Path,
        span: Span,
    ) -> Result<PathBuf, RunError> {
        if name.as_bytes().contains(&b'/') {
            return resolve(name, path_var, cwd, span);
        }
        if self.path_var.borrow().as_deref() != path_var {
            self.found.borrow_mut().clear();
            *self.path_var.borrow_mut() = path_var.map(OsStr::to_owned);
        }
        if let Some(path) = self.found.borrow().get(name)
            && path.metadata().is_ok_and(|meta| runnable(&meta))
        {
            return Ok(path.clone());
        }
        if let Search::Found(path) = search(name, path_var) {
            self.found
                .borrow_mut()
                .insert(name.to_owned(), path.clone());
            return Ok(path);
        }
        self.found.borrow_mut().remove(name);
        // Not executable or not there: the full answer, with its diagnostic.
        resolve(name, path_var, cwd, span)
    }
}

fn search_path(path_var: Option<&OsStr>) -> impl Iterator<Item = &Path> {
    path_var
        .map(|path| path.as_bytes())
        .unwrap_or(b"/usr/local/bin:/usr/bin:/bin")
        .split(|&b| b == b':')
        .map(|dir| Path::new(OsStr::from_bytes(dir)))
        .filter(|dir| dir.is_absolute())
}

/// PATH as text, when none of its directories that are searched (the
/// absolute ones) exists: nothing can be found on it.
fn barren_path(path_var: Option<&OsStr>) -> Option<Box<str>> {
    if search_path(path_var).any(Path::is_dir) {
        return None;
    }
    Some(path_var.unwrap_or_default().to_string_lossy().into())
}

/// What is wrong with PATH, if it explains a command not found: an entry
/// that starts with a `~`, which execvp takes as a directory named `~`;
/// else no absolute directory that exists ([`barren_path`]).
pub fn path_note(path_var: Option<&OsStr>) -> Option<Box<super::error::PathNote>> {
    let tilde = path_var.and_then(|path| {
        path.as_bytes()
            .split(|&b| b == b':')
            .find(|entry| entry.starts_with(b"~"))
    });
    let note = match tilde {
        Some(entry) => super::error::PathNote::Tilde(String::from_utf8_lossy(entry).into()),
        None => super::error::PathNote::Barren(barren_path(path_var)?),
    };
    Some(Box::new(note))
}

/// Whether this process may execute the file.
fn executable(path: &Path) -> bool {
    nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_ok()
}

/// The closest program name on PATH, for a "did you mean".
fn suggest(name: &str, path_var: Option<&OsStr>) -> Option<String> {
    // Every one-letter program is close to an empty name (`[`, `w`).
    if name.is_empty() {
        return None;
    }
    let limit = crate::suggest::typo_limit(name);
    let length = name.chars().count();
    let mut best: Option<(usize, String)> = None;
    for dir in search_path(path_var) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let candidate = entry.file_name();
            let Some(candidate) = candidate.to_str() else {
                continue;
            };
            let Some(distance) = crate::suggest::typo_distance(name, length, candidate, limit)
            else {
                continue;
            };
            // As many edits as the name has letters make it anything: on a
            // PATH of thousands, `x` is one edit from `[`, `ex`, `w`, none
            // of them a fix.
            if distance < length
                && best
                    .as_ref()
                    .is_none_or(|(d, c)| (distance, candidate) < (*d, c.as_str()))
            {
                best = Some((distance, candidate.to_owned()));
            }
        }
    }
    best.map(|(_, name)| name)
}

/// Applies redirects left to right, as bash does, to `io`: a command's
/// before it starts, a block's when it starts. A stream a redirect
/// replaces is dropped from `io` (a pipe end given to the stage closes
/// with the stage's last copy), and a file is opened once, here, and
/// closed with the last copy of the `io` returned.
pub async fn apply_redirects(
    redirects: &[PlannedRedirect],
    io: Io,
    cwd: &Path,
    cancel: &CancelScope,
) -> Result<Io, RunError> {
    redirect_in_order(redirects, io, cwd, cancel)
        .await
        .map_err(|refused| refused.error)
}

/// Whether a redirect failed because what it runs in was cancelled (a
/// timeout, fail-fast, a signal to `pipe`) while its FIFO waited for the
/// other end (see [`open_target`]): the command counts as killed then.
pub fn was_cancelled(error: &RunError) -> bool {
    matches!(error, RunError::Redirect { source, .. }
        if source.kind() == std::io::ErrorKind::Interrupted)
}

/// Opens a redirect's file. Opening a FIFO waits for its other end, a
/// reader for `>`, a writer for `<`, as it does in the child bash forks:
/// here that wait is on a thread of its own, so that `pipe` goes on
/// meanwhile (another branch may be the other end) and its scope's
/// cancellation (a timeout, fail-fast, Ctrl-C) ends it, looked for every
/// 10 ms while it waits. Cancelled, it fails with `Interrupted`, once the
/// thread's open is let go by opening the other end, and closed.
async fn open_target(
    path: PathBuf,
    options: OpenOptions,
    reading: bool,
    cancel: &CancelScope,
) -> std::io::Result<File> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let fifo = std::fs::metadata(&path).is_ok_and(|meta| meta.file_type().is_fifo());
    if !fifo {
        return options.open(&path);
    }
    let (send, mut opened) = tokio::sync::oneshot::channel();
    let waiting = path.clone();
    std::thread::Builder::new()
        .name("pipe-fifo".to_owned())
        .stack_size(64 * 1024)
        .spawn(move || {
            let _ = send.send(options.open(&waiting));
        })?;
    loop {
        if cancel.cancelled().is_some() {
            let mut other_end = OpenOptions::new();
            other_end
                .read(!reading)
                .write(reading)
                .custom_flags(libc::O_NONBLOCK);
            // The other end is held until the thread's open has returned
            // and what it opened is closed: closed at once, it could come
            // before the thread's open (which then waits for ever), and the
            // thread's end, open a moment longer, would meet the next open
            // of this FIFO (`timeout 100ms { cat < f }` then `echo x > f`,
            // which went through without a reader). A writer cannot open
            // before the thread's reader is there: tried again until then.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
            let mut held = None;
            loop {
                if held.is_none() {
                    held = other_end.open(&path).ok();
                }
                let returned =
                    tokio::time::timeout(std::time::Duration::from_millis(1), &mut opened).await;
                if returned.is_ok() || std::time::Instant::now() > deadline {
                    break;
                }
            }
            drop(held);
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        if let Ok(result) =
            tokio::time::timeout(std::time::Duration::from_millis(10), &mut opened).await
        {
            return result.unwrap_or_else(|_| Err(std::io::ErrorKind::Interrupted.into()));
        }
    }
}

/// A command that could not start, and its stderr as its redirects had
/// made it by then: where bash, which fails in the child it forked,
/// writes the message.
pub struct Refused {
    pub error: RunError,
    pub stderr: Fd,
}

/// [`apply_redirects`], telling which stderr was in effect when one failed.
async fn redirect_in_order(
    redirects: &[PlannedRedirect],
    mut io: Io,
    cwd: &Path,
    cancel: &CancelScope,
) -> Result<Io, Refused> {
    for redirect in redirects {
        let refused = |error: RunError, stderr: &Fd| Refused {
            error,
            stderr: stderr.clone(),
        };
        // Taken before the stream it replaces: `/dev/stdout` is the
        // stdout the redirects before this one made.
        let path = file_path(redirect, &io, cwd);
        if let Some(error) = stream_same_file(redirect, &path, redirects, cwd) {
            return Err(refused(error, &io.stderr));
        }
        let open = async |options: &mut OpenOptions| -> Result<Fd, RunError> {
            let reading = redirect.op == RedirectOp::In;
            let opened = match &path {
                Ok(path) => open_target(path.clone(), options.clone(), reading, cancel).await,
                Err(errno) => Err(std::io::Error::from_raw_os_error(*errno)),
            };
            opened.map(Fd::owned).map_err(|source| RunError::Redirect {
                path: crate::diagnostics::shown_bytes(
                    redirect.target.as_deref().unwrap_or_default().as_bytes(),
                ),
                source,
                span: redirect.span.into(),
                stages: Stages::default(),
            })
        };
        let write = || {
            let mut options = OpenOptions::new();
            options.write(true).create(true).truncate(true);
            options
        };
        let append = || {
            let mut options = OpenOptions::new();
            options.append(true).create(true);
            options
        };
        match redirect.op {
            RedirectOp::In => {
                io.stdin = open(OpenOptions::new().read(true))
                    .await
                    .map_err(|e| refused(e, &io.stderr))?;
            }
            RedirectOp::Out => {
                io.stdout = open(&mut write())
                    .await
                    .map_err(|e| refused(e, &io.stderr))?;
            }
            RedirectOp::Append => {
                io.stdout = open(&mut append())
                    .await
                    .map_err(|e| refused(e, &io.stderr))?;
            }
            RedirectOp::Err => {
                io.stderr = open(&mut write())
                    .await
                    .map_err(|e| refused(e, &io.stderr))?;
            }
            RedirectOp::ErrAppend => {
                io.stderr = open(&mut append())
                    .await
                    .map_err(|e| refused(e, &io.stderr))?;
            }
            RedirectOp::All => {
                io.stdout = open(&mut write())
                    .await
                    .map_err(|e| refused(e, &io.stderr))?;
                io.stderr = io.stdout.clone();
            }
            RedirectOp::AllAppend => {
                io.stdout = open(&mut append())
                    .await
                    .map_err(|e| refused(e, &io.stderr))?;
                io.stderr = io.stdout.clone();
            }
            RedirectOp::ErrToOut => io.stderr = io.stdout.clone(),
            RedirectOp::OutToErr => io.stdout = io.stderr.clone(),
            RedirectOp::HereString => {
                let text = redirect.target.as_deref().unwrap_or_default();
                let error = |source| RunError::Redirect {
                    path: "<<<".to_owned(),
                    source,
                    span: redirect.span.into(),
                    stages: Stages::default(),
                };
                io.stdin = here_string(text).map_err(|e| refused(error(e), &io.stderr))?;
            }
        }
    }
    Ok(io)
}

/// The same-file rule (see `same_file`) for a redirect that truncates a
/// standard stream's name, found as the command starts: the stream may
/// be a file that only the redirects of a block around the command put
/// there (`{ cat < f > /dev/stdout } >> f`), which the rule, looking at
/// names before anything runs, takes for `pipe`'s own stream. Opening
/// it would empty `f`, which a `<` of the same command reads.
fn stream_same_file(
    redirect: &PlannedRedirect,
    path: &Result<PathBuf, i32>,
    redirects: &[PlannedRedirect],
    cwd: &Path,
) -> Option<RunError> {
    use std::os::unix::fs::MetadataExt;
    let named = redirect.path(cwd)?;
    if !redirect.op.truncates() || !matches!(standard_stream(&named), Some(Some(_))) {
        return None;
    }
    let meta = path.as_ref().ok()?.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let input = redirects.iter().find(|input| {
        input.op == RedirectOp::In
            && input.path(cwd).is_some_and(|read| {
                standard_stream(&read).is_none()
                    && read
                        .metadata()
                        .is_ok_and(|read| (read.dev(), read.ino()) == (meta.dev(), meta.ino()))
            })
    })?;
    Some(RunError::SameFile {
        path: crate::diagnostics::shown_bytes(named.as_os_str().as_bytes()),
        input: input.span.into(),
        output: redirect.span.into(),
        by: "this pipeline",
    })
}

/// The file a redirect opens. bash opens it in the child, once the
/// redirects before it took effect, so a name for one of the child's
/// standard streams (`/dev/stdout`, `/dev/stderr`, `/dev/stdin`,
/// `/dev/fd/N`, `/proc/self/fd/N`) is that stream as the child has it
/// then (`echo x > /dev/stderr | ...` in a block whose stderr is a file
/// writes to the file, `echo x > /dev/stdout | tr ...` into the pipe),
/// not `pipe`'s own, which opening the name here would give; a child has
/// no other fd, so `/dev/fd/3` is no file (ENOENT), as in bash.
fn file_path(redirect: &PlannedRedirect, io: &Io, cwd: &Path) -> Result<PathBuf, i32> {
    let path = redirect.path(cwd).unwrap_or_default();
    let stream = match standard_stream(&path) {
        None => return Ok(path),
        Some(Some(0)) => &io.stdin,
        Some(Some(1)) => &io.stdout,
        Some(Some(_)) => &io.stderr,
        Some(None) => return Err(libc::ENOENT),
    };
    let fd = std::os::fd::AsRawFd::as_raw_fd(&stream.as_fd());
    Ok(PathBuf::from(format!("/dev/fd/{fd}")))
}

/// Which of a child's streams `path` names (see [`file_path`]): None for
/// a name that is no stream's, `Some(Some(n))` for fd `n` (0 to 2), and
/// `Some(None)` for a `/dev/fd/N` that a child does not have.
pub(super) fn standard_stream(path: &Path) -> Option<Option<u8>> {
    // `/dev//stdout` and `/dev/./stdout` are `/dev/stdout` to open(2), so
    // they are matched without their empty and `.` components; a name
    // that ends in `/` or `/.` asks for a directory, and stays as written.
    let raw = path.as_os_str().as_bytes();
    if raw.ends_with(b"/") || raw.ends_with(b"/.") {
        return None;
    }
    let normal: PathBuf = path.components().collect();
    let bytes = normal.as_os_str().as_bytes();
    let number = match bytes {
        b"/dev/stdin" => b"0".as_slice(),
        b"/dev/stdout" => b"1",
        b"/dev/stderr" => b"2",
        _ => match bytes
            .strip_prefix(b"/dev/fd/")
            .or_else(|| bytes.strip_prefix(b"/proc/self/fd/"))
        {
            Some(number) if !number.is_empty() && number.iter().all(u8::is_ascii_digit) => number,
            _ => return None,
        },
    };
    Some(match number {
        b"0" => Some(0),
        b"1" => Some(1),
        b"2" => Some(2),
        _ => None,
    })
}

/// `<<< text`: the text and a newline, from an unnamed temporary file, so
/// that any length works without a writer thread. Where neither `$TMPDIR`
/// nor `/tmp` takes a file (missing, read-only, not a directory), the file
/// is one in memory: the text is in memory already.
fn here_string(text: &OsStr) -> std::io::Result<Fd> {
    let mut file = super::io::temporary_file().or_else(|err| memory_file().ok_or(err))?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.rewind()?;
    Ok(Fd::owned(file))
}

/// An unnamed file in memory (`memfd_create`, Linux), which needs no
/// directory.
#[cfg(target_os = "linux")]
fn memory_file() -> Option<File> {
    use std::os::fd::FromRawFd;
    // SAFETY: the name is a NUL-terminated string; memfd_create returns a
    // new fd or -1.
    let fd = unsafe { libc::memfd_create(c"pipe-here-string".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return None;
    }
    // SAFETY: the fd was just created and is owned by nobody else.
    Some(unsafe { File::from_raw_fd(fd) })
}

#[cfg(not(target_os = "linux"))]
fn memory_file() -> Option<File> {
    None
}
