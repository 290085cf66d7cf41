//! Making `pipe`'s own process a clean parent, once, before anything runs.

use std::os::fd::{AsRawFd, IntoRawFd};

use nix::sys::signal::{SigHandler, Signal, signal};

/// Sets up what every child inherits from `pipe`:
///
/// - fds 0, 1 and 2 are open (on `/dev/null` if `pipe` was started without
///   them), so that no file `pipe` opens lands on a standard stream;
/// - every other inherited fd is close-on-exec: a child sees only 0, 1, 2
///   (the policy of Python's `close_fds=True`);
/// - SIGCHLD has its default disposition, so that statuses can be
///   collected; a write of `pipe`'s own to a closed pipe reports EPIPE
///   instead of ending it: on Linux SIGPIPE keeps its default disposition
///   and is blocked, elsewhere it is ignored (and reset in every child);
/// - the signal mask is empty but for SIGCHLD (and SIGPIPE and SIGXFSZ,
///   on Linux), blocked in every thread of `pipe` (threads inherit the mask, and none
///   exists yet); SIGCHLD so that it waits for a signalfd instead of being
///   discarded (see `child.rs`). Every child starts with an empty mask, and
///   so with SIGPIPE at its default and unblocked, at no cost: a child
///   sets its mask anyway, where an ignored SIGPIPE would cost each child
///   a `sigaction` of its own. SIGXFSZ likewise: a write of `pipe`'s own
///   past `ulimit -f` (held output spilled to a file, a long here-string)
///   fails with EFBIG, told as any failed write, as bash tells it, instead
///   of ending `pipe` without a word, while a child still dies of it.
///   (SIGINT, SIGTERM and SIGHUP join the mask while a script runs:
///   [`Interrupts`].)
///
/// The other signals `pipe` was started with ignored are reset by
/// [`reset_ignored_signals`], before the first child starts.
pub fn prepare_process() {
    fit_stack();
    for fd in 0..3 {
        // SAFETY: F_GETFD only queries the descriptor.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
            let flags = if fd == 0 {
                libc::O_RDONLY
            } else {
                libc::O_WRONLY
            };
            if let Ok(null) = nix::fcntl::open(
                "/dev/null",
                nix::fcntl::OFlag::from_bits_truncate(flags),
                nix::sys::stat::Mode::empty(),
            ) {
                let raw = null.into_raw_fd();
                if raw != fd {
                    // SAFETY: dup2 onto a closed standard fd, then close the spare.
                    unsafe {
                        libc::dup2(raw, fd);
                        libc::close(raw);
                    }
                }
            }
        }
    }
    close_inherited_on_exec();
    let ignored_interrupts = INTERRUPTS
        .into_iter()
        .filter(|&sig| ignored(sig))
        .fold(0, |mask, sig| mask | bit(sig));
    IGNORED_AT_START.store(ignored_interrupts, std::sync::atomic::Ordering::Relaxed);
    // A child starts with each of them at its default (but SIGHUP: see
    // IGNORED_AT_START), as with every other signal.
    SET_BY_PIPE.fetch_or(
        ignored_interrupts & !bit(libc::SIGHUP),
        std::sync::atomic::Ordering::Relaxed,
    );
    // SAFETY: SIGCHLD's default is what `wait` relies on; SIGPIPE blocked
    // (below) or ignored makes a write to a closed pipe an EPIPE error, not
    // death. Blocked, the signal such a write raises stays pending in the
    // thread that wrote, which never unblocks it.
    unsafe {
        let _ = signal(Signal::SIGCHLD, SigHandler::SigDfl);
        let pipe_signal = if cfg!(target_os = "linux") {
            SigHandler::SigDfl
        } else {
            SigHandler::SigIgn
        };
        let _ = signal(Signal::SIGPIPE, pipe_signal);
    }
    // A mask inherited from our parent would be inherited by every child
    // (each child sets its own to empty, but a thread of ours must not
    // keep a signal from the executor).
    let mut mask = nix::sys::signal::SigSet::empty();
    if cfg!(target_os = "linux") {
        mask.add(Signal::SIGCHLD);
        mask.add(Signal::SIGPIPE);
        mask.add(Signal::SIGXFSZ);
    }
    let set =
        nix::sys::signal::sigprocmask(nix::sys::signal::SigmaskHow::SIG_SETMASK, Some(&mask), None);
    if set.is_ok() && cfg!(target_os = "linux") {
        SIGCHLD_QUEUED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The [`INTERRUPTS`] `pipe` was started with ignored, as a bit mask by
/// number. `pipe` keeps them ignored for itself, as bash does (signals
/// ignored on entry to a shell cannot be trapped or reset): `nohup pipe
/// job.pipe &` outlives the terminal it was started from (SIGHUP), and
/// `pipe job.pipe &` in a bash script, which bash starts with SIGINT and
/// SIGQUIT ignored, is not ended by the Ctrl-C meant for the script's
/// foreground command. A child gets SIGHUP ignored too, as under bash; each
/// other one at its default, as every signal: an ignored SIGINT inherited
/// by a child would make it deaf to Ctrl-C on the terminal it may be given.
static IGNORED_AT_START: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Whether `sig`'s disposition is to be ignored.
fn ignored(sig: i32) -> bool {
    // SAFETY: sigaction with no new action only reads the current one.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

/// The [`INTERRUPTS`] `pipe` acts on: all but those it was started with
/// ignored ([`IGNORED_AT_START`]).
fn interrupts() -> impl Iterator<Item = i32> {
    let ignored = IGNORED_AT_START.load(std::sync::atomic::Ordering::Relaxed);
    INTERRUPTS
        .into_iter()
        .filter(move |&sig| ignored & bit(sig) == 0)
}

/// `sig`'s bit in a mask of signals by number; none past 63.
pub fn bit(sig: i32) -> u64 {
    1u64.checked_shl(sig as u32).unwrap_or(0)
}

/// Gives each signal in `set` (a mask by number, see [`bit`]) its default
/// disposition: what a child does with [`SET_BY_PIPE`] before it execs.
/// System calls only, so that it may run between fork (or clone) and exec.
pub fn reset_to_default(set: u64) {
    for sig in 1..64 {
        if set & bit(sig) != 0 {
            // SAFETY: the default disposition runs no code of ours.
            unsafe { libc::signal(sig, libc::SIG_DFL) };
        }
    }
}

/// Whether SIGCHLD is blocked in every thread of `pipe`, so that a
/// signalfd sees each one: set by [`prepare_process`], which the `pipe`
/// binary calls before it has threads. Elsewhere (a test harness with
/// threads of its own) children are waited on by pidfd alone.
pub static SIGCHLD_QUEUED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Gives every signal `pipe` was started with ignored its default
/// disposition, once, so that no child inherits an ignored signal across
/// `execve` (an ignored SIGINT would make a child deaf to Ctrl-C). Called
/// before each start; only the first call does anything.
///
/// It waits for the first start because it costs a system call a signal,
/// about 16 µs in all, which a script that starts nothing (or `pipe check`)
/// need not pay. A handler installed meanwhile (the runtime's, for the
/// signals that interrupt `pipe`) is not ignored, so it stays.
pub fn reset_ignored_signals() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let realtime = crate::syntax::realtime_signals();
        // glibc keeps the first two real-time signals for itself.
        let reserved = realtime.map_or(0..0, |(min, _)| min..min + 2);
        let last = realtime.map_or(31, |(_, max)| max);
        // An interrupting signal, ignored, stays so for `pipe`, and each
        // child resets it itself (see IGNORED_AT_START).
        let kept = IGNORED_AT_START.load(std::sync::atomic::Ordering::Relaxed);
        for sig in 1..=last {
            if [libc::SIGKILL, libc::SIGSTOP, libc::SIGPIPE, libc::SIGCHLD].contains(&sig)
                || reserved.contains(&sig)
                || kept & bit(sig) != 0
            {
                continue;
            }
            reset_if_ignored(sig);
        }
    });
}

