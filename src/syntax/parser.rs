//! The entry point of parsing: the depth scan, pest, and the one place
//! where pest's errors become [`ParseError`]s.

use std::num::NonZeroUsize;
use std::sync::Once;

use pest::Parser;
use pest::error::{Error as PestError, ErrorVariant, InputLocation};
use pest_derive::Parser;

use super::ast::{Script, Span};
use super::error::ParseError;
use super::{depth, lower, values};

#[derive(Parser)]
#[grammar = "../grammar/pipe.pest"]
pub(super) struct PipeParser;

/// How many parser steps pest may take per script. Pest's setting is
/// process-wide, so it is set once, to a value far above what a 100,000-stage
/// pipeline or a 1 MB word needs, yet finite: no input can make the parser
/// spin for long (in a release build this is a few seconds of work).
const CALL_LIMIT: usize = 500_000_000;

/// Scripts longer than this are parsed a part of about this size at a time
/// (see [`parse_in_parts`]).
const PART: usize = 64 * 1024;

/// Parses a whole script.
pub fn parse(source: &str) -> Result<Script, ParseError> {
    depth::scan(source)?;
    static LIMIT: Once = Once::new();
    LIMIT.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
    if source.len() > PART
        && let Some(script) = parse_in_parts(source, PART)
    {
        return Ok(script);
    }
    parse_at_once(source)
}

/// Parses a long script a part at a time, cut where a top-level statement
/// ends (`depth::part_ends`), each part at least `size` bytes: pest's
/// tokens take about 70 bytes a byte of source, four times what the tree
/// keeps, and so exist for one part at a time instead of the whole script.
/// `None` when a part does not parse alone: the script is then parsed at
/// once, so that an error is found and told as it is for a short script.
/// For a script that `depth::scan` took.
pub(super) fn parse_in_parts(source: &str, size: usize) -> Option<Script> {
    let mut body = Vec::new();
    let mut comments = Vec::new();
    let mut start = 0;
    for end in depth::part_ends(source, size) {
        let pair = PipeParser::parse(Rule::script, &source[start..end])
            .ok()?
            .next()?;
        let mut part = lower::script_at(pair, start).ok()?;
        body.append(&mut part.body);
        comments.append(&mut part.comments);
        start = end;
    }
    Some(Script {
        body,
        comments,
        span: Span::new(0, source.len()),
    })
}

/// Parses a script in one run of pest.
pub(super) fn parse_at_once(source: &str) -> Result<Script, ParseError> {
    let mut pairs = PipeParser::parse(Rule::script, source).map_err(|e| translate(source, e))?;
    match pairs.next() {
        Some(script) => lower::script(script),
        None => Err(ParseError::Internal {
            what: "empty parse".into(),
            span: Span::new(0, 0).into(),
        }),
    }
}

/// Checks that `bytes` are UTF-8, as every script must be.
pub fn decode(bytes: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes).map_err(|error| {
        let offset = error.valid_up_to();
        let len = error.error_len().unwrap_or(bytes.len() - offset);
        ParseError::InvalidUtf8 {
            offset,
            span: Span::new(offset, offset + len).into(),
        }
    })
}

