//! `pipe fmt`: a script in the canonical layout, every comment kept.
//!
//! The formatter changes layout only. Every word (and every redirect target,
//! `for` item, `max` value, duration and signal) is copied from the source
//! exactly as written, sliced by its span (a word joined by `\`-newline
//! keeps its line break), so quoting and escapes never change and the
//! meaning is preserved by construction. [`format`] checks it anyway: it
//! parses its own output and refuses to return text whose tree (compared
//! with [`dump_without_spans`]) or comments differ from the input.
//!
//! The layout rules:
//!
//! - One statement per line, indented two spaces per block level; `;`
//!   between statements becomes a line break.
//! - Single spaces between words, around `|`, `&&` and `||`, around the `=`
//!   of `let`, `export` and `secret`, and between a redirect operator and its
//!   target (`> out`); `2>&1`, `>&2` and prefix assignments `NAME=value`
//!   stay tight. Redirects, words and assignments keep their source order.
//!   A block's redirects follow its `}` after one space, in their order
//!   (`{ a; b } > out 2>&1`), however the block is laid out.
//!   A redirect operator is written in its shortest spelling: an fd number
//!   that only repeats the operator's default is left out (`1>&2` becomes
//!   `>&2`, `0< f` becomes `< f`, `1>> f` becomes `>> f`), the same
//!   redirect in the tree.
//! - A statement is written on one line when it fits in 80 columns
//!   (comments are not counted) and has no comment after one of its `|`,
//!   `&&` or `||`. Otherwise, in this order of preference: the blocks that
//!   could stay on one line are opened up; the list is broken after each
//!   `&&` and `||`; each of its pipelines that still does not fit (or holds
//!   a comment) is broken after each `|`. Continuation lines are indented
//!   two spaces more than the statement. A command longer than 80 columns
//!   is left long: words are never split.
//! - A block is written on one line (`{ echo x }`, `for i in 1..3 { f $i }`)
//!   when its body is a single statement without blocks, the block holds no
//!   comment and the line fits; an empty block is `{}`. Otherwise the header
//!   ends with `{`, the body follows indented, and `}` closes on a line of
//!   its own, at the indentation of the line holding the `{`; whatever
//!   follows the block in its statement continues after the `}`.
//! - Block headers are canonical: `for x in a b c {`, `parallel max 4
//!   fail-fast lines for f in LIST {` (options in the order max, fail-fast,
//!   output mode), `fanout raw {`, `timeout 2s signal TERM grace 500ms {`
//!   (duration, signal, grace).
//! - `exit` after `&&` or `||` is written `exit N`, as in the source.
//! - Blank lines: one is kept between two statements (or comments) where
//!   the source had one or more; none at the start of the file or of a
//!   block body, none before a `}`; the file ends with exactly one newline
//!   (a script with no statement and no comment formats to nothing).
//! - Comments: a comment on a line of its own stays on a line of its own,
//!   at the indentation of the statement that follows it (or, at the end of
//!   a block, before its `}`). A comment after code on the same line trails
//!   that statement after one space (`echo x # note`); one after a block's
//!   `{` stays there; one after a `|`, `&&` or `||` at the end of a line
//!   stays there, and the pipeline or list is broken at that operator.
//!   Comments inside `$(...)` are part of their word and copied with it. A
//!   `#!` line, being the first comment of line 1, stays first.
//!
//! Layout decisions depend only on the tree, the words' text, the comments
//! and the blank lines, never on the source's own layout, which is what
//! makes formatting idempotent.

use std::cell::Cell;

use crate::syntax::ast::{
    Block, BlockKind, Command, Comment, Connector, ForLoop, List, ListItem, ParallelBody, Pipeline,
    Redirect, Script, Span, Stage, Stmt, StmtKind,
};
use crate::syntax::{ParseError, dump_without_spans, parse};

/// The column a line should not go past.
const WIDTH: usize = 80;

/// Spaces per block level, and extra spaces for a continuation line.
const INDENT: usize = 2;

/// Formats a script in the canonical layout, keeping every comment.
pub fn format(source: &str) -> Result<String, ParseError> {
    let script = parse(source)?;
    let formatted = Formatter::new(source, &script).script(&script)?;
    verify(&script, &formatted)?;
    Ok(formatted)
}

/// Checks that `formatted` parses to the same tree as the source, with the
/// same comments in the same order: a formatter bug must never reach a file.
fn verify(script: &Script, formatted: &str) -> Result<(), ParseError> {
    let bug = |what: &str, span: Span| ParseError::Internal {
        what: format!("{what} in the output of `pipe fmt` (a formatter bug)"),
        span: span.into(),
    };
    let start = Span::new(0, 0);
    let again = parse(formatted).map_err(|_| bug("syntax error", start))?;
    if dump_without_spans(&again) != dump_without_spans(script) {
        return Err(bug("change of meaning", start));
    }
    // A comment that ends the script in a `\r` gets a space after it (see
    // `newline`), so that the output's last newline keeps the `\r`.
    let texts = |s: &Script| {
        s.comments
            .iter()
            .map(|c| {
                let text = c.text.as_str();
                match text.strip_suffix(' ') {
                    Some(kept) if kept.ends_with('\r') => kept.to_owned(),
                    _ => text.to_owned(),
                }
            })
            .collect::<Vec<_>>()
    };
    if texts(&again) != texts(script) {
        return Err(bug("change of comments", start));
    }
    Ok(())
}

/// One piece of a statement's own layout (its nested block bodies are laid
/// out separately, when the statement is written).
#[derive(Debug)]
enum Tok<'a> {
    /// Text on the current line; may hold line breaks of a verbatim word.
    Text(String),
    /// A comment ending the current line, after one space.
    Comment(&'a str),
    /// A line break to a continuation line.
    Break,
    /// A comment making up the whole (continuation) line.
    CommentLine(&'a str),
    /// The body of a block whose header, up to its `{`, is on the current
    /// line; then its `}` on a line of its own.
    Open(Body<'a>),
}

/// A block body to write: its statements and where to look for its `{`.
#[derive(Clone, Copy, Debug)]
struct Body<'a> {
    stmts: &'a [Stmt],
    /// A position at or before the `{` and after every header word.
    header_end: usize,
    /// The position of the closing `}`.
    close: usize,
}

/// The layout of one statement, built while measuring it.
#[derive(Debug)]
struct Line<'a> {
    toks: Vec<Tok<'a>>,
    /// The statement's indentation; continuation lines get `INDENT` more.
    base: usize,
    /// The indentation of the current line.
    line_indent: usize,
    /// The current column.
    col: usize,
    /// Whether some line went past `WIDTH`.
    overflow: bool,
}

