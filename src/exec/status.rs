//! Statuses: how a child ended, how a pipeline's status is decided, and how
//! `pipe` maps the end of a script to its own exit code.

use std::fmt;

pub const SIGPIPE: i32 = libc::SIGPIPE;

/// The status an `exit` word's text asks for: a number from 0 to 255,
/// with an optional sign (`+3` is 3, and `-0` is 0, as bash takes it),
/// spaces and tabs around it aside, as bash's `exit " 3 "`; None for
/// anything else (`256`, `-1`, `abc`).
pub fn exit_status(text: &str) -> Option<u8> {
    let text = text.trim_matches([' ', '\t']);
    match text.strip_prefix('-') {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b == b'0') => Some(0),
        Some(_) => None,
        None => text.parse().ok(),
    }
}

/// How one process (or one block standing as a pipeline stage) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It exited with this code (0 is success).
    Exited(i32),
    /// It was killed by this signal.
    Signaled(i32),
}

impl Status {
    pub const SUCCESS: Status = Status::Exited(0);

    pub fn success(self) -> bool {
        self == Status::SUCCESS
    }

    /// The status as a shell shows it in `$?`: the exit code, or 128+N for
    /// signal N.
    pub fn code(self) -> i32 {
        match self {
            Status::Exited(code) => code,
            Status::Signaled(signal) => 128 + signal,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Status::Exited(code) => write!(f, "exited with status {code}"),
            Status::Signaled(signal) => {
                write!(
                    f,
                    "killed by {} (status {})",
                    signal_name(signal),
                    128 + signal
                )
            }
        }
    }
}

/// Decides a pipeline's status from its stages' statuses, in order:
///
/// 1. A stage killed by SIGPIPE whose reader (the next stage) succeeded
///    counts as success: the reader stopped reading on purpose, as `head`
///    does (bash with pipefail would say 141 for `yes | head -n 1`).
/// 2. The pipeline's status is the rightmost non-zero stage's (pipefail).
/// 3. Otherwise it is 0.
///
/// Returns the effective status of every stage and the index of the stage
/// that decided a failure, if any.
pub fn pipeline_status(raw: &[Status]) -> (Vec<Status>, Option<usize>) {
    let mut effective = raw.to_vec();
    for i in (0..effective.len().saturating_sub(1)).rev() {
        if effective[i] == Status::Signaled(SIGPIPE) && effective[i + 1].success() {
            effective[i] = Status::SUCCESS;
        }
    }
    let failed = effective.iter().rposition(|status| !status.success());
    (effective, failed)
}

/// The conventional name of a signal, `SIGTERM` for 15; a real-time one
/// as bash's `kill -l` names it, `SIGRTMIN+1` or `SIGRTMAX-2` (by the
/// nearer end), as the script may write it (`signal RTMIN+1`).
pub fn signal_name(signal: i32) -> String {
    if let Ok(known) = nix::sys::signal::Signal::try_from(signal) {
        return known.as_str().to_owned();
    }
    let Some((min, max)) = crate::syntax::realtime_signals() else {
        return format!("signal {signal}");
    };
    match signal {
        _ if signal == min => "SIGRTMIN".to_owned(),
        _ if signal == max => "SIGRTMAX".to_owned(),
        _ if (min..max).contains(&signal) && signal - min <= (max - min) / 2 => {
            format!("SIGRTMIN+{}", signal - min)
        }
        _ if (min..max).contains(&signal) => format!("SIGRTMAX-{}", max - signal),
        _ => format!("signal {signal}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &[Status], expect: Option<usize>, effective: &[i32]) {
        let (got, failed) = pipeline_status(raw);
        assert_eq!(failed, expect, "{raw:?}");
        let codes: Vec<i32> = got.iter().map(|s| s.code()).collect();
        assert_eq!(codes, effective, "{raw:?}");
    }

    #[test]
    fn precedence() {
        use Status::{Exited as E, Signaled as S};
        check(&[E(0)], None, &[0]);
        check(&[E(1)], Some(0), &[1]);
        check(&[S(SIGPIPE), E(0)], None, &[0, 0]);
        check(&[S(SIGPIPE), E(3)], Some(1), &[141, 3]);
        check(&[E(2), E(0), E(3), E(0)], Some(2), &[2, 0, 3, 0]);
        check(&[S(SIGPIPE), S(SIGPIPE), E(0)], None, &[0, 0, 0]);
        check(&[S(SIGPIPE)], Some(0), &[141]);
        check(&[S(9), E(0)], Some(0), &[137, 0]);
    }

    #[test]
    fn display() {
        assert_eq!(Status::Exited(3).to_string(), "exited with status 3");
        assert_eq!(
            Status::Signaled(9).to_string(),
            "killed by SIGKILL (status 137)"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn realtime_names() {
        let (min, max) = (libc::SIGRTMIN(), libc::SIGRTMAX());
        assert_eq!(signal_name(min), "SIGRTMIN");
        assert_eq!(signal_name(min + 1), "SIGRTMIN+1");
        assert_eq!(signal_name(max - 2), "SIGRTMAX-2");
        assert_eq!(signal_name(max), "SIGRTMAX");
    }
}
