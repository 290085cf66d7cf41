//! Parse errors for what bash would take: `[[ ]]`, `if`/`while` with
//! braces, `case`, subshells, brace expansion, `${...}` forms pipe does
//! not have. Each looks at the source where pest stopped and, when it
//! recognises the habit, names it with pipe's way (`parser::translate`).

use super::ast::Span;
use super::error::ParseError;
use super::hint_word::statement_start;

/// `if test -f x { ... }`, `} else { ... }`, `while true { ... }`: bash's
/// `if` or `while` written with a block in braces as pipe's `for` takes
/// one, read as a command named `if` until the `{`.
pub(super) fn bash_condition_brace(source: &str, pos: usize) -> Option<ParseError> {
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

/// bash syntax that pest stops in the middle of, named: process
/// substitution, `|&`, here-documents and arithmetic.
pub(super) fn bash_only(source: &str, pos: usize) -> Option<ParseError> {
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
pub(super) fn statement_redirect(source: &str, pos: usize) -> Option<ParseError> {
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
pub(super) fn redirect_span(source: &str, pos: usize) -> Option<Span> {
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

/// bash's brace expansion, `{1..10}` or `{a,b}`, where the parse stopped:
/// at its `{`, or at the `{` after it that a `for` list took for its body
/// (`for i in {1..3} { ... }`).
pub(super) fn brace_expansion(source: &str, pos: usize) -> Option<ParseError> {
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

/// What to write for bash's arithmetic `let` (`let i++`, `let "n = n +
/// 1"`), which pipe's `let`, an assignment of one word, does not do.
pub(super) fn arithmetic_help(name: &str) -> String {
    format!(
        "pipe's `let` sets a name to one word and does no arithmetic (bash's `let` \
         computes); compute with a command: `let {name} = $(expr ${name} + 1)`"
    )
}

/// A `${...}` form of bash's that pipe does not have (`${f%.txt}`,
/// `${#x}`, `${x:=v}`, `${!x}`): named whole, with what pipe has instead.
pub(super) fn unsupported_parameter(source: &str, pos: usize, at: Span) -> ParseError {
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
