//! Expansion: words to argument values (`OsString`, any byte but NUL).
//!
//! Invariant: expansion never spawns a process. A `$(...)` part is run by
//! the executor before the word is expanded; expansion only reads the
//! captured bytes back through [`Lookup::substitution`]. Globs in `for`
//! lists read the file system, nothing else.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::syntax::ast::{ListItem, RangeBound, Span, VarName, VarRef, Word, WordPart};

/// What expansion needs to know about the running script.
pub trait Lookup {
    /// A variable's value: script variables first, then the environment.
    fn var(&self, name: &str) -> Option<OsString>;
    /// Every variable name in scope, for "did you mean" help.
    fn var_names(&self) -> Vec<String>;
    /// The script's path (`$0`) followed by its arguments (`$1`...).
    fn positional(&self) -> &[OsString];
    /// `$?`, read at byte offset `at` of the script: as in bash, a
    /// `$(...)` expanded before it, for the same command, sets it.
    fn last_status(&self, at: usize) -> i32;
    /// The captured output of the `$(...)` at `span`, already run.
    fn substitution(&self, span: Span) -> Option<&[u8]>;
}

#[derive(Debug, Error, Diagnostic)]
pub enum ExpandError {
    #[error("undefined variable `{name}`")]
    #[diagnostic(code(pipe::run::undefined_variable), help("{help}"))]
    Undefined {
        name: String,
        /// What to do about it (see [`undefined_help`]).
        help: String,
        #[label("not defined here")]
        span: miette::SourceSpan,
    },

    #[error("`{name}` is not an integer")]
    #[diagnostic(
        code(pipe::run::not_an_integer),
        help("a range bound must be a whole number")
    )]
    NotAnInteger {
        name: String,
        /// "this is not a whole number", or that it is empty.
        reason: &'static str,
        #[label("{reason}")]
        span: miette::SourceSpan,
    },

    #[error("`{name}` is out of range")]
    #[diagnostic(
        code(pipe::run::number_out_of_range),
        help("a range bound is a whole number from -9223372036854775808 to 9223372036854775807")
    )]
    BoundOutOfRange {
        name: String,
        #[label("not a 64-bit integer")]
        span: miette::SourceSpan,
    },

    #[error("glob `{pattern}` matched no file")]
    #[diagnostic(code(pipe::run::no_match))]
    NoMatch {
        pattern: String,
        #[label("matched nothing")]
        span: miette::SourceSpan,
        /// How to use the word as it is, and which directory on the way
        /// could not be read, if one could not.
        #[help]
        help: String,
    },

    #[error("invalid glob `{pattern}`: {reason}")]
    #[diagnostic(code(pipe::run::bad_glob))]
    BadGlob {
        pattern: String,
        reason: String,
        #[label("here")]
        span: miette::SourceSpan,
    },

    #[error("ambiguous {what}: the word expands to {count} values")]
    #[diagnostic(code(pipe::run::ambiguous), help("{}", ambiguous_help(.what)))]
    Ambiguous {
        what: &'static str,
        count: usize,
        #[label("expands to {count} values")]
        span: miette::SourceSpan,
    },

    #[error("range too long: {len} items")]
    #[diagnostic(
        code(pipe::run::range_too_long),
        help("a range may hold at most 10,000,000 items")
    )]
    RangeTooLong {
        len: u128,
        #[label("this range")]
        span: miette::SourceSpan,
    },
}

/// The help of an undefined variable: the name meant, if one in scope is
/// close; for a positional parameter, how many arguments there are.
fn undefined_help(name: &str, suggestion: Suggestion, arguments: Option<usize>) -> String {
    if let Some(count) = arguments {
        let got = match count {
            0 => "no arguments".to_owned(),
            1 => "1 argument".to_owned(),
            n => format!("{n} arguments"),
        };
        return format!(
            "the script got {got}; pass more, or give a default: `${{{name}:-default}}`"
        );
    }
    if let Some(help) = bash_variable_help(name) {
        return help;
    }
    suggestion.help().unwrap_or_else(|| {
        format!("define it with `let {name} = value`, or give a default: `${{{name}:-default}}`")
    })
}

/// What an undefined variable was likely meant as.
pub enum Suggestion {
    None,
    /// A defined name it is a typo of.
    Close(String),
    /// `$name_bak`, written without braces, where `name` is defined: the
    /// text after the name was read as part of it, as bash reads it.
    Joined {
        name: String,
        rest: String,
    },
}

impl Suggestion {
    /// For `var`, written as in the script, among the `defined` names.
    pub fn of(var: &VarRef, name: &str, defined: impl IntoIterator<Item = String>) -> Suggestion {
        let defined: Vec<String> = defined.into_iter().collect();
        if let Some(close) = crate::suggest::closest_name(name, defined.iter().cloned()) {
            return Suggestion::Close(close);
        }
        // `${name_bak}` is braced: its name is what was meant.
        if var.span.end - var.span.start != name.len() + 1 {
            return Suggestion::None;
        }
        // A name the script set (the environment's `$HOME_DIR` is more
        // likely a variable not set), then `_` or a digit, as in
        // `$file_bak` or `$name2`.
        defined
            .into_iter()
            .filter(|prefix| {
                prefix != "_"
                    && name.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                        rest.starts_with(|c: char| c == '_' || c.is_ascii_digit())
                    })
                    && std::env::var_os(prefix).is_none()
            })
            .max_by_key(String::len)
            .map_or(Suggestion::None, |prefix| Suggestion::Joined {
                rest: name[prefix.len()..].to_owned(),
                name: prefix,
            })
    }

    /// Its help, if it has one.
    pub fn help(self) -> Option<String> {
        match self {
            Suggestion::None => None,
            Suggestion::Close(close) => Some(format!(
                "did you mean `${close}`? Define variables with `let NAME = value`"
            )),
            Suggestion::Joined { name, rest } => Some(format!(
                "write `${{{name}}}{rest}` for `${name}` then `{rest}`: `${name}{rest}` \
                 is one name, as in bash"
            )),
        }
    }
}

