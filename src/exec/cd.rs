//! `cd`, and the working directory as bash keeps it: `$PWD` the logical
//! path (`..` taken away as written), the system's name where that fails.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::rc::Rc;

use crate::expand;
use crate::syntax::ast::{Span, VarName, VarRef, Word, WordPart};

use super::error::RunError;
use super::io::Io;
use super::status;
use super::{Assign, Flow, Interp, PipeOutcome, Scope};

impl Interp<'_> {
    pub(super) async fn cd(
        &self,
        scope: &mut Scope,
        io: &Io,
        dir: Option<&Word>,
        span: Span,
    ) -> Flow {
        let outcome = self.change_dir(scope, io, dir, span).await;
        self.finish(scope, outcome)
    }

    /// `cd`: changes the scope's working directory, or fails, leaving it
    /// as it was. `cd` alone (at `span`) goes to `$HOME`, as in bash.
    pub(super) async fn change_dir(
        &self,
        scope: &mut Scope,
        io: &Io,
        dir: Option<&Word>,
        span: Span,
    ) -> PipeOutcome {
        let home;
        let oldpwd;
        let dir = dir.filter(|dir| !expand::no_word(dir, &self.positional));
        // `cd -` is `cd "$OLDPWD"`, which then prints the new directory,
        // as bash's does; with no `$OLDPWD` it is that variable undefined.
        let back = dir.is_some_and(Word::is_dash);
        let dir_word = dir;
        let dir = match dir {
            Some(dir) if back => {
                oldpwd = Word {
                    parts: vec![WordPart::Var(VarRef {
                        name: VarName::Named("OLDPWD".to_owned()),
                        default: None,
                        span: dir.span,
                    })],
                    span: dir.span,
                };
                &oldpwd
            }
            Some(dir) => dir,
            None => {
                let keyword = Span::new(span.start, span.start + "cd".len());
                home = Word {
                    parts: vec![WordPart::Var(VarRef {
                        name: VarName::Named("HOME".to_owned()),
                        default: None,
                        span: keyword,
                    })],
                    span: keyword,
                };
                &home
            }
        };
        let result = async {
            let cwd = Rc::clone(&scope.cwd);
            let target = self
                .expand_word(scope, io, dir, |word, view| {
                    expand::directory(word, view, &cwd)
                })
                .await?;
            // As bash traces it: the words as written, expanded.
            match (back, dir_word) {
                (true, _) => self.trace_stmt("cd", Some(b"-")),
                (false, Some(_)) => self.trace_stmt("cd", Some(target.as_bytes())),
                (false, None) => self.trace_stmt("cd", None),
            }
            let path = scope.cwd.join(&target);
            let cd_error = |source| {
                PipeOutcome::failed(RunError::Cd {
                    path: self.redact(target.as_bytes()),
                    source,
                    span: dir.span.into(),
                })
            };
            // A directory to go into needs search permission, as bash's
            // chdir(2) finds: one without it (`drwx------` of another user)
            // is refused here, not at the next command, which could not
            // start there.
            let mut found = path.metadata();
            // As bash's `cd` does when the path it made fails: the name
            // as given, from the directory pipe is in, when the scope's
            // is that one: so `cd ..` from a directory removed meanwhile
            // goes to its parent, whose name cannot be made from the
            // removed one's, and `$PWD` is what the system names it.
            let mut path = path;
            if found.is_err()
                && *scope.cwd == self.own_cwd
                && let Some(physical) = physical_name(std::path::Path::new(&target))
            {
                found = physical.metadata();
                path = physical;
            }
            match found {
                Ok(meta) if meta.is_dir() => {
                    match nix::unistd::access(&path, nix::unistd::AccessFlags::X_OK) {
                        Ok(()) => Ok(logical(&path)),
                        Err(errno) => Err(cd_error(std::io::Error::from(errno))),
                    }
                }
                Ok(_) => Err(cd_error(std::io::Error::from_raw_os_error(libc::ENOTDIR))),
                Err(err) => Err(cd_error(err)),
            }
        };
        match result.await {
            Ok(path) => {
                // As bash's `cd` does: `$PWD` follows, in the script and
                // in the environment of its children, and `$OLDPWD` is
                // where it was.
                let old = scope.cwd.as_os_str().to_owned();
                scope.set("OLDPWD", old, Assign::Export);
                scope.set("PWD", path.clone().into_os_string(), Assign::Export);
                if back {
                    let mut line =
                        std::os::unix::ffi::OsStringExt::into_vec(path.clone().into_os_string());
                    line.push(b'\n');
                    let written = io.stdout.duplicate().and_then(|fd| {
                        std::io::Write::write_all(&mut std::fs::File::from(fd), &line)
                    });
                    // A reader that went away ends it as SIGPIPE would
                    // end a command writing there.
                    if let Err(source) = &written
                        && source.kind() == std::io::ErrorKind::BrokenPipe
                    {
                        return PipeOutcome::new(128 + status::SIGPIPE, None);
                    }
                    if let Err(source) = written {
                        return PipeOutcome::failed(RunError::CdPrint {
                            source,
                            span: dir.span.into(),
                        });
                    }
                }
                scope.cwd = Rc::new(path);
                scope.cwd_changed = true;
                PipeOutcome::success()
            }
            Err(outcome) => outcome,
        }
    }
}

/// The absolute name the system gives the directory `dir` is, a relative
/// one taken from pipe's own working directory: found through the
/// directory opened, since realpath(3) needs the working directory's name,
/// which a removed one has not (Linux).
fn physical_name(dir: &std::path::Path) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let opened = std::fs::File::open(dir).ok()?;
        let name = std::fs::read_link(format!("/proc/self/fd/{}", opened.as_raw_fd())).ok()?;
        // The kernel names a removed directory with this after it.
        (name.is_absolute() && !name.as_os_str().as_bytes().ends_with(b" (deleted)"))
            .then_some(name)
    }
    #[cfg(not(target_os = "linux"))]
    {
        std::fs::canonicalize(dir).ok()
    }
}

/// `path` with `.` and `..` taken away as written, as bash's `cd` keeps
/// `$PWD`: `/a/b/..` is `/a`, whatever `b` is. As in bash, a path that
/// starts with exactly two slashes keeps them (`//`, `//tmp/..`), which
/// POSIX leaves to the system to mean; three or more are one. A relative
/// path (the working directory when the system cannot name it, as `.`)
/// keeps the `..` it cannot take away: `./..` is `..`, never the empty
/// path, which no child could change directory to.
pub(super) fn logical(path: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    let bytes = path.as_os_str().as_bytes();
    if bytes.starts_with(b"//") && bytes.get(2) != Some(&b'/') {
        let mut double = OsString::from("/");
        double.push(out.as_os_str());
        return PathBuf::from(double);
    }
    out
}

/// Whether the environment's `PWD` names the working directory: an
/// absolute path to the same file as `.` (through links, as a shell's
/// logical path may).
pub(super) fn pwd_is_cwd() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(pwd) = std::env::var_os("PWD") else {
        return false;
    };
    let pwd = std::path::Path::new(&pwd);
    match (pwd.metadata(), std::path::Path::new(".").metadata()) {
        (Ok(pwd_meta), Ok(here)) => {
            pwd.is_absolute() && pwd_meta.dev() == here.dev() && pwd_meta.ino() == here.ino()
        }
        _ => false,
    }
}