/// Turns a pest error into the most specific [`ParseError`] we can name.
fn translate(source: &str, error: PestError<Rule>) -> ParseError {
    let pos = match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    // Pest looks for what comes next after the comment it skipped; what is
    // missing is missing where the comment starts.
    let pos = depth::comment_before(source, pos).unwrap_or(pos);
    let span = token_span(source, pos);
    let (positives, negatives) = match error.variant {
        ErrorVariant::ParsingError {
            positives,
            negatives,
        } => (positives, negatives),
        // Pest's only custom errors are its call and stack limits.
        ErrorVariant::CustomError { .. } => return ParseError::TooComplex { span: span.into() },
    };
    if let Some(keyword) = keyword_at(source, pos)
        && (negatives.contains(&Rule::keyword) || positives.iter().any(|&r| wants_word(r)))
    {
        return ParseError::MisplacedKeyword {
            keyword,
            span: Span::new(pos, pos + keyword.len()).into(),
        };
    }
    if let Some(error) = bash_only(source, pos).or_else(|| brace_expansion(source, pos)) {
        return error;
    }
    // `|`, `&&` or `||` first on a line, as a pipeline split before its
    // operators would have it: the line break ended the statement.
    if let Some(error) = leading_operator(source, pos) {
        return error;
    }
    if positives.contains(&Rule::var_default_op) || positives.contains(&Rule::var_number) {
        return unsupported_parameter(source, pos, span);
    }
    if let Some(error) = invalid_name(source, pos) {
        return error;
    }
    if (positives.contains(&Rule::ident) || positives.contains(&Rule::kw_in))
        && let Some(error) = invalid_loop_name(source, pos)
    {
        return error;
    }
    if positives.contains(&Rule::eq)
        && let Some(error) = missing_value(source, pos, span)
    {
        return error;
    }
    // `let x = {a}`: a `{` where an assignment's value stands.
    if source[pos..].starts_with('{')
        && positives.contains(&Rule::word)
        && assignment_words(source, pos).is_some()
    {
        return ParseError::BraceInArguments {
            span: Span::new(pos, pos + 1).into(),
        };
    }
    if positives.contains(&Rule::word)
        && let Some(error) = empty_value(source, pos)
    {
        return error;
    }
    if positives.contains(&Rule::word)
        && let Some(error) = missing_target(source, pos)
    {
        return error;
    }
    // `FOO=bar timeout 5s { ... }`: bash's prefix assignment before a block.
    if source[pos..].starts_with('{')
        && let Some(error) = assignment_before_block(source, pos)
    {
        return error;
    }
    // `echo {"a": 1}`: a `{` where a command's next word may stand.
    if source[pos..].starts_with('{')
        && positives.contains(&Rule::word)
        && positives.contains(&Rule::redirect)
    {
        if let Some(error) = misspelled_keyword(source, pos) {
            return error;
        }
        if let Some(error) = bash_condition_brace(source, pos) {
            return error;
        }
        return ParseError::BraceInArguments {
            span: Span::new(pos, pos + 1).into(),
        };
    }
    if positives.contains(&Rule::word)
        && let Some(error) = missing_header_value(source, pos)
    {
        return error;
    }
    let at_statement_end = positives.contains(&Rule::sep) || positives.contains(&Rule::EOI);
    if at_statement_end && let Some(error) = statement_redirect(source, pos) {
        return error;
    }
    if at_statement_end && let Some(error) = value_not_one_word(source, pos, span) {
        return error;
    }
    if at_statement_end && let Some(error) = too_many_words(source, pos, span) {
        return error;
    }
    if at_statement_end
        && source[pos..].starts_with('|')
        && !source[pos..].starts_with("||")
        && let Some(keyword) = statement_keyword(source, pos)
    {
        let help = match keyword {
            "cd" => {
                "`cd` is a statement, not a command: put it in a block with what it is for \
                 (`{ cd dir ; make } | tee log`)"
            }
            "exit" => {
                "`exit` ends the script and writes nothing: print what the pipe is for \
                 first (`echo \"reason\" | tee -a log ; exit 1`)"
            }
            _ => {
                "an assignment is a statement, not a command, and writes nothing: to give \
                 it a pipeline's output, capture it (`let x = $(cmd | filter)`)"
            }
        };
        return ParseError::StatementPiped {
            keyword,
            help,
            span: Span::new(pos, pos + 1).into(),
        };
    }
    if positives.contains(&Rule::lbrace)
        && let Some(error) = header_option(source, pos)
    {
        return error;
    }
    if let Some(error) = option_after_block(source, pos) {
        return error;
    }
    // `timeout grace 1s { ... }`: the option was read as the duration.
    if positives.contains(&Rule::lbrace)
        && let Some(error) = option_before_duration(source, pos)
    {
        return error;
    }
    // A `{` later on the line means a wrong option, not a missing body.
    let rest_of_line = source.get(pos..).and_then(|rest| rest.lines().next());
    // `for f in a b; { ... }`, which bash takes: the `;` ends the header.
    let semicolon_before_body = source[pos..]
        .strip_prefix(';')
        .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with('{'));
    if positives.contains(&Rule::lbrace)
        && semicolon_before_body
        && let Some((keyword, _)) = missing_body(&positives)
    {
        let help = match keyword {
            "for" => {
                "a `;` ends the statement: write the `{` right after the header (`for x in a b {`)"
            }
            "timeout" => {
                "a `;` ends the statement: write the `{` right after the header (`timeout 5s {`)"
            }
            "parallel" => {
                "a `;` ends the statement: write the `{` right after the header (`parallel max 4 {`)"
            }
            _ => "a `;` ends the statement: write the `{` right after the header (`fanout {`)",
        };
        return ParseError::MissingBody {
            keyword,
            help,
            span: span.into(),
        };
    }
    if positives.contains(&Rule::lbrace)
        && !rest_of_line.is_some_and(|line| line.contains('{'))
        && let Some((keyword, help)) = missing_body(&positives)
    {
        // `for x in a b`, then `{` on the next line, as a C or bash
        // habit would put it.
        let brace_below = source[pos..]
            .lines()
            .skip(1)
            .map(str::trim)
            .find(|line| !line.is_empty() && !line.starts_with('#'))
            .is_some_and(|line| line.starts_with('{'));
        // bash's `for x in a b; do ... done`, `do` on the line or the next.
        let line_start = source[..pos].rfind('\n').map_or(0, |at| at + 1);
        let bash_do = source[line_start..]
            .split(|c: char| c.is_whitespace() || c == ';')
            .take_while(|word| !word.starts_with('#'))
            .chain(
                source[pos..]
                    .lines()
                    .nth(1)
                    .into_iter()
                    .flat_map(str::split_whitespace)
                    .take(1),
            )
            .any(|word| word == "do");
        let help = if brace_below {
            "the `{` must be on the same line as its header: `for x in a b c {`, `timeout 5s {`"
        } else if keyword == "for" && bash_do {
            "pipe has no `do ... done`: write the body in braces, on the header's line: \
             `for x in a b c { echo $x }`"
        } else {
            help
        };
        return ParseError::MissingBody {
            keyword,
            help,
            span: span.into(),
        };
    }
    if positives.contains(&Rule::lbrace)
        && let Some(error) = spaced_unit(source, pos)
    {
        return error;
    }
    // `fanout < in.txt { ... }`, `parallel > out.txt { ... }`: a block's
    // redirects written in its header.
    let header_redirect = positives
        .contains(&Rule::lbrace)
        .then(|| redirect_span(source, pos))
        .flatten();
    let lbrace_expected = positives.contains(&Rule::lbrace);
    let word_expected = positives.contains(&Rule::word);
    let name_expected = positives.contains(&Rule::ident);
    let in_expected = positives.contains(&Rule::kw_in);
    let item_expected = positives.contains(&Rule::for_item);
    let mut expected: Vec<&'static str> = Vec::new();
    for rule in positives {
        if let Some(words) = describe(rule)
            && !expected.contains(&words)
        {
            expected.push(words);
        }
    }
    // Right after `|`, `&&` or `||` the script may not end either (`echo a
    // |` at its end is `trailing_operator`): "or end of input" would say
    // it may.
    if after_operator(source, pos) {
        expected.retain(|&words| Some(words) != describe(Rule::EOI));
    }
    // "end of input" reads best last.
    expected.sort_by_key(|&words| words == describe(Rule::EOI).unwrap_or_default());
    let found = found_at(source, pos);
    // `echo (a)`, `echo :)`: as in bash, a parenthesis is never part of a
    // word, and quoting is the fix.
    let help = if header_redirect.is_some() {
        Some(
            "a block's redirects go after its closing `}`, as in bash: `parallel { a ; b } > \
             out.txt`, `cat f | fanout { a ; b } 2> err.txt`, `for x in a b { ... } < in.txt`",
        )
    } else if found == "`{`" && statement_keyword(source, pos) == Some("cd") {
        // `cd dir { ... }`, as if `cd` took a block.
        Some(
            "`cd` takes no block: it sets the directory for the commands after it in its own \
             block, so put it inside one: `{ cd dir ; make }`",
        )
    } else if found == "a word"
        && source[..pos].trim_end().ends_with('}')
        && matches!(
            source[pos..].split_whitespace().next(),
            Some("else" | "elif")
        )
    {
        // `test -f x && { ... } else { ... }`: an `else` after a block.
        Some(
            "pipe has no `else`: write the other branch after `||`, as in `test -f x && { echo \
             yes } || { echo no }`",
        )
    } else if found == "`(`"
        && matches!(
            statement_keyword(source, pos),
            Some("let" | "export" | "secret")
        )
    {
        // `let x = run("ls")`, `let n = len(x)`: a function call, as in
        // Python.
        Some(
            "pipe has no function calls: to set a name to what a command prints, capture its \
             output: `let x = $(ls -l)`; to keep a `(` as text, quote the value: `let x = \"f(a)\"`",
        )
    } else if in_expected {
        // `for i = 1..3`, `for i 1..3`, `for i of xs`: the `in` left out.
        Some(
            "a loop is `for NAME in LIST { ... }`: its list follows `in`, as in `for i in 1..3 { ... }`",
        )
    } else if found == "`(`" && item_expected {
        // `for i in range(10)`, as in Python.
        Some(
            "a range is written `A..B`, both ends included, as in `for i in 0..9 { ... }`; \
             a `(` is never part of a word: quote it to pass it as text",
        )
    } else if word_expected && (found == "`(`" || found == "`)`") {
        Some(
            "`(` and `)` are never part of a word, as in bash: quote them to pass them as text \
             (`'(a)'`, `\\(a\\)`), or remove a stray one",
        )
    } else if found == "a word"
        && lbrace_expected
        && let Some(help) = header_word_help(source, pos)
    {
        Some(help)
    } else if found == "the keyword `for`" {
        // `timeout 5s for ...` and `fanout for ...`: only `parallel` has a
        // `for` form.
        let start = statement_start(source, pos);
        match source[start..pos].split_whitespace().next() {
            Some("timeout") => Some(
                "a `timeout` takes a block in braces, which may hold the loop: \
                 `timeout 5s { for x in a b { ... } }`",
            ),
            Some("fanout") => Some(
                "`fanout` has no `for` form: write each branch, `fanout { a ; b }`; each gets a \
                 copy of standard input",
            ),
            _ => None,
        }
    } else if name_expected {
        // `export` alone, which in bash lists the exported names.
        match statement_keyword(source, pos) {
            Some("export") => {
                Some("write `export NAME = VALUE`; to see the environment, run `env`")
            }
            Some("let") => Some("write `let NAME = VALUE`"),
            Some("secret") => Some("write `secret NAME = VALUE`"),
            _ => None,
        }
    } else {
        None
    };
    ParseError::Unexpected {
        expected: join_alternatives(&expected),
        found,
        span: header_redirect.unwrap_or(span).into(),
        help,
    }
}

/// `if test -f x { ... }`, `} else { ... }`, `while true { ... }`: bash's
/// `if` or `while` written with a block in braces as pipe's `for` takes
/// one, read as a command named `if` until the `{`.
fn bash_condition_brace(source: &str, pos: usize) -> Option<ParseError> {
    let start = statement_start(source, pos);
    let statement = &source[start..pos];
    let word = statement.split_whitespace().next()?;
    let text = match word {
        "if" | "elif" | "else" | "then" => "if ... fi",
        "while" => "while ... done",
        "until" => "until ... done",
        _ => return None,
    };
    let at = start + (statement.len() - statement.trim_start().len());
    Some(ParseError::UnsupportedExpansion {
        text: text.to_owned(),
        help: super::bash_builtin_help(word)?,
        span: Span::new(at, at + word.len()).into(),
    })
}

