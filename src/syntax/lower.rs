//! Lowering: pest pairs to the typed tree, one function per grammar rule.
//!
//! Each function takes the pair of its rule and looks at its children by
//! rule, never by position. Comments and token-only rules are skipped by
//! [`children`]. Recursion here follows the nesting of the source, which
//! `depth::scan` has bounded before pest ran.

use std::cell::Cell;

use super::ast::Span;
use super::ast::{
    Assign, Block, BlockKind, Command, Comment, Connector, ForLoop, Ident, List, ListItem,
    OutputMode, ParallelBody, ParallelOptions, Pipeline, RangeBound, Redirect, RedirectOp, Script,
    Setting, Spanned, Stage, Stmt, StmtKind, Word, WordPart,
};
use super::error::ParseError;
use super::parser::Rule;
use super::values;
use super::word;

pub(super) type Pair<'i> = pest::iterators::Pair<'i, Rule>;

thread_local! {
    /// Where the text being lowered starts in the script: 0, but for a
    /// long script, which is parsed a part at a time ([`script_at`]).
    static BASE: Cell<usize> = const { Cell::new(0) };
}

/// Where in the script a pair starts. Every position that goes into a
/// [`Span`] comes from here, [`end_of`] or [`span_of`]; `pair.as_span()`
/// gives positions in the part being parsed, which only index its text.
pub(super) fn start_of(pair: &Pair<'_>) -> usize {
    BASE.get() + pair.as_span().start()
}

/// Where in the script a pair ends (see [`start_of`]).
pub(super) fn end_of(pair: &Pair<'_>) -> usize {
    BASE.get() + pair.as_span().end()
}

/// The source span of a pair, in the script.
pub(super) fn span_of(pair: &Pair<'_>) -> Span {
    Span::new(start_of(pair), end_of(pair))
}

/// The children of a pair that carry meaning: comments and pure tokens
/// (`{`, `;`, keywords, ...) are left out.
pub(super) fn children<'i>(pair: Pair<'i>) -> impl Iterator<Item = Pair<'i>> {
    pair.into_inner().filter(|child| {
        !matches!(
            child.as_rule(),
            Rule::comment
                | Rule::EOI
                | Rule::sep
                | Rule::lbrace
                | Rule::rbrace
                | Rule::rparen
                | Rule::eq
                | Rule::kw_let
                | Rule::kw_export
                | Rule::kw_secret
                | Rule::kw_cd
                | Rule::kw_exit
                | Rule::kw_for
                | Rule::kw_in
                | Rule::kw_parallel
                | Rule::kw_fanout
                | Rule::kw_timeout
                | Rule::kw_max
                | Rule::kw_signal
                | Rule::kw_grace
                | Rule::pipe_op
                | Rule::var_default_op
        )
    })
}

/// A child the grammar should not have produced here: a parser bug, reported
/// rather than panicking.
pub(super) fn unexpected(pair: &Pair<'_>) -> ParseError {
    ParseError::Internal {
        what: format!("{:?}", pair.as_rule()),
        span: span_of(pair).into(),
    }
}

/// A child the grammar guarantees but did not produce: a parser bug.
pub(super) fn missing(what: &str, span: Span) -> ParseError {
    ParseError::Internal {
        what: format!("missing {what}"),
        span: span.into(),
    }
}

/// `script` of a part of a long script that starts at byte `base` of it:
/// spans are the script's, as if it had been parsed whole.
pub(super) fn script_at(pair: Pair<'_>, base: usize) -> Result<Script, ParseError> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            BASE.set(0);
        }
    }
    BASE.set(base);
    let _reset = Reset;
    script(pair)
}