/// What to write instead of a variable that bash sets itself, without
/// exporting it, so that a script ported from bash finds it undefined:
/// the run and `pipe check` say alike.
pub fn bash_variable_help(name: &str) -> Option<String> {
    let instead = match name {
        "RANDOM" => "for a random number run a command: `$(shuf -i 0-32767 -n 1)`",
        "UID" | "EUID" => "ask for the user's id: `$(id -u)`",
        "HOSTNAME" => "ask for it: `$(hostname)`",
        "SECONDS" | "EPOCHSECONDS" => "read the clock: `$(date +%s)`",
        "BASH_SOURCE" => "the script's path is `$0`",
        "PIPESTATUS" => {
            "a failing pipeline's diagnostic shows every stage's status, and `$?` is the \
             failing stage's"
        }
        "IFS" => "pipe splits no words: `$x` is always one argument",
        _ => return None,
    };
    Some(format!("`${name}` is bash's own variable; {instead}"))
}

/// The most items one range may produce.
pub const MAX_RANGE: u128 = 10_000_000;

/// Expands a word to its fields. Only `$@` makes several (or none); every
/// other word is exactly one field, whatever its values hold.
pub fn fields(word: &Word, lookup: &dyn Lookup) -> Result<Vec<OsString>, ExpandError> {
    let mut out: Vec<Vec<u8>> = vec![Vec::new()];
    let only_args = matches!(word.parts.as_slice(), [WordPart::Args { .. }]);
    for (i, part) in word.parts.iter().enumerate() {
        match part {
            WordPart::Literal {
                bytes,
                quoted: false,
                span,
            } if i == 0 && leading_tilde(bytes, word.parts.len() == 1) => {
                push(&mut out, &tilde(bytes, *span, lookup)?)
            }
            WordPart::Literal { bytes, .. } => push(&mut out, bytes),
            WordPart::Var(var) => push(&mut out, var_value(var, lookup)?.as_bytes()),
            WordPart::Subst { span, .. } => push(
                &mut out,
                trim_newlines(lookup.substitution(*span).unwrap_or_default()),
            ),
            WordPart::Args { .. } => {
                // Like bash's "$@": the first argument joins the text before
                // it, the last the text after it, the others stand alone.
                let args = lookup.positional().get(1..).unwrap_or_default();
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push(Vec::new());
                    }
                    push(&mut out, arg.as_bytes());
                }
            }
        }
    }
    if only_args && lookup.positional().len() <= 1 {
        return Ok(Vec::new());
    }
    Ok(out.into_iter().map(OsString::from_vec).collect())
}

fn push(out: &mut [Vec<u8>], bytes: &[u8]) {
    if let Some(last) = out.last_mut() {
        last.extend_from_slice(bytes);
    }
}

/// Whether a word's first part, unquoted, starts with a `~` that is the
/// home directory: as in bash, one that is the whole word, or that an
/// unquoted `/` follows (`~/bin`). One followed by anything else stays as
/// written: `~user`, and, as bash leaves a tilde whose prefix holds
/// something quoted or expanded, `~"x"`, `~'/x'`, `~\/x` and `~$x`.
/// `only_part` says that the word has no part after this one.
pub fn leading_tilde(bytes: &[u8], only_part: bool) -> bool {
    bytes.starts_with(b"~/") || (bytes == b"~" && only_part)
}

/// An unquoted `~` or `~/...` at the start of a word is the home directory,
/// as in bash (`~user` is left as written; see [`leading_tilde`]). An unset
/// HOME is an error, as any undefined variable is.
fn tilde(bytes: &[u8], span: Span, lookup: &dyn Lookup) -> Result<Vec<u8>, ExpandError> {
    // As bash does, an unset HOME is the user's home from the password
    // database; only when that fails too is it undefined.
    let Some(home) = lookup.var("HOME").or_else(home_of_user) else {
        let span = Span::new(span.start, span.start + 1).into();
        // A cron job's or a container's user, say: `${HOME:-...}` is no
        // help for a `~`.
        // SAFETY: getuid cannot fail.
        let uid = unsafe { libc::getuid() };
        return Err(ExpandError::Undefined {
            name: "HOME".to_owned(),
            help: format!(
                "`~` is the home directory, `$HOME`, which is not set, and user {uid} has \
                 none in the password database: set it (`export HOME = /path`) or write \
                 the directory out"
            ),
            span,
        });
    };
    let mut out = home.as_bytes().to_vec();
    out.extend_from_slice(&bytes[1..]);
    Ok(out)
}

/// The home directory of the user running `pipe`, from the password
/// database (`getpwuid_r`).
fn home_of_user() -> Option<OsString> {
    let mut buffer = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: an all-zero `passwd` is a valid value of the C struct (null
    // pointers and zero ids); getpwuid_r only writes it.
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to live memory of the size given, and the
    // strings the entry points to live in `buffer`, read before it drops.
    let status = unsafe {
        libc::getpwuid_r(
            libc::getuid(),
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        )
    };
    if status != 0 || found.is_null() || entry.pw_dir.is_null() {
        return None;
    }
    // SAFETY: pw_dir is a NUL-terminated string inside `buffer`.
    let dir = unsafe { std::ffi::CStr::from_ptr(entry.pw_dir) };
    let dir = dir.to_bytes();
    (!dir.is_empty()).then(|| OsStr::from_bytes(dir).to_owned())
}

/// Expands a redirect's file name: as [`single`], with a `~` after the
/// `=` of a name that reads as an assignment the home directory, as bash
/// takes it there (see [`assignment_like`]).
pub fn target(word: &Word, lookup: &dyn Lookup) -> Result<OsString, ExpandError> {
    match assignment_like(word, lookup)? {
        Some(word) => single(&word, "redirect", lookup),
        None => single(word, "redirect", lookup),
    }
}

/// Whether `word` is `$@` alone while the script has no arguments: no
/// word at all, as bash's `"$@"` is then, so that `cd $@` is `cd` and
/// `exit $@` is `exit`.
pub fn no_word(word: &Word, positional: &[OsString]) -> bool {
    matches!(word.parts.as_slice(), [WordPart::Args { .. }]) && positional.len() <= 1
}

/// Expands a word that must be one value: a redirect target or `cd`.
pub fn single(
    word: &Word,
    what: &'static str,
    lookup: &dyn Lookup,
) -> Result<OsString, ExpandError> {
    let mut values = fields(word, lookup)?;
    if values.len() == 1 {
        Ok(values.remove(0))
    } else {
        Err(ExpandError::Ambiguous {
            what,
            count: values.len(),
            span: word.span.into(),
        })
    }
}

/// What to write instead of a word that is not one value.
fn ambiguous_help(what: &str) -> &'static str {
    match what {
        // Several values are a command and its arguments; only none is
        // wrong, as `$@` is without arguments.
        "command" => {
            "a command needs a program to run, and its words expand to none \
             (`$@` is no word at all when the script has no arguments)"
        }
        _ => "it must expand to exactly one value",
    }
}

