//! A started child process: waiting for its end without reaping it,
//! reaping it, and making sure it is reaped on every path.
//!
//! Waiting and reaping are apart on purpose. A pipeline's first child leads
//! its process group; while it is not reaped its pid, and so the group's
//! id, cannot be reused, which makes signalling the group safe. So the
//! executor waits with [`Child::exited`] (which leaves a zombie) and reaps
//! with [`Child::reap`] only once it will never signal the group again.
//!
//! How the end of a child is awaited, on Linux: the first few children
//! waited on at once wake on SIGCHLD, which `pipe` keeps blocked so that
//! it queues for one signalfd (`process::prepare_process`); each SIGCHLD
//! has those few look again. The rest each get a pidfd, readable when that
//! child ends, so that a thousand parallel children do not all look again
//! at every end. A pidfd costs its own file, measured at 8 µs of `pipe`'s
//! time a child, about a sixth of what `pipe` spends on a short command.

use std::cell::Cell;
#[cfg(target_os = "linux")]
use std::os::fd::FromRawFd;
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;

use std::sync::atomic::Ordering;

use nix::unistd::Pid;
use tokio::io::unix::AsyncFd;

use super::status::Status;

pub struct Child {
    pid: Pid,
    wake: Wake,
    status: Option<Status>,
    reaped: bool,
}

/// What wakes the wait for a child's end.
enum Wake {
    /// SIGCHLD, through the thread's signalfd; counted in its `waiting`.
    Sigchld(Rc<Sigchld>),
    /// A pidfd (Linux 5.3+), readable once the child has exited.
    PidFd(AsyncFd<OwnedFd>),
    /// Neither: SIGCHLD through a handler, or a look every 10 ms.
    Fallback,
}

/// How many children at most wait on SIGCHLD at once; the others get a
/// pidfd. Each SIGCHLD has every one of them look again.
const SIGCHLD_WAITERS: usize = 4;

