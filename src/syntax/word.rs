//! Lowering of words: quotes, escapes and expansions to [`WordPart`]s.

use super::ast::{Span, Stmt, VarName, VarRef, Word, WordPart};
use super::error::ParseError;
use super::lower::{Pair, children, missing, span_of, start_of, stmts, unexpected};
use super::parser::Rule;

/// `word`: its parts, adjacent literals of the same quotedness merged.
pub(super) fn word(pair: Pair<'_>) -> Result<Word, ParseError> {
    parts_of(pair)
}

/// `assign_value`: like a word, but possibly empty.
pub(super) fn assign_value(pair: Pair<'_>) -> Result<Word, ParseError> {
    parts_of(pair)
}

/// `max_value`, `signal_value` and `duration`: the one word inside.
pub(super) fn value_word(pair: Pair<'_>) -> Result<Word, ParseError> {
    let span = span_of(&pair);
    let inner = children(pair).next().ok_or_else(|| missing("word", span))?;
    match inner.as_rule() {
        Rule::word => word(inner),
        _ => Err(unexpected(&inner)),
    }
}

/// The parts of a `word`, `assign_value` or `var_default`.
fn parts_of(pair: Pair<'_>) -> Result<Word, ParseError> {
    let span = span_of(&pair);
    // Room for one part, as for a pipeline's stages (`lower::pipeline`).
    let mut parts = Parts(Vec::with_capacity(1));
    for child in children(pair) {
        let child_span = span_of(&child);
        match child.as_rule() {
            Rule::bareword | Rule::default_text => {
                refuse_backquote(child.as_str(), child_span.start, true)?;
                bare_parts(child.as_str(), child_span.start, &mut parts);
            }
            Rule::squote => parts.literal(squote(&child), true, child_span),
            Rule::dquote => dquote(child, &mut parts)?,
            Rule::dollar => {
                unsupported_after_dollar(&child)?;
                unsupported_quote_after_dollar(&child)?;
                parts.literal(b"$".to_vec(), false, child_span)
            }
            _ => parts.push(expansion(child)?),
        }
    }
    Ok(Word {
        parts: parts.0,
        span,
    })
}

/// A `$` followed by a character that makes it one of bash's special
/// parameters pipe does not have (`$$`, `$!`, `$*`, `$-`) is refused, not
/// passed on as text: a script written for bash would silently do
/// something else.
fn unsupported_after_dollar(dollar: &Pair<'_>) -> Result<(), ParseError> {
    let end = dollar.as_span().end();
    let (text, help) = match dollar.get_input().as_bytes().get(end) {
        Some(b'$') => (
            "$$",
            "pipe has no `$$` (bash's own pid); for the text itself, single-quote it: '$$'",
        ),
        Some(b'!') => (
            "$!",
            "pipe starts nothing in the background; run commands side by side in a `parallel` block",
        ),
        Some(b'*') => ("$*", "use `$@`: every argument stays one word"),
        Some(b'[') => (
            "$[",
            "pipe has no arithmetic; compute with a command: `$(expr $n + 1)`",
        ),
        Some(b'-') => (
            "$-",
            "pipe has no `$-` (bash's option flags); for the text itself, single-quote it: '$-'",
        ),
        _ => return Ok(()),
    };
    Err(ParseError::UnsupportedExpansion {
        text: text.to_owned(),
        help,
        span: (start_of(dollar), 2).into(),
    })
}

/// bash's `$'...'` (ANSI-C quoting) and `$"..."` (translated text) are
/// refused: pipe would pass the `$` on and read the rest as plain quotes.
/// Double quotes decode the same escapes `$'...'` does.
fn unsupported_quote_after_dollar(dollar: &Pair<'_>) -> Result<(), ParseError> {
    let end = dollar.as_span().end();
    let text = match dollar.get_input().as_bytes().get(end) {
        Some(b'\'') => "$'...'",
        Some(b'"') => "$\"...\"",
        _ => return Ok(()),
    };
    Err(ParseError::UnsupportedExpansion {
        text: text.to_owned(),
        help: "use double quotes: they decode `\\n`, `\\t`, `\\xNN` and `\\u{H..}` (\"a\\tb\")",
        span: (start_of(dollar), 2).into(),
    })
}