/// Expands `cd`'s word: as [`single`], but a glob written in it is its
/// matches, as bash's `cd build-*` globs (one that matches nothing is an
/// error, as with `failglob`); it must match one directory name.
pub fn directory(word: &Word, lookup: &dyn Lookup, cwd: &Path) -> Result<OsString, ExpandError> {
    let mut values = argument(word, lookup, cwd)?;
    if values.len() == 1 {
        Ok(values.remove(0))
    } else {
        Err(ExpandError::Ambiguous {
            what: "directory",
            count: values.len(),
            span: word.span.into(),
        })
    }
}

/// Expands a word to one value, joining `$@` with spaces as bash does in
/// an assignment.
pub fn joined(word: &Word, lookup: &dyn Lookup) -> Result<OsString, ExpandError> {
    let values = fields(word, lookup)?;
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(value.as_bytes());
    }
    Ok(OsString::from_vec(out))
}

/// Expands the value of an assignment (`let`, `export`, `secret`, a
/// command's `NAME=value`): as [`joined`], and, as bash does in an
/// assignment, an unquoted `~` after a `:` is the home directory too
/// (`let PATH = $PATH:~/bin`).
pub fn assignment(word: &Word, lookup: &dyn Lookup) -> Result<OsString, ExpandError> {
    let count = word.parts.len();
    let has_tilde = word.parts.iter().enumerate().any(|(n, part)| {
        matches!(part, WordPart::Literal { bytes, quoted: false, .. }
            if !tildes_after_colons(bytes, n == 0, n + 1 == count).is_empty())
    });
    if !has_tilde {
        return joined(word, lookup);
    }
    let mut word = word.clone();
    for (n, part) in word.parts.iter_mut().enumerate() {
        if let WordPart::Literal {
            bytes,
            quoted: false,
            span,
        } = part
        {
            let at = tildes_after_colons(bytes, n == 0, n + 1 == count);
            let mut out = Vec::with_capacity(bytes.len());
            let mut from = 0;
            for i in at {
                out.extend_from_slice(&bytes[from..i]);
                let tilde_at = Span::new(span.start + i, span.start + i + 1);
                out.extend_from_slice(&tilde(b"~", tilde_at, lookup)?);
                from = i + 1;
            }
            out.extend_from_slice(&bytes[from..]);
            *bytes = out;
        }
    }
    joined(&word, lookup)
}

/// Where `:~` is followed by `/`, `:` or, in the word's `last` part, its
/// end: the offsets of those `~`. In the word's `first` part, a `~:` that
/// starts it is one too, as in bash (`PATH=~:~/bin`); a `~` or `~/` there
/// is the start of any word's, which [`fields`] expands.
pub fn tildes_after_colons(bytes: &[u8], first: bool, last: bool) -> Vec<usize> {
    let leading = first && bytes.starts_with(b"~:");
    let mut at = tildes_in_value(bytes, last);
    at.retain(|&i| i > 0 || leading);
    at
}

/// The `~` of `bytes`, the start of an assignment's value (or a part of
/// it), that are the home directory: at the start or after a `:`, and
/// followed by `/`, `:` or, in the word's `last` part, its end.
fn tildes_in_value(bytes: &[u8], last: bool) -> Vec<usize> {
    (0..bytes.len())
        .filter(|&i| {
            (i == 0 || bytes[i - 1] == b':')
                && bytes[i] == b'~'
                && match bytes.get(i + 1) {
                    Some(next) => matches!(next, b'/' | b':'),
                    None => last,
                }
        })
        .collect()
}

/// The value of `$name`, `${name:-default}`, `$1`, `$?`, `$#`.
fn var_value(var: &VarRef, lookup: &dyn Lookup) -> Result<OsString, ExpandError> {
    match (own_value(var, lookup), &var.default) {
        // `${x:-d}` takes the default when x is unset or empty, as in bash.
        (Some(value), Some(default)) if value.is_empty() => joined(default, lookup),
        (Some(value), _) => Ok(value),
        (None, Some(default)) => joined(default, lookup),
        (None, None) => Err(undefined(var, lookup)),
    }
}

/// Whether `${x:-default}` takes its default: `x` is unset or empty. A
/// `$(...)` in the default runs only then.
pub fn takes_default(var: &VarRef, lookup: &dyn Lookup) -> bool {
    var.default.is_some() && own_value(var, lookup).is_none_or(|value| value.is_empty())
}

/// The value of the variable itself, before any default.
fn own_value(var: &VarRef, lookup: &dyn Lookup) -> Option<OsString> {
    match &var.name {
        VarName::Named(name) => lookup.var(name),
        VarName::Positional(n) => lookup.positional().get(*n).cloned(),
        VarName::Status => Some(lookup.last_status(var.span.start).to_string().into()),
        VarName::Count => Some(
            lookup
                .positional()
                .len()
                .saturating_sub(1)
                .to_string()
                .into(),
        ),
    }
}

fn undefined(var: &VarRef, lookup: &dyn Lookup) -> ExpandError {
    let name = match &var.name {
        VarName::Named(name) => name.clone(),
        VarName::Positional(n) => n.to_string(),
        VarName::Status => "?".to_owned(),
        VarName::Count => "#".to_owned(),
    };
    let suggestion = match &var.name {
        VarName::Named(name) => Suggestion::of(var, name, lookup.var_names()),
        _ => Suggestion::None,
    };
    let arguments = matches!(var.name, VarName::Positional(_))
        .then(|| lookup.positional().len().saturating_sub(1));
    ExpandError::Undefined {
        help: undefined_help(&name, suggestion, arguments),
        name,
        span: var.span.into(),
    }
}

