//! The standard streams a statement runs with, passed by value and cloned
//! for each stage or branch.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};
use std::rc::Rc;

/// One standard stream of a child-to-be.
#[derive(Clone, Debug)]
pub enum Fd {
    /// One of `pipe`'s own standard streams (0, 1 or 2), shared as is.
    Parent(RawFd),
    /// A pipe end or file `pipe` opened; the last clone closes it.
    Owned(Rc<OwnedFd>),
}

impl Fd {
    pub fn owned(fd: impl Into<OwnedFd>) -> Fd {
        Fd::Owned(Rc::new(fd.into()))
    }

    /// What a child's fd `target` should be: None when it is this very
    /// fd of `pipe`'s (inherited as is), else a duplicate to install.
    pub fn for_target(&self, target: RawFd) -> std::io::Result<Option<OwnedFd>> {
        match self {
            Fd::Parent(fd) if *fd == target => Ok(None),
            _ => self.duplicate().map(Some),
        }
    }

    /// The fd, borrowed.
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            // SAFETY: fds 0-2 stay open for pipe's whole life (main makes
            // sure they are open before anything runs).
            Fd::Parent(fd) => unsafe { BorrowedFd::borrow_raw(*fd) },
            Fd::Owned(owned) => owned.as_fd(),
        }
    }

    /// A new fd for the same open file.
    pub fn duplicate(&self) -> std::io::Result<OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}

/// The stdin, stdout and stderr of a statement.
#[derive(Clone, Debug)]
pub struct Io {
    pub stdin: Fd,
    pub stdout: Fd,
    pub stderr: Fd,
}

impl Io {
    /// `pipe`'s own streams.
    pub fn inherit() -> Io {
        Io {
            stdin: Fd::Parent(0),
            stdout: Fd::Parent(1),
            stderr: Fd::Parent(2),
        }
    }
}

/// Whether `pipe`'s own stdout is a pipe whose reader has gone away, so
/// that any write to it would fail with EPIPE.
pub fn stdout_is_broken() -> bool {
    is_broken(std::io::stdout().as_fd())
}

/// Whether `fd` is a pipe whose reader has gone away.
pub fn is_broken(fd: BorrowedFd<'_>) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let mut fds = [PollFd::new(fd, PollFlags::POLLOUT)];
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(_) => fds[0]
            .revents()
            .is_some_and(|events| events.contains(PollFlags::POLLERR)),
        Err(_) => false,
    }
}

/// The size `pipe` asks for the pipes it relays or copies through: larger
/// pipes mean fewer, larger moves, and fewer wake-ups of either end. Only
/// for a few pipes at a time: Linux counts each pipe's size against a
/// per-user allowance (`/proc/sys/fs/pipe-user-pages-soft`, 64 MiB by
/// default), past which the user's new pipes get two pages.
#[cfg(target_os = "linux")]
pub const WIDE_PIPE: usize = 1 << 20;

/// A new pipe of [`WIDE_PIPE`] bytes where the system allows (Linux's
/// F_SETPIPE_SZ; otherwise, or past the user's limit, the default size).
pub fn wide_pipe() -> std::io::Result<(os_pipe::PipeReader, os_pipe::PipeWriter)> {
    let (reader, writer) = os_pipe::pipe()?;
    widen(std::os::fd::AsRawFd::as_raw_fd(&writer));
    Ok((reader, writer))
}

/// Asks for a pipe of [`WIDE_PIPE`] bytes; failing that is fine.
pub fn widen(pipe: RawFd) {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on a descriptor the caller holds; on anything but a
    // pipe it fails and changes nothing.
    unsafe {
        libc::fcntl(pipe, libc::F_SETPIPE_SZ, WIDE_PIPE as libc::c_int);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = pipe;
}

/// An unnamed temporary file in `$TMPDIR`, or in `/tmp` when that cannot
/// take one, as bash falls back for its here-documents; the error names
/// the directory. For output held back and for a here-string's text.
pub fn temporary_file() -> std::io::Result<std::fs::File> {
    let dir = std::env::temp_dir();
    let error = match tempfile::tempfile_in(&dir) {
        Ok(file) => return Ok(file),
        Err(error) => error,
    };
    let fallback = std::path::Path::new("/tmp");
    if dir != fallback
        && let Ok(file) = tempfile::tempfile_in(fallback)
    {
        return Ok(file);
    }
    let text = format!("`{}`: {}", dir.display(), super::error::reason(&error));
    Err(std::io::Error::new(error.kind(), text))
}
