//! A cheap scan of the source before pest runs.
//!
//! The grammar recurses once per nesting level (blocks, `$(...)`, `${...}`
//! and `"..."`), and so does lowering. This scan walks the bytes once, with
//! an explicit stack instead of recursion, and refuses input nested deeper
//! than [`MAX_DEPTH`], so that neither pest nor lowering can run out of
//! stack, whatever the input. Invariant: every recursion of the grammar goes
//! through an opener counted here.
//!
//! Since it tracks quotes, comments and escapes anyway, it also reports the
//! errors that are best pointed at an opener: an unterminated quote, an
//! unclosed `{`, `$(` or `${`, and a stray `}`.

use super::ast::Span;
use super::error::{Levels, ParseError};

/// How deeply blocks, substitutions, `${...}` and double quotes may nest.
///
/// Pest and lowering together take up to about 24 KiB of stack per level in
/// a debug build (measured with `parallel max 2 for i in 1..2 {` nested, the
/// costliest shape), so 50 levels need about 1.2 MiB: they fit in a 2 MiB
/// thread with room to spare for the caller. `tests::deepest_nesting_fits`
/// keeps this true.
pub const MAX_DEPTH: usize = 50;

/// How deeply this process takes scripts to nest: [`MAX_DEPTH`], or fewer
/// where the stack is too small for that many ([`limit_depth`]).
static DEPTH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(MAX_DEPTH);

