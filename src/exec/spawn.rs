//! Starting one child process, as cheaply as the system allows.
//!
//! On Linux this is what glibc's `posix_spawn` does, plus the two things
//! `posix_spawn` cannot do: `PR_SET_PDEATHSIG` (a child dies with `pipe`,
//! even if `pipe` is SIGKILLed) and taking the terminal's foreground. The
//! child is made with `clone(CLONE_VM | CLONE_VFORK)`: it shares `pipe`'s
//! memory, so nothing is copied, and `pipe` waits until it has called
//! `execve` (or failed to). Between the two it only makes system calls. The
//! standard library's `pre_exec` would do the same things after a full
//! `fork`, which costs `pipe` a copy of its page tables and a fault on
//! every page it writes afterwards; measured, 190 µs of `pipe`'s own CPU a
//! command. Elsewhere, the standard library spawns.

use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::path::Path;

/// What to start.
pub struct Request<'a> {
    pub program: &'a Path,
    pub argv: &'a [OsString],
    /// Variables set or replaced in the child's environment.
    pub env: &'a [(OsString, OsString)],
    pub cwd: Option<&'a Path>,
    /// The child's fds 0, 1 and 2; None keeps `pipe`'s own.
    pub stdio: [Option<OwnedFd>; 3],
    /// The process group to join; None starts a new one.
    pub pgid: Option<i32>,
    pub take_terminal: bool,
}

#[cfg(target_os = "linux")]
use linux::{Prepared, prepare, start};
#[cfg(not(target_os = "linux"))]
use portable::{Prepared, prepare, start};

/// Memory for a child to run on between `clone` and `execve` (Linux).
#[cfg(target_os = "linux")]
type Stack = Box<[std::mem::MaybeUninit<u8>]>;
/// Elsewhere the standard library makes the child: it needs no stack.
#[cfg(not(target_os = "linux"))]
type Stack = ();

/// A child's stack. It needs no zeroing: nothing reads what the child did
/// not write.
#[cfg(target_os = "linux")]
fn new_stack() -> Stack {
    Box::new_uninit_slice(64 * 1024)
}

#[cfg(not(target_os = "linux"))]
fn new_stack() -> Stack {}

/// Starts the child and returns its pid, or the error of its `execve`.
/// The calling thread waits until the child has called `execve`.
pub fn spawn(request: Request<'_>) -> std::io::Result<i32> {
    super::process::reset_ignored_signals();
    let prepared = prepare(request)?;
    // One stack for every child this thread starts, as a starter thread
    // keeps one: a thread starts one child at a time, and the child is
    // done with it when `start` returns.
    thread_local! {
        static STACK: std::cell::RefCell<Option<Stack>> = const { std::cell::RefCell::new(None) };
    }
    STACK.with(|stack| match stack.try_borrow_mut() {
        Ok(mut stack) => start(prepared, stack.get_or_insert_with(new_stack)),
        Err(_) => start(prepared, &mut new_stack()),
    })
}

/// [`spawn`], done by one of a few threads kept for it, so that the
/// caller's thread goes on while the child calls `execve` (the wait that
/// `spawn` spends on it is most of a start's time). For starts that are
/// many at once: a parallel block's branches.
///
/// The request is prepared and handed over before the future is made, so
/// that what waits is the answer alone: a thousand branches each hold
/// one while their starts queue up.
pub fn spawn_elsewhere(
    request: Request<'_>,
) -> impl std::future::Future<Output = std::io::Result<i32>> + use<> {
    super::process::reset_ignored_signals();
    let handed = prepare(request).map(|prepared| {
        let (answer, result) = tokio::sync::oneshot::channel();
        match starters().send(Job { prepared, answer }) {
            Ok(()) => Ok(result),
            // No starter thread could be made: start it here.
            Err(std::sync::mpsc::SendError(job)) => Err(start(job.prepared, &mut new_stack())),
        }
    });
    async move {
        match handed {
            Ok(Ok(result)) => result
                .await
                .unwrap_or_else(|_| Err(std::io::Error::other("the starter thread ended"))),
            Ok(Err(started)) => started,
            Err(error) => Err(error),
        }
    }
}

