//! A compact, deterministic dump of the tree: one node per line, indented
//! two spaces per level, spans as `start..end`.
//!
//! Tests compare dumps, and `pipe fmt` compares [`dump_without_spans`]
//! before and after formatting to check that the meaning is unchanged. A
//! statement that is a single command or block is shown as that stage
//! alone; a list or pipeline of one element adds nothing.

use std::fmt::Write as _;

use super::ast::{
    Block, BlockKind, Command, Connector, ForLoop, List, ListItem, ParallelBody, Pipeline,
    RangeBound, Redirect, Script, Setting, Span, Stage, Stmt, StmtKind, VarName, VarRef, Word,
    WordPart,
};

/// The dump of a script, with spans.
pub fn dump(script: &Script) -> String {
    Dumper::new(true).script(script)
}

/// The dump of a script without spans: equal for scripts that mean the same.
/// Comments are left out too.
pub fn dump_without_spans(script: &Script) -> String {
    Dumper::new(false).script(script)
}

struct Dumper {
    spans: bool,
    out: String,
}

impl Dumper {
    fn new(spans: bool) -> Dumper {
        Dumper {
            spans,
            out: String::new(),
        }
    }

    /// ` start..end`, or nothing without spans.
    fn span(&self, span: Span) -> String {
        if self.spans {
            format!(" {}..{}", span.start, span.end)
        } else {
            String::new()
        }
    }

    /// `@start..end` for inline values, or nothing without spans.
    fn at(&self, span: Span) -> String {
        if self.spans {
            format!("@{}..{}", span.start, span.end)
        } else {
            String::new()
        }
    }

    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn script(mut self, script: &Script) -> String {
        let head = format!("script{}", self.span(script.span));
        self.line(0, &head);
        self.stmts(1, &script.body);
        if self.spans {
            for comment in &script.comments {
                let text = format!("comment{} {:?}", self.span(comment.span), comment.text);
                self.line(1, &text);
            }
        }
        self.out
    }

    fn stmts(&mut self, depth: usize, stmts: &[Stmt]) {
        for stmt in stmts {
            self.stmt(depth, stmt);
        }
    }

    fn stmt(&mut self, depth: usize, stmt: &Stmt) {
        let span = self.span(stmt.span);
        match &stmt.kind {
            StmtKind::Let { name, value }
            | StmtKind::Export { name, value }
            | StmtKind::Secret { name, value } => {
                let keyword = match &stmt.kind {
                    StmtKind::Let { .. } => "let",
                    StmtKind::Export { .. } => "export",
                    _ => "secret",
                };
                let text = format!("{keyword}{span} {}{}", name.name, self.at(name.span));
                self.line(depth, &text);
                self.word(depth + 1, value);
            }
            StmtKind::Cd { dir } => {
                self.line(depth, &format!("cd{span}"));
                if let Some(dir) = dir {
                    self.word(depth + 1, dir);
                }
            }
            StmtKind::Exit { status } => {
                self.line(depth, &format!("exit{span}"));
                if let Some(status) = status {
                    self.word(depth + 1, status);
                }
            }
            StmtKind::List(list) => self.list(depth, list),
        }
    }

    fn list(&mut self, depth: usize, list: &List) {
        if list.rest.is_empty() {
            return self.pipeline(depth, &list.first);
        }
        let text = format!("list{}", self.span(list.span));
        self.line(depth, &text);
        self.pipeline(depth + 1, &list.first);
        for (connector, pipeline) in &list.rest {
            let op = match connector {
                Connector::And => "&&",
                Connector::Or => "||",
            };
            self.line(depth + 1, op);
            self.pipeline(depth + 1, pipeline);
        }
    }

    fn pipeline(&mut self, depth: usize, pipeline: &Pipeline) {
        if let [stage] = pipeline.stages.as_slice() {
            return self.stage(depth, stage);
        }
        let text = format!("pipeline{}", self.span(pipeline.span));
        self.line(depth, &text);
        for stage in &pipeline.stages {
            self.stage(depth + 1, stage);
        }
    }