/// The signals whose disposition `pipe` has set away from the default,
/// after `prepare_process` and `reset_ignored_signals` left every other at
/// its default, as a bit mask by number: SIGPIPE, ignored (not on Linux,
/// where it is blocked instead); the interrupting signals it was started
/// with ignored and keeps so, but SIGHUP ([`IGNORED_AT_START`]); and any whose
/// handler the runtime installs ([`set_by_runtime`]), which on Linux is
/// none, as the signals that interrupt or stop a script are read from a
/// signalfd while it runs ([`Interrupts`]) and SIGCHLD from another
/// (`child.rs`).
/// (`main` is the C entry point, so the standard library installs no
/// SIGSEGV or SIGBUS handler.) A child resets exactly these before it
/// unblocks signals and execs: a handler must not run in a child that
/// shares `pipe`'s memory, and an ignored signal would stay ignored across
/// exec.
pub static SET_BY_PIPE: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(if cfg!(target_os = "linux") {
        0
    } else {
        1 << libc::SIGPIPE
    });

/// Notes that the runtime is about to install a handler for `sig` (not
/// on Linux, where it installs none).
#[cfg(not(target_os = "linux"))]
pub fn set_by_runtime(sig: i32) {
    SET_BY_PIPE.fetch_or(1 << sig, std::sync::atomic::Ordering::SeqCst);
}

