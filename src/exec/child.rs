//! A started child process: waiting for its end without reaping it,
//! reaping it, and making sure it is reaped on every path.
//!
//! Waiting and reaping are apart on purpose. A pipeline's first child leads
//! its process group; while it is not reaped its pid, and so the group's
//! id, cannot be reused, which makes signalling the group safe. So the
//! executor waits with [`Child::exited`] (which leaves a zombie) and reaps
//! with [`Child::reap`] only once it will never signal the group again.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use nix::unistd::Pid;
use tokio::io::unix::AsyncFd;

use super::status::Status;

pub struct Child {
    pid: Pid,
    /// A pidfd (Linux 5.3+), readable once the child has exited.
    pidfd: Option<AsyncFd<OwnedFd>>,
    status: Option<Status>,
    reaped: bool,
}

impl Child {
    /// Takes charge of a child just started, by its pid.
    pub fn new(pid: i32) -> Child {
        let pid = Pid::from_raw(pid);
        Child {
            pid,
            pidfd: pidfd_open(pid),
            status: None,
            reaped: false,
        }
    }

    pub fn pid(&self) -> i32 {
        self.pid.as_raw()
    }

    /// Waits until the child has ended and returns how; the child stays a
    /// zombie until [`Child::reap`].
    pub async fn exited(&mut self) -> Status {
        if let Some(status) = self.status {
            return status;
        }
        if let Some(pidfd) = &self.pidfd {
            loop {
                if let Some(status) = peek(Target::PidFd(pidfd.get_ref().as_raw_fd())) {
                    self.status = Some(status);
                    return status;
                }
                match pidfd.readable().await {
                    Ok(mut guard) => guard.clear_ready(),
                    Err(_) => break,
                }
            }
        }
        // No pidfd: wake on every SIGCHLD and look again. The stream is made
        // before the first look, so no SIGCHLD between them is missed.
        let mut sigchld =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::child()).ok();
        loop {
            if let Some(status) = peek(Target::Pid(self.pid.as_raw())) {
                self.status = Some(status);
                return status;
            }
            match sigchld.as_mut() {
                Some(stream) => {
                    stream.recv().await;
                }
                None => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            }
        }
    }

    /// Reaps the child, which must have ended; after this its pid is never
    /// used again.
    pub fn reap(&mut self) {
        if !self.reaped {
            let _ = nix::sys::wait::waitpid(self.pid, None);
            self.reaped = true;
        }
    }

    /// Signals the child by pid, only while it is not reaped.
    fn signal(&self, signal: i32) {
        if !self.reaped {
            // SAFETY: kill with a pid this process has not reaped.
            unsafe { libc::kill(self.pid.as_raw(), signal) };
        }
    }
}

impl Drop for Child {
    /// A child is never left behind: on an early return or a panic it is
    /// killed if it still runs, and always reaped.
    fn drop(&mut self) {
        if !self.reaped {
            if self.status.is_none() && peek(Target::Pid(self.pid.as_raw())).is_none() {
                self.signal(libc::SIGKILL);
            }
            self.reap();
        }
    }
}

/// Which child [`peek`] looks at.
#[derive(Clone, Copy)]
enum Target {
    Pid(i32),
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    PidFd(i32),
}

/// The status of an ended child, without reaping it; None while it runs.
fn peek(target: Target) -> Option<Status> {
    let (idtype, id) = match target {
        Target::Pid(pid) => (libc::P_PID, pid as libc::id_t),
        #[cfg(target_os = "linux")]
        Target::PidFd(fd) => (libc::P_PIDFD, fd as libc::id_t),
        #[cfg(not(target_os = "linux"))]
        Target::PidFd(_) => return None,
    };
    // SAFETY: waitid fills the zeroed siginfo; WNOWAIT leaves the child
    // waitable, WNOHANG never blocks.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        if libc::waitid(idtype, id, &mut info, flags) == -1 {
            // ECHILD: something else reaped it; count it as a failure.
            return (std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD))
                .then_some(Status::Exited(1));
        }
        if info.si_pid() == 0 {
            return None;
        }
        match info.si_code {
            libc::CLD_EXITED => Some(Status::Exited(info.si_status())),
            libc::CLD_KILLED | libc::CLD_DUMPED => Some(Status::Signaled(info.si_status())),
            _ => None,
        }
    }
}

#[cfg(target_os = "linux")]
fn pidfd_open(pid: Pid) -> Option<AsyncFd<OwnedFd>> {
    // SAFETY: pidfd_open returns a new fd or -1; PIDFD_NONBLOCK (O_NONBLOCK)
    // makes waitid on it never block.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid.as_raw(), libc::O_NONBLOCK) };
    if fd < 0 {
        return None;
    }
    // SAFETY: the fd was just created and is owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    // SAFETY: the OwnedFd stays open, and the same fd, for the AsyncFd's life.
    unsafe { AsyncFd::register_with_interest(owned, tokio::io::Interest::READABLE).ok() }
}

#[cfg(not(target_os = "linux"))]
fn pidfd_open(_pid: Pid) -> Option<AsyncFd<OwnedFd>> {
    None
}