    fn stage(&mut self, depth: usize, stage: &Stage) {
        match stage {
            Stage::Command(command) => self.command(depth, command),
            Stage::Block(block) => self.block(depth, block),
        }
    }

    fn command(&mut self, depth: usize, command: &Command) {
        let text = format!("cmd{}", self.span(command.span));
        self.line(depth, &text);
        for assign in &command.assigns {
            let text = format!(
                "assign{} {}{}",
                self.span(assign.span),
                assign.name.name,
                self.at(assign.name.span)
            );
            self.line(depth + 1, &text);
            self.word(depth + 2, &assign.value);
        }
        for word in &command.words {
            self.word(depth + 1, word);
        }
        for redirect in &command.redirects {
            self.redirect(depth + 1, redirect);
        }
    }

    fn redirect(&mut self, depth: usize, redirect: &Redirect) {
        let text = format!(
            "redirect{} {}",
            self.span(redirect.span),
            redirect.op.as_str()
        );
        self.line(depth, &text);
        if let Some(target) = &redirect.target {
            self.word(depth + 1, target);
        }
    }

    /// A block: its header on one line, then its body and its redirects,
    /// one level deeper.
    fn block(&mut self, depth: usize, block: &Block) {
        self.block_kind(depth, block);
        for redirect in &block.redirects {
            self.redirect(depth + 1, redirect);
        }
    }

    fn block_kind(&mut self, depth: usize, block: &Block) {
        let span = self.span(block.span);
        match &block.kind {
            BlockKind::Group(body) => {
                self.line(depth, &format!("group{span}"));
                self.stmts(depth + 1, body);
            }
            BlockKind::For(for_loop) => self.for_loop(depth, for_loop),
            BlockKind::Parallel { options, body } => {
                let mut text = format!("parallel{span}");
                if let Some(max) = &options.max {
                    let value = self.setting(max, |max| max.to_string());
                    let _ = write!(text, " max={value}{}", self.at(max.span()));
                }
                if let Some(fail_fast) = options.fail_fast {
                    let _ = write!(text, " fail-fast{}", self.at(fail_fast));
                }
                if let Some(output) = &options.output {
                    let _ = write!(text, " {}{}", output.value.as_str(), self.at(output.span));
                }
                self.line(depth, &text);
                self.setting_words(depth + 1, block);
                match body {
                    ParallelBody::Branches(branches) => self.stmts(depth + 1, branches),
                    ParallelBody::For(for_loop) => self.for_loop(depth + 1, for_loop),
                }
            }
            BlockKind::Fanout { output, branches } => {
                let mut text = format!("fanout{span}");
                if let Some(output) = output {
                    let _ = write!(text, " {}{}", output.value.as_str(), self.at(output.span));
                }
                self.line(depth, &text);
                self.stmts(depth + 1, branches);
            }
            BlockKind::Timeout {
                duration,
                signal,
                grace,
                body,
            } => {
                let mut text = format!(
                    "timeout{span} {}{}",
                    self.setting(duration, |duration| format!("{duration:?}")),
                    self.at(duration.span())
                );
                if let Some(signal) = signal {
                    let _ = write!(text, " signal={}{}", signal.value, self.at(signal.span));
                }
                if let Some(grace) = grace {
                    let value = self.setting(grace, |grace| format!("{grace:?}"));
                    let _ = write!(text, " grace={value}{}", self.at(grace.span()));
                }
                self.line(depth, &text);
                self.setting_words(depth + 1, block);
                self.stmts(depth + 1, body);
            }
        }
    }

