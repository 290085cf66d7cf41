//! The errors of the parsing phase.
//!
//! Each variant is one kind of mistake, with a stable code
//! (`pipe::parse::...`), a label on the offending span and help where a fix
//! is likely. No variant holds source text: the caller attaches the source
//! once, with `miette::Report::with_source_code`.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::ast::Span;

/// How deep a script may nest, as the help of `too_deep` says it: fewer
/// levels than [`super::MAX_DEPTH`] only where the stack is too small for
/// more (see `limit_depth`), which the help then says, as nothing in the
/// script could tell why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels(pub usize);

impl std::fmt::Display for Levels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Levels(levels) = *self;
        let unit = if levels == 1 { "level" } else { "levels" };
        write!(f, "{levels} {unit}")?;
        if levels < super::MAX_DEPTH {
            write!(
                f,
                " here, as many as the stack limit (`ulimit -s`) leaves room for"
            )?;
        }
        Ok(())
    }
}

#[derive(Debug, Error, Diagnostic, Clone, PartialEq, Eq)]
pub enum ParseError {
    #[error("invalid UTF-8 at byte offset {offset}")]
    #[diagnostic(
        code(pipe::parse::invalid_utf8),
        help("scripts must be UTF-8; write other bytes as `\\xNN` inside double quotes")
    )]
    InvalidUtf8 {
        offset: usize,
        #[label("not UTF-8")]
        span: SourceSpan,
    },

    #[error("unterminated {kind} string")]
    #[diagnostic(code(pipe::parse::unterminated_string))]
    UnterminatedString {
        kind: &'static str,
        #[label("this quote is never closed")]
        span: SourceSpan,
        #[help]
        help: &'static str,
    },

    #[error("unclosed `{{`")]
    #[diagnostic(code(pipe::parse::unclosed_brace), help("add a matching `}}`"))]
    UnclosedBrace {
        #[label("this `{{` is never closed")]
        span: SourceSpan,
    },

    #[error("unclosed `$(`")]
    #[diagnostic(code(pipe::parse::unclosed_subst), help("add a matching `)`"))]
    UnclosedSubst {
        #[label("this `$(` is never closed")]
        span: SourceSpan,
    },

    #[error("unclosed `${{`")]
    #[diagnostic(code(pipe::parse::unclosed_var), help("add a matching `}}`"))]
    UnclosedVar {
        #[label("this `${{` is never closed")]
        span: SourceSpan,
    },

    #[error("unexpected `}}`")]
    #[diagnostic(
        code(pipe::parse::stray_brace),
        help("remove it, or quote it (`'}}'`) to pass it as a word")
    )]
    StrayBrace {
        #[label("no `{{` to close here")]
        span: SourceSpan,
    },

    #[error("`{keyword}` cannot be piped")]
    #[diagnostic(code(pipe::parse::statement_piped), help("{help}"))]
    StatementPiped {
        keyword: &'static str,
        help: &'static str,
        #[label("a pipe after the `{keyword}` statement")]
        span: SourceSpan,
    },

    #[error("`{{` where a word stands")]
    #[diagnostic(
        code(pipe::parse::brace_in_arguments),
        help(
            "quote it to pass it as text (`'{{\"a\": 1}}'`); a block `{{ ... }}` starts a statement or a pipeline stage"
        )
    )]
    BraceInArguments {
        #[label("no block can start here")]
        span: SourceSpan,
    },

    #[error("nesting too deep")]
    #[diagnostic(
        code(pipe::parse::too_deep),
        help("blocks, `$(...)`, `${{...}}` and quotes may nest at most {max}")
    )]
    TooDeep {
        max: Levels,
        #[label("this is nested too deeply")]
        span: SourceSpan,
    },

    #[error("script too complex to parse")]
    #[diagnostic(
        code(pipe::parse::too_complex),
        help("split the script into smaller pieces")
    )]
    TooComplex {
        #[label("the parser gave up here")]
        span: SourceSpan,
    },

    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(pipe::parse::unexpected))]
    Unexpected {
        expected: String,
        found: &'static str,
        #[label("not expected here")]
        span: SourceSpan,
        /// Where the fix is known: a `(` or `)` among a command's words.
        #[help]
        help: Option<&'static str>,
    },

    #[error("`{op}` at the end of the script")]
    #[diagnostic(
        code(pipe::parse::trailing_operator),
        help("add a command after it, or remove it")
    )]
    TrailingOperator {
        op: &'static str,
        #[label("nothing follows this `{op}`")]
        span: SourceSpan,
    },

    #[error("`{op}` at the start of a line")]
    #[diagnostic(
        code(pipe::parse::leading_operator),
        help(
            "a line ending in `|`, `&&` or `||` goes on to the next one, but a newline before one ends the statement: put the `{op}` at the end of the line before, or end that line with `\\`"
        )
    )]
    LeadingOperator {
        op: &'static str,
        #[label("the statement before ended at the line break")]
        span: SourceSpan,
    },

    #[error("`{keyword}` is a keyword and cannot be used here")]
    #[diagnostic(
        code(pipe::parse::misplaced_keyword),
        help(
            "quote it (`'{keyword}'`) to use it as a word; a statement after `|` must be wrapped in a block: `{{ {keyword} ... }}`"
        )
    )]
    MisplacedKeyword {
        keyword: &'static str,
        #[label("keyword here")]
        span: SourceSpan,
    },

    #[error("the value of `{keyword} {name}` is more than one word")]
    #[diagnostic(code(pipe::parse::value_not_one_word), help("{help}"))]
    ValueNotOneWord {
        keyword: &'static str,
        name: String,
        help: String,
        #[label("a second word")]
        span: SourceSpan,
    },

    #[error("`{keyword}` takes one {what}")]
    #[diagnostic(code(pipe::parse::too_many_words), help("{help}"))]
    TooManyWords {
        keyword: &'static str,
        /// What its one word is: a directory, a status.
        what: &'static str,
        help: &'static str,
        #[label("a second word")]
        span: SourceSpan,
    },

    #[error("here-documents are not supported")]
    #[diagnostic(
        code(pipe::parse::here_document),
        help(
            "pass the text with `<<<`: a quoted string may span lines (`cat <<< \"line 1\\nline 2\"`); or redirect from a file: `< FILE`"
        )
    )]
    HereDocument {
        #[label("bash's `<<`")]
        span: SourceSpan,
    },

    #[error("`{keyword} {name}` has no value")]
    #[diagnostic(
        code(pipe::parse::missing_value),
        help("write the value after `=`: `{keyword} {name} = VALUE`{more}")
    )]
    MissingValue {
        keyword: &'static str,
        name: String,
        /// For `export`, how to export a variable as it is; after an `=`,
        /// how to write an empty value.
        more: String,
        /// What is missing: the `=` and the value, or the value alone.
        #[label("{label}")]
        span: SourceSpan,
        label: &'static str,
    },

    #[error("`{name}` is not a variable name")]
    #[diagnostic(code(pipe::parse::invalid_name), help("{help}"))]
    InvalidName {
        name: String,
        help: String,
        #[label("not a name")]
        span: SourceSpan,
    },

    #[error("`{keyword}` has no name before its `=`")]
    #[diagnostic(
        code(pipe::parse::missing_name),
        help("write the name to set: `{keyword} NAME = VALUE`")
    )]
    MissingName {
        keyword: &'static str,
        #[label("a name goes here")]
        span: SourceSpan,
    },

    #[error("`&` is not supported")]
    #[diagnostic(
        code(pipe::parse::background),
        help(
            "pipe runs nothing in the background; to run commands at once, put them in a block that waits for them all: `parallel {{ cmd1; cmd2 }}`"
        )
    )]
    Background {
        #[label("bash's background `&`")]
        span: SourceSpan,
    },

    #[error("backquotes are not supported")]
    #[diagnostic(
        code(pipe::parse::backquote),
        help(
            "write `$(cmd)` for bash's `` `cmd` ``; for a backquote itself, single-quote it: '`'"
        )
    )]
    Backquote {
        #[label("a command substitution in bash")]
        span: SourceSpan,
    },

    #[error("`{keyword}` needs its body in braces")]
    #[diagnostic(code(pipe::parse::missing_body), help("{help}"))]
    MissingBody {
        keyword: &'static str,
        help: &'static str,
        #[label("expected `{{` here")]
        span: SourceSpan,
    },

    #[error("assignment without a command")]
    #[diagnostic(
        code(pipe::parse::bare_assignment),
        help("use `let NAME = value` to set a script variable, or add the command to run")
    )]
    BareAssignment {
        #[label("this sets the environment of a command, but no command follows")]
        span: SourceSpan,
    },

    #[error("`{op}` has no {what}")]
    #[diagnostic(code(pipe::parse::missing_target), help("{help}"))]
    MissingTarget {
        op: String,
        /// A file name, or for `<<<` a text.
        what: &'static str,
        help: &'static str,
        #[label("nothing after it")]
        span: SourceSpan,
    },

    #[error("redirect without a command")]
    #[diagnostic(code(pipe::parse::redirect_without_command), help("{help}"))]
    RedirectWithoutCommand {
        #[label("no command to redirect")]
        span: SourceSpan,
        /// What bash meant by it, where it meant something: see
        /// `lower::command`.
        help: &'static str,
    },

    #[error("unsupported redirect")]
    #[diagnostic(
        code(pipe::parse::unsupported_redirect),
        help(
            "only fds 0, 1 and 2 can be redirected, with `<` or `0<`, `>` or `1>`, `>>` or `1>>`, `2>`, `2>>`, `&>`, `&>>`, `2>&1`, `>&2` or `1>&2`, and `<<<` or `0<<<`; to pass the number as an argument instead, put a space after it"
        )
    )]
    UnsupportedRedirect {
        reason: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("`{keyword}` takes no redirect")]
    #[diagnostic(code(pipe::parse::statement_redirect), help("{help}"))]
    StatementRedirect {
        keyword: &'static str,
        help: &'static str,
        #[label("a redirect")]
        span: SourceSpan,
    },

    #[error("`{keyword}` is a `{block}` branch of its own: no other statement sees it")]
    #[diagnostic(code(pipe::parse::statement_branch), help("{help}"))]
    StatementBranch {
        keyword: &'static str,
        block: &'static str,
        help: &'static str,
        #[label("a branch of its own: what it sets ends with it")]
        span: SourceSpan,
    },

    #[error("`{text}` is not a variable reference")]
    #[diagnostic(code(pipe::parse::bad_substitution), help("{help}"))]
    BadSubstitution {
        text: String,
        help: String,
        #[label("a bad substitution, in bash too")]
        span: SourceSpan,
    },

    #[error("`{text}` is not supported")]
    #[diagnostic(code(pipe::parse::unsupported_expansion), help("{help}"))]
    UnsupportedExpansion {
        text: String,
        help: &'static str,
        #[label("bash's meaning is not implemented")]
        span: SourceSpan,
    },

    #[error("duration without a unit")]
    #[diagnostic(
        code(pipe::parse::duration_without_unit),
        help("add a unit: `{number}s` for seconds, `{number}ms` for milliseconds")
    )]
    DurationWithoutUnit {
        number: String,
        #[label("needs a unit: us, ms, s, m, h or d")]
        span: SourceSpan,
    },

    #[error("invalid duration: {reason}")]
    #[diagnostic(
        code(pipe::parse::invalid_duration),
        help("write a number and a unit: `500us`, `150ms`, `2s`, `1.5s`, `5m` or `1h`")
    )]
    InvalidDuration {
        reason: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("duration too large")]
    #[diagnostic(code(pipe::parse::duration_too_large), help("use at most 100 years"))]
    DurationTooLarge {
        #[label("more than 100 years")]
        span: SourceSpan,
    },

    #[error("unknown signal")]
    #[diagnostic(
        code(pipe::parse::unknown_signal),
        help("use a name such as `TERM`, `INT`, `HUP` or `KILL`, or a number from 1 to 64")
    )]
    UnknownSignal {
        reason: String,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("invalid `max`: expected a whole number")]
    #[diagnostic(code(pipe::parse::invalid_max), help("write a number, e.g. `max 4`"))]
    InvalidMax {
        #[label("not a whole number")]
        span: SourceSpan,
    },

    #[error("`max 0` would run nothing")]
    #[diagnostic(code(pipe::parse::max_zero), help("use `max 1` or more"))]
    MaxZero {
        #[label("at least 1 branch must be allowed to run")]
        span: SourceSpan,
    },

    #[error("`{word}` is not a keyword")]
    #[diagnostic(
        code(pipe::parse::misspelled_keyword),
        help(
            "a block starts with `for`, `parallel`, `fanout` or `timeout`; `{word}` was read as a \
             command's name, and a `{{` cannot be one of its words"
        )
    )]
    MisspelledKeyword {
        word: String,
        keyword: &'static str,
        #[label("did you mean `{keyword}`?")]
        span: SourceSpan,
    },

    #[error("`{keyword}` needs {what}")]
    #[diagnostic(code(pipe::parse::missing_header_value), help("{help}"))]
    MissingHeaderValue {
        keyword: &'static str,
        what: &'static str,
        help: &'static str,
        #[label("expected {what} here")]
        span: SourceSpan,
    },

    #[error("a prefix assignment before a block")]
    #[diagnostic(code(pipe::parse::assignment_before_block), help("{help}"))]
    AssignmentBeforeBlock {
        help: String,
        #[label("sets the environment of one command, and a block is none")]
        span: SourceSpan,
    },

    #[error("`{option}` belongs in the block's header")]
    #[diagnostic(code(pipe::parse::misplaced_option), help("{help}"))]
    MisplacedOption {
        option: String,
        label: &'static str,
        help: String,
        #[label("{label}")]
        span: SourceSpan,
    },

    #[error("`{keyword}` takes no option `{option}`")]
    #[diagnostic(code(pipe::parse::header_option), help("{help}"))]
    HeaderOption {
        keyword: &'static str,
        option: String,
        label: &'static str,
        help: &'static str,
        #[label("{label}")]
        span: SourceSpan,
    },

    #[error("{option} given more than once")]
    #[diagnostic(code(pipe::parse::duplicate_option), help("keep only one"))]
    DuplicateOption {
        option: &'static str,
        #[label("given again here")]
        span: SourceSpan,
    },

    #[error("number out of range")]
    #[diagnostic(code(pipe::parse::number_out_of_range), help("{help}"))]
    NumberOutOfRange {
        #[label("does not fit in 64 bits")]
        span: SourceSpan,
        /// The numbers that the place takes.
        help: &'static str,
    },

    #[error("invalid unicode escape")]
    #[diagnostic(
        code(pipe::parse::invalid_escape),
        help("`\\u{{...}}` takes a Unicode scalar value: at most 10FFFF, and not D800 to DFFF")
    )]
    InvalidEscape {
        #[label("not a Unicode scalar value")]
        span: SourceSpan,
    },

    /// A pest tree that lowering did not expect: a bug in the parser.
    #[error("internal parser error: unexpected {what}")]
    #[diagnostic(code(pipe::parse::internal))]
    Internal {
        what: String,
        #[label("here")]
        span: SourceSpan,
    },
}