/// The signals that interrupt a running script: SIGINT, SIGTERM, SIGHUP,
/// and the others a user sends by hand, whose default would end `pipe` at
/// once and leave its children's children running; and SIGTSTP, which
/// stops the whole job (`Interp::suspend`).
pub const INTERRUPTS: [i32; 8] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGTSTP,
];

/// The [`INTERRUPTS`] while a script runs, on Linux: blocked in every
/// thread (made after this, the executor's threads inherit the mask) and
/// read from a signalfd, so that they need no handler, and a child need
/// not reset them. Dropped, they are unblocked, and one that came after
/// the last read then acts as it would have (ends `pipe`).
pub struct Interrupts {
    #[cfg(target_os = "linux")]
    fd: Option<std::os::fd::OwnedFd>,
}

impl Interrupts {
    /// Blocks them; call before the executor has threads.
    pub fn block() -> Interrupts {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::FromRawFd;
            // SAFETY: a set of signals; signalfd returns a new fd or
            // -1, and on -1 the mask is put back.
            let fd = unsafe {
                let set = interrupt_set();
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                let fd = libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC);
                if fd < 0 {
                    libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                }
                fd
            };
            // SAFETY: the fd was just created and is owned by nobody else.
            let fd = (fd >= 0).then(|| unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) });
            Interrupts { fd }
        }
        #[cfg(not(target_os = "linux"))]
        Interrupts {}
    }

    /// The signalfd to read them from; None where they are not blocked
    /// (the runtime's handlers are used instead).
    #[cfg(target_os = "linux")]
    pub fn take_fd(&mut self) -> Option<std::os::fd::OwnedFd> {
        self.fd.take()
    }
}

/// Where the interrupting signals are read from: on Linux the signalfd of
/// [`Interrupts`] (tokio's signal handling, and the socket pair and
/// handlers it sets up, is not even built there); elsewhere the runtime's
/// handlers.
pub enum InterruptSource {
    #[cfg(target_os = "linux")]
    Fd(tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>),
    /// No signalfd could be made: the signals keep their default action,
    /// which ends `pipe` (its children then die by PDEATHSIG).
    #[cfg(target_os = "linux")]
    None,
    #[cfg(not(target_os = "linux"))]
    Handlers(Vec<(i32, tokio::signal::unix::Signal)>),
}

impl InterruptSource {
    pub fn new(interrupts: &mut Interrupts) -> InterruptSource {
        #[cfg(target_os = "linux")]
        if let Some(fd) = interrupts.take_fd() {
            let interest = tokio::io::Interest::READABLE;
            // SAFETY: the OwnedFd stays open, and the same fd, for the
            // AsyncFd's life.
            if let Ok(fd) =
                unsafe { tokio::io::unix::AsyncFd::register_with_interest(fd, interest) }
            {
                return InterruptSource::Fd(fd);
            }
        }
        #[cfg(target_os = "linux")]
        return InterruptSource::None;
        #[cfg(not(target_os = "linux"))]
        {
            let _ = interrupts;
            let handlers = self::interrupts()
                .filter_map(|sig| {
                    set_by_runtime(sig);
                    let kind = tokio::signal::unix::SignalKind::from_raw(sig);
                    Some((sig, tokio::signal::unix::signal(kind).ok()?))
                })
                .collect();
            InterruptSource::Handlers(handlers)
        }
    }

