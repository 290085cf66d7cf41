//! The typed syntax tree of a `.pipe` script.
//!
//! Every node carries the [`Span`] of the source it came from, so that any
//! later phase (expansion, execution, `check`, `fmt`, `graph`) can point a
//! diagnostic at the exact text. The tree holds no source text beyond what
//! the nodes need; the source is attached once, when an error is shown.

use std::time::Duration;

/// A half-open byte range `start..end` into the script's source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> miette::SourceSpan {
        (span.start, span.len()).into()
    }
}

/// A whole script: its top-level statements and its comments.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    pub body: Vec<Stmt>,
    /// Every `# comment`, in source order, kept for `pipe fmt`.
    pub comments: Vec<Comment>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// The comment's text, `#` included, without the line break.
    pub text: String,
    pub span: Span,
}

/// A name as written in `let NAME`, `for NAME` or `NAME=value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let NAME = WORD`: a script variable, scoped to the enclosing block.
    Let { name: Ident, value: Word },
    /// `export NAME = WORD`: a variable also set in later children's environment.
    Export { name: Ident, value: Word },
    /// `secret NAME = WORD`: like `export`, but its value is never shown.
    Secret { name: Ident, value: Word },
    /// `cd WORD`: the working directory of later commands in the block.
    /// `cd` alone (no word) is the home directory, as in bash.
    Cd { dir: Option<Word> },
    /// `exit [WORD]`.
    Exit { status: Option<Word> },
    /// `PIPELINE [&& PIPELINE | || PIPELINE]...`
    List(List),
}

/// Pipelines joined by `&&` and `||`, evaluated left to right as in bash.
#[derive(Clone, Debug, PartialEq)]
pub struct List {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
    pub span: Span,
}

impl List {
    /// Every pipeline of the list, left to right.
    pub fn pipelines(&self) -> impl Iterator<Item = &Pipeline> {
        std::iter::once(&self.first).chain(self.rest.iter().map(|(_, pipeline)| pipeline))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// `&&`: run the right side only if the left succeeded.
    And,
    /// `||`: run the right side only if the left failed.
    Or,
}

/// `STAGE | STAGE | ...`: at least one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub stages: Vec<Stage>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    Command(Command),
    Block(Box<Block>),
}

impl Stage {
    pub fn span(&self) -> Span {
        match self {
            Stage::Command(command) => command.span,
            Stage::Block(block) => block.span,
        }
    }
}

/// `[NAME=WORD]... WORD [WORD|REDIRECT]...`
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    /// Prefix assignments: the environment of this command alone.
    pub assigns: Vec<Assign>,
    /// The program and its arguments; never empty.
    pub words: Vec<Word>,
    /// Redirects in source order (they apply left to right).
    pub redirects: Vec<Redirect>,
    pub span: Span,
}

/// `NAME=WORD` before a command.
#[derive(Clone, Debug, PartialEq)]
pub struct Assign {
    pub name: Ident,
    pub value: Word,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Redirect {
    pub op: RedirectOp,
    /// The file (or, for `<<<`, the text); `None` for `2>&1` and `>&2`.
    pub target: Option<Word>,
    pub span: Span,
}

/// The redirects pipe supports. An fd number written before an operator is
/// part of it: `0< f` is [`RedirectOp::In`], as `< f` is; the tree keeps
/// the redirect, not its spelling. Every other fd and form is refused by
/// the parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectOp {
    /// `< f` or `0< f`
    In,
    /// `> f` or `1> f`
    Out,
    /// `>> f` or `1>> f`
    Append,
    /// `2> f`
    Err,
    /// `2>> f`
    ErrAppend,
    /// `&> f`
    All,
    /// `&>> f`
    AllAppend,
    /// `2>&1`
    ErrToOut,
    /// `>&2` or `1>&2`
    OutToErr,
    /// `<<< WORD` or `0<<< WORD`
    HereString,
}

impl RedirectOp {
    /// Whether opening the target empties it.
    pub fn truncates(self) -> bool {
        matches!(self, RedirectOp::Out | RedirectOp::Err | RedirectOp::All)
    }

    /// The operator in its shortest spelling, without an fd number that
    /// only repeats the default: how `fmt`, `graph` and dumps write it.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectOp::In => "<",
            RedirectOp::Out => ">",
            RedirectOp::Append => ">>",
            RedirectOp::Err => "2>",
            RedirectOp::ErrAppend => "2>>",
            RedirectOp::All => "&>",
            RedirectOp::AllAppend => "&>>",
            RedirectOp::ErrToOut => "2>&1",
            RedirectOp::OutToErr => ">&2",
            RedirectOp::HereString => "<<<",
        }
    }
}

/// A run of parts with no space between them, concatenated.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub parts: Vec<WordPart>,
    pub span: Span,
}