/// `parallel failfast { ... }`, `parallel max4 { ... }`, `fanout max 2 {
/// ... }`: a `parallel` or `fanout` header's word misspelled or misplaced.
fn header_word_help(source: &str, pos: usize) -> Option<&'static str> {
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
fn misspelled_keyword(source: &str, pos: usize) -> Option<ParseError> {
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
fn missing_header_value(source: &str, pos: usize) -> Option<ParseError> {
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
fn assignment_before_block(source: &str, pos: usize) -> Option<ParseError> {
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
fn option_after_block(source: &str, pos: usize) -> Option<ParseError> {
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
fn option_before_duration(source: &str, pos: usize) -> Option<ParseError> {
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
fn header_option(source: &str, pos: usize) -> Option<ParseError> {
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
fn spaced_unit(source: &str, pos: usize) -> Option<ParseError> {
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

/// bash syntax that pest stops in the middle of, named: process
/// substitution, `|&`, here-documents and arithmetic.
fn bash_only(source: &str, pos: usize) -> Option<ParseError> {
    // `<(...)` is read as `<` with no target, then a `(`.
    let process = if (source[..pos].ends_with('<') || source[..pos].ends_with('>'))
        && source[pos..].starts_with('(')
    {
        Some(pos - 1)
    } else if source[pos..].starts_with("<(") || source[pos..].starts_with(">(") {
        Some(pos)
    } else {
        None
    };
    if let Some(start) = process {
        return Some(ParseError::UnsupportedExpansion {
            text: format!("{}(...)", &source[start..start + 1]),
            help: "pipe has no process substitution; use a pipe (`sort a | diff - b`), \
                   `fanout` to give one stream to several commands, or a temporary file",
            span: Span::new(start, start + 2).into(),
        });
    }
    if source[..pos].ends_with('|')
        && !source[..pos].ends_with("||")
        && source[pos..].starts_with('&')
    {
        return Some(ParseError::UnsupportedExpansion {
            text: "|&".to_owned(),
            help: "send stderr down the pipe with `2>&1 |`",
            span: Span::new(pos - 1, pos + 1).into(),
        });
    }
    // `name() { ... }` and `function name { ... }`: a bash function.
    let statement_start = source[..pos].rfind(['\n', ';']).map_or(0, |at| at + 1);
    let keyword = source[statement_start..pos]
        .trim_start()
        .starts_with("function ");
    if source[pos..].starts_with("()") || (keyword && source[pos..].starts_with('{')) {
        let head = source[..pos].trim_end();
        let start = if keyword {
            let statement = &source[statement_start..pos];
            statement_start + (statement.len() - statement.trim_start().len())
        } else {
            // After the separator, whatever its width (a no-break space
            // is whitespace too).
            head.char_indices()
                .rfind(|&(_, c)| c.is_whitespace() || c == ';')
                .map_or(0, |(at, c)| at + c.len_utf8())
        };
        let end = if source[pos..].starts_with("()") {
            pos + 2
        } else {
            head.len()
        };
        return Some(ParseError::UnsupportedExpansion {
            text: source[start..end].to_owned(),
            help: "pipe has no functions: put the steps in a script of their own and run it \
                   as a command, or loop over what changes: `for x in a b { ... }`",
            span: Span::new(start, end).into(),
        });
    }
    // bash's `>& FILE` (and `>&` with a space before its fd), which the
    // grammar reads as `>` with no target.
    if source[..pos].ends_with('>') && source[pos..].starts_with('&') {
        return Some(ParseError::UnsupportedRedirect {
            reason: "write `&> FILE` for both streams to a file, or `>&2` with no space",
            span: Span::new(pos - 1, pos + 1).into(),
        });
    }
    // bash's `>| FILE` (truncate despite noclobber, which pipe has not)
    // and `<> FILE` (open for reading and writing), which the grammar reads
    // as `>` or `<` with no target.
    if source[..pos].ends_with('>') && source[pos..].starts_with('|') {
        return Some(ParseError::UnsupportedRedirect {
            reason: "pipe has no noclobber: write `> FILE`",
            span: Span::new(pos - 1, pos + 1).into(),
        });
    }
    if source[..pos].ends_with('<') && source[pos..].starts_with('>') {
        return Some(ParseError::UnsupportedRedirect {
            reason: "pipe cannot open a file for reading and writing: use `<` or `>`",
            span: Span::new(pos - 1, pos + 1).into(),
        });
    }
    // `cmd &` and `a & b`: a lone `&` that is no `&&`, `&>` or `>&`.
    if source[pos..].starts_with('&')
        && !source[pos..].starts_with("&&")
        && !source[pos..].starts_with("&>")
        && !source[..pos].ends_with(['&', '<', '>', '|'])
    {
        return Some(ParseError::Background {
            span: Span::new(pos, pos + 1).into(),
        });
    }
    // `<<` is read as `<` with no target, then a second `<`.
    if source[..pos].ends_with('<')
        && source[pos..].starts_with('<')
        && !source[pos..].starts_with("<<")
    {
        return Some(ParseError::HereDocument {
            span: Span::new(pos - 1, pos + 1).into(),
        });
    }
    // bash's C-style `for ((i = 0; i < n; i++))`, read as a `for` whose
    // name is missing.
    let head = source[..pos].trim_end();
    if source[pos..].starts_with("((")
        && head.ends_with("for")
        && !head[..head.len() - 3].ends_with(|c: char| c.is_alphanumeric() || c == '_')
    {
        let start = head.len() - 3;
        let line_end = source[pos..].find('\n').map_or(source.len(), |at| pos + at);
        let end = source[pos..line_end]
            .find("))")
            .map_or(pos + 2, |at| pos + at + 2);
        return Some(ParseError::UnsupportedExpansion {
            text: "for ((...))".to_owned(),
            help: "pipe has no C-style `for`; loop over a range: `for i in 0..9 { ... }` \
                   (`for i in 1..$n` too)",
            span: Span::new(start, end).into(),
        });
    }
    if source[..pos].ends_with("$(") && source[pos..].starts_with('(') {
        return Some(ParseError::UnsupportedExpansion {
            text: "$((...))".to_owned(),
            help: "pipe has no arithmetic; compute with a command: `$(expr $n + 1)`",
            span: Span::new(pos - 2, pos + 1).into(),
        });
    }
    if source[pos..].starts_with('(') {
        return parenthesis(source, pos);
    }
    if source[pos..].starts_with(')') {
        return bash_case(source, pos);
    }
    None
}

/// A redirect after `cd`, `exit`, `let`, `export` or `secret`, which write
/// nothing a redirect could take, as a bash habit writes it:
/// `cd - > /dev/null`, `cd $dir 2> /dev/null || exit 1`.
fn statement_redirect(source: &str, pos: usize) -> Option<ParseError> {
    let span = redirect_span(source, pos)?;
    let start = source[..pos]
        .rfind(['\n', ';', '{', '|', '&'])
        .map_or(0, |at| at + 1);
    let (keyword, help) = match source[start..pos].split_whitespace().next()? {
        "cd" => (
            "cd",
            "`cd` writes nothing but its own error, which pipe reports: remove the redirect; \
             `cd \"$OLDPWD\"` goes back as `cd -` does without printing, and where a \
             directory may be missing, test it first: `test -d DIR && cd DIR`",
        ),
        "exit" => ("exit", "`exit` writes nothing: remove the redirect"),
        keyword @ ("let" | "export" | "secret") => (
            match keyword {
                "let" => "let",
                "export" => "export",
                _ => "secret",
            },
            "an assignment writes nothing; to redirect a command in its value, put the \
             redirect inside: `$(cmd 2> /dev/null)`",
        ),
        _ => return None,
    };
    Some(ParseError::StatementRedirect {
        keyword,
        help,
        span: span.into(),
    })
}

/// The redirect written at `pos` (`> f`, `2>> f`, `&> f`, `<<< w`): its
/// operator, and its target if one follows; `None` if no redirect is there.
fn redirect_span(source: &str, pos: usize) -> Option<Span> {
    let rest = &source[pos..];
    let op = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    if !(op.starts_with('>') || op.starts_with('<') || op.starts_with("&>")) {
        return None;
    }
    let op_len = op.len() - op.trim_start_matches(['<', '>', '&']).len();
    let after_op = &op[op_len..];
    let target = after_op.trim_start_matches([' ', '\t']);
    let target_len = target
        .find(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&' | '}'))
        .unwrap_or(target.len());
    let end = if target_len == 0 {
        pos + (rest.len() - after_op.len())
    } else {
        pos + (rest.len() - target.len()) + target_len
    };
    Some(Span::new(pos, end))
}

/// bash's `case WORD in PATTERN) ... ;; esac`, which reads as a command
/// named `case` until the `)` of its first pattern: the `case` whose
/// statement the `)` is in, or that an earlier line opened, with no `esac`
/// in between.
fn bash_case(source: &str, pos: usize) -> Option<ParseError> {
    let before = &source[..pos];
    let start = before
        .rmatch_indices("case")
        .map(|(at, _)| at)
        .find(|&at| {
            let head = before[..at].trim_end_matches([' ', '\t']);
            let after = before[at + 4..].chars().next();
            (head.is_empty() || head.ends_with(['\n', ';', '{', '&', '|']))
                && after.is_some_and(|c| c == ' ' || c == '\t')
        })?;
    if before[start..].contains("esac") {
        return None;
    }
    Some(ParseError::UnsupportedExpansion {
        text: "case ... esac".to_owned(),
        help: "pipe has no `if` or `case`: choose with `&&` and `||` \
               (`test \"$1\" = start && run || echo usage`), and group with `{ ... }`",
        span: Span::new(start, start + 4).into(),
    })
}

/// bash's `(` where pipe has none (only `$(` starts one): an array
/// `a=(x y)`, an arithmetic command `(( n++ ))` or a subshell `( cd d &&
/// make )`, each named where a statement, a stage or a value was
/// expected. A `(` among a command's arguments is left to the generic
/// error, as bash has no meaning for it there either.
fn parenthesis(source: &str, pos: usize) -> Option<ParseError> {
    let before = source[..pos].trim_end_matches([' ', '\t']);
    // The `)` that closes it on the same line, or the `(` alone.
    let line = &source[pos..source[pos..].find('\n').map_or(source.len(), |at| pos + at)];
    let mut depth = 0usize;
    let close = line.char_indices().find_map(|(at, c)| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        (depth == 0).then_some(pos + at + 1)
    });
    let end = close.unwrap_or(pos + 1);
    let mut start = pos;
    let assigned = before.strip_suffix('=').and_then(|assigned| {
        let trimmed = assigned.trim_end_matches([' ', '\t']);
        // The name is ASCII: after the last other character, whatever its
        // width.
        let name_start = trimmed.len()
            - trimmed
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .count();
        let name = &trimmed[name_start..];
        name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            .then_some((assigned, trimmed, name_start))
    });
    let (text, help) = if let Some((assigned, trimmed, name_start)) = assigned {
        // bash's own spelling, `a=(x y)`, is underlined from its name.
        if trimmed.len() == assigned.len() && before.len() == pos {
            start = name_start;
        }
        (
            format!("{}=(...)", &trimmed[name_start..]),
            "pipe has no arrays; loop over the items with `for x in a b c { ... }`, \
             or keep them one a line in a file and loop over `$(cat FILE)`",
        )
    } else if !(before.is_empty() || before.ends_with(['\n', ';', '{', '|', '&'])) {
        return None;
    } else if source[pos..].starts_with("((") {
        (
            "((...))".to_owned(),
            "pipe has no arithmetic; compute with a command: `let n = $(expr $n + 1)`, \
             and test with `test $n -gt 3`",
        )
    } else {
        (
            "(...)".to_owned(),
            "pipe has no subshells; a block `{ ... }` is a scope of its own for `cd`, \
             `let`, `export` and `secret`: `{ cd dir && make }`",
        )
    };
    Some(ParseError::UnsupportedExpansion {
        text,
        help,
        span: Span::new(start, end).into(),
    })
}

/// A `|`, `&&` or `||` at `pos` with only spaces, and maybe comments on
/// lines of their own, between it and the line break before it.
fn leading_operator(source: &str, pos: usize) -> Option<ParseError> {
    let rest = &source[pos..];
    let op = if rest.starts_with("&&") {
        "&&"
    } else if rest.starts_with("||") {
        "||"
    } else if rest.starts_with('|') {
        "|"
    } else {
        return None;
    };
    let line_start = source[..pos].rfind('\n').map(|at| at + 1)?;
    if !source[line_start..pos]
        .trim_start_matches([' ', '\t'])
        .is_empty()
    {
        return None;
    }
    // The last line of code before it (a comment after the code left out,
    // roughly) must end a statement, not open a block or want more.
    let code = source[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))?;
    let comment = [" #", "\t#"]
        .iter()
        .filter_map(|start| code.find(start))
        .min();
    let code = comment.map_or(code, |at| &code[..at]);
    if code.trim_end().ends_with(['|', '&', '{', ';', '(', '\\']) {
        return None;
    }
    Some(ParseError::LeadingOperator {
        op,
        span: Span::new(pos, pos + op.len()).into(),
    })
}

/// The keyword (`let`, `export` or `secret`) that starts the statement
/// `pos` is in, and the words after it, up to `pos`.
fn assignment_words(
    source: &str,
    pos: usize,
) -> Option<(&'static str, std::str::SplitWhitespace<'_>)> {
    let start = statement_start(source, pos);
    let mut words = source[start..pos].split_whitespace();
    let keyword = match words.next()? {
        "let" => "let",
        "export" => "export",
        "secret" => "secret",
        _ => return None,
    };
    Some((keyword, words))
}

/// `let my-var = 1`, `export 2x = a`, `let $x = 1`: the parse stopped in
/// or at a word after `let`, `export` or `secret` that is no name.
fn invalid_name(source: &str, pos: usize) -> Option<ParseError> {
    // bash's `x+=more`, named by `missing_value`.
    if source[pos..].starts_with("+=") {
        return None;
    }
    let start = source[..pos]
        .rfind(['\n', ';', '{', '&', '|'])
        .map_or(0, |at| at + 1);
    let statement = &source[start..];
    let keyword_at = start + (statement.len() - statement.trim_start().len());
    let keyword = ["let", "export", "secret"]
        .into_iter()
        .find(|keyword| source[keyword_at..].starts_with(&format!("{keyword} ")))?;
    let after = &source[keyword_at + keyword.len()..];
    let name_at = keyword_at + keyword.len() + (after.len() - after.trim_start().len());
    let name_len = source[name_at..]
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | ';' | '|' | '&' | '}'))
        .unwrap_or(source.len() - name_at);
    let is_name = |text: &str| {
        text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let name = &source[name_at..name_at + name_len];
    // `let = 3`: no name at all.
    if name.is_empty() && pos == name_at && source[name_at..].starts_with('=') {
        return Some(ParseError::MissingName {
            keyword,
            span: Span::new(name_at, name_at + 1).into(),
        });
    }
    if name.is_empty() || is_name(name) || !(name_at..name_at + name_len).contains(&pos) {
        return None;
    }
    let unquoted = unquote(name);
    let rule = "a name is letters, digits and `_`, not starting with a digit";
    // bash's arithmetic `let`: `let i++`, `let --n`, `let "i = i + 1"`.
    let stepped = ["++", "--"]
        .into_iter()
        .find_map(|op| name.strip_suffix(op).or_else(|| name.strip_prefix(op)))
        .filter(|bare| is_name(bare));
    // A quote the name's word does not close: `let "x=5"`, `let "i = i + 1"`.
    let open_quote = name
        .strip_prefix(['"', '\''])
        .filter(|_| unquoted.is_none())
        .map(|rest| {
            let len = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            &rest[..len]
        })
        .filter(|bare| is_name(bare));
    // The text after the name's first character (a quote, when it opens
    // one), which may be any character: `let é = 1`.
    let first_len = name.chars().next().map_or(0, char::len_utf8);
    let quoted_text = source[name_at + first_len..]
        .split(['"', '\''])
        .next()
        .unwrap_or_default();
    let computes = quoted_text.contains(['+', '-', '*', '/', '%']);
    let help = if let Some(bare) = name.strip_prefix('$').filter(|bare| is_name(bare)) {
        format!("a name is written without its `$`: `{keyword} {bare} = VALUE`")
    } else if let Some(bare) = unquoted.filter(|bare| is_name(bare)) {
        format!("a name is not quoted: `{keyword} {bare} = VALUE`")
    } else if let Some(bare) = stepped.filter(|_| keyword == "let") {
        arithmetic_help(bare)
    } else if name.starts_with('-') {
        // bash's `export -p`, `export -n NAME`, `declare`-style options.
        let more = if keyword == "export" {
            "; to see the environment, run `env`"
        } else {
            ""
        };
        format!("`{keyword}` takes no options, only `{keyword} NAME = VALUE`{more}")
    } else if let Some(bare) = open_quote {
        if keyword == "let" && computes {
            arithmetic_help(bare)
        } else {
            format!(
                "a name is not quoted, and its `=` has spaces around it: `{keyword} {bare} = VALUE`"
            )
        }
    } else {
        let mut fixed: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if fixed.starts_with(|c: char| c.is_ascii_digit()) {
            fixed.insert(0, '_');
        }
        if fixed.chars().any(|c| c.is_ascii_alphanumeric()) {
            format!("{rule}: `{keyword} {fixed} = VALUE`")
        } else {
            rule.to_owned()
        }
    };
    Some(ParseError::InvalidName {
        name: name.to_owned(),
        help,
        span: Span::new(name_at, name_at + name_len).into(),
    })
}

/// `for $f in *.txt { ... }`, `for my-file in ...`: a `for` whose
/// variable is no name, the parse stopped in it or right after it.
fn invalid_loop_name(source: &str, pos: usize) -> Option<ParseError> {
    let name_at = source[..pos]
        .rfind(char::is_whitespace)
        .map_or(0, |at| at + 1);
    let before = source[..name_at].trim_end_matches([' ', '\t']);
    let keyword_at = before.rfind(char::is_whitespace).map_or(0, |at| at + 1);
    if before.len() == name_at || &before[keyword_at..] != "for" {
        return None;
    }
    let len = source[name_at..]
        .find(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&'))
        .unwrap_or(source.len() - name_at);
    let name = &source[name_at..name_at + len];
    let is_name = |text: &str| {
        text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if name.is_empty() || is_name(name) {
        return None;
    }
    let sigil = name.strip_prefix('$').map(|bare| {
        bare.strip_prefix('{')
            .and_then(|bare| bare.strip_suffix('}'))
            .unwrap_or(bare)
    });
    let quoted = unquote(name);
    let help = if let Some(bare) = sigil.filter(|bare| is_name(bare)) {
        format!("a name is written without its `$`: `for {bare} in LIST {{ ... }}`")
    } else if let Some(bare) = quoted.filter(|bare| is_name(bare)) {
        format!("a name is not quoted: `for {bare} in LIST {{ ... }}`")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    {
        // `for *.txt { ... }`, `for 1..3`: the list, its variable left out.
        let list = if name.len() <= 40 { name } else { "LIST" };
        format!("a loop names its variable first, then its list: `for f in {list} {{ ... }}`")
    } else {
        let mut fixed = name.replace('-', "_");
        if fixed.starts_with(|c: char| c.is_ascii_digit()) {
            fixed.insert(0, '_');
        }
        format!(
            "a loop's variable is a name, letters, digits and `_`, not starting with a digit: \
             `for {fixed} in LIST {{ ... }}`"
        )
    };
    Some(ParseError::InvalidName {
        name: name.to_owned(),
        help,
        span: Span::new(name_at, name_at + len).into(),
    })
}

/// `export NAME` with no value, as bash exports a variable it has, or
/// `let x` alone: the `=` and value that pipe's statement needs are missing.
fn missing_value(source: &str, pos: usize, span: Span) -> Option<ParseError> {
    let (keyword, mut words) = assignment_words(source, pos)?;
    if source[pos..].starts_with("+=") {
        return Some(ParseError::UnsupportedExpansion {
            text: "+=".to_owned(),
            help: APPEND_HELP,
            span: Span::new(pos, pos + 2).into(),
        });
    }
    let name = words.next()?;
    let more = if keyword == "export" {
        format!("; to export a variable as it is: `export {name} = \"${name}\"`")
    } else {
        String::new()
    };
    words.next().is_none().then(|| ParseError::MissingValue {
        keyword,
        name: name.to_owned(),
        more,
        span: span.into(),
        label: "expected `=` and a value",
    })
}

/// What to write for bash's `x+=more`.
const APPEND_HELP: &str =
    "pipe has no `+=`; name the old value in the new one: `let x = \"${x}more\"`";

/// `let x =` (or `let x=`) with nothing after the `=`, as bash's `x=`
/// empties a variable: pipe's statement needs a value, `""` for an empty
/// one.
fn empty_value(source: &str, pos: usize) -> Option<ParseError> {
    let (keyword, words) = assignment_words(source, pos)?;
    // A comment may stand between the `=` and the end of the line.
    let text = words
        .take_while(|word| !word.starts_with('#'))
        .collect::<Vec<_>>()
        .concat();
    let name = text.strip_suffix('=')?;
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let statement = source[..pos].rfind(['\n', ';', '{']).map_or(0, |at| at + 1);
    let eq = statement + source[statement..pos].find('=')?;
    valid.then(|| ParseError::MissingValue {
        keyword,
        name: name.to_owned(),
        more: format!("; an empty value is `\"\"`: `{keyword} {name} = \"\"`"),
        span: Span::new(eq, eq + 1).into(),
        label: "no value after it",
    })
}

/// bash's brace expansion, `{1..10}` or `{a,b}`, where the parse stopped:
/// at its `{`, or at the `{` after it that a `for` list took for its body
/// (`for i in {1..3} { ... }`).
fn brace_expansion(source: &str, pos: usize) -> Option<ParseError> {
    let line_start = source[..pos].rfind('\n').map_or(0, |at| at + 1);
    let before = source[line_start..pos].trim_end();
    let start = if source[pos..].starts_with('{') && !before.ends_with('}') {
        pos
    } else {
        line_start + before.strip_suffix('}').map(|rest| rest.rfind('{'))??
    };
    let inner_end = start + 1 + source[start + 1..].find('}')?;
    let help = brace_expansion_help(&source[start + 1..inner_end])?;
    Some(ParseError::UnsupportedExpansion {
        text: source[start..=inner_end].to_owned(),
        help,
        span: Span::new(start, inner_end + 1).into(),
    })
}

/// What to write instead, when the text between `{` and `}` reads as
/// bash's brace expansion: one word holding `..` or `,`.
pub(super) fn brace_expansion_help(inner: &str) -> Option<&'static str> {
    if inner.is_empty() || inner.contains(|c: char| c.is_whitespace() || "{}$\"'".contains(c)) {
        None
    } else if inner.contains("..") {
        Some(
            "pipe has no brace expansion; a `for` list takes the range itself: `for i in 1..10 { ... }`",
        )
    } else if inner.contains(',') {
        Some(
            "pipe has no brace expansion; write the words out (`a.txt b.txt`), or loop over them: `for x in a b { ... }`",
        )
    } else {
        None
    }
}

/// `let x = a b`: a second word where a `let`, `export` or `secret`
/// statement should end, which a bash user may expect to be joined.
fn value_not_one_word(source: &str, pos: usize, span: Span) -> Option<ParseError> {
    let (keyword, mut words) = assignment_words(source, pos)?;
    let name = words.next()?.split('=').next()?;
    let starts_word = starts_word(&source[pos..]);
    // `let n = $n + 1`: bash's `let` computes, pipe's sets a word.
    let second = source[pos..]
        .split(|c: char| c.is_whitespace() || c == ';')
        .next()
        .unwrap_or_default();
    let help = if keyword == "let" && matches!(second, "+" | "-" | "*" | "/" | "%") {
        // The sum as written, for `expr`, a `*` quoted against globbing.
        let statement = statement_start(source, pos);
        let value_at = statement + source[statement..pos].find('=')? + 1;
        let value_end = source[pos..]
            .find(['\n', ';', '#'])
            .map_or(source.len(), |at| pos + at);
        let sum = source[value_at..value_end]
            .split_whitespace()
            .map(|word| if word == "*" { "'*'" } else { word })
            .collect::<Vec<_>>()
            .join(" ");
        format!(
            "pipe's `let` sets a name to one word and does no arithmetic; compute with a \
             command: `let {name} = $(expr {sum})`"
        )
    } else if let Some((other, other_value)) = assigned_name(second) {
        // bash's `export A=1 B=2` sets both.
        let statement = statement_start(source, pos);
        let value_at = statement + source[statement..pos].find('=')? + 1;
        let value = source[value_at..pos].trim();
        // A help shows no secret's value: the script did not parse, so
        // nothing else would hide it.
        let (value, other_value) = if keyword == "secret" {
            ("...", "...")
        } else {
            (value, other_value)
        };
        format!(
            "one `{keyword}` sets one name; write one for each: \
             `{keyword} {name} = {value} ; {keyword} {other} = {other_value}`"
        )
    } else {
        format!("quote the value to keep its spaces: `{keyword} {name} = \"a b\"`")
    };
    (starts_word && !name.is_empty()).then(|| ParseError::ValueNotOneWord {
        keyword,
        name: name.to_owned(),
        help,
        span: span.into(),
    })
}

/// The name and value of a bash assignment `NAME=VALUE`, if `word` is one.
fn assigned_name(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some((name, value))
}

/// What to write for bash's arithmetic `let` (`let i++`, `let "n = n +
/// 1"`), which pipe's `let`, an assignment of one word, does not do.
fn arithmetic_help(name: &str) -> String {
    format!(
        "pipe's `let` sets a name to one word and does no arithmetic (bash's `let` \
         computes); compute with a command: `let {name} = $(expr ${name} + 1)`"
    )
}

/// A redirect with nothing after it (`echo hi >`, `sort <`, `cat <<<`):
/// its operator, named.
fn missing_target(source: &str, pos: usize) -> Option<ParseError> {
    let before = source[..pos].trim_end_matches([' ', '\t']);
    let op = ["&>>", "&>", "<<<", ">>", ">", "<"]
        .into_iter()
        .find(|op| before.ends_with(op))?;
    // An fd number is a word of digits alone (`2>`), not the end of one
    // (`a12>` is the argument `a12`).
    let head = &before[..before.len() - op.len()];
    let digits = head.chars().rev().take_while(char::is_ascii_digit).count();
    let word_start = head[..head.len() - digits].is_empty()
        || head[..head.len() - digits].ends_with(|c: char| c.is_whitespace() || ";|&{".contains(c));
    let digits = if word_start { digits } else { 0 };
    let start = before.len() - op.len() - if op.starts_with('&') { 0 } else { digits };
    let (what, help) = if op == "<<<" {
        (
            "text",
            "write the text after it, quoted if it has spaces: `<<< \"some text\"`",
        )
    } else if op == "<" {
        ("file name", "name the file to read after it: `< input.txt`")
    } else {
        (
            "file name",
            "name the file after it: `> out.txt`, or `> /dev/null` to throw the output away",
        )
    };
    Some(ParseError::MissingTarget {
        op: before[start..].to_owned(),
        what,
        help,
        span: Span::new(start, before.len()).into(),
    })
}

/// The keyword of the statement (`cd`, `exit`, `let`, `export`,
/// `secret`) that `pos` ends, if it is one.
fn statement_keyword(source: &str, pos: usize) -> Option<&'static str> {
    let start = statement_start(source, pos);
    let first = source[start..pos].split_whitespace().next()?;
    ["cd", "exit", "let", "export", "secret"]
        .into_iter()
        .find(|keyword| *keyword == first)
}

/// Where the statement that `pos` is in starts: after the last line
/// break, `;`, brace or pipe or list operator before it. The braces of a
/// `${name}` are no block's: a `{` after a `$`, and a `}` right after
/// a word's text (a block's `}` stands apart: `{ a }`, `{}`).
fn statement_start(source: &str, pos: usize) -> usize {
    let bytes = source.as_bytes();
    let mut end = pos;
    while let Some(at) = source[..end].rfind(['\n', ';', '{', '}', '|', '&']) {
        let expansion = match bytes[at] {
            b'{' => at > 0 && bytes[at - 1] == b'$',
            b'}' => at > 0 && !matches!(bytes[at - 1], b' ' | b'\t' | b'\n' | b';' | b'{'),
            _ => false,
        };
        if !expansion {
            return at + 1;
        }
        end = at;
    }
    0
}

/// Whether a word starts at the beginning of `rest`: not a line break,
/// an operator or a comment. A `\r` alone is a character of a word.
fn starts_word(rest: &str) -> bool {
    !rest.starts_with("\r\n")
        && rest.chars().next().is_some_and(|c| {
            !matches!(
                c,
                '\n' | ';' | '|' | '&' | '<' | '>' | '(' | ')' | '{' | '}' | '#'
            )
        })
}

/// `cd My Documents` or `exit 1 2`: a second word where `cd` and `exit`
/// take one (bash: "too many arguments").
fn too_many_words(source: &str, pos: usize, span: Span) -> Option<ParseError> {
    let start = statement_start(source, pos);
    let mut words = source[start..pos].split_whitespace();
    let (keyword, what, help) = match words.next()? {
        "cd" => (
            "cd",
            "directory",
            "quote a name with spaces (`cd \"My Documents\"`); pipe's `cd` takes no options",
        ),
        "exit" => (
            "exit",
            "status",
            "write the status alone (`exit 1`); to say why, print it first: \
             `echo \"reason\" >&2 ; exit 1`",
        ),
        _ => return None,
    };
    let starts_word = starts_word(&source[pos..]);
    (starts_word && words.count() == 1).then(|| ParseError::TooManyWords {
        keyword,
        what,
        help,
        span: span.into(),
    })
}

/// A `${...}` form of bash's that pipe does not have (`${f%.txt}`,
/// `${#x}`, `${x:=v}`, `${!x}`): named whole, with what pipe has instead.
fn unsupported_parameter(source: &str, pos: usize, at: Span) -> ParseError {
    let start = source[..pos].rfind("${");
    let end = source[pos..].find('}').map(|i| pos + i + 1);
    let span = match (start, end) {
        (Some(start), Some(end)) => Span::new(start, end),
        _ => at,
    };
    let text = &source[span.start..span.end];
    if let Some(help) = text
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .and_then(bad_substitution)
    {
        return ParseError::BadSubstitution {
            text: text.to_owned(),
            help,
            span: span.into(),
        };
    }
    ParseError::UnsupportedExpansion {
        text: text.to_owned(),
        help: parameter_help(text),
        span: span.into(),
    }
}

/// What to write instead of the `${...}` holding `inner`, when bash
/// rejects it too ("bad substitution"): one that holds no parameter (a
/// name, a number or a special one such as `@`), optionally after `#` or
/// `!`, followed by nothing or by an operator (`${}`, `${x }`, `${1x}`,
/// `${x.y}`). `None` for a form of bash's that pipe does not have.
fn bad_substitution(inner: &str) -> Option<String> {
    let parameter = |text: &str| -> Option<usize> {
        let first = text.chars().next()?;
        let run = |keep: fn(char) -> bool| text.find(|c: char| !keep(c)).unwrap_or(text.len());
        if first.is_ascii_digit() {
            Some(run(|c| c.is_ascii_digit()))
        } else if first.is_ascii_alphabetic() || first == '_' {
            Some(run(|c| c.is_ascii_alphanumeric() || c == '_'))
        } else {
            "@*#?-$!".contains(first).then_some(1)
        }
    };
    // What may follow the parameter: nothing, an operator, or bash's
    // `@` and one letter (`${x@Q}`); after a subscript (`${a[1]}`), the
    // same. A `:` alone (`${x:}`) is none.
    let operator = |rest: &str| match rest.strip_prefix('@') {
        Some(letter) => letter.len() == 1 && "QEPAKaUuLk".contains(letter),
        None => {
            rest.is_empty()
                || (rest != ":"
                    && rest.starts_with([':', '-', '=', '?', '+', '#', '%', '/', '^', ',']))
        }
    };
    let after = |rest: &str| match rest.strip_prefix('[') {
        Some(subscript) => subscript
            .find(']')
            .is_some_and(|end| operator(&subscript[end + 1..])),
        None => operator(rest),
    };
    let well_formed = |text: &str| parameter(text).is_some_and(|len| after(&text[len..]));
    if well_formed(inner) || inner.strip_prefix(['#', '!']).is_some_and(well_formed) {
        return None;
    }
    let trimmed = inner.trim();
    // `${1x}`: a name that starts with a digit.
    let after_digits = inner.trim_start_matches(|c: char| c.is_ascii_digit());
    Some(if trimmed.is_empty() {
        "write the variable's name between the braces: `${name}`, or `${name:-default}`".to_owned()
    } else if trimmed != inner && well_formed(trimmed) {
        format!("write it without spaces inside the braces: `${{{trimmed}}}`")
    } else if after_digits.len() < inner.len()
        && after_digits.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
    {
        "a name starts with a letter or `_`, never a digit; `${1}` is the script's first \
         argument"
            .to_owned()
    } else {
        "`${...}` holds a name (letters, digits and `_`, not first a digit) and, if wanted, a \
         default: `${name}`, `${name:-default}`"
            .to_owned()
    })
}

/// What to write instead of a bash `${...}` form, by its operator: the
/// ones a script uses for defaults and required arguments have a pipe
/// spelling.
fn parameter_help(text: &str) -> &'static str {
    let inner = text.strip_prefix("${").unwrap_or(text);
    let operator = inner.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    if operator.starts_with(":?") || operator.starts_with('?') {
        "an undefined variable, or a missing argument, is already an error that stops the \
         script: write `${name}`; for a message of your own, test first: \
         `test -n \"${name:-}\" || { echo \"usage: ...\" >&2 ; exit 2 }`"
    } else if operator.starts_with(":=") || operator.starts_with('=') {
        "pipe has no assigning default; set it once: `let name = ${name:-default}`"
    } else if operator.starts_with('-') {
        "pipe's default is `${name:-default}`, taken when the variable is unset or empty"
    } else if inner
        .trim_start_matches('#')
        .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
        .starts_with('[')
    {
        "pipe has no arrays; loop over the items with `for x in a b c { ... }`, or keep them \
         one a line in a file and loop over `$(cat FILE)`"
    } else if inner.starts_with("#@") || inner.starts_with("#*") {
        "the number of the script's arguments is `$#`"
    } else if inner.starts_with('#') && inner != "#}" {
        "pipe has no `${#name}`; count with a command: `$(printf %s $name | wc -c)`"
    } else if operator.starts_with(['^', ',']) {
        "pipe has no case change in `${...}`; use a command: `$(tr a-z A-Z <<< $name)`"
    } else if operator.starts_with('/') {
        "pipe has no replacement in `${...}`; use a command: `$(sed 's/old/new/g' <<< $name)`"
    } else {
        "`${...}` takes a name and, if wanted, a default: `${name}`, `${name:-default}`; \
         compute other values with a command, e.g. `$(basename $f .txt)`"
    }
}

/// The block keyword whose header ended without its `{`, when the rules
/// expected there are that header's options, and what to write instead.
/// A bash user is likely to have meant the program of the same name.
fn missing_body(positives: &[Rule]) -> Option<(&'static str, &'static str)> {
    if positives.contains(&Rule::kw_signal) || positives.contains(&Rule::kw_grace) {
        Some((
            "timeout",
            "write the commands in braces: `timeout 5s { sleep 9 }`; to run coreutils' timeout instead, quote it: `'timeout' 5 sleep 9`",
        ))
    } else if positives.contains(&Rule::kw_max) || positives.contains(&Rule::fail_fast) {
        Some((
            "parallel",
            "write each branch in braces: `parallel { a ; b }`, or loop: `parallel for x in LIST { ... }`; to run GNU parallel instead, quote it: `'parallel' ...`",
        ))
    } else if positives.contains(&Rule::output_mode) {
        Some((
            "fanout",
            "write the branches in braces: `cmd | fanout { a ; b }`",
        ))
    } else if positives.contains(&Rule::for_item) {
        Some((
            "for",
            "write the loop's body in braces: `for x in a b c { echo $x }`",
        ))
    } else {
        None
    }
}

/// Whether an error expecting `rule` means "a word was wanted here".
fn wants_word(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::word | Rule::stage | Rule::command | Rule::pipeline | Rule::list | Rule::stmt
    )
}

/// Plain words for what a rule matches, as in "expected a closing `}`".
/// `None` for rules that never help a reader (they are inside atomic words,
/// or only ever seen together with a better one).
///
/// No wildcard arm: a new rule does not compile until it is described.
fn describe(rule: Rule) -> Option<&'static str> {
    let words = match rule {
        Rule::EOI => "end of input",
        // Silent rules are never reported; comments are never wanted.
        Rule::comment
        | Rule::WHITESPACE
        | Rule::word_char
        | Rule::bare_char
        | Rule::bare_escape
        | Rule::line_join
        | Rule::word_end
        | Rule::line_break
        | Rule::cmd_prefix
        | Rule::word_part
        | Rule::dq_piece
        | Rule::default_part
        | Rule::dq_default_piece
        | Rule::parallel_option
        | Rule::timeout_option
        | Rule::command_rest
        | Rule::list_stmt => return None,
        Rule::ident => "a name",
        Rule::sep => "a newline or `;`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "a closing `}`",
        Rule::rparen => "a closing `)`",
        Rule::eq => "`=`",
        Rule::keyword => "a keyword",
        Rule::kw_let => "`let`",
        Rule::kw_export => "`export`",
        Rule::kw_secret => "`secret`",
        Rule::kw_cd => "`cd`",
        Rule::kw_exit => "`exit`",
        Rule::kw_for => "`for`",
        Rule::kw_in => "`in`",
        Rule::kw_parallel => "`parallel`",
        Rule::kw_fanout => "`fanout`",
        Rule::kw_timeout => "`timeout`",
        Rule::kw_max => "`max`",
        Rule::kw_signal => "`signal`",
        Rule::kw_grace => "`grace`",
        Rule::script | Rule::stmts | Rule::stmt | Rule::keyword_stmt => "a statement",
        Rule::let_stmt
        | Rule::export_stmt
        | Rule::secret_stmt
        | Rule::cd_stmt
        | Rule::exit_stmt => "a statement",
        Rule::list | Rule::pipeline | Rule::stage | Rule::command => "a command",
        Rule::connector | Rule::trailing_connector => "`&&` or `||`",
        Rule::and_op => "`&&`",
        Rule::or_op => "`||`",
        Rule::pipe_op | Rule::trailing_pipe => "`|`",
        Rule::assign => "an assignment",
        Rule::assign_value => "a value",
        Rule::redirect | Rule::redirect_dup | Rule::redirect_op => "a redirect",
        Rule::redirect_target => "a file name",
        Rule::word | Rule::for_item => "a word",
        // The parts of a word: where one is expected, so is any word.
        Rule::bareword | Rule::squote | Rule::dquote | Rule::dq_text | Rule::dq_escape => "a word",
        Rule::squote_text | Rule::subst | Rule::var | Rule::args | Rule::dollar => "a word",
        Rule::dq_var => "a word",
        Rule::subst_body => "a command",
        Rule::var_name => "a variable name",
        Rule::var_number => "a parameter number",
        Rule::var_digit | Rule::var_status | Rule::var_count => "a variable name",
        Rule::var_default_op => "`:-`",
        Rule::var_default | Rule::default_text => "a default value",
        Rule::dq_default | Rule::dq_default_text => "a default value",
        Rule::block | Rule::group => "a block",
        Rule::for_loop => "`for`",
        Rule::range | Rule::range_bound | Rule::int => "a range",
        Rule::parallel_block => "`parallel`",
        Rule::max_option => "`max`",
        Rule::max_value => "a number",
        Rule::fail_fast => "`fail-fast`",
        Rule::output_mode => "an output mode (`ordered`, `unordered`, `lines` or `raw`)",
        Rule::fanout_block => "`fanout`",
        Rule::timeout_block => "`timeout`",
        Rule::signal_option => "`signal`",
        Rule::signal_value => "a signal",
        Rule::grace_option => "`grace`",
        Rule::duration => "a duration",
    };
    Some(words)
}

/// Whether the code before `pos` (blank lines and comment lines aside)
/// ends with `|`, `&&` or `||`, not escaped.
fn after_operator(source: &str, pos: usize) -> bool {
    let Some(line) = source[..pos]
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
    else {
        return false;
    };
    // A comment that ends the line (`echo a | # why`).
    let code = match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => line[..at].trim_end(),
        None => line,
    };
    let Some(rest) = code.strip_suffix('|').or_else(|| code.strip_suffix("&&")) else {
        return false;
    };
    // `a\|` ends a word with a `|`; `a\\|` is a `\` and then the operator.
    let backslashes = rest.len() - rest.trim_end_matches('\\').len();
    backslashes % 2 == 0
}

/// "a", "a or b", "a, b or c".
fn join_alternatives(items: &[&str]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What stands at `pos`, in words: never the source text itself.
fn found_at(source: &str, pos: usize) -> &'static str {
    let rest = source.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return "end of input";
    };
    if let Some(keyword) = keyword_at(source, pos) {
        return keyword_found(keyword);
    }
    match c {
        '\n' => "a newline",
        '\r' if rest.starts_with("\r\n") => "a newline",
        ';' => "`;`",
        '|' if rest.starts_with("||") => "`||`",
        '|' => "`|`",
        '&' if rest.starts_with("&&") => "`&&`",
        '&' if rest.starts_with("&>") => "a redirect",
        '&' => "`&`",
        '<' | '>' => "a redirect",
        '0'..='9'
            if rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .starts_with(['<', '>']) =>
        {
            "a redirect"
        }
        '(' => "`(`",
        ')' => "`)`",
        '{' => "`{`",
        '}' => "`}`",
        '"' | '\'' => "a quoted string",
        '$' => "an expansion",
        '#' => "a comment",
        _ => "a word",
    }
}