    /// The next interrupting signal; never, if none can be received.
    pub async fn next(&mut self) -> i32 {
        match self {
            #[cfg(target_os = "linux")]
            InterruptSource::Fd(fd) => loop {
                let Ok(mut guard) = fd.readable().await else {
                    return std::future::pending().await;
                };
                let mut info: libc::signalfd_siginfo =
                    // SAFETY: a plain C struct; all zeroes is a valid value.
                    unsafe { std::mem::zeroed() };
                let size = std::mem::size_of::<libc::signalfd_siginfo>();
                let read = guard.try_io(|fd| {
                    use std::os::fd::AsRawFd;
                    // SAFETY: reading one siginfo into a struct of its size.
                    let read = unsafe {
                        libc::read(fd.get_ref().as_raw_fd(), (&raw mut info).cast(), size)
                    };
                    if read < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(read as usize)
                });
                if let Ok(Ok(read)) = read
                    && read == size
                {
                    return info.ssi_signo as i32;
                }
            },
            #[cfg(target_os = "linux")]
            InterruptSource::None => std::future::pending().await,
            #[cfg(not(target_os = "linux"))]
            InterruptSource::Handlers(handlers) if handlers.is_empty() => {
                std::future::pending().await
            }
            #[cfg(not(target_os = "linux"))]
            InterruptSource::Handlers(handlers) => {
                let waits = handlers.iter_mut().map(|(sig, stream)| {
                    Box::pin(async move {
                        stream.recv().await;
                        *sig
                    })
                });
                futures_util::future::select_all(waits).await.0
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn interrupt_set() -> libc::sigset_t {
    // SAFETY: sigemptyset initializes the set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in interrupts() {
            libc::sigaddset(&mut set, sig);
        }
        set
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        // SAFETY: unblocking the signals in this thread.
        unsafe {
            let set = interrupt_set();
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}

/// Stops `pipe` as SIGTSTP's default action does, its handler set aside
/// meanwhile, and returns once `pipe` is continued. It returns at once
/// where `pipe`'s process group is orphaned: the kernel then discards the
/// signal, since no shell could continue the job.
pub fn stop_self() {
    // SAFETY: swapping SIGTSTP's disposition and this thread's mask for
    // the default and unblocked, raising it, and putting both back.
    unsafe {
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGTSTP, &default, &mut old);
        let mut tstp: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut tstp);
        libc::sigaddset(&mut tstp, libc::SIGTSTP);
        let mut mask: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &tstp, &mut mask);
        libc::raise(libc::SIGTSTP);
        libc::pthread_sigmask(libc::SIG_SETMASK, &mask, std::ptr::null_mut());
        libc::sigaction(libc::SIGTSTP, &old, std::ptr::null_mut());
    }
}

/// Gives `sig` its default disposition if it is ignored; a handler that
/// is installed (the runtime's own) stays.
fn reset_if_ignored(sig: i32) {
    if ignored(sig) {
        // SAFETY: the default disposition runs no code of ours.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
    }
}

/// Marks every fd above 2 close-on-exec.
fn close_inherited_on_exec() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets flags.
        let done = unsafe {
            libc::syscall(
                libc::SYS_close_range,
                3u32,
                u32::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            )
        } == 0;
        if done {
            return;
        }
    }
    let Ok(entries) = std::fs::read_dir("/dev/fd") else {
        return;
    };
    let fds: Vec<i32> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .collect();
    for fd in fds {
        // SAFETY: setting FD_CLOEXEC on a descriptor we do not own is harmless;
        // a stale one (the directory's own) fails with EBADF.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags != -1 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
        }
    }
    let _ = std::io::stdin().as_raw_fd();
}

/// The stack `pipe`'s main thread may grow to, at least: what the deepest
/// script it takes (`syntax::MAX_DEPTH` levels of blocks) needs, with
/// room to spare, in a debug build too.
#[cfg(target_os = "linux")]
const STACK: libc::rlim_t = 16 << 20;

/// The stack limit `pipe` was started with, when [`fit_stack`]
/// raised it; every child gets it back.
#[cfg(target_os = "linux")]
static STARTED_STACK_LIMIT: std::sync::OnceLock<libc::rlimit> = std::sync::OnceLock::new();

/// Raises the soft stack limit to [`STACK`] (as far as the hard limit
/// allows) where it is lower (`ulimit -s 512`), so that a deeply nested
/// script neither overflows the stack nor needs one of its own: the main
/// thread's stack grows to the limit in force when it grows (Linux), and
/// the kernel keeps at least 128 MiB free below it. Children get the
/// limit `pipe` was started with ([`started_stack_limit`]).
///
/// Where even the raised limit is too small for scripts nested
/// `syntax::MAX_DEPTH` deep (a hard limit under it: bash's `ulimit -s 512`
/// sets both), takes them only as deep as the stack allows, so that a
/// deeper one is `pipe::parse::too_deep`, not a crash.
fn fit_stack() {
    #[cfg(target_os = "linux")]
    // SAFETY: getrlimit and setrlimit read and write the struct given.
    unsafe {
        let mut started: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_STACK, &mut started) != 0
            || started.rlim_cur == libc::RLIM_INFINITY
            || started.rlim_cur >= STACK
        {
            return;
        }
        let raised = libc::rlimit {
            rlim_cur: STACK.min(started.rlim_max),
            rlim_max: started.rlim_max,
        };
        let mut stack = started.rlim_cur;
        if raised.rlim_cur > started.rlim_cur && libc::setrlimit(libc::RLIMIT_STACK, &raised) == 0 {
            let _ = STARTED_STACK_LIMIT.set(started);
            stack = raised.rlim_cur;
        }
        let levels = stack.saturating_sub(STACK_BESIDES) / STACK_PER_LEVEL;
        crate::syntax::limit_depth(usize::try_from(levels).unwrap_or(usize::MAX));
    }
}