/// `script`: the statements, and every comment anywhere in the source.
pub(super) fn script(pair: Pair<'_>) -> Result<Script, ParseError> {
    let span = span_of(&pair);
    let comments = pair
        .clone()
        .into_inner()
        .flatten()
        .filter(|p| p.as_rule() == Rule::comment)
        .map(|p| Comment {
            text: p.as_str().to_string(),
            span: span_of(&p),
        })
        .collect();
    let mut body = Vec::new();
    for child in children(pair) {
        match child.as_rule() {
            Rule::stmts => body = stmts(child)?,
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(Script {
        body,
        comments,
        span,
    })
}

/// `stmts`: statements in order.
pub(super) fn stmts(pair: Pair<'_>) -> Result<Vec<Stmt>, ParseError> {
    children(pair)
        .map(|child| match child.as_rule() {
            Rule::stmt => stmt(child),
            _ => Err(unexpected(&child)),
        })
        .collect()
}

/// `stmt`: exactly one of the statement forms.
fn stmt(pair: Pair<'_>) -> Result<Stmt, ParseError> {
    let span = span_of(&pair);
    let mut child = children(pair)
        .next()
        .ok_or_else(|| missing("statement", span))?;
    if child.as_rule() == Rule::keyword_stmt {
        child = children(child)
            .next()
            .ok_or_else(|| missing("statement", span))?;
    }
    match child.as_rule() {
        Rule::list => {
            let list = list(child)?;
            Ok(Stmt {
                span: Span::new(span.start, list.span.end),
                kind: StmtKind::List(list),
            })
        }
        _ => simple_stmt(child),
    }
}

/// A statement other than a list: `let`, `export`, `secret`, `cd` or
/// `exit`, where it stands alone or in a list.
fn simple_stmt(child: Pair<'_>) -> Result<Stmt, ParseError> {
    let start = start_of(&child);
    let (kind, end) = match child.as_rule() {
        Rule::let_stmt => {
            let (name, value) = binding(child)?;
            let end = value.span.end;
            (StmtKind::Let { name, value }, end)
        }
        Rule::export_stmt => {
            let (name, value) = binding(child)?;
            let end = value.span.end;
            (StmtKind::Export { name, value }, end)
        }
        Rule::secret_stmt => {
            let (name, value) = binding(child)?;
            let end = value.span.end;
            (StmtKind::Secret { name, value }, end)
        }
        Rule::cd_stmt => {
            let keyword_end = start_of(&child) + "cd".len();
            let dir = optional_word(child)?;
            let end = dir.as_ref().map_or(keyword_end, |word| word.span.end);
            (StmtKind::Cd { dir }, end)
        }
        Rule::exit_stmt => {
            let exit = exit_stmt(child)?;
            (exit.kind, exit.span.end)
        }
        _ => return Err(unexpected(&child)),
    };
    Ok(Stmt {
        kind,
        span: Span::new(start, end),
    })
}

/// `let_stmt`, `export_stmt` and `secret_stmt`: `NAME = WORD`.
fn binding(pair: Pair<'_>) -> Result<(Ident, Word), ParseError> {
    let span = span_of(&pair);
    let mut name = None;
    let mut value = None;
    for child in children(pair) {
        match child.as_rule() {
            Rule::ident => name = Some(ident(&child)),
            Rule::word => value = Some(word::word(child)?),
            _ => return Err(unexpected(&child)),
        }
    }
    match (name, value) {
        (Some(name), Some(value)) => Ok((name, value)),
        _ => Err(missing("name or value", span)),
    }
}

/// `exit_stmt`: `exit` and its status word, if any.
fn exit_stmt(pair: Pair<'_>) -> Result<Stmt, ParseError> {
    let start = start_of(&pair);
    let keyword_end = start + "exit".len();
    let status = optional_word(pair)?;
    let end = status.as_ref().map_or(keyword_end, |word| word.span.end);
    Ok(Stmt {
        kind: StmtKind::Exit { status },
        span: Span::new(start, end),
    })
}

/// `exit` after `&&` or `||`, or `let`, `export`, `secret` or `cd` in a
/// list: a pipeline of one block holding the statement, spanning just its
/// text (see [`Block::lone_stmt`](crate::syntax::ast::Block::lone_stmt)).
/// A lone block runs in its statement's place, so the `exit` ends the
/// script; the executor runs the others in the list's own scope.
fn stmt_pipeline(stmt: Stmt) -> Pipeline {
    let span = stmt.span;
    Pipeline {
        stages: vec![Stage::Block(Box::new(Block {
            kind: BlockKind::Group(vec![stmt]),
            redirects: Vec::new(),
            span,
        }))],
        span,
    }
}

/// `cd_stmt`: its one word.
fn only_word(pair: Pair<'_>) -> Result<Word, ParseError> {
    let span = span_of(&pair);
    optional_word(pair)?.ok_or_else(|| missing("word", span))
}

/// `exit_stmt` or `cd_stmt`: its word, if any.
fn optional_word(pair: Pair<'_>) -> Result<Option<Word>, ParseError> {
    let mut found = None;
    for child in children(pair) {
        match child.as_rule() {
            Rule::word => found = Some(word::word(child)?),
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(found)
}

/// `ident`
pub(super) fn ident(pair: &Pair<'_>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span_of(pair),
    }
}

/// `list`: pipelines and the connectors between them.
fn list(pair: Pair<'_>) -> Result<List, ParseError> {
    let span = span_of(&pair);
    let mut first = None;
    let mut rest = Vec::new();
    let mut pending = None;
    for child in children(pair) {
        match child.as_rule() {
            Rule::pipeline
            | Rule::exit_stmt
            | Rule::let_stmt
            | Rule::export_stmt
            | Rule::secret_stmt
            | Rule::cd_stmt => {
                let pipeline = match child.as_rule() {
                    Rule::pipeline => pipeline(child)?,
                    _ => stmt_pipeline(simple_stmt(child)?),
                };
                match pending.take() {
                    Some(connector) => rest.push((connector, pipeline)),
                    None => first = Some(pipeline),
                }
            }
            Rule::connector => pending = Some(connector(child)?.0),
            Rule::trailing_connector => {
                let op = children(child)
                    .next()
                    .ok_or_else(|| missing("connector", span))?;
                let (connector, op_span) = connector(op)?;
                return Err(ParseError::TrailingOperator {
                    op: match connector {
                        Connector::And => "&&",
                        Connector::Or => "||",
                    },
                    span: op_span.into(),
                });
            }
            _ => return Err(unexpected(&child)),
        }
    }
    let first = first.ok_or_else(|| missing("pipeline", span))?;
    let end = rest
        .last()
        .map_or(first.span.end, |(_, last)| last.span.end);
    Ok(List {
        span: Span::new(first.span.start, end),
        first,
        rest,
    })
}

/// `connector`: `&&` or `||`, and where it is.
fn connector(pair: Pair<'_>) -> Result<(Connector, Span), ParseError> {
    let span = span_of(&pair);
    match children(pair).next().map(|op| op.as_rule()) {
        Some(Rule::and_op) => Ok((Connector::And, span)),
        Some(Rule::or_op) => Ok((Connector::Or, span)),
        _ => Err(missing("connector", span)),
    }
}

/// `pipeline`: its stages; the `|` between them are implied.
fn pipeline(pair: Pair<'_>) -> Result<Pipeline, ParseError> {
    let span = span_of(&pair);
    // A vector's first push makes room for four; most pipelines have one
    // stage, most commands a few words and most words one part, and a
    // script's tree is most of what parsing it leaves in memory (1000
    // one-command lines: 1.5 MB with room for four, 0.6 MB with this and
    // the two like it).
    let mut stages = Vec::with_capacity(1);
    for child in children(pair) {
        match child.as_rule() {
            Rule::stage => stages.push(stage(child)?),
            Rule::trailing_pipe => {
                let op = child.into_inner().next().map_or(span, |op| span_of(&op));
                return Err(ParseError::TrailingOperator {
                    op: "|",
                    span: op.into(),
                });
            }
            _ => return Err(unexpected(&child)),
        }
    }
    // A second stage made room for four (232 bytes each).
    stages.shrink_to_fit();
    match (stages.first(), stages.last()) {
        (Some(first), Some(last)) => {
            let span = first.span().to(last.span());
            Ok(Pipeline { stages, span })
        }
        _ => Err(missing("stage", span)),
    }
}

/// `stage`: a block or a command.
fn stage(pair: Pair<'_>) -> Result<Stage, ParseError> {
    let span = span_of(&pair);
    let child = children(pair)
        .next()
        .ok_or_else(|| missing("stage", span))?;
    match child.as_rule() {
        Rule::block => Ok(Stage::Block(Box::new(block(child)?))),
        Rule::command => Ok(Stage::Command(command(child)?)),
        _ => Err(unexpected(&child)),
    }
}

/// `command`: assignments, words and redirects, each kept in source order.
fn command(pair: Pair<'_>) -> Result<Command, ParseError> {
    let start = start_of(&pair);
    let mut end = start;
    let mut assigns = Vec::new();
    let mut words = Vec::with_capacity(1);
    let mut redirects = Vec::new();
    for child in children(pair) {
        end = end.max(end_of(&child));
        match child.as_rule() {
            Rule::assign => assigns.push(assign(child)?),
            Rule::redirect => redirects.push(redirect(child)?),
            Rule::word => {
                if words.is_empty()
                    && assigns.is_empty()
                    && let Some(error) = bash_keyword(&child)
                {
                    return Err(error);
                }
                words.push(word::word(child)?);
            }
            _ => return Err(unexpected(&child)),
        }
    }
    if words.is_empty() {
        return Err(match (assigns.first(), redirects.first()) {
            (Some(assign), _) => ParseError::BareAssignment {
                span: assign.span.into(),
            },
            // bash's `$(< FILE)` reads a file, and a `> FILE` alone
            // empties one: pipe has a command do either.
            (None, Some(redirect)) => ParseError::RedirectWithoutCommand {
                span: redirect.span.into(),
                help: match redirect.op {
                    RedirectOp::In => {
                        "add the command to run; bash's `$(< FILE)`, which reads the file, \
                         is `$(cat FILE)`"
                    }
                    RedirectOp::Out | RedirectOp::All => {
                        "add the command to run; to empty a file, as bash's `> FILE` alone \
                         does, write `true > FILE`"
                    }
                    _ => "add the command to run",
                },
            },
            (None, None) => missing("command word", Span::new(start, end)),
        });
    }
    words.shrink_to_fit();
    Ok(Command {
        assigns,
        words,
        redirects,
        span: Span::new(start, end),
    })
}

/// A command named by one of bash's reserved words that pipe has no
/// statement for (`if`, `while`, `[[`, `!`, `case`, `function`, ...) or
/// one of its loop and function builtins (`break`, `continue`, `return`),
/// written out as bash would
/// read it: refused before anything runs, where it would run the script up
/// to that line and then not be found on PATH. Quoted (`'if'`), or after
/// a prefix assignment, it is a command's name, as in bash.
fn bash_keyword(word: &Pair<'_>) -> Option<ParseError> {
    let text = match word.as_str() {
        "if" | "then" | "elif" | "else" | "fi" => "if ... fi",
        "while" | "do" | "done" => "while ... done",
        "until" => "until ... done",
        "select" => "select ... done",
        "case" | "esac" => "case ... esac",
        "[[" => "[[ ... ]]",
        "!" => "! cmd",
        "function" => "function NAME { ... }",
        // Builtins that act on the loop or function they are in: what
        // would run up to them could not be what was meant.
        "break" => "break",
        "continue" => "continue",
        "return" => "return",
        _ => return None,
    };
    Some(ParseError::UnsupportedExpansion {
        text: text.to_owned(),
        help: super::bash_builtin_help(word.as_str())?,
        span: span_of(word).into(),
    })
}

/// `assign`: `NAME=WORD`.
fn assign(pair: Pair<'_>) -> Result<Assign, ParseError> {
    let span = span_of(&pair);
    let mut name = None;
    let mut value = None;
    for child in children(pair) {
        match child.as_rule() {
            Rule::ident => name = Some(ident(&child)),
            Rule::assign_value => value = Some(word::assign_value(child)?),
            _ => return Err(unexpected(&child)),
        }
    }
    match (name, value) {
        (Some(name), Some(value)) => Ok(Assign { name, value, span }),
        _ => Err(missing("name or value", span)),
    }
}

/// `redirect`: an operator and, except for `2>&1` and `>&2`, a target.
fn redirect(pair: Pair<'_>) -> Result<Redirect, ParseError> {
    let span = span_of(&pair);
    let mut op = None;
    let mut target = None;
    for child in children(pair) {
        match child.as_rule() {
            Rule::redirect_dup | Rule::redirect_op => op = Some(redirect_op(&child)?),
            Rule::redirect_target => target = Some(only_word(child)?),
            _ => return Err(unexpected(&child)),
        }
    }
    let op = op.ok_or_else(|| missing("redirect operator", span))?;
    let end = target.as_ref().map_or(span.end, |word| word.span.end);
    Ok(Redirect {
        op,
        target,
        span: Span::new(span.start, end),
    })
}

/// `redirect_op` and `redirect_dup`: the redirect that the operator, with
/// its fd number if one is written, means. An fd that only repeats the
/// operator's default is the same redirect (`1>` is `>`, `0<` is `<`), and
/// fd numbers are read as bash reads them (`01>` is `1>`). Any other fd, or
/// any other form, is refused at the operator.
fn redirect_op(pair: &Pair<'_>) -> Result<RedirectOp, ParseError> {
    let text = pair.as_str();
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (fd, op) = text.split_at(digits);
    // A duplication's operator and what follows its `&`: an fd, or `-`.
    let (op, target) = match op.split_once('&') {
        Some((dup @ (">" | "<"), target)) => (dup, Some(target)),
        _ => (op, None),
    };
    let default = if op.starts_with('<') { "0" } else { "1" };
    // `None`: a number too large for any fd.
    let fd = fd_number(if fd.is_empty() { default } else { fd });
    let redirect = match (fd, op, target.map(fd_number)) {
        (_, "&>", None) => RedirectOp::All,
        (_, "&>>", None) => RedirectOp::AllAppend,
        (Some(0), "<", None) => RedirectOp::In,
        (Some(0), "<<<", None) => RedirectOp::HereString,
        (Some(1), ">", None) => RedirectOp::Out,
        (Some(1), ">>", None) => RedirectOp::Append,
        (Some(1), ">", Some(Some(2))) => RedirectOp::OutToErr,
        (Some(2), ">", None) => RedirectOp::Err,
        (Some(2), ">>", None) => RedirectOp::ErrAppend,
        (Some(2), ">", Some(Some(1))) => RedirectOp::ErrToOut,
        _ => {
            return Err(ParseError::UnsupportedRedirect {
                reason: unsupported_reason(fd, target),
                span: span_of(pair).into(),
            });
        }
    };
    Ok(redirect)
}

/// The fd a run of digits names; `None` for `-` or a number too large.
fn fd_number(digits: &str) -> Option<u32> {
    digits.parse().ok()
}

/// Why a redirect of `fd` is refused, in the words of its label; `target`
/// is what follows the `&` of a duplication.
fn unsupported_reason(fd: Option<u32>, target: Option<&str>) -> &'static str {
    let beyond_two = |fd: Option<u32>| fd.is_none_or(|fd| fd > 2);
    match target {
        _ if beyond_two(fd) => "an fd other than 0, 1 or 2",
        Some("-") => "closing an fd is not supported",
        Some(target) if beyond_two(fd_number(target)) => "an fd other than 0, 1 or 2",
        _ => "not one of the supported forms",
    }
}

/// `block`: one of the block forms, and the redirects after it.
fn block(pair: Pair<'_>) -> Result<Block, ParseError> {
    let start = start_of(&pair);
    let mut end = start;
    let mut kind = None;
    let mut redirects = Vec::new();
    for child in children(pair) {
        end = end.max(end_of(&child));
        let form = match child.as_rule() {
            Rule::redirect => {
                redirects.push(redirect(child)?);
                continue;
            }
            Rule::group => BlockKind::Group(body(child)?),
            Rule::for_loop => BlockKind::For(for_loop(child)?),
            Rule::parallel_block => parallel_block(child)?,
            Rule::fanout_block => fanout_block(child)?,
            Rule::timeout_block => timeout_block(child)?,
            _ => return Err(unexpected(&child)),
        };
        kind = Some(form);
    }
    let span = Span::new(start, end);
    let kind = kind.ok_or_else(|| missing("block", span))?;
    Ok(Block {
        kind,
        redirects,
        span,
    })
}

/// `group`: the statements between its braces.
fn body(pair: Pair<'_>) -> Result<Vec<Stmt>, ParseError> {
    let mut body = Vec::new();
    for child in children(pair) {
        match child.as_rule() {
            Rule::stmts => body = stmts(child)?,
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(body)
}

/// `for_loop`: `for NAME in ITEM... { ... }`.
fn for_loop(pair: Pair<'_>) -> Result<ForLoop, ParseError> {
    let span = span_of(&pair);
    let mut var = None;
    let mut items = Vec::new();
    let mut body = Vec::new();
    for child in children(pair) {
        match child.as_rule() {
            Rule::ident => var = Some(ident(&child)),
            Rule::for_item => items.push(for_item(child)?),
            Rule::stmts => {
                // `for i in {1..3}; do`: bash's brace expansion, taken for
                // an empty list and a body, which would run nothing.
                let text = child.as_str();
                let at = child.as_span().start().saturating_sub(1);
                let right_after_brace = child.as_span().get_input()[at..].starts_with('{');
                let start = start_of(&child).saturating_sub(1);
                if items.is_empty()
                    && right_after_brace
                    && let Some(help) = super::hint_bash::brace_expansion_help(text)
                {
                    return Err(ParseError::UnsupportedExpansion {
                        text: format!("{{{text}}}"),
                        help,
                        span: Span::new(start, start + text.len() + 2).into(),
                    });
                }
                body = stmts(child)?;
            }
            _ => return Err(unexpected(&child)),
        }
    }
    let var = var.ok_or_else(|| missing("loop variable", span))?;
    Ok(ForLoop {
        var,
        items,
        body,
        span,
    })
}

/// `for_item`: a range or a word.
fn for_item(pair: Pair<'_>) -> Result<ListItem, ParseError> {
    let span = span_of(&pair);
    let child = children(pair).next().ok_or_else(|| missing("item", span))?;
    match child.as_rule() {
        Rule::range => range(child),
        Rule::word => Ok(ListItem::Word(word::word(child)?)),
        _ => Err(unexpected(&child)),
    }
}

/// `range`: `A..B`.
fn range(pair: Pair<'_>) -> Result<ListItem, ParseError> {
    let span = span_of(&pair);
    let mut bounds = Vec::with_capacity(2);
    for child in children(pair) {
        match child.as_rule() {
            Rule::range_bound => bounds.push(range_bound(child)?),
            _ => return Err(unexpected(&child)),
        }
    }
    let mut bounds = bounds.into_iter();
    match (bounds.next(), bounds.next()) {
        (Some(from), Some(to)) => Ok(ListItem::Range { from, to, span }),
        _ => Err(missing("range bound", span)),
    }
}

/// `range_bound`: an integer, a variable or a `$(...)`.
fn range_bound(pair: Pair<'_>) -> Result<RangeBound, ParseError> {
    let span = span_of(&pair);
    let child = children(pair)
        .next()
        .ok_or_else(|| missing("bound", span))?;
    match child.as_rule() {
        Rule::int => Ok(RangeBound::Int(values::int(&child)?)),
        Rule::var => Ok(RangeBound::Var(word::var(child)?)),
        Rule::subst => Ok(RangeBound::Subst(word::subst_word(child)?)),
        _ => Err(unexpected(&child)),
    }
}

/// Records an option of a block header, refusing a second one.
fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    option: &'static str,
    span: Span,
) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::DuplicateOption {
            option,
            span: span.into(),
        });
    }
    *slot = Some(value);
    Ok(())
}

