//! The controlling terminal: which process group may read it.
//!
//! Every pipeline runs in a process group of its own, so that a timeout or
//! a signal can reach all of it. A process group that is not the
//! terminal's foreground group is stopped (SIGTTIN) when it reads the
//! terminal. So when `pipe` owns the foreground, the pipeline that reads
//! `pipe`'s own stdin (the terminal) is given the foreground while it runs,
//! and `pipe` takes it back when the pipeline ends, as an interactive shell
//! does for its jobs. Ctrl-C then reaches that pipeline directly; when a
//! command of it dies of SIGINT, `pipe` treats that as its own
//! interruption, at once (see `start_command`). Ctrl-Z reaches it too:
//! when it stops, `pipe` stops the whole job, and gives it the foreground
//! again once continued in the foreground.

use std::cell::Cell;

/// The terminal on `pipe`'s stdin, when `pipe` is its foreground group.
pub struct Terminal {
    own_group: libc::pid_t,
    /// Whether a pipeline holds the foreground now.
    lent: Cell<bool>,
}

impl Terminal {
    /// The terminal, if stdin is one and `pipe` is in its foreground.
    pub fn detect() -> Option<Terminal> {
        // SAFETY: isatty, tcgetpgrp and getpgrp only query.
        unsafe {
            if libc::isatty(0) != 1 {
                return None;
            }
            let own_group = libc::getpgrp();
            (libc::tcgetpgrp(0) == own_group).then_some(Terminal {
                own_group,
                lent: Cell::new(false),
            })
        }
    }

    /// Whether a new pipeline may have the foreground (nobody has it).
    pub fn available(&self) -> bool {
        !self.lent.get()
    }

    /// Gives the foreground to `group` (its leader also takes it itself,
    /// before exec, so that it never reads the terminal in the background).
    pub fn lend(&self, group: libc::pid_t) {
        set_foreground(group);
        self.lent.set(true);
    }

    /// After `pipe` was stopped and continued: gives the foreground back
    /// to `group`, which had it, if `pipe` was continued in the foreground
    /// (`fg`); continued in the background (`bg`), it leaves the terminal
    /// to the shell.
    pub fn resume(&self, group: libc::pid_t) {
        // SAFETY: tcgetpgrp only queries.
        if self.lent.get() && unsafe { libc::tcgetpgrp(0) } == self.own_group {
            set_foreground(group);
        }
    }

    /// Takes the foreground back.
    pub fn reclaim(&self) {
        if self.lent.replace(false) {
            set_foreground(self.own_group);
        }
    }
}

/// `tcsetpgrp` on stdin with SIGTTOU blocked: a background group may then
/// change the foreground group (POSIX), which both `pipe` and a child about
/// to exec need. Async-signal-safe, so a child may call it before exec.
pub fn set_foreground(group: libc::pid_t) {
    // SAFETY: signal mask changes and tcsetpgrp on fd 0, nothing else.
    unsafe {
        let mut block: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut block);
        libc::sigaddset(&mut block, libc::SIGTTOU);
        libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut old);
        libc::tcsetpgrp(0, group);
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
    }
}