    fn for_loop(&mut self, depth: usize, for_loop: &ForLoop) {
        let text = format!(
            "for{} {}{}",
            self.span(for_loop.span),
            for_loop.var.name,
            self.at(for_loop.var.span)
        );
        self.line(depth, &text);
        for item in &for_loop.items {
            match item {
                ListItem::Word(word) => self.word(depth + 1, word),
                ListItem::Range { from, to, span } => {
                    let text = format!(
                        "range{} {} {}",
                        self.span(*span),
                        self.bound(from),
                        self.bound(to)
                    );
                    self.line(depth + 1, &text);
                }
            }
        }
        self.line(depth + 1, "do");
        self.stmts(depth + 2, &for_loop.body);
    }

    /// A header's value: as checked when written out, `word` when it is
    /// expanded as the block starts (the word follows, see `setting_words`).
    fn setting<T>(&self, setting: &Setting<T>, show: impl Fn(&T) -> String) -> String {
        match setting {
            Setting::Fixed(fixed) => show(&fixed.value),
            Setting::Expanded(_) => "word".to_owned(),
        }
    }

    fn setting_words(&mut self, depth: usize, block: &Block) {
        for word in block.setting_words() {
            self.word(depth, word);
        }
    }

    fn bound(&self, bound: &RangeBound) -> String {
        match bound {
            RangeBound::Int(int) => format!("{}{}", int.value, self.at(int.span)),
            RangeBound::Var(var) => self.var(var, &mut Vec::new()),
            RangeBound::Subst(word) => format!("$(...){}", self.at(word.span)),
        }
    }

    /// A word on one line, its parts inline; the bodies of its
    /// substitutions follow on deeper lines.
    fn word(&mut self, depth: usize, word: &Word) {
        let mut substs = Vec::new();
        let parts = self.parts(word, word.span, &mut substs);
        let text = format!("word{}{parts}", self.span(word.span));
        self.line(depth, &text);
        for (span, body) in substs {
            let text = format!("subst{}", self.span(span));
            self.line(depth + 1, &text);
            self.stmts(depth + 2, body);
        }
    }

    /// The inline text of a word's parts; substitutions are collected into
    /// `substs` to be shown after the line.
    /// A part whose span is the whole word's (`outer`) does not repeat it.
    fn parts<'a>(
        &self,
        word: &'a Word,
        outer: Span,
        substs: &mut Vec<(Span, &'a [Stmt])>,
    ) -> String {
        let mut text = String::new();
        for part in &word.parts {
            let at = |span: Span| {
                if span == outer {
                    String::new()
                } else {
                    self.at(span)
                }
            };
            text.push(' ');
            match part {
                WordPart::Literal {
                    bytes,
                    quoted,
                    span,
                } => {
                    let prefix = if *quoted { "q" } else { "" };
                    let _ = write!(text, "{prefix}\"{}\"{}", escape(bytes), at(*span));
                }
                WordPart::Var(var) => {
                    let var_text = self.var(var, substs);
                    match var_text.strip_suffix(&self.at(outer)) {
                        Some(short) if var.span == outer && self.spans => text.push_str(short),
                        _ => text.push_str(&var_text),
                    }
                }
                WordPart::Args { span } => {
                    let _ = write!(text, "$@{}", at(*span));
                }
                WordPart::Subst { body, span } => {
                    let _ = write!(text, "$(#{}){}", substs.len() + 1, at(*span));
                    substs.push((*span, body));
                }
            }
        }
        text
    }

    fn var<'a>(&self, var: &'a VarRef, substs: &mut Vec<(Span, &'a [Stmt])>) -> String {
        let name = match &var.name {
            VarName::Named(name) => name.clone(),
            VarName::Positional(n) => n.to_string(),
            VarName::Status => "?".to_string(),
            VarName::Count => "#".to_string(),
        };
        match &var.default {
            None => format!("${name}{}", self.at(var.span)),
            Some(default) => {
                let parts = self.parts(default, default.span, substs);
                format!(
                    "${{{name}:-[{}]{}}}{}",
                    parts.trim_start(),
                    self.at(default.span),
                    self.at(var.span)
                )
            }
        }
    }
}

/// Bytes as a Rust-like string body: printable UTF-8 as is, the rest escaped.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out
}