/// A start for a starter thread, and where its result goes.
struct Job {
    prepared: Prepared,
    answer: tokio::sync::oneshot::Sender<std::io::Result<i32>>,
}

/// The queue of the starter threads, made at the first use. They live as
/// long as `pipe`: a child's PR_SET_PDEATHSIG fires when the thread that
/// made it ends.
fn starters() -> &'static std::sync::mpsc::Sender<Job> {
    static STARTERS: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    STARTERS.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        let count = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
        for _ in 0..count {
            let receiver = receiver.clone();
            let _ = std::thread::Builder::new()
                .name("pipe-start".to_owned())
                .stack_size(64 * 1024)
                .spawn(move || starter(&receiver));
        }
        // If no thread could be made, the receiver is dropped with the
        // closures, and every send fails: the caller starts the child.
        sender
    })
}

fn starter(jobs: &std::sync::Mutex<std::sync::mpsc::Receiver<Job>>) {
    // Signals are for the main thread.
    // SAFETY: setting this thread's own mask.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, std::ptr::null_mut());
    }
    // One stack, used by every child this thread starts (none off Linux).
    #[cfg_attr(not(target_os = "linux"), allow(clippy::let_unit_value))]
    let mut stack = new_stack();
    loop {
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let result = start(job.prepared, &mut stack);
        if let Err(Ok(pid)) = job.answer.send(result) {
            // Nobody waits for this child any more: end and reap it.
            // SAFETY: a child of this process, not reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
        }
    }
}