/// `$(...)` output as bash substitutes it: trailing newlines removed.
pub fn trim_newlines(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != b'\n').map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Expands one item of a `for` list: a range, a glob, `$@`, the lines of a
/// lone `$(...)`, or a plain word.
pub fn list_item(
    item: &ListItem,
    lookup: &dyn Lookup,
    cwd: &Path,
) -> Result<Vec<OsString>, ExpandError> {
    match item {
        ListItem::Range { from, to, span } => {
            let (from, from_text) = bound(from, lookup)?;
            let (to, to_text) = bound(to, lookup)?;
            let len = (i128::from(from) - i128::from(to)).unsigned_abs() + 1;
            if len > MAX_RANGE {
                return Err(ExpandError::RangeTooLong {
                    len,
                    span: (*span).into(),
                });
            }
            // As in bash's `{01..10}`: a bound written with a leading zero
            // pads every item with zeros to the wider bound's width.
            let width = if zero_padded(&from_text) || zero_padded(&to_text) {
                from_text.len().max(to_text.len())
            } else {
                0
            };
            let item = |n: i64| -> OsString {
                if n < 0 {
                    format!(
                        "-{:0>pad$}",
                        n.unsigned_abs(),
                        pad = width.saturating_sub(1)
                    )
                    .into()
                } else {
                    format!("{n:0>width$}").into()
                }
            };
            let values: Vec<OsString> = if from <= to {
                (from..=to).map(item).collect()
            } else {
                (to..=from).rev().map(item).collect()
            };
            Ok(values)
        }
        ListItem::Word(word) => {
            if let [WordPart::Subst { span, .. }] = word.parts.as_slice() {
                let bytes = lookup.substitution(*span).unwrap_or_default();
                return Ok(bytes
                    .split(|&b| b == b'\n')
                    .filter(|line| !line.is_empty())
                    .map(|line| OsStr::from_bytes(line).to_owned())
                    .collect());
            }
            argument(word, lookup, cwd)
        }
    }
}

/// Expands a command's word, or a plain word of a `for` list: a word whose
/// unquoted text is a glob is its sorted matches, as in bash (one that
/// matches nothing is an error, as with bash's `failglob`); any other word
/// is its [`fields`]. Expanded values are never globbed. A `~` after the
/// `=` of a word that reads as an assignment is the home directory (see
/// [`assignment_like`]).
pub fn argument(
    word: &Word,
    lookup: &dyn Lookup,
    cwd: &Path,
) -> Result<Vec<OsString>, ExpandError> {
    if let Some(word) = assignment_like(word, lookup)? {
        return argument(&word, lookup, cwd);
    }
    if let Some(words) = spread_args(word, lookup) {
        let mut out = Vec::new();
        for word in &words {
            out.extend(argument(word, lookup, cwd)?);
        }
        return Ok(out);
    }
    match glob_pattern(word, lookup)? {
        Some((pattern, shown)) => glob(&pattern, &shown, word.span, cwd),
        None => fields(word, lookup),
    }
}

/// The word with the home directory, as quoted text (so that it is no
/// glob), in place of each `~` that bash expands in a word that reads as
/// an assignment, an unquoted name then `=` or `+=` (`make
/// PREFIX=~/.local`): one right after its `=`, or after a `:` in its
/// value, as in an assignment's value ([`assignment`]). None when the
/// word is no `NAME=value` or has no such `~`. As in bash, for a
/// command's words, a `for` list's and a redirect's target.
fn assignment_like(word: &Word, lookup: &dyn Lookup) -> Result<Option<Word>, ExpandError> {
    let Some(WordPart::Literal {
        bytes,
        quoted: false,
        ..
    }) = word.parts.first()
    else {
        return Ok(None);
    };
    let name = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let value = match bytes.get(name..) {
        _ if name == 0 || bytes[0].is_ascii_digit() => return Ok(None),
        Some([b'=', ..]) => name + 1,
        Some([b'+', b'=', ..]) => name + 2,
        _ => return Ok(None),
    };
    let count = word.parts.len();
    let mut parts = Vec::with_capacity(count);
    let mut changed = false;
    for (n, part) in word.parts.iter().enumerate() {
        let WordPart::Literal {
            bytes,
            quoted: false,
            span,
        } = part
        else {
            parts.push(part.clone());
            continue;
        };
        let last = n + 1 == count;
        let at: Vec<usize> = if n == 0 {
            // The value's start is as a `:` (`A=~:~/bin`).
            tildes_in_value(&bytes[value..], last)
                .into_iter()
                .map(|i| value + i)
                .collect()
        } else {
            tildes_after_colons(bytes, false, last)
        };
        let mut from = 0;
        let literal = |from: usize, to: usize| WordPart::Literal {
            bytes: bytes[from..to].to_vec(),
            quoted: false,
            span: Span::new(span.start + from, span.start + to),
        };
        for i in at {
            changed = true;
            if from < i {
                parts.push(literal(from, i));
            }
            let tilde_at = Span::new(span.start + i, span.start + i + 1);
            parts.push(WordPart::Literal {
                bytes: tilde(b"~", tilde_at, lookup)?,
                quoted: true,
                span: tilde_at,
            });
            from = i + 1;
        }
        if from < bytes.len() || from == 0 {
            parts.push(literal(from, bytes.len()));
        }
    }
    Ok(changed.then_some(Word {
        parts,
        span: word.span,
    }))
}