/// A backquote in unquoted or double-quoted text is bash's old command
/// substitution, refused rather than passed on as text. `escapes` tells
/// whether `\` escapes the next character there (unquoted text).
fn refuse_backquote(text: &str, start: usize, escapes: bool) -> Result<(), ParseError> {
    if !text.contains('`') {
        return Ok(());
    }
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' if escapes => {
                chars.next();
            }
            '`' => {
                let len = text[at + 1..].find('`').map_or(1, |close| close + 2);
                return Err(ParseError::Backquote {
                    span: (start + at, len).into(),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// A `subst` standing alone, as a word of that one part (a range bound).
pub(super) fn subst_word(pair: Pair<'_>) -> Result<Word, ParseError> {
    let span = span_of(&pair);
    Ok(Word {
        parts: vec![expansion(pair)?],
        span,
    })
}

/// `subst`, `var` and `args`: the parts that expand.
fn expansion(pair: Pair<'_>) -> Result<WordPart, ParseError> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::subst => Ok(WordPart::Subst {
            body: subst(pair)?,
            span,
        }),
        Rule::var | Rule::dq_var => Ok(WordPart::Var(var(pair)?)),
        Rule::args => Ok(WordPart::Args { span }),
        _ => Err(unexpected(&pair)),
    }
}

/// Word parts under construction: adjacent literals of the same kind are
/// merged, so that `'a'"b"` and `"ab"` give the same tree.
#[derive(Default)]
struct Parts(Vec<WordPart>);

impl Parts {
    fn literal(&mut self, bytes: Vec<u8>, quoted: bool, span: Span) {
        if let Some(WordPart::Literal {
            bytes: last,
            quoted: last_quoted,
            span: last_span,
        }) = self.0.last_mut()
            && *last_quoted == quoted
        {
            last.extend_from_slice(&bytes);
            *last_span = last_span.to(span);
            return;
        }
        self.0.push(WordPart::Literal {
            bytes,
            quoted,
            span,
        });
    }

    fn push(&mut self, part: WordPart) {
        self.0.push(part);
    }
}

/// The text of a bareword or default, as parts: `\X` is `X`, quoted (as
/// in bash, an escaped `*` or `~` is no glob and no home directory), and
/// `\`-newline is nothing (a line continuation), no part of its own, so
/// that `"a"\`+newline+`"b"` is `"ab"`.
fn bare_parts(text: &str, start: usize, parts: &mut Parts) {
    if !text.contains('\\') {
        let span = Span::new(start, start + text.len());
        return parts.literal(text.as_bytes().to_vec(), false, span);
    }
    let mut plain = Vec::new();
    let mut plain_start = start;
    let mut chars = text.char_indices().peekable();
    let flush = |plain: &mut Vec<u8>, from: usize, to: usize, parts: &mut Parts| {
        if !plain.is_empty() {
            parts.literal(std::mem::take(plain), false, Span::new(from, to));
        }
    };
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            plain.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let end = match chars.next() {
            // A line join is nothing, inside the plain text around it.
            Some((_, '\n')) => continue,
            Some((_, '\r')) if chars.next_if(|&(_, c)| c == '\n').is_some() => continue,
            Some((escaped_at, escaped)) => {
                flush(&mut plain, plain_start, start + at, parts);
                let mut buf = [0; 4];
                let bytes = escaped.encode_utf8(&mut buf).as_bytes().to_vec();
                let end = start + escaped_at + escaped.len_utf8();
                parts.literal(bytes, true, Span::new(start + at, end));
                end
            }
            // A `\` that ends the script: itself, quoted, as `\\` is.
            None => {
                flush(&mut plain, plain_start, start + at, parts);
                let end = start + at + 1;
                parts.literal(b"\\".to_vec(), true, Span::new(start + at, end));
                end
            }
        };
        plain_start = end;
    }
    flush(&mut plain, plain_start, start + text.len(), parts);
}

/// `squote`: the text between the quotes, as is.
fn squote(pair: &Pair<'_>) -> Vec<u8> {
    let text = pair.as_str();
    text.get(1..text.len().saturating_sub(1))
        .unwrap_or("")
        .as_bytes()
        .to_vec()
}

/// `dquote`: its pieces, as quoted literals and expansions. `""` is an empty
/// quoted literal, so that it still stands for an (empty) argument.
fn dquote(pair: Pair<'_>, parts: &mut Parts) -> Result<(), ParseError> {
    let span = span_of(&pair);
    let before = parts.0.len();
    for child in children(pair) {
        let child_span = span_of(&child);
        match child.as_rule() {
            Rule::dq_text => {
                refuse_backquote(child.as_str(), child_span.start, false)?;
                parts.literal(child.as_str().as_bytes().to_vec(), true, child_span)
            }
            Rule::dq_escape => parts.literal(dq_escape(&child)?, true, child_span),
            Rule::dollar => {
                unsupported_after_dollar(&child)?;
                parts.literal(b"$".to_vec(), true, child_span)
            }
            _ => parts.push(expansion(child)?),
        }
    }
    if parts.0.len() == before {
        parts.literal(Vec::new(), true, span);
    }
    Ok(())
}