/// The environment of the child: `pipe`'s own, with `overrides` applied.
#[cfg(target_os = "linux")]
fn environment(overrides: &[(OsString, OsString)]) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(key, _)| !overrides.iter().any(|(k, _)| k == key))
        .collect();
    // The last assignment of a name wins, as in `A=1 A=2 cmd`.
    for (i, (key, value)) in overrides.iter().enumerate() {
        if !overrides[i + 1..].iter().any(|(k, _)| k == key) {
            env.push((key.clone(), value.clone()));
        }
    }
    env
}

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::{CString, OsStr, c_int, c_void};
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;

    use super::super::process::{SET_BY_PIPE, reset_to_default};
    use super::{Request, Stack, environment};
    use std::sync::atomic::Ordering;

    unsafe extern "C" {
        /// The process's environment, as the C library keeps it.
        static environ: *const *const libc::c_char;
    }

    /// Shared with the child, which runs on `pipe`'s memory until exec.
    struct Shared {
        program: *const libc::c_char,
        argv: *const *const libc::c_char,
        envp: *const *const libc::c_char,
        cwd: *const libc::c_char,
        stdio: [c_int; 3],
        pgid: libc::pid_t,
        /// `pipe`'s pid, to tell whether it died before PR_SET_PDEATHSIG.
        parent: libc::pid_t,
        take_terminal: bool,
        /// The soft fd limit `pipe` was started with, if it raised its own.
        fd_limit: Option<libc::rlimit>,
        /// The stack limit `pipe` was started with, if it raised its own.
        stack_limit: Option<libc::rlimit>,
        /// The errno of the step that failed, written by the child.
        error: c_int,
    }

    fn cstring(text: &OsStr) -> std::io::Result<CString> {
        CString::new(text.as_bytes()).map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))
    }

    /// A start with everything the child reads made ready, owned, and
    /// stable in memory (the pointers point into heap buffers).
    pub struct Prepared {
        program: CString,
        _argv: Vec<CString>,
        argv_ptrs: Vec<*const libc::c_char>,
        _envp: Vec<CString>,
        envp_ptrs: Vec<*const libc::c_char>,
        own_environment: bool,
        cwd: Option<CString>,
        stdio: [Option<std::os::fd::OwnedFd>; 3],
        pgid: libc::pid_t,
        take_terminal: bool,
    }

    // SAFETY: the raw pointers point into the CStrings owned alongside them
    // (or into the C library's environment, which no thread of `pipe`
    // changes); moving the struct to another thread moves the owners too.
    unsafe impl Send for Prepared {}

    pub fn prepare(request: Request<'_>) -> std::io::Result<Prepared> {
        let program = cstring(request.program.as_os_str())?;
        let argv: Vec<CString> = request
            .argv
            .iter()
            .map(|arg| cstring(arg))
            .collect::<Result<_, _>>()?;
        // With nothing to change, the child gets `pipe`'s own environment
        // as it is (no thread of `pipe` ever changes it).
        let envp: Vec<CString> = if request.env.is_empty() {
            Vec::new()
        } else {
            environment(request.env)
                .iter()
                .map(|(key, value)| {
                    let mut entry = key.as_bytes().to_vec();
                    entry.push(b'=');
                    entry.extend_from_slice(value.as_bytes());
                    CString::new(entry).map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))
                })
                .collect::<Result<_, _>>()?
        };
        let cwd = request
            .cwd
            .map(|dir| cstring(dir.as_os_str()))
            .transpose()?;
        // Each array ends with a null pointer (made with room for it).
        let terminated = |strings: &[CString]| {
            let mut pointers = Vec::with_capacity(strings.len() + 1);
            pointers.extend(strings.iter().map(|string| string.as_ptr()));
            pointers.push(std::ptr::null());
            pointers
        };
        let argv_ptrs: Vec<*const libc::c_char> = terminated(&argv);
        let envp_ptrs: Vec<*const libc::c_char> = terminated(&envp);
        Ok(Prepared {
            program,
            _argv: argv,
            argv_ptrs,
            _envp: envp,
            envp_ptrs,
            own_environment: request.env.is_empty(),
            cwd,
            stdio: request.stdio,
            pgid: request.pgid.unwrap_or(0),
            take_terminal: request.take_terminal,
        })
    }

    /// Starts the prepared child; returns once it has called `execve`.
    pub fn start(prepared: Prepared, stack: &mut Stack) -> std::io::Result<i32> {
        let envp = if prepared.own_environment {
            // SAFETY: reading the pointer; the child reads the array it
            // points to, which no thread of `pipe` changes.
            unsafe { environ }
        } else {
            prepared.envp_ptrs.as_ptr()
        };
        let stdio = [0, 1, 2].map(|i| prepared.stdio[i].as_ref().map_or(-1, |fd| fd.as_raw_fd()));
        let mut shared = Shared {
            program: prepared.program.as_ptr(),
            argv: prepared.argv_ptrs.as_ptr(),
            envp,
            cwd: prepared
                .cwd
                .as_ref()
                .map_or(std::ptr::null(), |dir| dir.as_ptr()),
            stdio,
            pgid: prepared.pgid,
            parent: own_pid(),
            take_terminal: prepared.take_terminal,
            fd_limit: super::super::process::started_fd_limit(),
            stack_limit: super::super::process::started_stack_limit(),
            error: 0,
        };
        // The child is done with its stack once `clone` returns.
        // SAFETY: `pipe` installs no signal handler on Linux (see
        // `SET_BY_PIPE`), so no code of ours runs in the child but its
        // own, which only makes system calls on its own stack and
        // `shared`; both outlive it (CLONE_VFORK: clone returns after the
        // child's execve or _exit). Unlike glibc's `posix_spawn`, which
        // must allow for handlers, it needs no mask blocking every signal
        // around clone: two system calls a start.
        let pid = unsafe {
            let top = stack.as_mut_ptr().add(stack.len()) as usize & !15;
            libc::clone(
                child,
                top as *mut c_void,
                libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
                &mut shared as *mut Shared as *mut c_void,
            )
        };
        if pid == -1 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: read after the child is gone from our memory.
        let error = unsafe { std::ptr::read_volatile(&shared.error) };
        if error != 0 {
            // SAFETY: reap the child that failed before exec.
            unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
            return Err(std::io::Error::from_raw_os_error(error));
        }
        Ok(pid)
    }

    /// `pipe`'s pid, asked once: a child compares it with its parent's.
    fn own_pid() -> libc::pid_t {
        static PID: std::sync::OnceLock<libc::pid_t> = std::sync::OnceLock::new();
        // SAFETY: getpid has no preconditions.
        *PID.get_or_init(|| unsafe { libc::getpid() })
    }

    /// The child, between clone and exec: system calls only.
    extern "C" fn child(arg: *mut c_void) -> c_int {
        // SAFETY: `arg` is the parent's `Shared`, alive until we exec or exit.
        let shared = unsafe { &mut *(arg as *mut Shared) };
        // SAFETY: each call is a plain system call wrapper.
        unsafe {
            let fail = |shared: &mut Shared| -> c_int {
                std::ptr::write_volatile(&mut shared.error, *libc::__errno_location());
                libc::_exit(127)
            };
            // Every signal to its default: children start clean. Only the
            // ones pipe sets can be other than the default (see
            // `SET_BY_PIPE`; on Linux, only those it keeps ignored).
            reset_to_default(SET_BY_PIPE.load(Ordering::Relaxed));
            if libc::setpgid(0, shared.pgid) != 0 {
                return fail(shared);
            }
            if shared.take_terminal {
                // With SIGTTOU blocked (until the mask is emptied below),
                // a background group may take the foreground.
                let mut ttou: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut ttou);
                libc::sigaddset(&mut ttou, libc::SIGTTOU);
                libc::pthread_sigmask(libc::SIG_BLOCK, &ttou, std::ptr::null_mut());
                libc::tcsetpgrp(0, libc::getpgrp());
            }
            for (target, &fd) in shared.stdio.iter().enumerate() {
                if fd >= 0 && libc::dup2(fd, target as c_int) < 0 {
                    return fail(shared);
                }
            }
            if !shared.cwd.is_null() && libc::chdir(shared.cwd) != 0 {
                return fail(shared);
            }
            if let Some(limit) = &shared.fd_limit {
                libc::setrlimit(libc::RLIMIT_NOFILE, limit);
            }
            if let Some(limit) = &shared.stack_limit {
                libc::setrlimit(libc::RLIMIT_STACK, limit);
            }
            // Die with pipe. Its parent is pipe, suspended until we exec,
            // but a SIGKILL may have ended it before the death signal was
            // set, which then never comes: the child was adopted, so its
            // parent is another, and it ends here.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if libc::getppid() != shared.parent {
                libc::_exit(137);
            }
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            libc::pthread_sigmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
            libc::execve(shared.program, shared.argv, shared.envp);
            fail(shared)
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod portable {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;

    use super::Request;

    /// A start, as the standard library's command.
    pub struct Prepared(std::process::Command);

    pub fn prepare(request: Request<'_>) -> std::io::Result<Prepared> {
        let mut command = std::process::Command::new(request.program);
        command.arg0(&request.argv[0]).args(&request.argv[1..]);
        for (key, value) in request.env {
            command.env(key, value);
        }
        if let Some(dir) = request.cwd {
            command.current_dir(dir);
        }
        let [stdin, stdout, stderr] = request.stdio;
        let stdio = |fd: Option<std::os::fd::OwnedFd>| fd.map_or(Stdio::inherit(), Stdio::from);
        command
            .stdin(stdio(stdin))
            .stdout(stdio(stdout))
            .stderr(stdio(stderr));
        command.process_group(request.pgid.unwrap_or(0));
        // The standard library gives SIGPIPE back; the signals `pipe`
        // keeps ignored for itself are reset here.
        use super::super::process::{SET_BY_PIPE, bit, reset_to_default};
        let kept = SET_BY_PIPE.load(std::sync::atomic::Ordering::Relaxed) & !bit(libc::SIGPIPE);
        if kept != 0 {
            // SAFETY: reset_to_default makes only async-signal-safe calls.
            unsafe {
                command.pre_exec(move || {
                    reset_to_default(kept);
                    Ok(())
                });
            }
        }
        if request.take_terminal {
            // SAFETY: set_foreground is async-signal-safe.
            unsafe {
                command.pre_exec(|| {
                    super::super::terminal::set_foreground(libc::getpgrp());
                    Ok(())
                });
            }
        }
        Ok(Prepared(command))
    }

    pub fn start(mut prepared: Prepared, _stack: &mut super::Stack) -> std::io::Result<i32> {
        let child = prepared.0.spawn()?;
        Ok(child.id() as i32)
    }
}