impl ParseError {
    /// Where the error is, for callers that want to point at it themselves.
    pub fn span(&self) -> Option<Span> {
        let span = match self {
            ParseError::InvalidUtf8 { span, .. }
            | ParseError::UnterminatedString { span, .. }
            | ParseError::UnclosedBrace { span }
            | ParseError::UnclosedSubst { span }
            | ParseError::UnclosedVar { span }
            | ParseError::StrayBrace { span }
            | ParseError::TooDeep { span, .. }
            | ParseError::TooComplex { span }
            | ParseError::Unexpected { span, .. }
            | ParseError::TrailingOperator { span, .. }
            | ParseError::LeadingOperator { span, .. }
            | ParseError::MisplacedKeyword { span, .. }
            | ParseError::MissingBody { span, .. }
            | ParseError::Backquote { span }
            | ParseError::HereDocument { span }
            | ParseError::Background { span }
            | ParseError::MissingValue { span, .. }
            | ParseError::InvalidName { span, .. }
            | ParseError::MissingName { span, .. }
            | ParseError::ValueNotOneWord { span, .. }
            | ParseError::TooManyWords { span, .. }
            | ParseError::MissingTarget { span, .. }
            | ParseError::BraceInArguments { span }
            | ParseError::StatementPiped { span, .. }
            | ParseError::BareAssignment { span }
            | ParseError::RedirectWithoutCommand { span, .. }
            | ParseError::UnsupportedRedirect { span, .. }
            | ParseError::StatementRedirect { span, .. }
            | ParseError::StatementBranch { span, .. }
            | ParseError::BadSubstitution { span, .. }
            | ParseError::UnsupportedExpansion { span, .. }
            | ParseError::DurationWithoutUnit { span, .. }
            | ParseError::InvalidDuration { span, .. }
            | ParseError::DurationTooLarge { span }
            | ParseError::UnknownSignal { span, .. }
            | ParseError::InvalidMax { span }
            | ParseError::MaxZero { span }
            | ParseError::DuplicateOption { span, .. }
            | ParseError::HeaderOption { span, .. }
            | ParseError::MissingHeaderValue { span, .. }
            | ParseError::MisspelledKeyword { span, .. }
            | ParseError::MisplacedOption { span, .. }
            | ParseError::AssignmentBeforeBlock { span, .. }
            | ParseError::NumberOutOfRange { span, .. }
            | ParseError::InvalidEscape { span }
            | ParseError::Internal { span, .. } => span,
        };
        Some(Span::new(span.offset(), span.offset() + span.len()))
    }
}

