//! `-x`: the lines `pipe` prints for each command and statement as it
//! starts, quoted so that they can be pasted into a shell, secrets hidden.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::redact::redact_bytes;
use super::{Assign, Interp, Scope, command};

impl Interp<'_> {
    /// Reports something that happened to the run, when observed.
    pub(super) fn note(&self, what: &str) {
        if self.observe {
            self.reporter.note(self.started.elapsed(), what);
        }
    }

    /// A command line for `-x`, its prefix assignments first, as bash
    /// prints it: quoted so it can be pasted, secrets hidden.
    pub(super) fn trace_line(&self, plan: &command::Plan) -> String {
        let secrets = self.secrets.borrow();
        let word = |bytes: &[u8]| quote_bytes(&redact_bytes(&secrets, bytes));
        let assigns = plan.env[plan.env.len() - plan.assigned..]
            .iter()
            .map(|(name, value)| format!("{}={}", name.to_string_lossy(), word(value.as_bytes())));
        let words = plan.argv.iter().map(|arg| word(arg.as_bytes()));
        assigns.chain(words).collect::<Vec<String>>().join(" ")
    }

    /// Hides the items of a `for` loop whose variable is a secret, each of
    /// which it will hold, before the loop's trace shows them.
    pub(super) fn hide_items(&self, scope: &Scope, var: &str, values: &[OsString]) {
        if scope.attributes(var, Assign::Plain).1 {
            for value in values {
                self.hide(value.as_bytes());
            }
        }
    }

    /// `-x` for a `for` loop, once as it starts, as bash traces its header:
    /// its items expanded, quoted and redacted; past [`TRACED_ITEMS`] of
    /// them, only how many more there are.
    pub(super) fn for_line(&self, var: &str, values: &[OsString]) -> String {
        let secrets = self.secrets.borrow();
        let mut line = format!("for {var} in");
        for value in values.iter().take(TRACED_ITEMS) {
            line.push(' ');
            line.push_str(&quote_bytes(&redact_bytes(&secrets, value.as_bytes())));
        }
        if values.len() > TRACED_ITEMS {
            line.push_str(&format!(" … ({} items)", values.len()));
        }
        line
    }

    /// `-x` for a statement that starts no process (`let`, `export`,
    /// `secret`, `cd`, `exit`), as bash traces assignments and builtins:
    /// its words, the word it takes expanded, quoted and redacted as a
    /// command line is.
    pub(super) fn trace_stmt(&self, words: &str, value: Option<&[u8]>) {
        if !self.observe {
            return;
        }
        let line = match value {
            Some(value) => {
                let value = quote_bytes(&redact_bytes(&self.secrets.borrow(), value));
                format!("{words} {value}")
            }
            None => words.to_owned(),
        };
        self.reporter.starting(self.started.elapsed(), &line);
    }
}

/// Shell-quotes a word for `-x` as bash does: as it is when plain, in
/// single quotes when it is text, and as `$'...'` with octal escapes when
/// it holds a control character (other than a newline or tab) or bytes that
/// are not UTF-8, so that every byte shows, none reaches the terminal as a
/// control sequence, and the line can be pasted into bash.
fn quote_bytes(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let plain_text = std::str::from_utf8(bytes).ok().filter(|text| {
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    });
    if let Some(text) = plain_text {
        return quote(text);
    }
    let mut out = String::from("$'");
    let octal = |out: &mut String, byte: u8| {
        let _ = write!(out, "\\{byte:03o}");
    };
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\'' => out.push_str("\\'"),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {
                    let mut buf = [0; 4];
                    for &byte in c.encode_utf8(&mut buf).as_bytes() {
                        octal(&mut out, byte);
                    }
                }
                c => out.push(c),
            }
        }
        for &byte in chunk.invalid() {
            octal(&mut out, byte);
        }
    }
    out.push('\'');
    out
}

/// Shell-quotes a word when it needs it, as bash's trace does: letters
/// and digits of any script are plain, and so are `#` and `~` but where
/// bash would read them as a comment or a home directory (first in the
/// word; `~` after `=` or `:`).
fn quote(word: &str) -> String {
    let mut previous = None;
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            let plain = match c {
                c if c.is_ascii() => {
                    c.is_ascii_alphanumeric()
                        || "-_./=:,+@%".contains(c)
                        || (c == '#' && previous.is_some())
                        || (c == '~' && previous.is_some_and(|p| p != '=' && p != ':'))
                }
                c => c.is_alphanumeric(),
            };
            previous = Some(c);
            plain
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// How many items of a `for` list `-x` shows.
const TRACED_ITEMS: usize = 100;