const KEYWORDS: [&str; 9] = [
    "let", "export", "secret", "cd", "exit", "for", "parallel", "fanout", "timeout",
];

fn keyword_found(keyword: &str) -> &'static str {
    match keyword {
        "let" => "the keyword `let`",
        "export" => "the keyword `export`",
        "secret" => "the keyword `secret`",
        "cd" => "the keyword `cd`",
        "exit" => "the keyword `exit`",
        "for" => "the keyword `for`",
        "parallel" => "the keyword `parallel`",
        "fanout" => "the keyword `fanout`",
        _ => "the keyword `timeout`",
    }
}

/// The statement or block keyword written unquoted at `pos`, if any.
fn keyword_at(source: &str, pos: usize) -> Option<&'static str> {
    let rest = source.get(pos..)?;
    let end = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-');
    let word = &rest[..end.unwrap_or(rest.len())];
    let after = rest[word.len()..].chars().next();
    let ends_word = match after {
        None => true,
        Some(c) => c.is_whitespace() || "|&;<>(){}".contains(c),
    };
    KEYWORDS
        .iter()
        .find(|&&keyword| keyword == word && ends_word)
        .copied()
}

/// The span to label for an error at `pos`: the word or character there, or
/// the last character of the script at its end (a label past the end would
/// not be shown).
fn token_span(source: &str, pos: usize) -> Span {
    let pos = pos.min(source.len());
    let rest = &source[pos..];
    let trimmed = rest.trim_start_matches([' ', '\t']);
    if trimmed.is_empty() {
        let body = source.trim_end();
        let last = body.chars().next_back().or(source.chars().next_back());
        let end = if body.is_empty() {
            source.len()
        } else {
            body.len()
        };
        return match last {
            Some(c) => Span::new(end - c.len_utf8(), end),
            None => Span::new(0, 0),
        };
    }
    let word_len = rest
        .find(|c: char| c.is_whitespace() || "|&;<>(){}\"'$".contains(c))
        .unwrap_or(rest.len());
    let len = if word_len > 0 {
        word_len
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    };
    Span::new(pos, pos + len)
}