/// A glob word that holds `$@` as the words it spreads to, before they
/// are globbed, as bash's `"$@"` spreads: the text before it goes with
/// the first argument, the text after with the last (`*$@` with `a b` is
/// the glob `*a`, then `b`), each argument matched as written. None for
/// any other word.
fn spread_args(word: &Word, lookup: &dyn Lookup) -> Option<Vec<Word>> {
    let glob = word.parts.iter().any(|part| {
        matches!(part, WordPart::Literal { bytes, quoted: false, .. }
            if bytes.iter().any(|b| matches!(b, b'*' | b'?' | b'[')))
    });
    let spreads = word
        .parts
        .iter()
        .any(|part| matches!(part, WordPart::Args { .. }));
    if !glob || !spreads {
        return None;
    }
    let args = lookup.positional().get(1..).unwrap_or_default();
    let mut words = vec![Word {
        parts: Vec::new(),
        span: word.span,
    }];
    for part in &word.parts {
        let WordPart::Args { span } = part else {
            words.last_mut()?.parts.push(part.clone());
            continue;
        };
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                words.push(Word {
                    parts: Vec::new(),
                    span: word.span,
                });
            }
            words.last_mut()?.parts.push(WordPart::Literal {
                bytes: arg.as_bytes().to_vec(),
                quoted: true,
                span: *span,
            });
        }
    }
    Some(words)
}

/// A range's bound: its value, and its text as written or as its
/// variable holds it.
fn bound(bound: &RangeBound, lookup: &dyn Lookup) -> Result<(i64, String), ExpandError> {
    match bound {
        RangeBound::Int(n) => Ok((n.value, n.text.clone())),
        RangeBound::Var(var) => bound_value(&var_value(var, lookup)?, var.span),
        RangeBound::Subst(word) => {
            let bytes = trim_newlines(lookup.substitution(word.span).unwrap_or_default());
            bound_value(OsStr::from_bytes(bytes), word.span)
        }
    }
}

/// Why a value is not what its place takes, for its label: `reason`, or,
/// for an empty value, that it is, which the `` ` ` `` of the message
/// does not make plain.
pub fn value_reason(value: &str, reason: &'static str) -> &'static str {
    if value.is_empty() {
        "empty: this expanded to nothing"
    } else {
        reason
    }
}

/// A bound's expanded text, spaces around it aside, as a whole number.
pub fn bound_value(value: &OsStr, span: Span) -> Result<(i64, String), ExpandError> {
    let text = value.to_string_lossy();
    let text = text.trim();
    let n = text.parse().map_err(|_| {
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        let name = text.to_owned();
        let span = span.into();
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            ExpandError::BoundOutOfRange { name, span }
        } else {
            ExpandError::NotAnInteger {
                reason: value_reason(&name, "this is not a whole number"),
                name,
                span,
            }
        }
    })?;
    Ok((n, text.to_owned()))
}

/// Whether a range bound is written with a leading zero (`01`, `-05`).
fn zero_padded(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0')
}

/// The glob pattern of a word whose unquoted text holds `*`, `?` or `[`;
/// quoted text and expanded values match literally. With it, the word as
/// it expanded, for diagnostics. As in bash, a `[` that no `]` closes in
/// its path component is an ordinary character (`*a[b`, `[*`, `[a/b]*`
/// glob with a literal `[`), and a word whose only wildcards are such
/// `[`s with no `]` after them is no glob but its text (`[` alone, as in
/// `[ -f x ]`, or `a[b`); see [`brackets`].
fn glob_pattern(word: &Word, lookup: &dyn Lookup) -> Result<Option<(String, String)>, ExpandError> {
    let is_glob = word.parts.iter().any(|part| {
        matches!(part, WordPart::Literal { bytes, quoted: false, .. }
            if bytes.iter().any(|b| matches!(b, b'*' | b'?' | b'[')))
    });
    if !is_glob {
        return Ok(None);
    }
    let mut pattern = String::new();
    // For each character of `pattern`, whether the script wrote it
    // unquoted: only such a `[` opens a bracket that makes a glob.
    let mut unquoted: Vec<bool> = Vec::new();
    let mut push = |pattern: &mut String, text: &str, written: bool| {
        pattern.push_str(text);
        unquoted.extend(std::iter::repeat_n(written, text.chars().count()));
    };
    let mut shown = String::new();
    let mut wildcard = false;
    for (i, part) in word.parts.iter().enumerate() {
        // The pattern holds every byte (see `glob_text`); what is shown
        // holds them as text.
        let literal: Vec<u8> = match part {
            WordPart::Literal {
                bytes,
                quoted: false,
                span,
            } => {
                let mut bytes = bytes.as_slice();
                // `~/*.txt`: the home directory, matched as it is.
                if i == 0 && leading_tilde(bytes, word.parts.len() == 1) {
                    let home = tilde(b"~", *span, lookup)?;
                    push(
                        &mut pattern,
                        &glob::Pattern::escape(&glob_text(&home)),
                        false,
                    );
                    shown.push('~');
                    bytes = &bytes[1..];
                }
                wildcard |= bytes.iter().any(|b| matches!(b, b'*' | b'?'));
                let text = glob_text(bytes);
                push(&mut pattern, &text, true);
                shown.push_str(&crate::diagnostics::shown_bytes(bytes));
                continue;
            }
            WordPart::Literal { bytes, .. } => bytes.clone(),
            WordPart::Var(var) => var_value(var, lookup)?.into_vec(),
            WordPart::Subst { span, .. } => {
                trim_newlines(lookup.substitution(*span).unwrap_or_default()).to_vec()
            }
            WordPart::Args { .. } => {
                let args = lookup.positional().get(1..).unwrap_or_default();
                let joined: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
                joined.join(&b' ')
            }
        };
        push(
            &mut pattern,
            &glob::Pattern::escape(&glob_text(&literal)),
            false,
        );
        shown.push_str(&crate::diagnostics::shown_bytes(&literal));
    }
    let (pattern, bracket) = brackets(&pattern, &unquoted);
    if !wildcard && !bracket {
        return Ok(None);
    }
    let pattern = recursive_only_alone(&pattern);
    if glob::Pattern::new(&pattern).is_err() {
        return Ok(None);
    }
    Ok(Some((pattern, shown)))
}

