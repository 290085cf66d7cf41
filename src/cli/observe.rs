//! `-x` / `--trace` and `--timeline`: what the executor reports about
//! every child, shown on stderr as it happens, and written as Chrome
//! trace-event JSON (which Perfetto and chrome://tracing open) at the end.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use serde_json::{Value, json};

use crate::exec::{Ended, Started};

pub struct Observer {
    trace: bool,
    /// Trace events, when a timeline is asked for.
    timeline: Option<RefCell<Timeline>>,
}

#[derive(Default)]
struct Timeline {
    events: Vec<Value>,
    /// Children started and not yet ended: start time and argv.
    running: HashMap<i32, (Duration, Vec<String>)>,
    /// Every value made secret while the script ran: the file is written
    /// at the end, so a secret's value is hidden there even in what ran
    /// before it was declared (`echo $v` before `secret s = $v`).
    secrets: Vec<Vec<u8>>,
}

impl Observer {
    pub fn new(trace: bool, timeline: bool) -> Observer {
        Observer {
            trace,
            timeline: timeline.then(|| RefCell::new(Timeline::default())),
        }
    }

    pub fn active(&self) -> bool {
        self.trace || self.timeline.is_some()
    }

    /// `-x`: the command as bash prints it, before it starts, so that the
    /// line comes before its output; when, after it as a comment, so the
    /// line can still be pasted. Its pid is on the line of its end.
    pub fn starting(&self, at: Duration, command: &str) {
        if self.trace {
            line(&format!("+ {command}  # {}", seconds(at)));
        }
    }

    pub fn started(&self, event: &Started<'_>) {
        if let Some(timeline) = &self.timeline {
            timeline
                .borrow_mut()
                .running
                .insert(event.pid, (event.at, event.argv.to_vec()));
        }
    }

    pub fn ended(&self, event: &Ended<'_>) {
        if self.trace {
            line(&format!(
                "- {} [{}] {} {}",
                seconds(event.at),
                event.pid,
                event.name,
                event.status
            ));
        }
        if let Some(timeline) = &self.timeline {
            let mut timeline = timeline.borrow_mut();
            let (start, argv) = timeline
                .running
                .remove(&event.pid)
                .unwrap_or((event.at, Vec::new()));
            let name = if argv.is_empty() {
                event.name.to_owned()
            } else {
                argv.join(" ")
            };
            timeline.events.push(json!({
                "name": name,
                "cat": "process",
                "ph": "X",
                "ts": micros(start),
                "dur": micros(event.at.saturating_sub(start)),
                "pid": std::process::id(),
                "tid": event.pid,
                "args": {
                    "argv": argv,
                    "pid": event.pid,
                    "status": event.status.code(),
                    "ended": event.status.to_string(),
                },
            }));
            timeline.events.push(json!({
                "name": "thread_name",
                "ph": "M",
                "pid": std::process::id(),
                "tid": event.pid,
                "args": { "name": format!("{} [{}]", event.name, event.pid) },
            }));
        }
    }

    pub fn note(&self, at: Duration, what: &str) {
        if self.trace {
            line(&format!("! {} {what}", seconds(at)));
        }
        if let Some(timeline) = &self.timeline {
            timeline.borrow_mut().events.push(json!({
                "name": what,
                "cat": "pipe",
                "ph": "i",
                "s": "g",
                "ts": micros(at),
                "pid": std::process::id(),
                "tid": 0,
            }));
        }
    }

    pub fn secret(&self, value: &[u8]) {
        if let Some(timeline) = &self.timeline {
            timeline.borrow_mut().secrets.push(value.to_vec());
        }
    }

    /// The timeline as JSON, every secret's value hidden in every text.
    pub fn timeline_json(&self, script: &str) -> Option<String> {
        let timeline = self.timeline.as_ref()?.borrow();
        let mut events = vec![json!({
            "name": "process_name",
            "ph": "M",
            "pid": std::process::id(),
            "tid": 0,
            "args": { "name": format!("pipe {script}") },
        })];
        events.extend(timeline.events.iter().cloned());
        for event in &mut events {
            redact(event, &timeline.secrets);
        }
        let document = json!({ "traceEvents": events, "displayTimeUnit": "ms" });
        serde_json::to_string_pretty(&document).ok()
    }
}

/// Hides every secret in the texts of an event that come from the script
/// (its name, argv, thread name), and not in the format's own fields
/// (`"ph": "X"`), which a short secret could otherwise turn to `***`.
fn redact(event: &mut Value, secrets: &[Vec<u8>]) {
    let hide = |text: &mut Value| {
        if let Value::String(text) = text {
            *text = crate::exec::redact(secrets, std::mem::take(text));
        }
    };
    let metadata = event["ph"] == "M";
    if !metadata && let Some(name) = event.get_mut("name") {
        hide(name);
    }
    if let Some(args) = event.get_mut("args") {
        if let Some(name) = args.get_mut("name") {
            hide(name);
        }
        if let Some(Value::Array(argv)) = args.get_mut("argv") {
            argv.iter_mut().for_each(hide);
        }
    }
}

fn seconds(at: Duration) -> String {
    format!("{:.3}s", at.as_secs_f64())
}

fn micros(at: Duration) -> u64 {
    at.as_micros().try_into().unwrap_or(u64::MAX)
}

fn line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