impl<'a> Line<'a> {
    fn new(base: usize) -> Line<'a> {
        Line {
            toks: Vec::new(),
            base,
            line_indent: base,
            col: base,
            overflow: false,
        }
    }

    /// An empty layout continuing where `self` stands, to try out.
    fn fork(&self) -> Line<'a> {
        Line {
            toks: Vec::new(),
            base: self.base,
            line_indent: self.line_indent,
            col: self.col,
            overflow: false,
        }
    }

    /// Appends a tried-out layout made by [`Line::fork`].
    fn join(&mut self, other: Line<'a>) {
        self.toks.extend(other.toks);
        self.line_indent = other.line_indent;
        self.col = other.col;
        self.overflow |= other.overflow;
    }

    fn text(&mut self, text: String) {
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            self.col += width(first);
            self.overflow |= self.col > WIDTH;
        }
        for line in lines {
            self.col = width(line);
            self.overflow |= self.col > WIDTH;
        }
        self.toks.push(Tok::Text(text));
    }

    /// Whether `extra` more columns fit on the current line.
    fn fits(&self, extra: usize) -> bool {
        self.col + extra <= WIDTH
    }

    fn comment(&mut self, comment: &'a Comment) {
        self.toks.push(Tok::Comment(&comment.text));
    }

    fn comment_line(&mut self, comment: &'a Comment) {
        self.toks.push(Tok::CommentLine(&comment.text));
    }

    fn line_break(&mut self) {
        self.toks.push(Tok::Break);
        self.line_indent = self.base + INDENT;
        self.col = self.line_indent;
    }

    /// A block's body and its `}`; the header must already be written.
    fn open(&mut self, body: Body<'a>) {
        self.toks.push(Tok::Open(body));
        self.col = self.line_indent + 1;
    }
}

/// How a block that could stay on one line is written.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Policy {
    /// On one line.
    OneLine,
    /// Opened up.
    Open,
    /// On one line if the current line still fits, with `n` more columns
    /// after the block.
    Fit(usize),
}

/// How a block can be written.
enum Form<'a> {
    /// Only ever on one line: `{}`, or a header and `{}`.
    Empty(String),
    /// On one line (this text) or opened up.
    Either(String, Body<'a>),
    /// Only opened up.
    Open(Body<'a>),
}

struct Formatter<'a> {
    src: &'a str,
    /// Every comment, in source order.
    comments: &'a [Comment],
    /// Which comments have been written (or copied inside a word).
    used: Vec<Cell<bool>>,
    out: String,
    /// The indentation of the line being written.
    line_indent: usize,
}