impl Child {
    /// Takes charge of a child just started, by its pid.
    pub fn new(pid: i32) -> Child {
        let pid = Pid::from_raw(pid);
        let wake = match Sigchld::get() {
            Some(sigchld) if sigchld.waiting.get() < SIGCHLD_WAITERS => {
                sigchld.waiting.set(sigchld.waiting.get() + 1);
                Wake::Sigchld(sigchld)
            }
            _ => pidfd_open(pid).map_or(Wake::Fallback, Wake::PidFd),
        };
        Child {
            pid,
            wake,
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
        let status = self.wait().await;
        self.status = Some(status);
        self.stop_waking();
        status
    }

    /// The child no longer counts among those that wake on SIGCHLD.
    fn stop_waking(&mut self) {
        if let Wake::Sigchld(sigchld) = &self.wake {
            sigchld.waiting.set(sigchld.waiting.get() - 1);
            self.wake = Wake::Fallback;
        }
    }

    async fn wait(&self) -> Status {
        if let Wake::Sigchld(sigchld) = &self.wake {
            return sigchld.wait(self.pid.as_raw()).await;
        }
        if let Wake::PidFd(pidfd) = &self.wake {
            loop {
                if let Some(status) = peek(Target::PidFd(pidfd.get_ref().as_raw_fd())) {
                    return status;
                }
                match pidfd.readable().await {
                    Ok(mut guard) => guard.clear_ready(),
                    Err(_) => break,
                }
            }
        }
        // Neither: wake on every SIGCHLD and look again. The stream is made
        // before the first look, so no SIGCHLD between them is missed. (Not
        // where SIGCHLD is kept blocked for a signalfd: the handler would
        // never run; nor on Linux, where a pidfd is the fallback and the
        // runtime is built without signal handling: look every 10 ms.)
        #[cfg(not(target_os = "linux"))]
        let mut sigchld = if super::process::SIGCHLD_QUEUED.load(Ordering::Relaxed) {
            None
        } else {
            super::process::set_by_runtime(libc::SIGCHLD);
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::child()).ok()
        };
        loop {
            if let Some(status) = peek(Target::Pid(self.pid.as_raw())) {
                return status;
            }
            #[cfg(not(target_os = "linux"))]
            if let Some(stream) = sigchld.as_mut() {
                stream.recv().await;
                continue;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
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
        self.stop_waking();
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

/// SIGCHLD as a readable fd, for the children that wake on it, and the
/// notice that has them look again.
struct Sigchld {
    fd: AsyncFd<OwnedFd>,
    looked: tokio::sync::Notify,
    /// How many children wait on it now.
    waiting: Cell<usize>,
}

impl Sigchld {
    /// The executor thread's, made at the first use; None where SIGCHLD
    /// is not kept blocked (or not on Linux).
    fn get() -> Option<Rc<Sigchld>> {
        thread_local! {
            static SIGCHLD: std::cell::OnceCell<Option<Rc<Sigchld>>> =
                const { std::cell::OnceCell::new() };
        }
        if !super::process::SIGCHLD_QUEUED.load(Ordering::Relaxed) {
            return None;
        }
        SIGCHLD.with(|cell| cell.get_or_init(Sigchld::open).clone())
    }

    #[cfg(target_os = "linux")]
    fn open() -> Option<Rc<Sigchld>> {
        // SAFETY: a set with SIGCHLD alone; signalfd returns a new fd or -1.
        let fd = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGCHLD);
            libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC)
        };
        if fd < 0 {
            return None;
        }
        // SAFETY: the fd was just created and is owned by nobody else.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: the OwnedFd stays open, and the same fd, for the AsyncFd's life.
        let fd =
            unsafe { AsyncFd::register_with_interest(owned, tokio::io::Interest::READABLE).ok()? };
        Some(Rc::new(Sigchld {
            fd,
            looked: tokio::sync::Notify::new(),
            waiting: Cell::new(0),
        }))
    }

    #[cfg(not(target_os = "linux"))]
    fn open() -> Option<Rc<Sigchld>> {
        None
    }

    /// Waits until `pid` has ended.
    async fn wait(&self, pid: i32) -> Status {
        self.wait_for(|| peek(Target::Pid(pid))).await
    }

    /// Waits until `look` finds what it looks for, looking again at every
    /// SIGCHLD. Whoever sees the signalfd readable empties it and has every
    /// waiter look again; a waiter listens for that before it looks, so no
    /// SIGCHLD between the two is missed.
    async fn wait_for<T>(&self, mut look: impl FnMut() -> Option<T>) -> T {
        loop {
            let emptied = {
                let looked = self.looked.notified();
                let mut looked = std::pin::pin!(looked);
                looked.as_mut().enable();
                if let Some(found) = look() {
                    return found;
                }
                tokio::select! {
                    () = &mut looked => false,
                    ready = self.fd.readable() => {
                        match ready {
                            Ok(mut guard) => empty(&mut guard),
                            // The fd cannot be waited on: look again soon.
                            Err(_) => {
                                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                            }
                        }
                        true
                    }
                }
            };
            // After this waiter's own notice is gone: notifying it would
            // only wake this task once more.
            if emptied {
                self.looked.notify_waiters();
            }
        }
    }
}

/// How many bytes one read of the signalfd asks for.
#[cfg(target_os = "linux")]
const SIGNALS_READ: usize = 8 * std::mem::size_of::<libc::signalfd_siginfo>();
#[cfg(not(target_os = "linux"))]
const SIGNALS_READ: usize = 0;

/// Waits until a process of group `pgid`, one of `pipe`'s children, has
/// stopped (Ctrl-Z on the terminal the group was given), and takes that
/// notice. It shares the signalfd with the children waiting for their ends
/// as they share it with each other (`Sigchld::wait_for`); where there is
/// none, it never returns (a stop is then not noticed).
pub async fn stopped(pgid: i32) {
    match Sigchld::get() {
        Some(sigchld) => sigchld.wait_for(|| took_stop(pgid).then_some(())).await,
        None => std::future::pending().await,
    }
}

/// Whether a process of group `pgid` has stopped since last asked (its
/// stop is reported once); an end is left for [`Child::exited`].
#[cfg(target_os = "linux")]
fn took_stop(pgid: i32) -> bool {
    // SAFETY: waitid fills the zeroed siginfo; WNOHANG never blocks, and
    // without WEXITED no end is collected.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WSTOPPED | libc::WNOHANG;
        libc::waitid(libc::P_PGID, pgid as libc::id_t, &mut info, flags) == 0 && info.si_pid() != 0
    }
}

#[cfg(not(target_os = "linux"))]
fn took_stop(_pgid: i32) -> bool {
    false
}

/// Takes every SIGCHLD the signalfd holds. A read that did not fill the
/// buffer took all there was, so no read more is made to find it empty; a
/// SIGCHLD after it makes the fd readable again. (No signalfd off Linux.)
#[cfg_attr(not(target_os = "linux"), allow(clippy::absurd_extreme_comparisons))]
fn empty(guard: &mut tokio::io::unix::AsyncFdReadyGuard<'_, OwnedFd>) {
    loop {
        match guard.try_io(|fd| read_signals(fd.get_ref())) {
            Ok(Ok(read)) if read < SIGNALS_READ => {
                guard.clear_ready();
                return;
            }
            Ok(Ok(_)) => {}
            _ => return,
        }
    }
}

/// Reads what the signalfd holds; WouldBlock once it is empty.
#[cfg(target_os = "linux")]
fn read_signals(fd: &OwnedFd) -> std::io::Result<usize> {
    let mut infos = [0u8; SIGNALS_READ];
    // SAFETY: reading into a buffer we own, of its own length.
    let read = unsafe { libc::read(fd.as_raw_fd(), infos.as_mut_ptr().cast(), infos.len()) };
    if read < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(read as usize)
}

#[cfg(not(target_os = "linux"))]
fn read_signals(_fd: &OwnedFd) -> std::io::Result<usize> {
    Err(std::io::ErrorKind::WouldBlock.into())
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