impl Word {
    /// Whether the word is `-` and nothing else: `cd -`, which goes to
    /// `$OLDPWD` as in bash.
    pub fn is_dash(&self) -> bool {
        matches!(&self.parts[..], [WordPart::Literal { bytes, .. }] if bytes == b"-")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WordPart {
    /// Literal bytes: a bareword, a `'single quoted'` string, or the text
    /// of a `"double quoted"` one with its escapes already decoded (so
    /// `\xNN` may have produced any byte, including invalid UTF-8).
    Literal {
        bytes: Vec<u8>,
        quoted: bool,
        span: Span,
    },
    /// `$name`, `${name}`, `${name:-default}`, `$1`, `$?`, `$#`, ...
    Var(VarRef),
    /// `$@`: the script's arguments, one argument each.
    Args { span: Span },
    /// `$(...)`: the standard output of the statements, trailing newlines removed.
    Subst { body: Vec<Stmt>, span: Span },
}

#[derive(Clone, Debug, PartialEq)]
pub struct VarRef {
    pub name: VarName,
    /// The `default` of `${name:-default}`.
    pub default: Option<Box<Word>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum VarName {
    /// A script variable or environment variable.
    Named(String),
    /// `$0` (the script's path), `$1`, `$2`, ...
    Positional(usize),
    /// `$?`: the status of the previous statement.
    Status,
    /// `$#`: the number of script arguments.
    Count,
}

/// A block: usable as a statement or as a pipeline stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    /// Redirects written after the block's `}`, in source order: they apply
    /// left to right to the block's own streams, as on a bash compound
    /// command (`{ ...; } > f`).
    pub redirects: Vec<Redirect>,
    /// The whole block, its redirects included.
    pub span: Span,
}

impl Block {
    /// The loop of a `for` or `parallel for` block.
    pub fn for_loop(&self) -> Option<&ForLoop> {
        match &self.kind {
            BlockKind::For(for_loop)
            | BlockKind::Parallel {
                body: ParallelBody::For(for_loop),
                ..
            } => Some(for_loop),
            _ => None,
        }
    }

    /// The words of the block's header that are expanded as it starts:
    /// `max`, the duration, the grace.
    pub fn setting_words(&self) -> Vec<&Word> {
        match &self.kind {
            BlockKind::Parallel { options, .. } => {
                options.max.iter().filter_map(Setting::word).collect()
            }
            BlockKind::Timeout {
                duration, grace, ..
            } => std::iter::once(duration)
                .chain(grace)
                .filter_map(Setting::word)
                .collect(),
            BlockKind::Group(_) | BlockKind::For(_) | BlockKind::Fanout { .. } => Vec::new(),
        }
    }

    /// The statement an `exit` after `&&` or `||`, or a `cd` in a list,
    /// was lowered from: the parser wraps it in a group block with no
    /// braces, spanning just the statement's text.
    pub fn lone_stmt(&self) -> Option<&Stmt> {
        match &self.kind {
            BlockKind::Group(body) => match body.as_slice() {
                [stmt] if stmt.span == self.span && self.redirects.is_empty() => Some(stmt),
                _ => None,
            },
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum BlockKind {
    /// `{ statements }`
    Group(Vec<Stmt>),
    /// `for NAME in LIST { ... }`
    For(ForLoop),
    /// `parallel [max N] [fail-fast] [OUTPUT] { ... }` or `... for NAME in LIST { ... }`
    Parallel {
        options: ParallelOptions,
        body: ParallelBody,
    },
    /// `fanout [OUTPUT] { ... }`
    Fanout {
        output: Option<Spanned<OutputMode>>,
        branches: Vec<Stmt>,
    },
    /// `timeout DURATION [signal SIG] [grace DURATION] { ... }`
    Timeout {
        duration: Setting<Duration>,
        signal: Option<Spanned<i32>>,
        grace: Option<Setting<Duration>>,
        body: Vec<Stmt>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForLoop {
    pub var: Ident,
    pub items: Vec<ListItem>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ListItem {
    /// A word; unquoted `*`, `?` or `[` make it a glob, `$@` spreads, and a
    /// word that is only `$(...)` is split into lines.
    Word(Word),
    /// `A..B`, both ends inclusive, counting down when `A > B`.
    Range {
        from: RangeBound,
        to: RangeBound,
        span: Span,
    },
}

/// A range bound written out: its value, and its text as written (`08`
/// and `-0` are 8 and 0, their text decides the zero padding).
#[derive(Clone, Debug, PartialEq)]
pub struct IntBound {
    pub value: i64,
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RangeBound {
    Int(IntBound),
    Var(VarRef),
    /// `$(...)`, as a word of that one part.
    Subst(Word),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParallelOptions {
    pub max: Option<Setting<usize>>,
    pub fail_fast: Option<Span>,
    pub output: Option<Spanned<OutputMode>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParallelBody {
    /// Each statement is a branch.
    Branches(Vec<Stmt>),
    /// One branch per item.
    For(ForLoop),
}

/// How the branches' stdout reaches the block's stdout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputMode {
    #[default]
    Ordered,
    Unordered,
    Lines,
    Raw,
}

impl OutputMode {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputMode::Ordered => "ordered",
            OutputMode::Unordered => "unordered",
            OutputMode::Lines => "lines",
            OutputMode::Raw => "raw",
        }
    }
}

/// A value with the span it was written at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A block header's value, `max N` or a duration: written out, it is
/// checked as the script is read; a word with an expansion in it (`max
/// $(nproc)`, `timeout ${LIMIT:-5s}`) is expanded and checked when the
/// block starts.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting<T> {
    Fixed(Spanned<T>),
    Expanded(Word),
}

impl<T> Setting<T> {
    pub fn span(&self) -> Span {
        match self {
            Setting::Fixed(fixed) => fixed.span,
            Setting::Expanded(word) => word.span,
        }
    }

    /// The word to expand, if the value is not written out.
    pub fn word(&self) -> Option<&Word> {
        match self {
            Setting::Fixed(_) => None,
            Setting::Expanded(word) => Some(word),
        }
    }
}

/// Calls `visit` on `stmt` and every statement inside it: blocks, and
/// `$(...)` in any word.
pub fn walk_stmt<'a>(stmt: &'a Stmt, visit: &mut dyn FnMut(&'a Stmt)) {
    visit(stmt);
    match &stmt.kind {
        StmtKind::Let { value, .. }
        | StmtKind::Export { value, .. }
        | StmtKind::Secret { value, .. }
        | StmtKind::Cd { dir: Some(value) }
        | StmtKind::Exit {
            status: Some(value),
        } => walk_word(value, visit),
        StmtKind::Cd { dir: None } | StmtKind::Exit { status: None } => {}
        StmtKind::List(list) => {
            for pipeline in list.pipelines() {
                for stage in &pipeline.stages {
                    match stage {
                        Stage::Command(command) => walk_command(command, visit),
                        Stage::Block(block) => walk_block(block, visit),
                    }
                }
            }
        }
    }
}

fn walk_command<'a>(command: &'a Command, visit: &mut dyn FnMut(&'a Stmt)) {
    let words = command.assigns.iter().map(|assign| &assign.value);
    let words = words.chain(&command.words);
    let words = words.chain(command.redirects.iter().filter_map(|r| r.target.as_ref()));
    for word in words {
        walk_word(word, visit);
    }
}

/// Calls `visit` on every statement inside `block`, as [`walk_stmt`], in
/// the order they run: its redirects' targets, its `for` list, its body.
pub fn walk_block<'a>(block: &'a Block, visit: &mut dyn FnMut(&'a Stmt)) {
    for target in block.redirects.iter().filter_map(|r| r.target.as_ref()) {
        walk_word(target, visit);
    }
    for word in block.setting_words() {
        walk_word(word, visit);
    }
    let body = match &block.kind {
        BlockKind::Group(body)
        | BlockKind::Fanout { branches: body, .. }
        | BlockKind::Timeout { body, .. }
        | BlockKind::Parallel {
            body: ParallelBody::Branches(body),
            ..
        } => body,
        BlockKind::For(for_loop)
        | BlockKind::Parallel {
            body: ParallelBody::For(for_loop),
            ..
        } => &for_loop.body,
    };
    if let Some(for_loop) = block.for_loop() {
        for item in &for_loop.items {
            match item {
                ListItem::Word(word) => walk_word(word, visit),
                ListItem::Range { from, to, .. } => {
                    for bound in [from, to] {
                        match bound {
                            RangeBound::Var(var) => {
                                if let Some(default) = &var.default {
                                    walk_word(default, visit);
                                }
                            }
                            RangeBound::Subst(word) => walk_word(word, visit),
                            RangeBound::Int(_) => {}
                        }
                    }
                }
            }
        }
    }
    for stmt in body {
        walk_stmt(stmt, visit);
    }
}

fn walk_word<'a>(word: &'a Word, visit: &mut dyn FnMut(&'a Stmt)) {
    for part in &word.parts {
        match part {
            WordPart::Subst { body, .. } => {
                for stmt in body {
                    walk_stmt(stmt, visit);
                }
            }
            WordPart::Var(var) => {
                if let Some(default) = &var.default {
                    walk_word(default, visit);
                }
            }
            WordPart::Literal { .. } | WordPart::Args { .. } => {}
        }
    }
}
