//! The entry point of parsing: the depth scan, pest, and the one place
//! where pest's errors become [`ParseError`]s (`translate`), which asks
//! `hint_bash`, `hint_header` and `hint_word` what the text where pest
//! stopped was meant to be.

use std::num::NonZeroUsize;
use std::sync::Once;

use pest::Parser;
use pest::error::{Error as PestError, ErrorVariant, InputLocation};
use pest_derive::Parser;

use super::ast::{Script, Span};
use super::error::ParseError;
use super::hint_bash::{
    bash_condition_brace, bash_only, brace_expansion, redirect_span, statement_redirect,
    unsupported_parameter,
};
use super::hint_header::{
    assignment_before_block, header_option, header_word_help, missing_header_value,
    misspelled_keyword, option_after_block, option_before_duration, spaced_unit,
};
use super::hint_word::{
    assignment_words, empty_value, invalid_loop_name, invalid_name, leading_operator,
    missing_target, missing_value, statement_keyword, statement_start, too_many_words,
    value_not_one_word,
};
use super::{depth, lower};

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
pub(super) fn token_span(source: &str, pos: usize) -> Span {
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