impl<'a> Formatter<'a> {
    fn new(src: &'a str, script: &'a Script) -> Formatter<'a> {
        Formatter {
            src,
            comments: &script.comments,
            used: script.comments.iter().map(|_| Cell::new(false)).collect(),
            out: String::new(),
            line_indent: 0,
        }
    }

    fn script(mut self, script: &'a Script) -> Result<String, ParseError> {
        self.body(&script.body, 0, self.src.len(), 0);
        if let Some(left) = self.used.iter().position(|used| !used.get()) {
            return Err(ParseError::Internal {
                what: "comment left out by `pipe fmt` (a formatter bug)".into(),
                span: self.comments[left].span.into(),
            });
        }
        if !self.out.is_empty() {
            self.newline();
        }
        Ok(self.out)
    }

    // ---------------------------------------------------------------------
    // Comments and source text
    // ---------------------------------------------------------------------

    /// The indices of the comments starting in `lo..hi`.
    fn comments_in(&self, lo: usize, hi: usize) -> std::ops::Range<usize> {
        let first = self.comments.partition_point(|c| c.span.start < lo);
        let end = self.comments.partition_point(|c| c.span.start < hi);
        first..end.max(first)
    }

    /// Comment `i`, marked as written.
    fn take(&self, i: usize) -> &'a Comment {
        self.used[i].set(true);
        &self.comments[i]
    }

    /// The source text of `span`, copied verbatim; the comments inside it
    /// (in a `$(...)`) are copied with it.
    fn verbatim(&self, span: Span) -> std::borrow::Cow<'a, str> {
        for i in self.comments_in(span.start, span.end) {
            self.used[i].set(true);
        }
        let text = &self.src[span.start..span.end];
        // A `\` that ends the script is a `\` itself; followed by the
        // newline the output ends with, it would join the next line.
        let trailing = text.len() - text.trim_end_matches('\\').len();
        if span.end == self.src.len() && trailing % 2 == 1 {
            return format!("{text}\\").into();
        }
        text.into()
    }

    /// The first comment in `lo..hi` if nothing but spaces (and `;`, and
    /// operators) stands between `lo` and it on its line.
    fn same_line_comment(&self, lo: usize, hi: usize) -> Option<usize> {
        let i = self.comments_in(lo, hi).next()?;
        let start = self.comments[i].span.start;
        (line_breaks(&self.src[lo..start]) == 0).then_some(i)
    }

    // ---------------------------------------------------------------------
    // Writing lines
    // ---------------------------------------------------------------------

    /// Ends a line. After a word ending in a carriage return (`a\r`,
    /// `a\\\r`) a space comes first: `\r\n` would be a line break, the
    /// word losing its `\r` (or, escaped, joining the next line); so after
    /// a comment that ends the script in one.
    fn newline(&mut self) {
        if self.out.ends_with('\r') {
            self.out.push(' ');
        }
        self.out.push('\n');
    }

    fn start_line(&mut self, indent: usize) {
        if !self.out.is_empty() {
            self.newline();
        }
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.line_indent = indent;
    }

    /// Starts the line of an item (statement or comment) of a body, after a
    /// blank line if the source had one since the previous item's end.
    fn start_item(&mut self, previous_end: Option<usize>, start: usize, indent: usize) {
        if let Some(end) = previous_end
            && line_breaks(&self.src[end..start]) >= 2
        {
            self.newline();
        }
        self.start_line(indent);
    }

    /// The statements of a body and the comments among them, in `lo..hi`.
    fn body(&mut self, stmts: &'a [Stmt], lo: usize, hi: usize, indent: usize) {
        let mut cursor = lo;
        let mut previous_end = None;
        for (k, stmt) in stmts.iter().enumerate() {
            for i in self.comments_in(cursor, stmt.span.start) {
                let comment = self.take(i);
                self.start_item(previous_end, comment.span.start, indent);
                self.out.push_str(&comment.text);
                previous_end = Some(comment.span.end);
            }
            self.start_item(previous_end, stmt.span.start, indent);
            self.stmt(stmt, indent);
            let mut end = stmt.span.end;
            let next = stmts.get(k + 1).map_or(hi, |next| next.span.start);
            if let Some(i) = self.same_line_comment(end, next) {
                let comment = self.take(i);
                self.out.push(' ');
                self.out.push_str(&comment.text);
                end = comment.span.end;
            }
            previous_end = Some(end);
            cursor = end;
        }
        for i in self.comments_in(cursor, hi) {
            let comment = self.take(i);
            self.start_item(previous_end, comment.span.start, indent);
            self.out.push_str(&comment.text);
            previous_end = Some(comment.span.end);
        }
    }

    /// A statement, on the line already started at `indent`.
    fn stmt(&mut self, stmt: &'a Stmt, indent: usize) {
        match &stmt.kind {
            StmtKind::List(list) => {
                let line = self.list(list, indent);
                self.write(line);
            }
            _ => {
                let text = self.simple_stmt(stmt).unwrap_or_default();
                self.out.push_str(&text);
            }
        }
    }

    /// Writes a statement's layout, and the bodies of its opened blocks.
    fn write(&mut self, line: Line<'a>) {
        for tok in line.toks {
            match tok {
                Tok::Text(text) => self.out.push_str(&text),
                Tok::Comment(text) => {
                    self.out.push(' ');
                    self.out.push_str(text);
                }
                Tok::Break => self.start_line(line.base + INDENT),
                Tok::CommentLine(text) => self.out.push_str(text),
                Tok::Open(body) => self.open_body(body),
            }
        }
    }

    /// After a header's `{`: a comment on its line, the body, and `}`.
    fn open_body(&mut self, body: Body<'a>) {
        let indent = self.line_indent;
        let brace = self.src[body.header_end..body.close]
            .find('{')
            .map_or(body.header_end, |at| body.header_end + at);
        let mut lo = brace + 1;
        let first = body.stmts.first().map_or(body.close, |s| s.span.start);
        if let Some(i) = self.same_line_comment(lo, first) {
            let comment = self.take(i);
            self.out.push(' ');
            self.out.push_str(&comment.text);
            lo = comment.span.end;
        }
        self.body(body.stmts, lo, body.close, indent + INDENT);
        self.start_line(indent);
        self.out.push('}');
    }

    // ---------------------------------------------------------------------
    // Laying out a statement
    // ---------------------------------------------------------------------

    /// A list, trying layouts from the most compact: all on one line; its
    /// blocks opened up; then broken after each `&&` and `||`.
    fn list(&self, list: &'a List, base: usize) -> Line<'a> {
        let pipelines: Vec<&'a Pipeline> = list.pipelines().collect();
        let commented = pipelines.windows(2).any(|pair| {
            !self
                .comments_in(pair[0].span.end, pair[1].span.start)
                .is_empty()
        }) || pipelines.iter().any(|p| self.has_gap_comments(p));
        if !commented {
            for policy in [Policy::OneLine, Policy::Open] {
                let mut line = Line::new(base);
                for (i, pipeline) in pipelines.iter().enumerate() {
                    if i > 0 {
                        line.text(format!(" {} ", connector(list.rest[i - 1].0)));
                    }
                    self.flat_pipeline(&mut line, pipeline, policy);
                }
                if !line.overflow {
                    return line;
                }
            }
        }
        let mut line = Line::new(base);
        for (i, pipeline) in pipelines.iter().enumerate() {
            let op = list.rest.get(i).map(|(c, _)| connector(*c));
            self.pipeline(&mut line, pipeline, op.map_or(0, |op| op.len() + 1));
            if let Some(op) = op {
                line.text(format!(" {op}"));
                self.gap(&mut line, pipeline.span.end, pipelines[i + 1].span.start);
            }
        }
        line
    }

    /// Whether a pipeline has comments between its stages.
    fn has_gap_comments(&self, pipeline: &Pipeline) -> bool {
        pipeline.stages.windows(2).any(|pair| {
            !self
                .comments_in(pair[0].span().end, pair[1].span().start)
                .is_empty()
        })
    }

    /// A pipeline on its own line(s) of a broken list, followed by `after`
    /// more columns (its connector): on one line if it fits, else broken
    /// after each `|`.
    fn pipeline(&self, line: &mut Line<'a>, pipeline: &'a Pipeline, after: usize) {
        if !self.has_gap_comments(pipeline) {
            for policy in [Policy::OneLine, Policy::Open] {
                let mut trial = line.fork();
                self.flat_pipeline(&mut trial, pipeline, policy);
                if !trial.overflow && trial.fits(after) {
                    line.join(trial);
                    return;
                }
            }
        }
        let last = pipeline.stages.len() - 1;
        for (i, stage) in pipeline.stages.iter().enumerate() {
            let after = if i == last { after } else { " |".len() };
            self.stage(line, stage, Policy::Fit(after));
            if i != last {
                line.text(" |".to_string());
                let next = pipeline.stages[i + 1].span().start;
                self.gap(line, stage.span().end, next);
            }
        }
    }

    /// The line break after an operator, with the comments before the next
    /// pipeline or stage: one on the operator's line stays there.
    fn gap(&self, line: &mut Line<'a>, lo: usize, hi: usize) {
        let mut range = self.comments_in(lo, hi);
        if let Some(i) = self.same_line_comment(lo, hi) {
            line.comment(self.take(i));
            range.next();
        }
        for i in range {
            line.line_break();
            line.comment_line(self.take(i));
        }
        line.line_break();
    }

    fn flat_pipeline(&self, line: &mut Line<'a>, pipeline: &'a Pipeline, policy: Policy) {
        for (i, stage) in pipeline.stages.iter().enumerate() {
            if i > 0 {
                line.text(" | ".to_string());
            }
            self.stage(line, stage, policy);
        }
    }

    fn stage(&self, line: &mut Line<'a>, stage: &'a Stage, policy: Policy) {
        let block = match stage {
            Stage::Command(command) => return line.text(self.command(command)),
            Stage::Block(block) => block,
        };
        if let Some(stmt) = block.lone_stmt() {
            return line.text(self.simple_stmt(stmt).unwrap_or_default());
        }
        let (header, form) = self.block(block);
        let redirects = self.block_redirects(block);
        let body = match form {
            Form::Empty(text) => return line.text(text + &redirects),
            Form::Either(text, body) => {
                let text = text + &redirects;
                let one_line = match policy {
                    Policy::OneLine => true,
                    Policy::Open => false,
                    Policy::Fit(after) => line.fits(width(&text) + after),
                };
                if one_line {
                    return line.text(text);
                }
                body
            }
            Form::Open(body) => body,
        };
        line.text(opening(&header, "{"));
        line.open(body);
        if !redirects.is_empty() {
            line.text(redirects);
        }
    }

    // ---------------------------------------------------------------------
    // Text of single-line pieces
    // ---------------------------------------------------------------------

    /// A statement on one line, if it has no block (an `exit` or `cd` after an
    /// operator aside).
    fn simple_stmt(&self, stmt: &'a Stmt) -> Option<String> {
        let binding = |keyword: &str, name: &str, value: Span| {
            format!("{keyword} {name} = {}", self.verbatim(value))
        };
        Some(match &stmt.kind {
            StmtKind::Let { name, value } => binding("let", &name.name, value.span),
            StmtKind::Export { name, value } => binding("export", &name.name, value.span),
            StmtKind::Secret { name, value } => binding("secret", &name.name, value.span),
            StmtKind::Cd { dir: Some(dir) } => format!("cd {}", self.verbatim(dir.span)),
            StmtKind::Cd { dir: None } => "cd".to_owned(),
            StmtKind::Exit { status: None } => "exit".to_string(),
            StmtKind::Exit {
                status: Some(status),
            } => format!("exit {}", self.verbatim(status.span)),
            StmtKind::List(list) => {
                let mut text = self.simple_pipeline(&list.first)?;
                for (op, pipeline) in &list.rest {
                    text.push_str(&format!(" {} ", connector(*op)));
                    text.push_str(&self.simple_pipeline(pipeline)?);
                }
                text
            }
        })
    }

    fn simple_pipeline(&self, pipeline: &'a Pipeline) -> Option<String> {
        let mut stages = Vec::with_capacity(pipeline.stages.len());
        for stage in &pipeline.stages {
            stages.push(match stage {
                Stage::Command(command) => self.command(command),
                Stage::Block(block) => self.simple_stmt(block.lone_stmt()?)?,
            });
        }
        Some(stages.join(" | "))
    }

    /// A command: assignments, words and redirects in source order.
    fn command(&self, command: &'a Command) -> String {
        let mut pieces: Vec<(usize, String)> = Vec::new();
        for assign in &command.assigns {
            pieces.push((assign.span.start, self.verbatim(assign.span).to_string()));
        }
        for word in &command.words {
            pieces.push((word.span.start, self.verbatim(word.span).to_string()));
        }
        for redirect in &command.redirects {
            pieces.push((redirect.span.start, self.redirect(redirect)));
        }
        pieces.sort_by_key(|(start, _)| *start);
        let texts: Vec<String> = pieces.into_iter().map(|(_, text)| text).collect();
        texts.join(" ")
    }

    /// A redirect: its operator in its shortest spelling, and its target
    /// as written.
    fn redirect(&self, redirect: &'a Redirect) -> String {
        match &redirect.target {
            Some(target) => format!("{} {}", redirect.op.as_str(), self.verbatim(target.span)),
            None => redirect.op.as_str().to_string(),
        }
    }

    /// The redirects after a block's `}`, each after a space.
    fn block_redirects(&self, block: &'a Block) -> String {
        let mut text = String::new();
        for redirect in &block.redirects {
            text.push(' ');
            text.push_str(&self.redirect(redirect));
        }
        text
    }

    /// Where a block's closing `}` is: the end of the block, or, when
    /// redirects follow it, the last `}` before the first of them (only
    /// spaces and line continuations stand between the two).
    fn close_brace(&self, block: &Block) -> usize {
        let end = block
            .redirects
            .first()
            .map_or(block.span.end, |redirect| redirect.span.start);
        self.src[block.span.start..end]
            .rfind('}')
            .map_or(end.saturating_sub(1), |at| block.span.start + at)
    }

    /// A block's header (without `{`) and how the block can be written
    /// (without its redirects).
    fn block(&self, block: &'a Block) -> (String, Form<'a>) {
        let (header, stmts, header_end) = self.header(block);
        let close = self.close_brace(block);
        let body = Body {
            stmts,
            header_end,
            close,
        };
        // Comments in its redirects' words are copied with them.
        let commented = !self.comments_in(block.span.start, close).is_empty();
        let form = match stmts {
            _ if commented => Form::Open(body),
            [] => Form::Empty(opening(&header, "{}")),
            [stmt] => match self.simple_stmt(stmt) {
                Some(text) if !text.contains('\n') => {
                    Form::Either(opening(&header, &format!("{{ {text} }}")), body)
                }
                _ => Form::Open(body),
            },
            _ => Form::Open(body),
        };
        (header, form)
    }

    /// A block's canonical header, its body, and the end of its header.
    fn header(&self, block: &'a Block) -> (String, &'a [Stmt], usize) {
        let start = block.span.start;
        match &block.kind {
            BlockKind::Group(body) => (String::new(), body, start),
            BlockKind::For(for_loop) => {
                let (header, end) = self.for_header(for_loop);
                (header, &for_loop.body, end)
            }
            BlockKind::Parallel { options, body } => {
                let mut header = "parallel".to_string();
                let mut end = start + header.len();
                if let Some(max) = &options.max {
                    header.push_str(" max ");
                    header.push_str(&self.verbatim(max.span()));
                    end = end.max(max.span().end);
                }
                if let Some(fail_fast) = options.fail_fast {
                    header.push_str(" fail-fast");
                    end = end.max(fail_fast.end);
                }
                if let Some(output) = &options.output {
                    header.push(' ');
                    header.push_str(output.value.as_str());
                    end = end.max(output.span.end);
                }
                match body {
                    ParallelBody::Branches(branches) => (header, branches, end),
                    ParallelBody::For(for_loop) => {
                        let (for_header, end) = self.for_header(for_loop);
                        (format!("{header} {for_header}"), &for_loop.body, end)
                    }
                }
            }
            BlockKind::Fanout { output, branches } => {
                let mut header = "fanout".to_string();
                let mut end = start + header.len();
                if let Some(output) = output {
                    header.push(' ');
                    header.push_str(output.value.as_str());
                    end = output.span.end;
                }
                (header, branches, end)
            }
            BlockKind::Timeout {
                duration,
                signal,
                grace,
                body,
            } => {
                let mut header = format!("timeout {}", self.verbatim(duration.span()));
                let mut end = duration.span().end;
                if let Some(signal) = signal {
                    header.push_str(" signal ");
                    header.push_str(&self.verbatim(signal.span));
                    end = end.max(signal.span.end);
                }
                if let Some(grace) = grace {
                    header.push_str(" grace ");
                    header.push_str(&self.verbatim(grace.span()));
                    end = end.max(grace.span().end);
                }
                (header, body, end)
            }
        }
    }

    /// `for NAME in ITEM...`, and the end of its last word.
    fn for_header(&self, for_loop: &'a ForLoop) -> (String, usize) {
        let mut header = format!("for {} in", for_loop.var.name);
        let mut end = for_loop.var.span.end;
        for item in &for_loop.items {
            let span = match item {
                ListItem::Word(word) => word.span,
                ListItem::Range { span, .. } => *span,
            };
            header.push(' ');
            header.push_str(&self.verbatim(span));
            end = end.max(span.end);
        }
        (header, end)
    }
}