/// `pattern` with bash's bracket expressions made the glob crate's, and
/// whether it is a glob for its brackets: as bash finds, when an unquoted
/// `[` has an unquoted `]` after it (`[]`, `[a/b]`; not `[` alone or
/// `a[b`). `unquoted` holds, one flag a character, whether the script
/// wrote it unquoted; other text holds the glob crate's escapes (`[*]`),
/// read back here, so that a quoted character is a member of a bracket
/// as bash takes it: `[a"*"]` is `a` or `*`, `[\]a]` is `]` or `a`, and
/// neither a quoted `!` or `^` negates nor a quoted `]` closes. As in
/// bash, a `[` that no `]` closes within its path component is an
/// ordinary character (`*a[b`, `[*`, `[a/b]*`), and so is the first `[`
/// of `[[:alpha:]` (a `[`, then one of `:alph`).
fn brackets(pattern: &str, unquoted: &[bool]) -> (String, bool) {
    let raw: Vec<char> = pattern.chars().collect();
    let mut chars: Vec<(char, bool)> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let written = unquoted.get(i).copied().unwrap_or(false);
        if !written && raw[i] == '[' && raw.get(i + 2) == Some(&']') {
            chars.push((raw[i + 1], true));
            i += 3;
        } else {
            chars.push((raw[i], !written));
            i += 1;
        }
    }
    let mut open = false;
    let mut bracket = false;
    for &(c, quoted) in &chars {
        match c {
            '[' if !quoted => open = true,
            ']' if !quoted && open => bracket = true,
            _ => {}
        }
    }
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    while i < chars.len() {
        let (c, quoted) = chars[i];
        if !quoted && matches!(c, '*' | '?') {
            out.push(c);
        } else if let Some((set, negated, close)) = (c == '[' && !quoted)
            .then(|| bracket_set(&chars, i))
            .flatten()
        {
            out.push_str(&crate_bracket(set, negated));
            i = close + 1;
            continue;
        } else {
            out.push_str(&glob::Pattern::escape(&c.to_string()));
        }
        i += 1;
    }
    (out, bracket)
}

/// Characters, as inclusive ranges of their code points.
type Ranges = Vec<(u32, u32)>;

/// The bracket expression that starts at `chars[open]` as bash reads it
/// (each character with whether it was quoted): its members as ranges of
/// characters, whether it is negated, and where its `]` is; none when no
/// `]` closes it within its path component.
fn bracket_set(chars: &[(char, bool)], open: usize) -> Option<(Ranges, bool, usize)> {
    let unquoted = |at: usize, wanted: char| chars.get(at) == Some(&(wanted, false));
    let mut j = open + 1;
    let negated = unquoted(j, '!') || unquoted(j, '^');
    if negated {
        j += 1;
    }
    let first = j;
    let mut set = Vec::new();
    loop {
        let &(c, quoted) = chars.get(j)?;
        if c == '/' {
            return None;
        }
        if c == ']' && !quoted && j > first {
            return Some((set, negated, j));
        }
        let mut low = c;
        j += 1;
        // `[:alpha:]`, `[.a.]`, `[=a=]` (one character, in the C locale).
        if let (('[', false), Some(&(kind @ (':' | '.' | '='), false))) =
            ((c, quoted), chars.get(j))
        {
            let end = (j + 1..chars.len())
                .take_while(|&k| chars[k].0 != '/')
                .find(|&k| unquoted(k, kind) && unquoted(k + 1, ']'));
            if let Some(end) = end {
                let name: String = chars[j + 1..end].iter().map(|&(c, _)| c).collect();
                j = end + 2;
                let mut one = name.chars();
                match (kind, one.next(), one.next()) {
                    (':', ..) => {
                        set.extend(class_ranges(&name));
                        continue;
                    }
                    (_, Some(only), None) => low = only,
                    // Not a character bash knows: it matches nothing.
                    _ => continue,
                }
            }
        }
        let range_end = chars
            .get(j + 1)
            .filter(|&&(end, quoted)| unquoted(j, '-') && end != '/' && (end != ']' || quoted));
        let high = match range_end {
            Some(&(end, _)) => {
                j += 2;
                end
            }
            None => low,
        };
        // A range written backwards (`[z-a]`) has no members.
        if low <= high {
            set.push((u32::from(low), u32::from(high)));
        }
    }
}

/// The characters of a bash class (`alpha` for `[:alpha:]`) in the C
/// locale; none for a name bash does not know, which matches nothing.
fn class_ranges(name: &str) -> &'static [(u32, u32)] {
    const ALPHA: &[(u32, u32)] = &[(0x41, 0x5a), (0x61, 0x7a)];
    match name {
        "alpha" => ALPHA,
        "digit" => &[(0x30, 0x39)],
        "alnum" => &[(0x30, 0x39), (0x41, 0x5a), (0x61, 0x7a)],
        "upper" => &[(0x41, 0x5a)],
        "lower" => &[(0x61, 0x7a)],
        "xdigit" => &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
        "space" => &[(0x09, 0x0d), (0x20, 0x20)],
        "blank" => &[(0x09, 0x09), (0x20, 0x20)],
        "punct" => &[(0x21, 0x2f), (0x3a, 0x40), (0x5b, 0x60), (0x7b, 0x7e)],
        "cntrl" => &[(0x00, 0x1f), (0x7f, 0x7f)],
        "graph" => &[(0x21, 0x7e)],
        "print" => &[(0x20, 0x7e)],
        _ => &[],
    }
}