/// What to write instead of a bash builtin or keyword that pipe does not
/// have, which PATH's "did you mean" would only misname (`set`: `sed`).
pub fn bash_builtin_help(name: &str) -> Option<&'static str> {
    Some(match name {
        "!" => {
            "pipe has no `!` to negate a status; act on a failure with `||` \
                (`grep -q x f || echo missing`)"
        }
        ":" => "pipe has no `:`; `true` does nothing too (`true > FILE` empties FILE)",
        "[[" => {
            "pipe has no `[[`: test with `[ ... ]` or `test` (`[ -f x ]`, `test -n \"$v\"`), \
             and join tests with `&&` and `||`"
        }
        "set" => {
            "pipe has no `set`: errexit, pipefail and undefined-variable errors are \
                  always on, and `set -x` is `pipe -x`; remove the line"
        }
        "source" | "." => {
            "pipe has no `source`: run the script as a command, or write \
                           what it sets in this script"
        }
        "read" | "mapfile" | "readarray" => {
            "pipe has no `read`: loop over lines with `for line in $(cat FILE) { ... }`"
        }
        "break" | "continue" => {
            "pipe has no `break` or `continue`: loop over only the items wanted (`for f in \
             $(grep -l x *.txt) { ... }`), or guard the rest of the body with `&&` and `||` \
             (`test -s $f && { ... }`)"
        }
        "local" | "declare" | "typeset" | "readonly" => {
            "define variables with `let NAME = value` (scoped to its block) or \
             `export NAME = value`"
        }
        "shift" => "pipe has no `shift`: use `$1`, `$2`, ..., or `for arg in $@ { ... }`",
        "if" | "then" | "else" | "elif" | "fi" | "case" | "esac" => {
            "pipe has no `if` or `case`: choose with `&&` and `||` \
             (`test -f x && echo yes || echo no`), and group with `{ ... }`"
        }
        "while" | "until" | "do" | "done" | "select" => {
            "pipe loops with `for`: `for x in LIST { ... }`, over words, ranges \
             (`1..10`), globs or the lines of `$(...)`"
        }
        "wait" => {
            "pipe has no `&` or `wait`: `parallel { a; b }` runs its branches at once \
             and waits for them all"
        }
        "jobs" | "bg" | "fg" | "disown" | "coproc" => {
            "pipe has no background jobs: `parallel { a; b }` runs commands at once and \
             waits for them all, and nothing it starts outlives the script"
        }
        "shopt" => {
            "pipe has no `shopt`: its globs are always as bash's with `failglob` and \
             `globstar` set (`**` is any depth, a glob matching nothing is an error); \
             remove the line"
        }
        "getopts" => {
            "pipe has no `getopts`: the arguments are `$1`, `$2`, ... (`${1:-default}` \
             for one that may be missing), all of them `$@`, their count `$#`"
        }
        "trap" => {
            "pipe has no `trap`: it ends every process it started whenever it exits; \
             clean up after a failure with `||` (`make || { rm -f tmp; exit 1 }`)"
        }
        "eval" => {
            "pipe has no `eval`: nothing is parsed again; pass words as arguments \
             (`$cmd $arg`), or hand a text to a shell: `sh -c \"$text\"`"
        }
        "exec" => {
            "pipe has no `exec`: run the command, then `exit` with its status; to send the \
             rest of the script's output to a file (`exec >> log 2>&1`), put it in a block: \
             `{ ... } >> log 2>&1`"
        }
        "unset" => "pipe has no `unset`: a `let` inside a block `{ ... }` ends with the block",
        "umask" | "ulimit" => {
            "this is a setting of the shell itself: set it in the shell that runs \
             `pipe`, or for one command with `sh -c 'umask 077; exec cmd'`"
        }
        "function" | "return" => {
            "pipe has no functions: put the steps in a script of their own and run it \
             as a command"
        }
        "pushd" | "popd" => {
            "use `cd DIR` inside a block: `{ cd DIR; ... }` changes the directory \
             only until the block ends"
        }
        "alias" | "unalias" => {
            "pipe has no aliases: write the command out, or keep its name in a variable \
             (`let ll = ls`, then `$ll -l`)"
        }
        "command" | "type" | "hash" => {
            "this is a shell builtin; to test whether a program is on PATH, run \
             `which NAME`, or let `pipe check` look for every command of a script"
        }
        "cd" | "exit" | "let" | "export" | "secret" | "for" | "parallel" | "fanout" => {
            "this is one of pipe's keywords only when written unquoted, first in a \
             statement (no `NAME=value` before it); here it was read as a command's name"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use miette::Diagnostic;

    use super::{Levels, ParseError};

    /// One sample of every variant: adding a variant without adding it here
    /// fails `every_variant_is_listed`.
    fn samples() -> Vec<ParseError> {
        let span = (0, 1).into();
        vec![
            ParseError::InvalidUtf8 { offset: 0, span },
            ParseError::UnterminatedString {
                kind: "double-quoted",
                span,
                help: "add a closing `\"`",
            },
            ParseError::UnclosedBrace { span },
            ParseError::UnclosedSubst { span },
            ParseError::UnclosedVar { span },
            ParseError::StrayBrace { span },
            ParseError::TooDeep {
                max: Levels(1),
                span,
            },
            ParseError::TooComplex { span },
            ParseError::Unexpected {
                expected: "a word".into(),
                found: "`}`",
                span,
                help: None,
            },
            ParseError::TrailingOperator { op: "|", span },
            ParseError::MisplacedKeyword {
                keyword: "let",
                span,
            },
            ParseError::BareAssignment { span },
            ParseError::RedirectWithoutCommand { span, help: "" },
            ParseError::UnsupportedRedirect {
                reason: "not one of the supported forms",
                span,
            },
            ParseError::DurationWithoutUnit {
                number: "5".into(),
                span,
            },
            ParseError::InvalidDuration {
                reason: "negative",
                span,
            },
            ParseError::DurationTooLarge { span },
            ParseError::UnknownSignal {
                reason: "not a signal".into(),
                span,
            },
            ParseError::InvalidMax { span },
            ParseError::MaxZero { span },
            ParseError::DuplicateOption {
                option: "max",
                span,
            },
            ParseError::NumberOutOfRange { span, help: "" },
            ParseError::InvalidEscape { span },
            ParseError::Internal {
                what: "rule".into(),
                span,
            },
            ParseError::UnsupportedExpansion {
                text: "$$".into(),
                help: "",
                span,
            },
            ParseError::MissingBody {
                keyword: "timeout",
                help: "",
                span,
            },
            ParseError::Backquote { span },
            ParseError::HereDocument { span },
            ParseError::ValueNotOneWord {
                keyword: "let",
                name: "x".into(),
                help: String::new(),
                span,
            },
            ParseError::Background { span },
            ParseError::MissingValue {
                keyword: "export",
                name: "X".into(),
                more: String::new(),
                span,
                label: "expected `=` and a value",
            },
            ParseError::TooManyWords {
                keyword: "cd",
                what: "directory",
                help: "",
                span,
            },
            ParseError::MissingTarget {
                op: ">".into(),
                what: "file name",
                help: "",
                span,
            },
            ParseError::BraceInArguments { span },
            ParseError::StatementPiped {
                keyword: "cd",
                help: "",
                span,
            },
            ParseError::StatementRedirect {
                keyword: "cd",
                help: "remove it",
                span,
            },
            ParseError::LeadingOperator { op: "|", span },
            ParseError::InvalidName {
                name: "my-var".into(),
                help: String::new(),
                span,
            },
            ParseError::MissingName {
                keyword: "let",
                span,
            },
            ParseError::HeaderOption {
                keyword: "timeout",
                option: "-s".into(),
                label: "",
                help: "",
                span,
            },
            ParseError::MissingHeaderValue {
                keyword: "timeout",
                what: "a duration",
                help: "",
                span,
            },
            ParseError::MisspelledKeyword {
                word: "paralel".into(),
                keyword: "parallel",
                span,
            },
            ParseError::MisplacedOption {
                option: "max 4".into(),
                label: "",
                help: String::new(),
                span,
            },
            ParseError::AssignmentBeforeBlock {
                help: String::new(),
                span,
            },
            ParseError::StatementBranch {
                keyword: "let",
                block: "parallel",
                help: "",
                span,
            },
            ParseError::BadSubstitution {
                text: "${x }".into(),
                help: String::new(),
                span,
            },
        ]
    }

    /// The exhaustive match makes the compiler list every variant; the
    /// sample list above must then contain it.
    fn variant_index(error: &ParseError) -> usize {
        match error {
            ParseError::InvalidUtf8 { .. } => 0,
            ParseError::UnterminatedString { .. } => 1,
            ParseError::UnclosedBrace { .. } => 2,
            ParseError::UnclosedSubst { .. } => 3,
            ParseError::UnclosedVar { .. } => 4,
            ParseError::StrayBrace { .. } => 5,
            ParseError::TooDeep { .. } => 6,
            ParseError::TooComplex { .. } => 7,
            ParseError::Unexpected { .. } => 8,
            ParseError::TrailingOperator { .. } => 9,
            ParseError::MisplacedKeyword { .. } => 10,
            ParseError::BareAssignment { .. } => 11,
            ParseError::RedirectWithoutCommand { .. } => 12,
            ParseError::UnsupportedRedirect { .. } => 13,
            ParseError::DurationWithoutUnit { .. } => 14,
            ParseError::InvalidDuration { .. } => 15,
            ParseError::DurationTooLarge { .. } => 16,
            ParseError::UnknownSignal { .. } => 17,
            ParseError::InvalidMax { .. } => 18,
            ParseError::MaxZero { .. } => 19,
            ParseError::DuplicateOption { .. } => 20,
            ParseError::NumberOutOfRange { .. } => 21,
            ParseError::InvalidEscape { .. } => 22,
            ParseError::Internal { .. } => 23,
            ParseError::UnsupportedExpansion { .. } => 24,
            ParseError::MissingBody { .. } => 25,
            ParseError::Backquote { .. } => 26,
            ParseError::HereDocument { .. } => 27,
            ParseError::ValueNotOneWord { .. } => 28,
            ParseError::Background { .. } => 29,
            ParseError::MissingValue { .. } => 30,
            ParseError::TooManyWords { .. } => 31,
            ParseError::MissingTarget { .. } => 32,
            ParseError::BraceInArguments { .. } => 33,
            ParseError::StatementPiped { .. } => 34,
            ParseError::StatementRedirect { .. } => 35,
            ParseError::LeadingOperator { .. } => 36,
            ParseError::InvalidName { .. } => 37,
            ParseError::MissingName { .. } => 38,
            ParseError::HeaderOption { .. } => 39,
            ParseError::MissingHeaderValue { .. } => 40,
            ParseError::MisspelledKeyword { .. } => 41,
            ParseError::MisplacedOption { .. } => 42,
            ParseError::AssignmentBeforeBlock { .. } => 43,
            ParseError::StatementBranch { .. } => 44,
            ParseError::BadSubstitution { .. } => 45,
        }
    }

    #[test]
    fn every_variant_is_listed() {
        let samples = samples();
        let indices: Vec<usize> = samples.iter().map(variant_index).collect();
        assert_eq!(indices, (0..samples.len()).collect::<Vec<_>>());
    }

    #[test]
    fn codes_are_unique_and_namespaced() {
        let mut seen = HashSet::new();
        for error in samples() {
            let code = error.code().expect("every variant has a code").to_string();
            assert!(code.starts_with("pipe::parse::"), "{code}");
            assert!(seen.insert(code.clone()), "duplicate code {code}");
        }
    }

    #[test]
    fn messages_are_lower_case_without_final_period() {
        for error in samples() {
            let message = error.to_string();
            let first = message.chars().next().unwrap_or('x');
            assert!(!first.is_uppercase(), "{message}");
            assert!(!message.ends_with('.'), "{message}");
            assert!(error.span().is_some());
        }
    }
}