/// A header followed by a brace text, with a space between unless the
/// header is empty (a plain group).
fn opening(header: &str, braces: &str) -> String {
    if header.is_empty() {
        braces.to_string()
    } else {
        format!("{header} {braces}")
    }
}

fn connector(op: Connector) -> &'static str {
    match op {
        Connector::And => "&&",
        Connector::Or => "||",
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

/// The line breaks in `text`, not counting `\`-newline continuations.
fn line_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // A continuation: skip the `\` and the line break after it.
            b'\\' => {
                i += 1;
                if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                count += 1;
                i += 1;
            }
            b'\n' => count += 1,
            _ => {}
        }
        i += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::format;
    use crate::syntax::{dump_without_spans, parse};

    /// Formats `source`, compares with `expected`, and checks that
    /// formatting again changes nothing.
    #[track_caller]
    fn check(source: &str, expected: &str) {
        let formatted = format(source).unwrap_or_else(|e| panic!("{source:?}: {e}"));
        assert_eq!(formatted, expected, "source: {source:?}");
        let again = format(&formatted).unwrap_or_else(|e| panic!("{formatted:?}: {e}"));
        assert_eq!(again, formatted, "not idempotent: {source:?}");
    }

    #[test]
    fn words_and_spaces() {
        check("echo   a\t b", "echo a b\n");
        check(
            "echo \"a  b\" 'c  d' e\\ \\ f",
            "echo \"a  b\" 'c  d' e\\ \\ f\n",
        );
        check(
            "echo $x${y}${z:-a  b}$(date  +%s)$@",
            "echo $x${y}${z:-a  b}$(date  +%s)$@\n",
        );
        check("echo a#b  'x'\"y\"z", "echo a#b 'x'\"y\"z\n");
        check("echo a \\\n   b \\\n c", "echo a b c\n");
        check("echo 'two\n  lines'   x", "echo 'two\n  lines' x\n");
        check("echo \"a\\\n b\"", "echo \"a\\\n b\"\n");
        // A word joined by `\`-newline is copied as written, line break and
        // all; a continuation between words is a space.
        check("echo a\\\nb c", "echo a\\\nb c\n");
        check("echo a\\\n b", "echo a b\n");
        check("{ echo a\\\nb }", "{\n  echo a\\\nb\n}\n");
        check("echo a\\\n#b # c", "echo a\\\n#b # c\n");
    }

    #[test]
    fn statements() {
        check("let x=1", "let x = 1\n");
        check("let   x   =   'a b'", "let x = 'a b'\n");
        check("export  PATH=$PATH:/opt", "export PATH = $PATH:/opt\n");
        check("secret key =\"\\x01\"", "secret key = \"\\x01\"\n");
        check("cd   /tmp", "cd /tmp\n");
        check("exit", "exit\n");
        check("exit   3", "exit 3\n");
        check("'timeout' 5 sleep 9", "'timeout' 5 sleep 9\n");
    }

    #[test]
    fn separators() {
        check("a; b;c", "a\nb\nc\n");
        check("a;;b ;", "a\nb\n");
        check(";\n; a", "a\n");
        check("a\r\nb\r\n", "a\nb\n");
        // A `\r` alone is in its word: no line break, none written.
        check("a\rb c\r\n# x\ry\n", "a\rb c\n# x\ry\n");
        check("", "");
        check("\n\n ;\n", "");
    }

    #[test]
    fn blank_lines() {
        check("a\n\n\n\nb", "a\n\nb\n");
        check("\n\n\na\n\n\n", "a\n");
        check("a\n \t \nb", "a\n\nb\n");
        check("a;\n\nb", "a\n\nb\n");
        check("a\n\n# c\n\nb", "a\n\n# c\n\nb\n");
        check("{\n\n  a\n\n\n  b\n\n}", "{\n  a\n\n  b\n}\n");
        check("a \\\n\nb", "a\nb\n");
    }

    #[test]
    fn pipelines_and_lists() {
        check("a|b|c", "a | b | c\n");
        check("a&&b||c", "a && b || c\n");
        check("a |\n\n   b &&\n c", "a | b && c\n");
        check("a || exit 3", "a || exit 3\n");
        check("cd   d &&\n  a", "cd d && a\n");
        check("a || cd d || exit", "a || cd d || exit\n");
        check("a &&\n  exit", "a && exit\n");
        check("a || { exit 3 }", "a || { exit 3 }\n");
        check("{ a || exit 1 }", "{ a || exit 1 }\n");
    }

    #[test]
    fn redirects_and_assignments() {
        check("echo a>out 2>&1 <in", "echo a > out 2>&1 < in\n");
        check(
            "echo a >>log 2>err 2>>err2 &>all &>>all2 >&2",
            "echo a >> log 2> err 2>> err2 &> all &>> all2 >&2\n",
        );
        check("cat <<<'some text'", "cat <<< 'some text'\n");
        check(">out echo hi", "> out echo hi\n");
        check("A=1  B='x y'   env", "A=1 B='x y' env\n");
        check("A= B=$(x) env >f", "A= B=$(x) env > f\n");
        check("echo 2 >f a2>g", "echo 2 > f a2 > g\n");
        check("echo a>  '#x'", "echo a > '#x'\n");
        // An fd number that only repeats the default is left out.
        check(
            "echo x 1>&2 1>o 1>>a 0<i 0<<<w 2>e 2>>f",
            "echo x >&2 > o >> a < i <<< w 2> e 2>> f\n",
        );
        check("1>o echo 1 >&2 a1>f", "> o echo 1 >&2 a1 > f\n");
    }

    #[test]
    fn block_redirects() {
        check("{echo a}>f", "{ echo a } > f\n");
        check("{ a; b } >f 2>&1", "{\n  a\n  b\n} > f 2>&1\n");
        check(
            "for i in 1..3 {echo $i}>>log",
            "for i in 1..3 { echo $i } >> log\n",
        );
        check(
            "parallel for f in a b {x $f} 1>&2 0<in",
            "parallel for f in a b { x $f } >&2 < in\n",
        );
        check(
            "fanout{cat}<<<'hi there'",
            "fanout { cat } <<< 'hi there'\n",
        );
        check("timeout 2s{a}&>all 2>>e", "timeout 2s { a } &> all 2>> e\n");
        check("{ } > f", "{} > f\n");
        check("parallel max 2 {}1>f", "parallel max 2 {} > f\n");
        check("seq 3|{cat}>f|wc", "seq 3 | { cat } > f | wc\n");
        check("{ a } \\\n  > f", "{ a } > f\n");
        check("{ a # c\n} > f", "{\n  a # c\n} > f\n");
        check("{ a } > $(b # c\n)", "{ a } > $(b # c\n)\n");
        check("{ a } > 'two\nlines'", "{ a } > 'two\nlines'\n");
        check("{ { a } < i } > o", "{\n  { a } < i\n} > o\n");
        check("a || { b } >&2", "a || { b } >&2\n");
        // Redirects count in the width: a block they would push past 80
        // columns is opened up, its redirects after the `}`.
        let long = "x".repeat(30);
        check(
            &format!("{{ echo {long} }} > {long}.txt 2>&1"),
            &format!("{{\n  echo {long}\n}} > {long}.txt 2>&1\n"),
        );
        check(
            &format!("seq 3 | for i in a {{ echo {long} }} > {long} | cat"),
            &format!("seq 3 | for i in a {{\n  echo {long}\n}} > {long} | cat\n"),
        );
    }

    #[test]
    fn blocks_on_one_line() {
        check("{echo x}", "{ echo x }\n");
        check("{ }", "{}\n");
        check("{\n\n}", "{}\n");
        check("for i in 1..3 {echo $i}", "for i in 1..3 { echo $i }\n");
        check("for x in {}", "for x in {}\n");
        check(
            "for  f  in  *.txt  $@  a..b  1..$n {\n  wc $f\n}",
            "for f in *.txt $@ a..b 1..$n { wc $f }\n",
        );
        check("{ let x = 1 }", "{ let x = 1 }\n");
        check("{ a | b && c }", "{ a | b && c }\n");
        check("a | { b } | c", "a | { b } | c\n");
    }

    #[test]
    fn blocks_opened() {
        check("{ a; b }", "{\n  a\n  b\n}\n");
        check("{ a; b } | cat", "{\n  a\n  b\n} | cat\n");
        check("{ for i in a { b } }", "{\n  for i in a { b }\n}\n");
        check("{ { a; b } }", "{\n  {\n    a\n    b\n  }\n}\n");
        check("{ a; b } && { c; d }", "{\n  a\n  b\n} && {\n  c\n  d\n}\n");
        check(
            "timeout 500ms { cat x } || { a\n b }",
            "timeout 500ms { cat x } || {\n  a\n  b\n}\n",
        );
        check("{ echo 'a\nb' }", "{\n  echo 'a\nb'\n}\n");
    }

    #[test]
    fn block_headers() {
        check("parallel {a;b}", "parallel {\n  a\n  b\n}\n");
        check(
            "parallel lines fail-fast max 4 { a }",
            "parallel max 4 fail-fast lines { a }\n",
        );
        check(
            "parallel raw  max 2 for f in a b {x $f}",
            "parallel max 2 raw for f in a b { x $f }\n",
        );
        check(
            "parallel fail-fast for f in a { x }",
            "parallel fail-fast for f in a { x }\n",
        );
        check("fanout{a}", "fanout { a }\n");
        check("fanout   unordered {a}", "fanout unordered { a }\n");
        check("timeout 2s{a}", "timeout 2s { a }\n");
        check(
            "timeout 1.5s grace 1s signal INT { a }",
            "timeout 1.5s signal INT grace 1s { a }\n",
        );
        check(
            "timeout '2s' signal 9 { a }",
            "timeout '2s' signal 9 { a }\n",
        );
        check("parallel max '4' {}", "parallel max '4' {}\n");
    }

    #[test]
    fn long_lines() {
        let long = "x".repeat(30);
        check(
            &format!("echo {long} | grep {long} | sort -u"),
            &format!("echo {long} |\n  grep {long} |\n  sort -u\n"),
        );
        check(
            &format!("echo {long} && echo {long} || echo {long}"),
            &format!("echo {long} &&\n  echo {long} ||\n  echo {long}\n"),
        );
        // A list breaks at its connectors first; a pipeline that then fits
        // stays on its line.
        check(
            &format!("echo {long} | cat && echo {long} | cat"),
            &format!("echo {long} | cat &&\n  echo {long} | cat\n"),
        );
        check(
            &format!("a && echo {long} | grep {long} | sort"),
            &format!("a &&\n  echo {long} |\n  grep {long} |\n  sort\n"),
        );
        // A block that would make the line too long is opened up first.
        check(
            &format!("for i in 1..3 {{ echo {long} {long} }} | cat"),
            &format!("for i in 1..3 {{\n  echo {long} {long}\n}} | cat\n"),
        );
        check(
            &format!("{{ {long}; {long} }} | echo {long} {long} {long}"),
            &format!("{{\n  {long}\n  {long}\n}} |\n  echo {long} {long} {long}\n"),
        );
        // A command alone is never split.
        let words = vec!["word"; 30].join(" ");
        check(&words, &format!("{words}\n"));
        // Exactly 80 columns fit.
        let fits = format!("echo {} | cat", "y".repeat(69));
        check(&fits, &format!("{fits}\n"));
        let over = format!("echo {} | cat", "y".repeat(70));
        check(&over, &format!("echo {} |\n  cat\n", "y".repeat(70)));
    }

    #[test]
    fn long_lines_in_blocks() {
        let long = "z".repeat(34);
        check(
            &format!("{{ {{ echo {long} | cat {long}; b }}; c }}"),
            &format!("{{\n  {{\n    echo {long} |\n      cat {long}\n    b\n  }}\n  c\n}}\n"),
        );
        check(
            &format!("a | {{ b }} | echo {long} {long}"),
            &format!("a | {{\n  b\n}} | echo {long} {long}\n"),
        );
        // In a broken pipeline, each block gets its own line's width.
        check("a | # c\n { b } | d", "a | # c\n  { b } |\n  d\n");
        check(
            &format!("a | # c\n for i in 1..3 {{ echo {long} {long} }} | d"),
            &format!("a | # c\n  for i in 1..3 {{\n    echo {long} {long}\n  }} |\n  d\n"),
        );
    }

    #[test]
    fn comments() {
        check("echo x   # note", "echo x # note\n");
        check("a; # note\nb", "a # note\nb\n");
        check("a; b # note", "a\nb # note\n");
        check("  # own\n a", "# own\na\n");
        check("# only", "# only\n");
        check("a\n#end\n\n", "a\n#end\n");
        check(
            "#!/usr/bin/env pipe\n\n\necho hi",
            "#!/usr/bin/env pipe\n\necho hi\n",
        );
        check("a #  spaced   ", "a #  spaced   \n");
        check("{ a } # after", "{ a } # after\n");
        check("{ a; b } # after", "{\n  a\n  b\n} # after\n");
        check(
            "a \\\n  # after a continuation\nb",
            "a # after a continuation\nb\n",
        );
    }

    #[test]
    fn comments_in_blocks() {
        check("{\n# first\na\n}", "{\n  # first\n  a\n}\n");
        check("{ a\n  # last\n}", "{\n  a\n  # last\n}\n");
        check("{ # header\n a }", "{ # header\n  a\n}\n");
        check("{ # header\n}", "{ # header\n}\n");
        check("{\n# alone\n}", "{\n  # alone\n}\n");
        check(
            "for i in a { # loop\n\n  b # tail\n\n  # end\n}",
            "for i in a { # loop\n  b # tail\n\n  # end\n}\n",
        );
        check("{ a # x\n}", "{\n  a # x\n}\n");
        check("{ { a # deep\n} }", "{\n  {\n    a # deep\n  }\n}\n");
        check(
            "parallel for i in 1..2 { # h\n x }",
            "parallel for i in 1..2 { # h\n  x\n}\n",
        );
        check(
            "timeout 1s signal 9 { # h\n x }",
            "timeout 1s signal 9 { # h\n  x\n}\n",
        );
    }

    #[test]
    fn comments_after_operators() {
        check("a | # c\n b", "a | # c\n  b\n");
        check("a | # c\n b | d", "a | # c\n  b |\n  d\n");
        check("a &&   # c\n b", "a && # c\n  b\n");
        check("a &&\n # c\n b", "a &&\n  # c\n  b\n");
        check(
            "a || # c1\n\n # c2\n exit 1",
            "a || # c1\n  # c2\n  exit 1\n",
        );
        check("a | # c\n b && d", "a | # c\n  b &&\n  d\n");
        check("{ a | # c\n b }", "{\n  a | # c\n    b\n}\n");
    }

    #[test]
    fn comments_inside_words() {
        check("let x = $(a # inner\n  b)", "let x = $(a # inner\n  b)\n");
        check("{ echo $(a # inner\n) }", "{\n  echo $(a # inner\n)\n}\n");
        check(
            "for f in $(ls # c\n) { x }",
            "for f in $(ls # c\n) {\n  x\n}\n",
        );
        check("echo '# not a comment'", "echo '# not a comment'\n");
    }

    #[test]
    fn big_scripts() {
        let pipeline = vec!["cat"; 2_000].join(" | ");
        assert_eq!(format(&pipeline).unwrap().lines().count(), 2_000);
        let list = vec!["true"; 2_000].join(" && ");
        assert_eq!(format(&list).unwrap().lines().count(), 2_000);
        let depth = crate::syntax::MAX_DEPTH - 2;
        let nested = "{ a; ".repeat(depth) + &" }".repeat(depth);
        let formatted = format(&nested).unwrap();
        // The innermost `{ a }` would go past column 80, so it opens too.
        assert_eq!(formatted.lines().count(), 3 * depth);
        let innermost = format!("{}a", " ".repeat(2 * depth));
        assert!(
            formatted.lines().any(|line| line == innermost),
            "{formatted}"
        );
    }

    /// What the formatter must keep: the meaning and every comment, in order.
    fn assert_keeps(source: &str) -> Result<String, TestCaseError> {
        let before = parse(source).map_err(|e| TestCaseError::fail(format!("{source:?}: {e}")))?;
        let formatted =
            format(source).map_err(|e| TestCaseError::fail(format!("{source:?}: {e}")))?;
        let after =
            parse(&formatted).map_err(|e| TestCaseError::fail(format!("{formatted:?}: {e}")))?;
        prop_assert_eq!(dump_without_spans(&after), dump_without_spans(&before));
        let texts = |s: &crate::syntax::ast::Script| {
            s.comments
                .iter()
                .map(|c| c.text.clone())
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(texts(&after), texts(&before));
        let again =
            format(&formatted).map_err(|e| TestCaseError::fail(format!("{formatted:?}: {e}")))?;
        prop_assert_eq!(&again, &formatted, "not idempotent; source: {:?}", source);
        prop_assert!(
            formatted.is_empty() || formatted.ends_with('\n') && !formatted.ends_with("\n\n")
        );
        prop_assert!(!formatted.starts_with('\n'));
        prop_assert!(!formatted.contains("\n\n\n"), "{:?}", formatted);
        Ok(formatted)
    }

    /// An argument word, in one of the quoting styles.
    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-z][a-z0-9_./-]{0,8}",
            1 => "[a-z]{20,40}",
            1 => "'[a-z #|;{}&<>]{0,10}'",
            // A `$` before a space or an operator character is a `$`
            // (`$$` would be a refused special parameter).
            1 => "\"[a-z |;]{0,4}(\\$[ |;])?[a-z |;]{0,3}\"",
            1 => Just("'two\nlines'".to_string()),
            1 => Just("$x".to_string()),
            1 => Just("${y:-d e}".to_string()),
            1 => Just("$(date +%s)".to_string()),
            1 => Just("$(a # inner\n  b)".to_string()),
            1 => Just("$@".to_string()),
            1 => Just("a\\ b".to_string()),
            1 => Just("x\"y\"'z'$1".to_string()),
            1 => Just("-n".to_string()),
            1 => Just("a#b".to_string()),
            1 => Just("a\\\nb".to_string()),
            1 => Just("\"q\"\\\n'r'${x}\\\ny".to_string()),
        ]
    }

    fn command() -> impl Strategy<Value = String> {
        let program = prop_oneof![
            Just("echo"),
            Just("cat"),
            Just("grep"),
            Just("'for'"),
            Just("sort")
        ];
        let assign = prop_oneof![Just("A=1"), Just("B='x y'"), Just("C=")];
        let redirect = prop_oneof![
            Just("> out"),
            Just(">>log"),
            Just("2>&1"),
            Just(">&2"),
            Just("< in"),
            Just("2> err"),
            Just("&>all"),
            Just("<<< 'here text'"),
            Just("1>&2"),
            Just("0< in"),
            Just("1>>log"),
        ];
        (
            prop::collection::vec(assign, 0..2),
            program,
            prop::collection::vec(word(), 0..4),
            prop::collection::vec(redirect, 0..2),
        )
            .prop_map(|(assigns, program, words, redirects)| {
                let mut parts: Vec<String> = assigns.iter().map(|a| a.to_string()).collect();
                parts.push(program.to_string());
                parts.extend(words);
                parts.extend(redirects.iter().map(|r| r.to_string()));
                parts.join(" ")
            })
    }

    /// Joins items with separators picked from `seps`.
    fn joined(items: Vec<String>, seps: Vec<&'static str>) -> String {
        let mut out = String::new();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                out.push_str(seps[(i - 1) % seps.len()]);
            }
            out.push_str(&item);
        }
        out
    }

    /// A list of pipelines of `stage`s.
    fn list(stage: BoxedStrategy<String>) -> impl Strategy<Value = String> {
        let pipe = prop_oneof![
            Just(" | "),
            Just("|"),
            Just(" |\n  "),
            Just(" | # pc\n  "),
            Just(" |\n# po\n")
        ];
        let connector = prop_oneof![
            Just(" && "),
            Just("||"),
            Just(" &&\n  "),
            Just(" || # lc\n")
        ];
        let pipeline = (
            prop::collection::vec(stage, 1..3),
            prop::collection::vec(pipe, 1..3),
        )
            .prop_map(|(stages, seps)| joined(stages, seps));
        (
            prop::collection::vec(pipeline, 1..3),
            prop::collection::vec(connector, 1..3),
            prop_oneof![3 => Just(""), 1 => Just(" || exit 3"), 1 => Just(" &&\n exit")],
        )
            .prop_map(|(pipelines, seps, exit)| joined(pipelines, seps) + exit)
    }

    fn simple_stmt() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => list(command().boxed()),
            1 => word().prop_map(|w| format!("let v = {w}")),
            1 => word().prop_map(|w| format!("export  E={w}")),
            1 => word().prop_map(|w| format!("secret S = {w}")),
            1 => word().prop_map(|w| format!("cd {w}")),
            1 => prop_oneof![Just("exit"), Just("exit 2")].prop_map(String::from),
        ]
    }

    /// Statements separated by newlines, `;`, blank lines and comments.
    fn stmts(stmt: BoxedStrategy<String>) -> impl Strategy<Value = String> {
        let sep = prop_oneof![
            4 => Just("\n"), 2 => Just("; "), 1 => Just(";"), 1 => Just("\n\n\n"),
            1 => Just("  # tc\n"), 1 => Just("\n# oc\n"), 1 => Just("\n\n  # oc\n\n"),
        ];
        (
            prop::collection::vec(stmt, 0..4),
            prop::collection::vec(sep, 1..4),
        )
            .prop_map(|(stmts, seps)| joined(stmts, seps))
    }

    fn block(body: BoxedStrategy<String>) -> impl Strategy<Value = String> {
        let header = prop_oneof![
            Just(""),
            Just("for i in a 1..3 $x"),
            Just("for j in"),
            Just("parallel max 2 fail-fast lines"),
            Just("parallel lines max 3"),
            Just("parallel for f in a b"),
            Just("parallel raw for f in c"),
            Just("fanout raw"),
            Just("fanout"),
            Just("timeout 2s signal INT grace 100ms"),
            Just("timeout 1s grace 1s signal TERM"),
        ];
        let open = prop_oneof![Just("{ "), Just("{\n"), Just("{ # hc\n"), Just("{\n\n")];
        let close = prop_oneof![Just(" }"), Just("\n}"), Just("\n# ec\n}"), Just("\n\n}")];
        let redirects = prop_oneof![
            6 => Just(""),
            1 => Just(" > out"),
            1 => Just(">>log 2>&1"),
            1 => Just(" 0< in 1>&2"),
            1 => Just(" \\\n  &> all"),
            1 => Just(" <<< 'here text' 2> $(a # rc\n  b)"),
        ];
        // A branch that is only a `let`, `export`, `secret` or `cd` does not
        // parse (`pipe::parse::statement_branch`): the branches of a
        // `parallel` or `fanout` are drawn again until none is.
        (header, open, body, close, redirects)
            .prop_filter("a branch of a lone binding", |(header, _, body, ..)| {
                let branches = header.starts_with("fanout")
                    || (header.starts_with("parallel") && !header.contains(" for "));
                !branches || parse(body).is_ok_and(|script| script.body.iter().all(binds_nothing))
            })
            .prop_map(|(header, open, body, close, redirects)| {
                format!("{header} {open}{body}{close}{redirects}")
            })
    }

    /// Whether a statement is anything but a `let`, `export`, `secret` or
    /// `cd` standing alone.
    fn binds_nothing(stmt: &crate::syntax::ast::Stmt) -> bool {
        use crate::syntax::ast::StmtKind;
        !matches!(
            stmt.kind,
            StmtKind::Let { .. }
                | StmtKind::Export { .. }
                | StmtKind::Secret { .. }
                | StmtKind::Cd { .. }
        )
    }

    /// A statement, with blocks nested up to `depth` levels.
    fn stmt(depth: u32) -> BoxedStrategy<String> {
        if depth == 0 {
            return simple_stmt().boxed();
        }
        let inner = block(stmts(stmt(depth - 1)).boxed()).boxed();
        let stage = prop_oneof![3 => command(), 1 => inner.clone()].boxed();
        prop_oneof![
            3 => simple_stmt(),
            2 => list(stage),
            1 => inner,
        ]
        .boxed()
    }

    fn script() -> impl Strategy<Value = String> {
        (
            prop_oneof![
                Just(""),
                Just("#!/usr/bin/env pipe\n"),
                Just("\n\n# head\n\n")
            ],
            stmts(stmt(2).boxed()),
            prop_oneof![Just(""), Just("\n"), Just("\n\n# tail"), Just(";\n\n")],
        )
            .prop_map(|(head, body, tail)| format!("{head}{body}{tail}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_scripts_keep_meaning_and_comments(source in script()) {
            assert_keeps(&source)?;
        }
    }
}
