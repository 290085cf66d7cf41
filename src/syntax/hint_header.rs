//! Parse errors in the header of a `parallel`, `fanout` or `timeout`
//! block: a misspelled or misplaced option, a missing value, a unit
//! apart from its number, an assignment or option where it cannot stand
//! (`parser::translate`).

use super::ast::Span;
use super::error::ParseError;
use super::hint_word::statement_start;
use super::parser::token_span;
use super::values;

/// `parallel failfast { ... }`, `parallel max4 { ... }`, `fanout max 2 {
/// ... }`: a `parallel` or `fanout` header's word misspelled or misplaced.
pub(super) fn header_word_help(source: &str, pos: usize) -> Option<&'static str> {
    let start = statement_start(source, pos);
    let keyword = source[start..pos].split_whitespace().next()?;
    let rest = &source[pos..];
    let word = &rest[..rest
        .find(|c: char| c.is_whitespace() || c == '{')
        .unwrap_or(rest.len())];
    let squashed: String = word
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let max_joined = word
        .strip_prefix("max")
        .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit() || c == '$'));
    match keyword {
        "parallel" if squashed == "failfast" => Some("the option is spelled `fail-fast`"),
        "parallel" if max_joined => Some("write `max` and its number apart, as in `max 4`"),
        "fanout" if squashed == "failfast" || word == "max" || max_joined => Some(
            "`fanout` takes only an output mode: every branch runs at once, each reading its \
             own copy of standard input, so there is no `max` or `fail-fast`",
        ),
        "parallel" => header_typo(
            word,
            &[
                "max",
                "fail-fast",
                "ordered",
                "unordered",
                "lines",
                "raw",
                "for",
            ],
        ),
        "fanout" => header_typo(word, &["ordered", "unordered", "lines", "raw"]),
        "timeout" => header_typo(word, &["signal", "grace"]),
        _ => None,
    }
}