/// A set of characters (ranges, `negated` or not) as a pattern the glob
/// crate reads as it is meant. The crate closes a bracket at the first
/// `]` after its first member and reads `x-y` wherever a `-` follows a
/// member, so each member is written as a range, `]` is left out by
/// negating the complement, and a `!` is never the first member of a
/// bracket that is not negated. A `/` is in no name, so it is left out.
fn crate_bracket(mut set: Vec<(u32, u32)>, mut negated: bool) -> String {
    const MAX: u32 = char::MAX as u32;
    let merge = |mut set: Vec<(u32, u32)>| {
        set.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(set.len());
        for (low, high) in set {
            match merged.last_mut() {
                Some(last) if low <= last.1.saturating_add(1) => last.1 = last.1.max(high),
                _ => merged.push((low, high)),
            }
        }
        merged
    };
    let without = |set: Vec<(u32, u32)>, gone: u32| -> Vec<(u32, u32)> {
        let mut out = Vec::with_capacity(set.len() + 1);
        for (low, high) in set {
            if low <= gone && gone <= high {
                if low < gone {
                    out.push((low, gone - 1));
                }
                if gone < high {
                    out.push((gone + 1, high));
                }
            } else {
                out.push((low, high));
            }
        }
        out
    };
    set = merge(set);
    if set.iter().any(|&(low, high)| low <= 0x5d && 0x5d <= high) {
        let mut complement = Vec::new();
        let mut next = 0;
        for &(low, high) in &set {
            if next < low {
                complement.push((next, low - 1));
            }
            next = high + 1;
        }
        if next <= MAX {
            complement.push((next, MAX));
        }
        set = complement;
        negated = !negated;
    }
    let mut set = without(set, u32::from(b'/'));
    if set.is_empty() {
        // Any one character, or none: no name holds a NUL.
        return if negated { "?" } else { "\0" }.to_owned();
    }
    set.reverse();
    if !negated && set[0].0 == u32::from(b'!') {
        if set.len() > 1 {
            set.rotate_left(1);
        } else if set[0].1 > set[0].0 {
            set = vec![(set[0].0 + 1, set[0].1), (set[0].0, set[0].0)];
        } else {
            return "!".to_owned();
        }
    }
    // Surrogates are no characters: a range's end steps over them.
    let low = |c: u32| char::from_u32(c).unwrap_or('\u{e000}');
    let high = |c: u32| char::from_u32(c).unwrap_or('\u{d7ff}');
    let mut out = String::from(if negated { "[!" } else { "[" });
    for (from, to) in set {
        out.push(low(from));
        out.push('-');
        out.push(high(to));
    }
    out.push(']');
    out
}

/// `**` is recursive where it is a whole path component (`**/*.txt`, as
/// with bash's `globstar`); elsewhere (`a**`) it is a `*`, as in bash.
fn recursive_only_alone(pattern: &str) -> String {
    let components: Vec<String> = pattern
        .split('/')
        .map(|component| {
            if component == "**" || !component.contains("**") {
                return component.to_owned();
            }
            let mut out = String::with_capacity(component.len());
            for c in component.chars() {
                if !(c == '*' && out.ends_with('*')) {
                    out.push(c);
                }
            }
            out
        })
        .collect();
    components.join("/")
}

/// Sorted matches of a glob, relative to `cwd` when the pattern is. A glob
/// that matches nothing is an error, not the pattern itself (bash's
/// `failglob`).
///
/// The directories are walked here, one component of the pattern at a
/// time, rather than by the glob crate's walker, which cannot match a
/// hidden name even with a leading `.` written and panics on a name that
/// is not UTF-8.
fn glob(pattern: &str, shown: &str, span: Span, cwd: &Path) -> Result<Vec<OsString>, ExpandError> {
    let bad_glob = |err: glob::PatternError| ExpandError::BadGlob {
        pattern: shown.to_owned(),
        reason: err.msg.to_owned(),
        span: span.into(),
    };
    let (start, rest) = match pattern.strip_prefix('/') {
        Some(rest) => (OsString::from("/"), rest),
        None => (OsString::new(), pattern),
    };
    // A trailing `/` keeps only directories, each named with its `/`.
    let (rest, dirs_only) = match rest.strip_suffix('/') {
        Some(rest) => (rest.trim_end_matches('/'), true),
        None => (rest, false),
    };
    let mut found = vec![start];
    // Each component with the `/`s written before it besides the one
    // that separates it (`d//*`), kept in the names as bash keeps them
    // where the names before are written out.
    let mut components: Vec<(usize, &str)> = Vec::new();
    let mut extra = 0;
    for component in rest.split('/') {
        if component.is_empty() {
            extra += 1;
        } else {
            components.push((extra, component));
            extra = 0;
        }
    }
    let mut written_out = true;
    let mut unreadable = None;
    for (i, &(extra, component)) in components.iter().enumerate() {
        let last = Last {
            files_too: i + 1 == components.len() && !dirs_only,
            written_out,
        };
        // After a wildcard bash joins with one `/` (`*//x` is `d/x`).
        if written_out {
            for path in &mut found {
                path.push("/".repeat(extra));
            }
        }
        found = step(&found, component, last, cwd, &mut unreadable).map_err(bad_glob)?;
        if found.is_empty() {
            break;
        }
        written_out &= literal_component(component).is_some();
    }
    let mut matches: Vec<OsString> = found
        .into_iter()
        .filter(|name| !name.is_empty())
        .filter(|name| !dirs_only || cwd.join(name).is_dir())
        .map(|mut name| {
            if dirs_only && !name.as_bytes().ends_with(b"/") {
                name.push("/");
            }
            name
        })
        .collect();
    if matches.is_empty() {
        // A directory that could not be read is skipped, as bash skips it;
        // with nothing found it is why, more likely than a misspelling.
        let help = match unreadable {
            Some((dir, err)) => format!(
                "the directory `{}` could not be {} ({}): nothing in it could match",
                dir.to_string_lossy(),
                // One that may be listed but not searched (`chmod 600`).
                if std::fs::read_dir(cwd.join(&dir)).is_ok() {
                    "searched"
                } else {
                    "read"
                },
                crate::exec::io_reason(&err)
            ),
            // A removed working directory has no names (or is no more).
            None if !pattern.starts_with('/') && removed(cwd) => format!(
                "the working directory `{}` was removed: nothing is in it",
                cwd.to_string_lossy()
            ),
            None => "quote the word to use it literally, or check the directory".to_owned(),
        };
        return Err(ExpandError::NoMatch {
            pattern: shown.to_owned(),
            span: span.into(),
            help,
        });
    }
    matches.sort();
    matches.dedup();
    Ok(matches)
}

/// Whether the directory `dir` was removed: it is gone, or it is the one
/// a process still stands in, with no link left to it.
fn removed(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    match dir.metadata() {
        Ok(meta) => meta.nlink() == 0,
        Err(err) => err.kind() == std::io::ErrorKind::NotFound,
    }
}

/// What a `**` component needs to know of where it stands in its glob.
#[derive(Clone, Copy)]
struct Last {
    /// It ends the pattern, which has no trailing `/`.
    files_too: bool,
    /// Every component before it is a name written out (`a/b/**`).
    written_out: bool,
}

