//! Parse errors in the shape of a statement: an operator first on a line,
//! a name that is not one, an assignment without a value or with more
//! than one word, a redirect without its target (`parser::translate`).

use super::ast::Span;
use super::error::ParseError;
use super::hint_bash::arithmetic_help;

/// A `|`, `&&` or `||` at `pos` with only spaces, and maybe comments on
/// lines of their own, between it and the line break before it.
pub(super) fn leading_operator(source: &str, pos: usize) -> Option<ParseError> {
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
pub(super) fn assignment_words(
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
pub(super) fn invalid_name(source: &str, pos: usize) -> Option<ParseError> {
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
pub(super) fn invalid_loop_name(source: &str, pos: usize) -> Option<ParseError> {
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
pub(super) fn missing_value(source: &str, pos: usize, span: Span) -> Option<ParseError> {
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
pub(super) fn empty_value(source: &str, pos: usize) -> Option<ParseError> {
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

/// `let x = a b`: a second word where a `let`, `export` or `secret`
/// statement should end, which a bash user may expect to be joined.
pub(super) fn value_not_one_word(source: &str, pos: usize, span: Span) -> Option<ParseError> {
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

/// A redirect with nothing after it (`echo hi >`, `sort <`, `cat <<<`):
/// its operator, named.
pub(super) fn missing_target(source: &str, pos: usize) -> Option<ParseError> {
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
pub(super) fn statement_keyword(source: &str, pos: usize) -> Option<&'static str> {
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
pub(super) fn statement_start(source: &str, pos: usize) -> usize {
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
pub(super) fn too_many_words(source: &str, pos: usize, span: Span) -> Option<ParseError> {
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

/// The text inside the quotes of a word written in single or double
/// quotes whole (`'x'`, `"x"`); None for any other word.
fn unquote(word: &str) -> Option<&str> {
    let inside = |quote: char| word.strip_prefix(quote)?.strip_suffix(quote);
    inside('\'').or_else(|| inside('"'))
}