/// The text inside the quotes of a word written in single or double
/// quotes whole (`'x'`, `"x"`); None for any other word.
fn unquote(word: &str) -> Option<&str> {
    let inside = |quote: char| word.strip_prefix(quote)?.strip_suffix(quote);
    inside('\'').or_else(|| inside('"'))
}

#[cfg(test)]
mod tests {
    use pest::Position;
    use pest::error::{Error as PestError, ErrorVariant};

    use super::{ParseError, Rule, describe, translate};

    #[test]
    fn pest_limits_become_too_complex() {
        let source = "echo hi";
        let error = PestError::<Rule>::new_from_pos(
            ErrorVariant::CustomError {
                message: "call limit reached".into(),
            },
            Position::new(source, 5).expect("in bounds"),
        );
        let translated = translate(source, error);
        assert!(
            matches!(translated, ParseError::TooComplex { .. }),
            "{translated:?}"
        );
        assert_eq!(translated.span().map(|s| s.start..s.end), Some(5..7));
    }

    #[test]
    fn rules_a_reader_can_meet_are_described() {
        for rule in [
            Rule::word,
            Rule::rbrace,
            Rule::duration,
            Rule::EOI,
            Rule::sep,
        ] {
            assert!(describe(rule).is_some(), "{rule:?}");
        }
        assert_eq!(describe(Rule::comment), None);
    }
}