/// `parallel_block`: options, then branches or a `for` loop.
fn parallel_block(pair: Pair<'_>) -> Result<BlockKind, ParseError> {
    let mut options = ParallelOptions::default();
    let mut body = ParallelBody::Branches(Vec::new());
    for child in children(pair) {
        let span = span_of(&child);
        match child.as_rule() {
            Rule::max_option => set_once(&mut options.max, max_option(child)?, "`max`", span)?,
            Rule::fail_fast => set_once(&mut options.fail_fast, span, "`fail-fast`", span)?,
            Rule::output_mode => set_once(
                &mut options.output,
                output_mode(&child)?,
                "an output mode",
                span,
            )?,
            Rule::for_loop => {
                let for_loop = for_loop(child)?;
                if let Some(error) = options_after_list(&for_loop.items) {
                    return Err(error);
                }
                body = ParallelBody::For(for_loop)
            }
            Rule::stmts => body = ParallelBody::Branches(branches(child, "parallel")?),
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(BlockKind::Parallel { options, body })
}

/// `parallel for f in *.log max 4 { ... }`: the header's `max N` or
/// `fail-fast` written at the end of the loop's list, where they are
/// items (unquoted, as no list of words would write them).
fn options_after_list(items: &[ListItem]) -> Option<ParseError> {
    let bare = |item: &ListItem| match item {
        ListItem::Word(Word { parts, span }) => match parts.as_slice() {
            [
                WordPart::Literal {
                    bytes,
                    quoted: false,
                    ..
                },
            ] => Some((String::from_utf8_lossy(bytes).into_owned(), *span)),
            _ => None,
        },
        ListItem::Range { .. } => None,
    };
    let is_number = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let mut end = items.len();
    let mut options: Vec<(String, Span)> = Vec::new();
    loop {
        let last = end.checked_sub(1).and_then(|at| bare(&items[at]));
        let before = end.checked_sub(2).and_then(|at| bare(&items[at]));
        match (before, last) {
            (Some((max, from)), Some((n, to))) if max == "max" && is_number(&n) => {
                options.insert(0, (format!("max {n}"), Span::new(from.start, to.end)));
                end -= 2;
            }
            (_, Some((word, span))) if word == "fail-fast" => {
                options.insert(0, (word, span));
                end -= 1;
            }
            _ => break,
        }
    }
    let (first, last) = (options.first()?, options.last()?);
    let written: Vec<&str> = options.iter().map(|(text, _)| text.as_str()).collect();
    let written = written.join(" ");
    Some(ParseError::MisplacedOption {
        option: written.clone(),
        label: "read as items of the loop's list",
        help: format!(
            "write the header's options before `for`: `parallel {written} for x in LIST {{ ... }}`; \
             to loop over these words too, quote them"
        ),
        span: Span::new(first.1.start, last.1.end).into(),
    })
}

/// The `stmts` of a `parallel` or `fanout` block, each a branch of its
/// own. A branch that is only a `let`, `export`, `secret` or `cd` sets
/// what ends with it, as bash's `( x=1 ) &` does: the statements after
/// it, other branches, never see it. It is refused, with where to write
/// it instead, rather than left to change nothing without a word.
fn branches(pair: Pair<'_>, block: &'static str) -> Result<Vec<Stmt>, ParseError> {
    let branches = stmts(pair)?;
    for branch in &branches {
        let binding = "each statement of the block is a branch, run apart from the others: \
                 set the name before the block to give every branch its value, or \
                 group one branch's statements in `{ }` (`{ let t = 1; echo $t }`)";
        let (keyword, help) = match branch.kind {
            StmtKind::Let { .. } => ("let", binding),
            StmtKind::Export { .. } => ("export", binding),
            StmtKind::Secret { .. } => ("secret", binding),
            StmtKind::Cd { .. } => (
                "cd",
                "each statement of the block is a branch, run apart from the others: \
                 `cd` before the block to move every branch, or group one branch's \
                 statements in `{ }` (`{ cd dir; make }`) or join them (`cd dir && make`)",
            ),
            _ => continue,
        };
        return Err(ParseError::StatementBranch {
            keyword,
            block,
            help,
            span: branch.span.into(),
        });
    }
    Ok(branches)
}

/// `max_option`: `max N`.
fn max_option(pair: Pair<'_>) -> Result<Setting<usize>, ParseError> {
    let span = span_of(&pair);
    let value = children(pair)
        .next()
        .ok_or_else(|| missing("max value", span))?;
    values::max(word::value_word(value)?)
}

/// `output_mode`
fn output_mode(pair: &Pair<'_>) -> Result<Spanned<OutputMode>, ParseError> {
    let value = match pair.as_str() {
        "ordered" => OutputMode::Ordered,
        "unordered" => OutputMode::Unordered,
        "lines" => OutputMode::Lines,
        "raw" => OutputMode::Raw,
        _ => return Err(unexpected(pair)),
    };
    Ok(Spanned {
        value,
        span: span_of(pair),
    })
}

/// `fanout_block`: an optional output mode and the branches.
fn fanout_block(pair: Pair<'_>) -> Result<BlockKind, ParseError> {
    let mut output = None;
    let mut branches = Vec::new();
    for child in children(pair) {
        match child.as_rule() {
            Rule::output_mode => output = Some(output_mode(&child)?),
            Rule::stmts => branches = self::branches(child, "fanout")?,
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(BlockKind::Fanout { output, branches })
}

/// `timeout_block`: a duration, options and the body.
fn timeout_block(pair: Pair<'_>) -> Result<BlockKind, ParseError> {
    let span = span_of(&pair);
    let mut duration = None;
    let mut signal = None;
    let mut grace = None;
    let mut body = Vec::new();
    for child in children(pair) {
        let child_span = span_of(&child);
        match child.as_rule() {
            Rule::duration => duration = Some(values::timeout_duration(word::value_word(child)?)?),
            Rule::signal_option => {
                let value = option_value(child)?;
                set_once(&mut signal, values::signal(value)?, "`signal`", child_span)?
            }
            Rule::grace_option => {
                let value = option_value(child)?;
                set_once(&mut grace, values::duration(value)?, "`grace`", child_span)?
            }
            Rule::stmts => body = stmts(child)?,
            _ => return Err(unexpected(&child)),
        }
    }
    let duration = duration.ok_or_else(|| missing("duration", span))?;
    Ok(BlockKind::Timeout {
        duration,
        signal,
        grace,
        body,
    })
}

/// `signal_option` and `grace_option`: the word after the option's name.
fn option_value(pair: Pair<'_>) -> Result<Word, ParseError> {
    let span = span_of(&pair);
    let value = children(pair)
        .next()
        .ok_or_else(|| missing("option value", span))?;
    word::value_word(value)
}