/// `dq_default`: the default of a `${name:-default}` inside double
/// quotes, read as double-quoted text, as bash reads it: its escapes are
/// decoded, and its `'`, `~` and `*` are text.
fn dq_default(pair: Pair<'_>) -> Result<Word, ParseError> {
    let span = span_of(&pair);
    let mut parts = Parts(Vec::with_capacity(1));
    for child in children(pair) {
        let child_span = span_of(&child);
        match child.as_rule() {
            Rule::dq_default_text => {
                refuse_backquote(child.as_str(), child_span.start, false)?;
                parts.literal(child.as_str().as_bytes().to_vec(), true, child_span)
            }
            // `\}` is a `}` that does not close the `${`, as in bash
            // (`"${x:-a\}b}"` is `a}b`), where elsewhere in double quotes
            // it keeps its backslash.
            Rule::dq_escape if child.as_str() == "\\}" => {
                parts.literal(b"}".to_vec(), true, child_span)
            }
            Rule::dq_escape => parts.literal(dq_escape(&child)?, true, child_span),
            Rule::dquote => dquote(child, &mut parts)?,
            Rule::dollar => {
                unsupported_after_dollar(&child)?;
                parts.literal(b"$".to_vec(), true, child_span)
            }
            _ => parts.push(expansion(child)?),
        }
    }
    Ok(Word {
        parts: parts.0,
        span,
    })
}

/// `dq_escape`: the bytes a backslash escape in double quotes stands for.
fn dq_escape(pair: &Pair<'_>) -> Result<Vec<u8>, ParseError> {
    let text = pair.as_str();
    let escaped = text.get(1..).unwrap_or("");
    let byte = match escaped {
        "\"" => b'"',
        "\\" => b'\\',
        "$" => b'$',
        "`" => b'`',
        "n" => b'\n',
        "t" => b'\t',
        "r" => b'\r',
        "0" => 0,
        "\n" | "\r\n" => return Ok(Vec::new()),
        _ => {
            if let Some(hex) = escaped.strip_prefix('x')
                && hex.len() == 2
                && let Ok(byte) = u8::from_str_radix(hex, 16)
            {
                return Ok(vec![byte]);
            }
            if let Some(hex) = escaped
                .strip_prefix("u{")
                .and_then(|rest| rest.strip_suffix('}'))
            {
                let scalar = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                return match scalar {
                    Some(c) => Ok(c.to_string().into_bytes()),
                    None => Err(ParseError::InvalidEscape {
                        span: span_of(pair).into(),
                    }),
                };
            }
            // Any other escape keeps its backslash, as in bash.
            return Ok(text.as_bytes().to_vec());
        }
    };
    Ok(vec![byte])
}

/// `subst`: the statements inside `$(...)`.
fn subst(pair: Pair<'_>) -> Result<Vec<Stmt>, ParseError> {
    let span = span_of(&pair);
    let body = children(pair)
        .next()
        .ok_or_else(|| missing("substitution body", span))?;
    if body.as_rule() != Rule::subst_body {
        return Err(unexpected(&body));
    }
    match children(body).next() {
        Some(inner) if inner.as_rule() == Rule::stmts => stmts(inner),
        Some(inner) => Err(unexpected(&inner)),
        None => Ok(Vec::new()),
    }
}

/// `var`: the variable's name and its default, if any.
pub(super) fn var(pair: Pair<'_>) -> Result<VarRef, ParseError> {
    let span = span_of(&pair);
    let pair_text = pair.as_str();
    let mut name = None;
    let mut default = None;
    for child in children(pair) {
        let child_span = span_of(&child);
        match child.as_rule() {
            Rule::var_name => name = Some(VarName::Named(child.as_str().to_string())),
            Rule::var_number | Rule::var_digit => {
                let number = child
                    .as_str()
                    .parse()
                    .map_err(|_| ParseError::NumberOutOfRange {
                        span: child_span.into(),
                        help: "no script has that many arguments: `$#` counts them",
                    })?;
                name = Some(VarName::Positional(number));
            }
            Rule::var_status => name = Some(VarName::Status),
            Rule::var_count => name = Some(VarName::Count),
            Rule::var_default => default = Some(Box::new(parts_of(child)?)),
            Rule::dq_default => default = Some(Box::new(dq_default(child)?)),
            _ => return Err(unexpected(&child)),
        }
    }
    let name = name.ok_or_else(|| missing("variable name", span))?;
    // bash's `$_` is the last argument of the previous command; read as a
    // variable, it would be whatever `_` the environment holds (the path
    // of the program that started pipe), and `mkdir -p d && cd $_` would
    // go somewhere else.
    if name == VarName::Named("_".to_owned()) {
        return Err(ParseError::UnsupportedExpansion {
            text: pair_text.to_owned(),
            help: "pipe has no `$_` (bash's last argument of the previous command); keep the value in a variable: `let dir = build`",
            span: span.into(),
        });
    }
    Ok(VarRef {
        name,
        default,
        span,
    })
}