/// Takes scripts nested at most `levels` deep (and never more than
/// [`MAX_DEPTH`]): for a process whose stack cannot hold that many.
pub fn limit_depth(levels: usize) {
    DEPTH.store(
        levels.clamp(1, MAX_DEPTH),
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// How deeply scripts may nest in this process.
pub fn max_depth() -> usize {
    DEPTH.load(std::sync::atomic::Ordering::Relaxed)
}

/// What an entry of the scan's stack was opened by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opener {
    /// `{` of a block: statements until `}`.
    Brace,
    /// `$(`: statements until `)`.
    Subst,
    /// `${`: a name and maybe a default until `}`.
    Var,
    /// `"`: a string until `"`.
    Quote,
}

/// Checks nesting and the pairing of quotes and brackets in `source`.
pub fn scan(source: &str) -> Result<(), ParseError> {
    scan_with(source, |_| {})
}

/// Where the comment that runs to the line end at `pos` starts, if one
/// does (`pos` at a line break or the end of the source), for errors that
/// pest reports after the comment it skipped (`echo a > # why`: the
/// missing file name is at the `#`, not after the comment).
pub fn comment_before(source: &str, pos: usize) -> Option<usize> {
    let rest = source.get(pos..)?;
    if !(rest.is_empty() || rest.starts_with('\n') || rest.starts_with("\r\n")) {
        return None;
    }
    let line = source[..pos].rfind('\n').map_or(0, |at| at + 1);
    let mut found = None;
    scan_with(source, |start| {
        if (line..pos).contains(&start) {
            found = Some(start);
        }
    })
    .ok()?;
    found
}

/// Where a long script may be cut into parts that parse alone, each at
/// least `size` bytes long: after a line break outside every block,
/// substitution and quote, which ends a statement. Not after one that
/// goes on to the next line: a line (`\\`-newlines joined) that ends with
/// `|`, `&&` or `||`, a comment after them or not, or with a `\\`; nor
/// after the blank and comment lines that may follow it. Returns where the
/// parts end, the last at the end of `source`. For a script that `scan`
/// took.
pub fn part_ends(source: &str, size: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut start = 0;
    // Where the line ending at the next line break starts.
    let mut line = 0;
    let comment = std::cell::Cell::new(None);
    let mut goes_on = false;
    let _ = scan_events(
        source,
        |at| comment.set(Some(at)),
        |at| {
            // A comment runs to the line break, from the last bare newline.
            let last = source[..at].rfind('\n').map_or(0, |before| before + 1);
            let code_end = comment.get().filter(|&c| c >= last.max(line));
            let code = source[line..code_end.unwrap_or(at)].trim();
            if !code.is_empty() {
                goes_on = code.ends_with(['|', '&', '\\']);
            }
            if !goes_on && at + 1 - start >= size {
                ends.push(at + 1);
                start = at + 1;
            }
            line = at + 1;
        },
    );
    if start < source.len() || ends.is_empty() {
        ends.push(source.len());
    }
    ends
}

/// [`scan`], telling `on_comment` where each comment starts.
fn scan_with(source: &str, on_comment: impl FnMut(usize)) -> Result<(), ParseError> {
    scan_events(source, on_comment, |_| {})
}

/// [`scan`], telling `on_comment` where each comment starts, and
/// `on_line_break` where each line break outside every opener is.
fn scan_events(
    source: &str,
    mut on_comment: impl FnMut(usize),
    mut on_line_break: impl FnMut(usize),
) -> Result<(), ParseError> {
    let bytes = source.as_bytes();
    let mut stack: Vec<(Opener, usize)> = Vec::new();
    // Whether the previous byte belongs to a word, so that a `#` here does
    // not start a comment (`a#b` is one word).
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let top = stack.last().map(|&(opener, _)| opener);
        let next = bytes.get(i + 1).copied();
        match top {
            Some(Opener::Quote) => match byte {
                b'"' => {
                    stack.pop();
                    in_word = true;
                }
                b'\\' => i += 1,
                b'$' if matches!(next, Some(b'(' | b'{')) => {
                    push(&mut stack, opener_of(next), i)?;
                    i += 1;
                }
                _ => {}
            },
            Some(Opener::Var) => match byte {
                b'}' => {
                    stack.pop();
                    in_word = true;
                }
                b'\\' => i += 1,
                b'\'' => i = skip_single_quote(bytes, i)?,
                b'"' => push(&mut stack, Opener::Quote, i)?,
                b'$' if matches!(next, Some(b'(' | b'{')) => {
                    push(&mut stack, opener_of(next), i)?;
                    i += 1;
                }
                _ => {}
            },
            None | Some(Opener::Brace | Opener::Subst) => {
                in_word = match byte {
                    b'\n' => {
                        if top.is_none() {
                            on_line_break(i);
                        }
                        false
                    }
                    b' ' | b'\t' | b';' | b'|' | b'&' | b'<' | b'>' | b'(' => false,
                    // A `\r` ends a word only as the start of a `\r\n`.
                    b'\r' => next != Some(b'\n'),
                    b'#' if !in_word => {
                        on_comment(i);
                        while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                            i += 1;
                        }
                        false
                    }
                    b'\\' => match bytes.get(i + 1) {
                        // `\`-newline is removed, as in bash: a word goes on
                        // after it (`a\`+newline+`#b` is the word `a#b`), and
                        // so does the space before it (a `#` after it starts
                        // a comment).
                        Some(b'\r') if bytes.get(i + 2) == Some(&b'\n') => {
                            i += 2;
                            in_word
                        }
                        Some(b'\n') => {
                            i += 1;
                            in_word
                        }
                        _ => {
                            i += 1;
                            true
                        }
                    },
                    b'\'' => {
                        i = skip_single_quote(bytes, i)?;
                        true
                    }
                    b'"' => {
                        push(&mut stack, Opener::Quote, i)?;
                        false
                    }
                    b'$' if matches!(next, Some(b'(' | b'{')) => {
                        push(&mut stack, opener_of(next), i)?;
                        i += 1;
                        false
                    }
                    b'{' => {
                        push(&mut stack, Opener::Brace, i)?;
                        false
                    }
                    b'}' => match top {
                        Some(Opener::Brace) => {
                            stack.pop();
                            false
                        }
                        Some(Opener::Subst) => {
                            let (_, at) = stack[stack.len() - 1];
                            return Err(unclosed(Opener::Subst, at));
                        }
                        _ => {
                            return Err(ParseError::StrayBrace {
                                span: Span::new(i, i + 1).into(),
                            });
                        }
                    },
                    b')' => {
                        if top == Some(Opener::Subst) {
                            stack.pop();
                            true
                        } else {
                            // Not ours to judge: the grammar reports it.
                            false
                        }
                    }
                    _ => true,
                };
            }
        }
        i += 1;
    }
    match stack.as_slice() {
        // A `"` inside a `${` is a quote only in its default, after `:-`:
        // one right after the name (`"${HOME"`, the `}` forgotten) was
        // the string's own closing quote, and the `${` is what is open,
        // not the string that quote seemed to start (maybe lines below).
        [.., (Opener::Var, var), (Opener::Quote, quote)]
            if !source[*var..*quote].contains(":-") =>
        {
            Err(unclosed(Opener::Var, *var))
        }
        [.., (opener, at)] => Err(unclosed(*opener, *at)),
        [] => Ok(()),
    }
}

fn opener_of(next: Option<u8>) -> Opener {
    if next == Some(b'(') {
        Opener::Subst
    } else {
        Opener::Var
    }
}

fn push(stack: &mut Vec<(Opener, usize)>, opener: Opener, at: usize) -> Result<(), ParseError> {
    let max = max_depth();
    if stack.len() >= max {
        let len = if opener == Opener::Brace || opener == Opener::Quote {
            1
        } else {
            2
        };
        return Err(ParseError::TooDeep {
            max: Levels(max),
            span: Span::new(at, at + len).into(),
        });
    }
    stack.push((opener, at));
    Ok(())
}

