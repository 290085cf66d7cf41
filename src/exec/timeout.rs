//! `timeout DURATION [signal SIG] [grace DURATION] { ... }`

use std::time::Duration;

use miette::LabeledSpan;

use crate::syntax::ast::{Spanned, Stmt};

use super::error::{RunError, Stages};
use super::io::Io;
use super::status::{Status, signal_name};
use super::supervise::Reason;
use super::{Failure, Flow, Interp, Scope};

/// The status of a block that ran out of time, as coreutils' timeout.
pub const TIMED_OUT: i32 = 124;

pub struct Limits {
    pub duration: Spanned<Duration>,
    pub signal: i32,
    pub grace: Duration,
}

impl Interp<'_> {
    /// Runs the body; when the time is up, every process group still
    /// running in it gets the signal (and SIGCONT), and SIGKILL after the
    /// grace period. The deadline is on the monotonic clock, taken now.
    pub(super) async fn run_timeout(
        &self,
        scope: &mut Scope,
        io: &Io,
        limits: Limits,
        body: &[Stmt],
    ) -> Flow {
        let cancel = scope.cancel.child();
        let mut inner = scope.clone();
        inner.cancel = cancel.clone();
        let deadline = tokio::time::Instant::now().checked_add(limits.duration.value);
        // `timeout 0s`: the deadline has passed before the body starts, so
        // nothing in it runs, rather than whatever is quick enough to beat
        // the timer.
        if limits.duration.value.is_zero() {
            self.note("timeout 0s: the block does not start");
            self.supervisor
                .cancel(&cancel, Reason::Timeout, limits.signal);
        }
        let flow = {
            let body = std::pin::pin!(self.run_stmts(&mut inner, io, body));
            let watchdog = std::pin::pin!(async {
                match deadline {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
                self.note(&format!(
                    "timeout {} expired: {} to the block",
                    humanize(limits.duration.value),
                    signal_name(limits.signal)
                ));
                self.supervisor
                    .terminate(&cancel, Reason::Timeout, limits.signal, limits.grace)
                    .await;
                std::future::pending::<()>().await;
            });
            match futures_util::future::select(body, watchdog).await {
                futures_util::future::Either::Left((flow, _)) => flow,
                futures_util::future::Either::Right(((), _)) => {
                    unreachable!("the watchdog never ends")
                }
            }
        };
        if cancel.own_cancel().is_none() {
            scope.last_status = inner.last_status;
            return flow;
        }
        // Out of time: whatever the body says, the block failed with 124,
        // once what its processes left running elsewhere has ended too.
        // Boxed: a future is as large as its largest state.
        Box::pin(self.supervisor.settle_orphans(limits.signal, limits.grace)).await;
        scope.last_status = TIMED_OUT;
        let caught = cancel.caught();
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some("the time limit".to_owned()),
            limits.duration.span,
        )];
        // The same command at the same place ended the same way (the
        // branches of a `parallel for`, say) is told once, with a count.
        let mut alike: Vec<(&str, crate::syntax::ast::Span, String, usize)> = Vec::new();
        for record in &caught {
            let how = match record.status.get() {
                Some(Status::Signaled(signal)) => format!("ended by {}", signal_name(signal)),
                Some(Status::Exited(code)) => format!("exited with status {code}"),
                None => "still running".to_owned(),
            };
            match alike.iter_mut().find(|(name, span, seen, _)| {
                *name == record.name && *span == record.span && *seen == how
            }) {
                Some((_, _, _, count)) => *count += 1,
                None => alike.push((&record.name, record.span, how, 1)),
            }
        }
        // In script order, the way the labels are: the commands were
        // caught group by group, in no order of the script's.
        alike.sort_by(|a, b| (a.1.start, a.1.end, &a.2).cmp(&(b.1.start, b.1.end, &b.2)));
        let mut ended = Vec::new();
        for (name, span, how, count) in alike {
            let (label, summary) = match count {
                1 => (format!("was running: {how}"), format!("`{name}` {how}")),
                _ => (
                    format!("{count} were running: {how}"),
                    format!("{count} × `{name}` {how}"),
                ),
            };
            labels.push(LabeledSpan::new_with_span(Some(label), span));
            ended.push(summary);
        }
        let mut summary = if ended.is_empty() {
            "no command was running at the deadline".to_owned()
        } else {
            format!("still running at the deadline: {}", ended.join(", "))
        };
        if cancel.dropped_output() {
            summary.push_str(
                "; the block's output that pipe still held, unread by its reader, was \
                 dropped when the grace period ended",
            );
        }
        Flow::Fail(Failure {
            status: TIMED_OUT,
            error: Some(Box::new(RunError::TimedOut {
                after: humanize(limits.duration.value),
                summary,
                labels,
                stages: Stages::default(),
            })),
            secrets: Vec::new(),
        })
    }
}

/// A duration as a script would write it: `100ms`, `2s`, `1.5s`.
fn humanize(duration: Duration) -> String {
    let micros = duration.as_micros();
    if !duration.as_nanos().is_multiple_of(1_000) {
        // Finer than a microsecond (`1.5us`): in seconds, not truncated.
        format!("{}s", duration.as_secs_f64())
    } else if micros.is_multiple_of(1_000_000) {
        format!("{}s", micros / 1_000_000)
    } else if micros < 1_000 {
        format!("{micros}us")
    } else if micros < 1_000_000 {
        // `500ms`, and `1.5ms` rather than `0.0015s`.
        format!("{}ms", micros as f64 / 1_000.0)
    } else {
        format!("{}s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::humanize;

    #[test]
    fn a_duration_is_told_in_the_largest_unit_it_has_a_whole_number_of() {
        for (duration, text) in [
            (Duration::from_secs(2), "2s"),
            (Duration::from_secs(60), "60s"),
            (Duration::from_millis(500), "500ms"),
            (Duration::from_micros(1_500), "1.5ms"),
            (Duration::from_micros(250), "250us"),
            (Duration::from_millis(1_500), "1.5s"),
            (Duration::from_nanos(1_500), "0.0000015s"),
        ] {
            assert_eq!(humanize(duration), text, "{duration:?}");
        }
    }
}