/// "Did you mean" for a header's word misspelled (`unorderd`, `grce`,
/// `fro`), among the words its header takes there.
fn header_typo(word: &str, words: &[&'static str]) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    let meant = crate::suggest::closest_name(&lower, words.iter().map(|&word| word.to_owned()))?;
    Some(match meant.as_str() {
        "max" => "did you mean `max`? As in `parallel max 4 { ... }`",
        "fail-fast" => "did you mean `fail-fast`?",
        "ordered" => "did you mean `ordered`?",
        "unordered" => "did you mean `unordered`?",
        "lines" => "did you mean `lines`?",
        "raw" => "did you mean `raw`?",
        "for" => "did you mean `for`? As in `parallel max 4 for f in *.log { ... }`",
        "signal" => "did you mean `signal`? As in `timeout 5s signal INT { ... }`",
        _ => "did you mean `grace`? As in `timeout 5s grace 1s { ... }`",
    })
}

/// `paralel for f in *.txt { ... }`, `Timeout 5s { ... }`: a block keyword
/// misspelled, read as a command's name until the `{` of its body.
pub(super) fn misspelled_keyword(source: &str, pos: usize) -> Option<ParseError> {
    let start = statement_start(source, pos);
    let statement = &source[start..pos];
    let word = statement.split_whitespace().next()?;
    let at = start + statement.find(word)?;
    let lower = word.to_ascii_lowercase();
    let keyword = ["parallel", "timeout", "fanout", "for"]
        .into_iter()
        .find(|keyword| {
            let limit = if keyword.len() > 3 { 2 } else { 1 };
            lower.len() >= 3
                && *keyword != word
                && strsim::damerau_levenshtein(&lower, keyword) <= limit
        })?;
    Some(ParseError::MisspelledKeyword {
        word: word.to_owned(),
        keyword,
        span: Span::new(at, at + word.len()).into(),
    })
}

/// `timeout { ... }`, `parallel max { ... }`: a header keyword whose value
/// is missing, the parse stopped at the `{` or the line's end after it.
pub(super) fn missing_header_value(source: &str, pos: usize) -> Option<ParseError> {
    let rest = source[pos..].trim_start_matches([' ', '\t']);
    if !(rest.is_empty() || rest.starts_with(['{', '\n', '\r', ';'])) {
        return None;
    }
    let before = source[..pos].trim_end_matches([' ', '\t']);
    let word_at = before.rfind(char::is_whitespace).map_or(0, |at| at + 1);
    let (keyword, what, help) = match &before[word_at..] {
        "timeout" => (
            "timeout",
            "a duration",
            "write how long the block may run, with a unit: `timeout 5s { ... }`",
        ),
        "grace" => (
            "grace",
            "a duration",
            "write how long to wait after the signal before SIGKILL: `timeout 5s grace 1s { ... }`",
        ),
        "signal" => (
            "signal",
            "a signal",
            "write the signal to send at the deadline: `timeout 5s signal INT { ... }`",
        ),
        "max" => (
            "max",
            "a number",
            "write how many branches may run at once: `parallel max 4 { ... }`",
        ),
        _ => return None,
    };
    Some(ParseError::MissingHeaderValue {
        keyword,
        what,
        help,
        span: token_span(source, pos).into(),
    })
}

/// `FOO=bar timeout 5s { ... }`, `LC_ALL=C for f in ... {`, `X=1 { ... }`:
/// prefix assignments, then a block keyword or the `{` at `pos`, where
/// the parse took the keyword for a command's name.
pub(super) fn assignment_before_block(source: &str, pos: usize) -> Option<ParseError> {
    let start = statement_start(source, pos);
    let statement = &source[start..pos];
    let is_assignment = |word: &str| {
        word.split_once('=').is_some_and(|(name, _)| {
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    let words: Vec<&str> = statement.split_whitespace().collect();
    let count = words.iter().take_while(|word| is_assignment(word)).count();
    let header = &words[count..];
    let block = match header.first() {
        None => true,
        Some(keyword) => matches!(*keyword, "timeout" | "parallel" | "fanout" | "for"),
    };
    if count == 0 || !block {
        return None;
    }
    let first = start + statement.find(words[0])?;
    let last = words[count - 1];
    let end = start + statement.find(last)? + last.len();
    let exports: Vec<String> = words[..count]
        .iter()
        .filter_map(|word| word.split_once('='))
        .map(|(name, value)| {
            let value = if value.is_empty() { "\"\"" } else { value };
            format!("export {name} = {value}; ")
        })
        .collect();
    let header = header.join(" ");
    // A `{ }` of its own takes the exports first; a block with a header
    // goes inside one.
    let block = if header.is_empty() {
        "...".to_owned()
    } else {
        format!("{header} {{ ... }}")
    };
    Some(ParseError::AssignmentBeforeBlock {
        help: format!(
            "`NAME=value` before a command sets that command's environment; for every \
             command of a block, export it in a block around it: `{{ {}{block} }}`",
            exports.concat()
        ),
        span: Span::new(first, end).into(),
    })
}

/// `timeout 5s { ... } grace 1s`, `parallel { ... } max 4`: a header's
/// option after the block's `}`, where the statement ended.
pub(super) fn option_after_block(source: &str, pos: usize) -> Option<ParseError> {
    // A block's `}` stands apart (`{ a }`, `{}`), where a `${x}`'s does not.
    let before = source[..pos].trim_end_matches([' ', '\t']);
    let closes_block = before.strip_suffix('}').is_some_and(|rest| {
        rest.is_empty() || rest.ends_with(|c: char| c.is_whitespace() || matches!(c, ';' | '{'))
    });
    if !closes_block {
        return None;
    }
    // The words after `pos`, each with where it ends.
    let rest = &source[pos..];
    let mut words = rest
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&'))
        .filter(|word| !word.is_empty())
        .map(|word| {
            (
                word,
                pos + (word.as_ptr() as usize - rest.as_ptr() as usize) + word.len(),
            )
        });
    let (option, mut end) = words.next()?;
    let mut written = option.to_owned();
    match option {
        "max" | "signal" | "grace" => {
            if let Some((value, value_end)) = words.next() {
                written = format!("{option} {value}");
                end = value_end;
            }
        }
        "fail-fast" | "ordered" | "unordered" | "lines" | "raw" => {}
        _ => return None,
    }
    Some(ParseError::MisplacedOption {
        option: written,
        label: "after the block's `}`",
        help: "write the header's options before its `{`: `parallel max 4 fail-fast { ... }`, \
               `timeout 5s signal INT grace 1s { ... }`"
            .to_owned(),
        span: Span::new(pos, end).into(),
    })
}

/// `timeout signal KILL 5s {`: the parse stopped at the option's value,
/// right after `timeout` and the option's name, which it took for the
/// duration.
pub(super) fn option_before_duration(source: &str, pos: usize) -> Option<ParseError> {
    let before = source[..pos].trim_end_matches([' ', '\t']);
    let option_at = before.rfind(char::is_whitespace)? + 1;
    let keyword = before[..option_at].trim_end_matches([' ', '\t']);
    let keyword_at = keyword.rfind(char::is_whitespace).map_or(0, |at| at + 1);
    if &keyword[keyword_at..] != "timeout" {
        return None;
    }
    values::option_before_duration(&before[option_at..], Span::new(option_at, before.len()))
}

/// `timeout -s KILL 5s {`, `parallel -j 4 for ...`: an option of coreutils'
/// `timeout` or of GNU parallel in a block header, where pipe takes words
/// (`signal KILL`, `max 4`). The parse stopped at the option or after it,
/// as a duration can be any word.
pub(super) fn header_option(source: &str, pos: usize) -> Option<ParseError> {
    let line_start = source[..pos].rfind('\n').map_or(0, |at| at + 1);
    let end = pos
        + source[pos..]
            .find(char::is_whitespace)
            .unwrap_or(source.len() - pos);
    let words = source[line_start..end]
        .split_whitespace()
        .map(|word| (word.as_ptr() as usize - source.as_ptr() as usize, word));
    let mut header = None;
    for (at, word) in words {
        match word {
            "timeout" => header = Some(("timeout", None)),
            "parallel" => header = Some(("parallel", None)),
            // The body, or a `for` list, whose words may start with `-`.
            _ if word.contains('{') || word == "for" => header = None,
            _ => {
                let is_option = word.starts_with("--")
                    || word.starts_with('-')
                        && word[1..].starts_with(|c: char| c.is_ascii_alphabetic());
                if let Some((keyword, None)) = header
                    && is_option
                {
                    header = Some((keyword, Some((at, word))));
                }
            }
        }
    }
    let (keyword, (at, word)) = match header? {
        (keyword, Some(option)) => (keyword, option),
        (_, None) => return None,
    };
    let written = word.split('=').next().unwrap_or(word);
    // A short option's value may be joined to it: `-j4`.
    let option = if written.starts_with("--") {
        written
    } else {
        &written[..2]
    };
    let short = |letters: &str| {
        !option.starts_with("--") && option[1..].starts_with(|c: char| letters.contains(c))
    };
    let long = |names: &[&str]| names.contains(&option);
    let (label, help) = if keyword == "timeout" {
        let label = if short("s") || long(&["--signal"]) {
            "write `signal SIG` after the duration"
        } else if short("k") || long(&["--kill-after"]) {
            "write `grace DURATION` after the duration"
        } else {
            "pipe has no such option"
        };
        (
            label,
            "a `timeout` header is `timeout DURATION [signal SIG] [grace DURATION] { ... }`, as in \
             `timeout 10s signal KILL grace 1s { cmd }`; to run coreutils' timeout itself, quote \
             its name: `'timeout' -s KILL 10 cmd`",
        )
    } else {
        let label = if short("jP") || long(&["--jobs", "--max-procs"]) {
            "write `max N`"
        } else if short("k") || long(&["--keep-order"]) {
            "`ordered`, the default, keeps the order"
        } else if long(&["--halt", "--halt-on-error"]) {
            "write `fail-fast`"
        } else if long(&["--line-buffer", "--lb"]) {
            "write `lines`"
        } else if short("u") || long(&["--ungroup"]) {
            "write `raw`"
        } else if long(&["--group"]) {
            "write `unordered`"
        } else {
            "pipe has no such option"
        };
        (
            label,
            "a `parallel` header is `parallel [max N] [fail-fast] [ordered|unordered|lines|raw]`, \
             then `{ a ; b }` or `for x in LIST { ... }`, as in `parallel max 4 for f in *.log { \
             gzip $f }`; to run GNU parallel itself, quote its name: `'parallel' -j 4 ...`",
        )
    };
    Some(ParseError::HeaderOption {
        keyword,
        option: option.to_owned(),
        label,
        help,
        span: Span::new(at, at + written.len()).into(),
    })
}

/// `timeout 5 s {`: a duration's unit written apart from its number, which
/// the header reads as a bare number, then a stray word.
pub(super) fn spaced_unit(source: &str, pos: usize) -> Option<ParseError> {
    let unit_len = source[pos..]
        .find(|c: char| c.is_whitespace() || c == '{')
        .unwrap_or(source.len() - pos);
    let reason = values::spaced_unit_reason(&source[pos..pos + unit_len])?;
    let before = source[..pos].trim_end_matches([' ', '\t']);
    if before.len() == pos {
        return None;
    }
    let number_start = before.rfind(char::is_whitespace).map_or(0, |at| at + 1);
    let number = &before[number_start..];
    let keyword = before[..number_start].split_whitespace().next_back()?;
    let is_number = number.bytes().any(|b| b.is_ascii_digit())
        && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    (is_number && matches!(keyword, "timeout" | "grace")).then(|| ParseError::InvalidDuration {
        reason,
        span: Span::new(number_start, pos + unit_len).into(),
    })
}