/// The paths one more component of a glob makes of those found so far
/// (names as the script wrote them, relative to `cwd` or absolute). A
/// `**` that ends the pattern (`files_too`) matches files as well as
/// directories, as bash's does. The first directory that could not be
/// read is kept in `unreadable`.
fn step(
    found: &[OsString],
    component: &str,
    Last {
        files_too,
        written_out,
    }: Last,
    cwd: &Path,
    unreadable: &mut Option<(OsString, std::io::Error)>,
) -> Result<Vec<OsString>, glob::PatternError> {
    let join = |dir: &OsString, name: &OsStr| -> OsString {
        let mut path = dir.clone();
        // Only the root, or the `/`s that start a path (`//tmp/*`), end
        // with one.
        if !path.as_bytes().iter().all(|&b| b == b'/') {
            path.push("/");
        }
        path.push(name);
        path
    };
    let mut next = Vec::new();
    if let Some(name) = literal_component(component) {
        // A name written out is looked up, not listed: a directory that
        // may be searched but not read still works, as in bash.
        let name = OsString::from_vec(glob_bytes(&name));
        for dir in found {
            let path = join(dir, &name);
            match cwd.join(&path).symlink_metadata() {
                Ok(_) => next.push(path),
                // A directory that may not be searched hides the name, as
                // one that may not be read hides its names from `*`.
                Err(err)
                    if err.kind() == std::io::ErrorKind::PermissionDenied
                        || err.raw_os_error() == Some(libc::ELOOP) =>
                {
                    let shown = if dir.is_empty() { OsStr::new(".") } else { dir };
                    unreadable.get_or_insert((shown.to_owned(), err));
                }
                Err(_) => {}
            }
        }
        return Ok(next);
    }
    if component == "**" {
        // Any depth of directories, this one included (bash's globstar);
        // hidden ones are skipped, and links to directories are not
        // entered: matched, as bash 5.2 matches them (`**/` lists
        // `link/`, `**/*.txt` the `.txt` in it), but not walked, so a
        // link that loops back ends nothing. Last in
        // the pattern, the files in them too. The directory itself is
        // written as bash writes it: with its `/` when its name was
        // written out (`a/**` is `a/ a/1.txt a/b a/b/2.txt ...`), without
        // when a wildcard found it (`*/**` is `a a/1.txt ...`).
        for dir in found {
            if files_too && !dir.is_empty() && cwd.join(dir).is_dir() {
                next.push(if written_out {
                    join(dir, OsStr::new(""))
                } else {
                    dir.clone()
                });
            }
            let mut todo = vec![dir.clone()];
            while let Some(current) = todo.pop() {
                for (name, is_dir) in entries(cwd, &current, unreadable) {
                    if name.as_bytes().starts_with(b".") {
                        continue;
                    }
                    let path = join(&current, &name);
                    if is_dir {
                        todo.push(path.clone());
                    } else if !files_too && cwd.join(&path).is_dir() {
                        next.push(path.clone());
                    }
                    if files_too {
                        next.push(path);
                    }
                }
                if !files_too {
                    next.push(current);
                }
            }
        }
        return Ok(next);
    }
    let pattern = glob::Pattern::new(component)?;
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    for dir in found {
        for (name, _) in entries(cwd, dir, unreadable) {
            let bytes = name.as_bytes();
            // `.` and `..` are never matched (bash 5.2's globskipdots),
            // and another hidden name only by a pattern starting with `.`.
            if bytes == b"." || bytes == b".." {
                continue;
            }
            if pattern.matches_with(&glob_text(bytes), options) {
                next.push(join(dir, &name));
            }
        }
    }
    Ok(next)
}

/// The names in a directory (`dir`, as the script names it, from
/// `cwd`), each with whether it is a directory itself (not through a
/// link); none when it cannot be read, as bash skips it, and then the
/// first such directory is kept in `unreadable`.
fn entries(
    cwd: &Path,
    dir: &OsStr,
    unreadable: &mut Option<(OsString, std::io::Error)>,
) -> Vec<(OsString, bool)> {
    let shown = if dir.is_empty() { OsStr::new(".") } else { dir };
    let read = match std::fs::read_dir(cwd.join(shown)) {
        Ok(read) => read,
        Err(err) => {
            // A name that is no directory (`notes.txt/*`) just has no names.
            let no_dir = err.kind() == std::io::ErrorKind::NotFound
                || err.raw_os_error() == Some(libc::ENOTDIR);
            if !no_dir {
                unreadable.get_or_insert((shown.to_owned(), err));
            }
            return Vec::new();
        }
    };
    read.filter_map(Result::ok)
        .map(|entry| {
            let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
            (entry.file_name(), is_dir)
        })
        .collect()
}

/// Bytes as the text of a glob pattern or of a name it is matched with:
/// UTF-8 as it is, and each byte that is not (a name from another system,
/// `$'\xff'`) as a character of its own, U+10FF00 and the byte, so that a
/// byte matches only itself and `?` matches one, as bash in the C locale
/// matches them (the lossy U+FFFD would match any such byte with any other).
fn glob_text(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            text.extend(char::from_u32(RAW_BYTES + u32::from(byte)));
        }
    }
    text
}

/// Where [`glob_text`] puts the bytes that are not UTF-8.
const RAW_BYTES: u32 = 0x10_FF00;

/// The bytes a [`glob_text`] stands for.
fn glob_bytes(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u32::from(c).checked_sub(RAW_BYTES) {
            Some(byte) => bytes.push(byte as u8),
            None => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    bytes
}

/// The name a component of a glob pattern stands for when it holds no
/// wildcard: its text, with the glob crate's escapes (`[*]`, `[?]`, `[[]`,
/// `[]]`) read back.
fn literal_component(component: &str) -> Option<String> {
    let chars: Vec<char> = component.chars().collect();
    let mut out = String::with_capacity(component.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '[' if i + 2 < chars.len()
                && chars[i + 2] == ']'
                && matches!(chars[i + 1], '*' | '?' | '[' | ']') =>
            {
                out.push(chars[i + 1]);
                i += 3;
            }
            '*' | '?' | '[' => return None,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}