/// Returns the index of the `'` closing the one at `open`.
fn skip_single_quote(bytes: &[u8], open: usize) -> Result<usize, ParseError> {
    match bytes[open + 1..].iter().position(|&b| b == b'\'') {
        Some(offset) => Ok(open + 1 + offset),
        None => {
            // `'it's here'`, `echo don't`: an apostrophe between two
            // letters, this quote or one before it on the line, ended a
            // quoted string or opened one.
            let line = bytes[..open]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |at| at + 1);
            let apostrophe = (line + 1..=open).any(|at| {
                bytes[at] == b'\''
                    && bytes[at - 1].is_ascii_alphanumeric()
                    && bytes.get(at + 1).is_some_and(u8::is_ascii_alphanumeric)
            });
            Err(ParseError::UnterminatedString {
                kind: "single-quoted",
                span: Span::new(open, open + 1).into(),
                help: if apostrophe {
                    "a `'` ends a single-quoted string, as in bash, even as an apostrophe: put \
                     text holding one in double quotes (`\"it's here\"`), or write it as `'\\''`"
                } else {
                    "add a closing `'`"
                },
            })
        }
    }
}

fn unclosed(opener: Opener, at: usize) -> ParseError {
    match opener {
        Opener::Brace => ParseError::UnclosedBrace {
            span: Span::new(at, at + 1).into(),
        },
        Opener::Subst => ParseError::UnclosedSubst {
            span: Span::new(at, at + 2).into(),
        },
        Opener::Var => ParseError::UnclosedVar {
            span: Span::new(at, at + 2).into(),
        },
        Opener::Quote => ParseError::UnterminatedString {
            kind: "double-quoted",
            span: Span::new(at, at + 1).into(),
            help: "add a closing `\"`",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, comment_before, scan};
    use crate::syntax::ParseError;

    fn code(source: &str) -> Option<String> {
        scan(source).err().map(|error| {
            let code = miette::Diagnostic::code(&error).map(|c| c.to_string());
            format!("{} {:?}", code.unwrap_or_default(), error.span())
        })
    }

    #[test]
    fn comment_before_finds_the_comment_that_ends_the_line() {
        for (source, pos, start) in [
            ("echo a > # c", 12, Some(9)),
            ("echo a > # c # d\nx", 16, Some(9)),
            ("echo \"#\" a#b > #c\r\nx", 17, Some(15)),
            ("echo '#' >", 10, None),
            ("echo a#b >", 10, None),
            ("# c\necho >", 10, None),
            ("echo a > # c", 11, None),
        ] {
            assert_eq!(comment_before(source, pos), start, "{source:?} at {pos}");
        }
    }

    #[test]
    fn balanced_input_passes() {
        for source in [
            "echo hi",
            "{ echo '}' \"}\" \\} }",
            "echo a#b",
            "echo a # it's a comment with { and \"",
            "echo \"$(echo \"${x:-'}'}\")\"",
            "echo $# ${x:-#}",
            "echo \"a\\\"b\"",
            "echo a\\\n# comment\n",
        ] {
            assert_eq!(code(source), None, "{source}");
        }
    }

    #[test]
    fn openers_are_reported() {
        let cases = [
            (
                "echo \"abc",
                "pipe::parse::unterminated_string Some(Span { start: 5, end: 6 })",
            ),
            (
                "echo 'abc",
                "pipe::parse::unterminated_string Some(Span { start: 5, end: 6 })",
            ),
            (
                "{ echo",
                "pipe::parse::unclosed_brace Some(Span { start: 0, end: 1 })",
            ),
            (
                "echo $(ls",
                "pipe::parse::unclosed_subst Some(Span { start: 5, end: 7 })",
            ),
            (
                "echo ${x",
                "pipe::parse::unclosed_var Some(Span { start: 5, end: 7 })",
            ),
            (
                "echo }",
                "pipe::parse::stray_brace Some(Span { start: 5, end: 6 })",
            ),
            (
                "echo $(ls }",
                "pipe::parse::unclosed_subst Some(Span { start: 5, end: 7 })",
            ),
            (
                "{ echo \"}\"",
                "pipe::parse::unclosed_brace Some(Span { start: 0, end: 1 })",
            ),
            // The `}` forgotten in double quotes: the `${` is open, not a
            // string started by the closing quote.
            (
                "echo \"${HOME\"\necho \"x\"",
                "pipe::parse::unclosed_var Some(Span { start: 6, end: 8 })",
            ),
            // In a default, a `"` starts a string.
            (
                "echo \"${x:-a\"",
                "pipe::parse::unterminated_string Some(Span { start: 12, end: 13 })",
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(code(source).as_deref(), Some(expected), "{source}");
        }
    }

    #[test]
    fn depth_limit_counts_every_opener() {
        let ok = "{".repeat(MAX_DEPTH) + &"}".repeat(MAX_DEPTH);
        assert_eq!(code(&ok), None);
        let deep = "{".repeat(MAX_DEPTH + 1) + &"}".repeat(MAX_DEPTH + 1);
        assert!(matches!(scan(&deep), Err(ParseError::TooDeep { .. })));
        let quotes = "\"$(".repeat(MAX_DEPTH);
        let Err(ParseError::TooDeep { span, .. }) = scan(&quotes) else {
            panic!("expected too deep");
        };
        assert_eq!(span.offset(), MAX_DEPTH / 2 * 3);
    }
}