/// The stack a nesting level may take, at most, in `run`, `check`, `fmt`
/// and `graph` together, with what `pipe` needs besides: measured with
/// nested `parallel` blocks, the costliest, about 68 KiB in a debug build
/// and 13 KiB in a release build.
#[cfg(target_os = "linux")]
const STACK_PER_LEVEL: libc::rlim_t = if cfg!(debug_assertions) { 80 } else { 16 } << 10;
#[cfg(target_os = "linux")]
const STACK_BESIDES: libc::rlim_t = 128 << 10;

/// The stack limit to give back to a child, if `pipe` raised its own.
#[cfg(target_os = "linux")]
pub fn started_stack_limit() -> Option<libc::rlimit> {
    STARTED_STACK_LIMIT.get().copied()
}

/// The fd limit `pipe` was started with, when [`raise_fd_limit`] raised
/// its own soft limit; every child gets it back before exec.
#[cfg(target_os = "linux")]
static STARTED_FD_LIMIT: std::sync::OnceLock<libc::rlimit> = std::sync::OnceLock::new();

/// Raises `pipe`'s soft limit on open fds to the hard one (Linux), for a
/// script with parallel blocks: each running branch holds an fd or two in
/// `pipe`, so the usual soft limit of 1024 would fail a `parallel for`
/// over a few hundred files that bash's `&` runs at that limit. The soft
/// limit is low for programs that use select(2), which `pipe` does not:
/// children get the limit `pipe` was started with ([`started_fd_limit`]),
/// as Go's runtime does for its children.
pub fn raise_fd_limit() {
    #[cfg(target_os = "linux")]
    // SAFETY: getrlimit and setrlimit read and write the struct given.
    unsafe {
        let mut started: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut started) != 0 {
            return;
        }
        // An unlimited hard limit is no value for fds: the kernel's own
        // ceiling (fs.nr_open) is 2^20 by default.
        let raised = libc::rlimit {
            rlim_cur: started.rlim_max.min(1 << 20),
            rlim_max: started.rlim_max,
        };
        if raised.rlim_cur > started.rlim_cur && libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0
        {
            let _ = STARTED_FD_LIMIT.set(started);
        }
    }
}

/// The fd limit to give back to a child, if `pipe` raised its own.
#[cfg(target_os = "linux")]
pub fn started_fd_limit() -> Option<libc::rlimit> {
    STARTED_FD_LIMIT.get().copied()
}

/// Makes room in the process's fd table for up to `count` fds (as far as
/// the fd limit allows), once, while `pipe` has a single thread (Linux).
///
/// The kernel grows the table by doubling when an fd beyond it is opened,
/// and in a process with several threads each growth waits for an RCU grace
/// period: measured here, 13-19 ms during which the interpreter thread
/// slept, halfway through starting a parallel block's hundred branches
/// (every one of their timeouts started that much later). A single thread
/// grows it at no such cost, and a table never shrinks. What it costs is
/// kernel memory, 8 bytes and 2 bits an entry.
pub fn reserve_fds(count: u32) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrlimit fills the struct it is given.
        let limit = unsafe {
            let mut limit: libc::rlimit = std::mem::zeroed();
            match libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) {
                0 => limit.rlim_cur,
                _ => 1024,
            }
        };
        let top = u64::from(count).min(limit).saturating_sub(1);
        let Ok(top) = i32::try_from(top) else { return };
        if top <= 64 {
            return;
        }
        // SAFETY: `top` is above every fd we hold (the table is smaller),
        // so dup2 takes a free slot, which is closed at once.
        unsafe {
            if libc::fcntl(top, libc::F_GETFD) == -1 && libc::dup2(0, top) == top {
                libc::close(top);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = count;
}

/// Ends `pipe` by `signal`, as a shell does after its children were
/// interrupted, so that its parent sees the signal. Returns if the signal
/// does not end the process.
pub fn die_by(signal: i32) {
    // SAFETY: restoring the default disposition, unblocking, and raising.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
    }
}
