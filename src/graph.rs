//! `pipe graph`: a script's process network as Graphviz DOT.
//!
//! The graph is read off the syntax tree alone: nothing runs and nothing is
//! expanded, so a `for` body is drawn once whatever its list holds, and a
//! redirect's file is named as written (`$work/out`). What it shows:
//!
//! - every command is a box labelled with its source text (whitespace
//!   collapsed, shortened with `…` past [`MAX_LABEL`] characters); the text
//!   of a redirect to or from a file is left out of the box, as that
//!   redirect is drawn as a file node (`shape=note`) with an edge labelled
//!   by its operator (`<`, `>`, `2>>`, `<<<`, ...). `2>&1` and `>&2` name
//!   no file and stay in the label;
//! - each `|` is a solid edge from every command that writes the stage's
//!   stdout into every command that reads the next stage's stdin: in a
//!   `{ }`, `for` or `timeout` stage, and across `&&` and `||`, every
//!   statement reads and writes the block's streams, so `{ echo a; echo
//!   b } | sort` has an edge from each `echo`. A stage whose redirects
//!   take its stdin, or its stdout and stderr, off the pipe has no edge on
//!   that side (`echo a > f | cat`: `cat` reads nothing; `make 2>&1 > log |
//!   tee` still sends stderr). A `fanout` stage gets one edge, labelled
//!   `copy`, into each branch. A `parallel` stage's branches read
//!   `/dev/null`, so its input edge stops at the block's border;
//! - `parallel`, `fanout`, `timeout`, `for` and `{ }` blocks are clusters
//!   labelled with their header as written (`parallel max 4 lines`,
//!   `timeout 2s`, `for f in *.txt`), nested as in the script. A block's
//!   redirects are drawn as a command's are, their files joined to the
//!   cluster's border, and its `2>&1` and `>&2` end its label;
//! - statements that run one after the other are joined by dashed edges
//!   labelled `then`, `&&` or `||`. Branches of `parallel` and `fanout`
//!   run at once and are not joined;
//! - each `$(...)` is a dotted cluster of its own statements, with a dotted
//!   edge to the node whose word holds it (or to the `for` block whose
//!   list holds it);
//! - `let`, `export`, `secret`, `cd` and `exit` are small plaintext nodes
//!   in their place in the order: they change what later commands see, and
//!   a `let x = $(...)` is where a substitution's output goes.
//!
//! Secrets: a `secret NAME = WORD` node reads `secret NAME = ***`. The
//! commands of a `$(...)` in its value are drawn (they are code, as `-x`
//! traces them); the value itself never is. When the value, or the default
//! of a `${x:-default}` that is the whole value, is plain literal text,
//! that text is replaced by `***` in every label of the graph, wherever it
//! appears; so is such a value that `let`, `export`, a prefix assignment
//! or a `for` item gives a secret's name, as the run keeps it secret too.
//! Every label passes through one function, `Graph::label`, which does
//! that.
//!
//! Output is deterministic: node ids (`n0`, `n1`, ...) and cluster ids
//! (`cluster_0`, ...) are numbered in the order the tree is walked, and
//! every edge is written after the nodes, in the order it was made.

use std::fmt::Write as _;

use crate::syntax::ast::{
    Block, BlockKind, Command, Connector, ForLoop, Ident, List, ListItem, ParallelBody, Pipeline,
    RangeBound, Redirect, RedirectOp, Script, Setting, Span, Stage, Stmt, StmtKind, Word, WordPart,
};

/// Whether a stage with these redirects reads the `|` into it, and writes
/// into the `|` out of it (by its stdout, or its stderr after `2>&1`): `cmd
/// > f | wc` gives `wc` nothing, and `cmd 2>&1 > f | wc` gives it stderr.
fn pipe_use(redirects: &[Redirect]) -> (bool, bool) {
    let (mut reads, mut out, mut err) = (true, true, false);
    for redirect in redirects {
        match redirect.op {
            RedirectOp::In | RedirectOp::HereString => reads = false,
            RedirectOp::Out | RedirectOp::Append => out = false,
            RedirectOp::Err | RedirectOp::ErrAppend => err = false,
            RedirectOp::All | RedirectOp::AllAppend => (out, err) = (false, false),
            RedirectOp::ErrToOut => err = out,
            RedirectOp::OutToErr => out = err,
        }
    }
    (reads, out || err)
}

/// Labels longer than this many characters are cut, ending in `…`.
pub const MAX_LABEL: usize = 48;

/// The script's process network as Graphviz DOT.
pub fn graph(script: &Script, source: &str, name: &str) -> String {
    let mut secrets = Vec::new();
    collect_secrets(&script.body, source, &mut secrets);
    // Longer secrets first, so that one containing another is hidden whole.
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    secrets.dedup();
    let mut graph = Graph {
        source,
        secrets,
        out: String::new(),
        edges: Vec::new(),
        nodes: 0,
        clusters: 0,
        depth: 1,
    };
    graph.body(&script.body);
    graph.finish(name)
}

/// Where an edge starts or ends: a node, or the border of the cluster that
/// holds it (Graphviz's `ltail`/`lhead`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Port {
    node: usize,
    cluster: Option<usize>,
}

impl Port {
    fn node(node: usize) -> Port {
        Port {
            node,
            cluster: None,
        }
    }
}

/// How a drawn piece of the script connects to the rest.
#[derive(Clone, Debug)]
struct Ends {
    /// Where a `|` into this piece arrives; empty for `let` and the like.
    inputs: Vec<Port>,
    /// Where a `|` out of this piece leaves; empty for `let` and the like.
    outputs: Vec<Port>,
    /// Where the dashed edge from the previous statement arrives.
    enter: Port,
    /// Where the dashed edge to the next statement leaves.
    leave: Port,
}

impl Ends {
    fn single(port: Port) -> Ends {
        Ends {
            inputs: vec![port],
            outputs: vec![port],
            enter: port,
            leave: port,
        }
    }

    /// A statement that runs nothing and touches no pipe.
    fn quiet(port: Port) -> Ends {
        Ends {
            inputs: Vec::new(),
            outputs: Vec::new(),
            enter: port,
            leave: port,
        }
    }

    /// Where a pipe arrives, falling back to the border for a piece that
    /// holds no command.
    fn pipe_inputs(&self) -> Vec<Port> {
        if self.inputs.is_empty() {
            vec![self.enter]
        } else {
            self.inputs.clone()
        }
    }

    fn pipe_outputs(&self) -> Vec<Port> {
        if self.outputs.is_empty() {
            vec![self.leave]
        } else {
            self.outputs.clone()
        }
    }
}

/// The kinds of edge, each with its own look.
#[derive(Clone, Copy)]
enum EdgeKind {
    /// `|`, optionally labelled (`copy` into a `fanout`).
    Pipe(Option<&'static str>),
    /// One statement after another: `then`, `&&` or `||`.
    Then(&'static str),
    /// A redirect, labelled by its operator.
    Redirect(&'static str),
    /// A `$(...)`'s output to where it is used.
    Subst,
}

struct Graph<'a> {
    source: &'a str,
    /// Texts to show as `***`, longest first.
    secrets: Vec<String>,
    /// Nodes and clusters, written as the tree is walked.
    out: String,
    /// Edges, written after every node.
    edges: Vec<String>,
    nodes: usize,
    clusters: usize,
    /// The indentation of the next line of `out`.
    depth: usize,
}

impl Graph<'_> {
    fn finish(self, name: &str) -> String {
        let mut dot = String::new();
        let _ = writeln!(dot, "digraph {} {{", self.label(name));
        let _ = writeln!(
            dot,
            "  graph [compound=true, label={}, labelloc=t, fontname=\"Helvetica\", fontsize=12, nodesep=0.3, ranksep=0.35];",
            self.label(name)
        );
        dot.push_str(
            "  node [shape=box, style=rounded, fontname=\"Courier\", fontsize=11, height=0.3];\n",
        );
        dot.push_str("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
        dot.push_str(&self.out);
        for edge in &self.edges {
            let _ = writeln!(dot, "  {edge}");
        }
        dot.push_str("}\n");
        dot
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A new node labelled `text` (a label, not yet quoted) with `attrs`.
    fn node(&mut self, text: &str, attrs: &str) -> usize {
        let id = self.nodes;
        self.nodes += 1;
        let label = self.label(text);
        let sep = if attrs.is_empty() { "" } else { ", " };
        self.line(&format!("n{id} [label={label}{sep}{attrs}];"));
        id
    }

    fn edge(&mut self, from: Port, to: Port, kind: EdgeKind) {
        let mut attrs: Vec<String> = Vec::new();
        // Labels start with two spaces so that they do not touch the line.
        let label = |text: &str| format!("label={}", quote(&format!("  {text}")));
        match kind {
            EdgeKind::Pipe(text) => {
                attrs.push("penwidth=1.4, weight=4".into());
                attrs.extend(text.map(label));
            }
            EdgeKind::Then(text) => {
                attrs.push(label(text));
                // Heavy, so that the order of statements reads as one
                // straight spine, with redirected files off to its side.
                attrs.push("style=dashed, color=gray50, weight=4".into());
                // `&&` and `||` decide what runs: darker than `then`.
                let color = if text == "then" { "gray45" } else { "black" };
                attrs.push(format!("fontcolor={color}"));
            }
            EdgeKind::Redirect(op) => {
                attrs.push(label(op));
                attrs.push("color=gray40".into());
            }
            EdgeKind::Subst => attrs.push("style=dotted, arrowhead=open".into()),
        }
        if let Some(cluster) = from.cluster {
            attrs.push(format!("ltail=cluster_{cluster}"));
        }
        if let Some(cluster) = to.cluster {
            attrs.push(format!("lhead=cluster_{cluster}"));
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        self.edges
            .push(format!("n{} -> n{}{attrs};", from.node, to.node));
    }

    /// Opens a cluster; returns its id and the id its first node will have.
    fn open(&mut self, label: &str, attrs: &str) -> (usize, usize) {
        let id = self.clusters;
        self.clusters += 1;
        self.line(&format!("subgraph cluster_{id} {{"));
        self.depth += 1;
        let label = self.label(label);
        self.line(&format!("label={label}; {attrs}"));
        (id, self.nodes)
    }

    /// Closes cluster `id`, drawing a placeholder if nothing was drawn in it
    /// (Graphviz leaves out empty clusters). Returns the ports of its
    /// border, at its first and last nodes: the last one drawn is the
    /// lowest in the layout, so the next statement goes below the block.
    fn close(&mut self, (id, first): (usize, usize)) -> (Port, Port) {
        if self.nodes == first {
            self.node("(empty)", "shape=plaintext, fontsize=9");
        }
        self.depth -= 1;
        self.line("}");
        let port = |node| Port {
            node,
            cluster: Some(id),
        };
        (port(first), port(self.nodes - 1))
    }

    /// Statements in order, joined by `then` edges. `None` when empty.
    fn body(&mut self, stmts: &[Stmt]) -> Option<Ends> {
        let mut whole: Option<Ends> = None;
        for stmt in stmts {
            let ends = self.stmt(stmt);
            whole = Some(match whole {
                None => ends,
                Some(mut whole) => {
                    self.edge(whole.leave, ends.enter, EdgeKind::Then("then"));
                    // Every statement of a block reads the block's stdin
                    // and writes its stdout, not just the first and last.
                    whole.inputs.extend(ends.inputs);
                    whole.outputs.extend(ends.outputs);
                    whole.leave = ends.leave;
                    whole
                }
            });
        }
        whole
    }

    /// Statements that run at once: no edges between them. Each one's
    /// ends, in order.
    fn branches(&mut self, stmts: &[Stmt]) -> Vec<Ends> {
        stmts.iter().map(|stmt| self.stmt(stmt)).collect()
    }

    fn stmt(&mut self, stmt: &Stmt) -> Ends {
        let plain = "shape=plaintext, fontsize=10";
        match &stmt.kind {
            StmtKind::Let { value, .. } | StmtKind::Export { value, .. } => {
                let node = self.node(&self.text(stmt.span), plain);
                self.substs_into(value, Port::node(node));
                Ends::quiet(Port::node(node))
            }
            StmtKind::Secret { name, value } => {
                let node = self.node(&format!("secret {} = ***", name.name), plain);
                self.substs_into(value, Port::node(node));
                Ends::quiet(Port::node(node))
            }
            StmtKind::Cd { dir: Some(word) }
            | StmtKind::Exit {
                status: Some(word), ..
            } => {
                let node = self.node(&self.text(stmt.span), plain);
                self.substs_into(word, Port::node(node));
                Ends::quiet(Port::node(node))
            }
            StmtKind::Cd { dir: None } | StmtKind::Exit { status: None } => {
                let node = self.node(&self.text(stmt.span), plain);
                Ends::quiet(Port::node(node))
            }
            StmtKind::List(list) => self.list(list),
        }
    }

    fn list(&mut self, list: &List) -> Ends {
        let mut whole = self.pipeline(&list.first);
        for (connector, pipeline) in &list.rest {
            let ends = self.pipeline(pipeline);
            let op = match connector {
                Connector::And => "&&",
                Connector::Or => "||",
            };
            self.edge(whole.leave, ends.enter, EdgeKind::Then(op));
            // Each pipeline of `a && b` reads and writes the same streams.
            whole.inputs.extend(ends.inputs);
            whole.outputs.extend(ends.outputs);
            whole.leave = ends.leave;
        }
        whole
    }

    fn pipeline(&mut self, pipeline: &Pipeline) -> Ends {
        let mut whole: Option<Ends> = None;
        // Whether the stage before writes into the `|` after it.
        let mut writes = true;
        for stage in &pipeline.stages {
            let (ends, label, redirects) = match stage {
                Stage::Command(command) => (self.command(command), None, &command.redirects),
                Stage::Block(block) => {
                    let label = matches!(block.kind, BlockKind::Fanout { .. }).then_some("copy");
                    (self.block(block), label, &block.redirects)
                }
            };
            let (reads, stage_writes) = pipe_use(redirects);
            whole = Some(match whole {
                None => ends,
                Some(mut whole) => {
                    if writes && reads {
                        self.pipe(&whole.pipe_outputs(), &ends.pipe_inputs(), label);
                    }
                    whole.outputs = ends.outputs;
                    whole.leave = ends.leave;
                    whole
                }
            });
            writes = stage_writes;
        }
        // The grammar makes a pipeline of at least one stage.
        whole.unwrap_or_else(|| Ends::quiet(Port::node(self.node("(empty)", "shape=plaintext"))))
    }

    /// The edges of one `|`. Many writers into many readers meet at a
    /// junction point rather than in a full mesh.
    fn pipe(&mut self, from: &[Port], to: &[Port], label: Option<&'static str>) {
        if from.len() > 1 && to.len() > 1 {
            let junction = Port::node(self.node("", "shape=point, width=0.08"));
            for &tail in from {
                self.edge(tail, junction, EdgeKind::Pipe(None));
            }
            for &head in to {
                self.edge(junction, head, EdgeKind::Pipe(label));
            }
            return;
        }
        for &tail in from {
            for &head in to {
                self.edge(tail, head, EdgeKind::Pipe(label));
            }
        }
    }

    fn command(&mut self, command: &Command) -> Ends {
        let label = self.command_text(command);
        let node = Port::node(self.node(&label, ""));
        for assign in &command.assigns {
            self.substs_into(&assign.value, node);
        }
        for word in &command.words {
            self.substs_into(word, node);
        }
        for redirect in &command.redirects {
            self.redirect(redirect, node, node);
        }
        Ends::single(node)
    }

    /// A command's source text without its redirects to or from files,
    /// which are drawn as nodes of their own.
    fn command_text(&self, command: &Command) -> String {
        let mut text = String::new();
        let mut at = command.span.start;
        for redirect in &command.redirects {
            if redirect.target.is_some() && redirect.span.start >= at {
                text.push_str(&self.source[at..redirect.span.start]);
                text.push(' ');
                at = redirect.span.end;
            }
        }
        text.push_str(&self.source[at..command.span.end.max(at)]);
        text
    }

    /// A redirect to or from a file: a file node, with an edge into
    /// `input` or out of `output` (a command, or a block's border).
    fn redirect(&mut self, redirect: &Redirect, input: Port, output: Port) {
        let Some(target) = &redirect.target else {
            return;
        };
        let file = Port::node(self.node(
            &self.text(target.span),
            "shape=note, style=\"\", fontsize=9",
        ));
        self.substs_into(target, file);
        let op = EdgeKind::Redirect(redirect.op.as_str());
        match redirect.op {
            RedirectOp::In | RedirectOp::HereString => self.edge(file, input, op),
            RedirectOp::Out
            | RedirectOp::Append
            | RedirectOp::Err
            | RedirectOp::ErrAppend
            | RedirectOp::All
            | RedirectOp::AllAppend
            | RedirectOp::ErrToOut
            | RedirectOp::OutToErr => self.edge(output, file, op),
        }
    }

    /// Draws the `$(...)` of a word, each with a dotted edge into `to`.
    fn substs_into(&mut self, word: &Word, to: Port) {
        for from in self.substs(word) {
            self.edge(from, to, EdgeKind::Subst);
        }
    }

    /// Draws the `$(...)` of a word (in `${x:-default}` defaults too), each
    /// as a dotted cluster; returns their borders.
    fn substs(&mut self, word: &Word) -> Vec<Port> {
        let mut ports = Vec::new();
        for part in &word.parts {
            match part {
                WordPart::Subst { body, .. } => {
                    let cluster = self.open(
                        "$(…)",
                        "style=\"rounded,dotted\"; color=gray40; fontcolor=black;",
                    );
                    self.body(body);
                    let (_, leave) = self.close(cluster);
                    ports.push(leave);
                }
                WordPart::Var(var) => {
                    if let Some(default) = &var.default {
                        ports.extend(self.substs(default));
                    }
                }
                WordPart::Literal { .. } | WordPart::Args { .. } => {}
            }
        }
        ports
    }

    /// A block's cluster, then its redirects' files, joined to its border.
    fn block(&mut self, block: &Block) -> Ends {
        // `2>&1` and `>&2` name no file: they end the cluster's label, as
        // they stay in a command's.
        let dups: String = block
            .redirects
            .iter()
            .filter(|redirect| redirect.target.is_none())
            .map(|redirect| format!(" {}", redirect.op.as_str()))
            .collect();
        // A `max $(nproc)` or `timeout $(cat limit)` runs as the block
        // starts: its processes are drawn before the block, as a `for`
        // list's are.
        let mut settings = Vec::new();
        for word in block.setting_words() {
            settings.extend(self.substs(word));
        }
        let ends = self.block_kind(block, &dups);
        for from in settings {
            self.edge(from, ends.enter, EdgeKind::Subst);
        }
        for redirect in &block.redirects {
            self.redirect(redirect, ends.enter, ends.leave);
        }
        ends
    }

    /// A block's cluster, labelled with its header and then `dups`.
    fn block_kind(&mut self, block: &Block, dups: &str) -> Ends {
        match &block.kind {
            BlockKind::Group(body) => {
                // `check || exit 1` and `cd dir && make` are lowered to a
                // block holding just the `exit` or `cd`: draw only that.
                if let Some(stmt) = block.lone_stmt() {
                    return self.stmt(stmt);
                }
                let cluster = self.open(
                    &format!("{{ }}{dups}"),
                    "style=rounded; color=gray60; fontcolor=black;",
                );
                let inner = self.body(body);
                self.sequential(cluster, inner)
            }
            BlockKind::For(for_loop) => {
                let header = self.for_header(for_loop) + dups;
                let substs = self.list_substs(for_loop);
                let cluster = self.open(&header, "style=rounded; color=gray45; fontcolor=black;");
                let inner = self.body(&for_loop.body);
                let ends = self.sequential(cluster, inner);
                for from in substs {
                    self.edge(from, ends.enter, EdgeKind::Subst);
                }
                ends
            }
            BlockKind::Parallel { options, body } => {
                let mut end = block.span.start + "parallel".len();
                for span in [
                    options.max.as_ref().map(Setting::span),
                    options.fail_fast,
                    options.output.map(|output| output.span),
                ]
                .into_iter()
                .flatten()
                {
                    end = end.max(span.end);
                }
                let mut header = self.text(Span::new(block.span.start, end));
                let attrs = "style=\"rounded,bold\"; color=\"#1f5fa8\"; fontcolor=\"#1f5fa8\";";
                match body {
                    ParallelBody::Branches(branches) => {
                        header.push_str(dups);
                        let cluster = self.open(&header, attrs);
                        let inner = self.branches(branches);
                        self.concurrent(cluster, inner, false)
                    }
                    ParallelBody::For(for_loop) => {
                        header.push(' ');
                        header.push_str(&self.for_header(for_loop));
                        header.push_str(dups);
                        let substs = self.list_substs(for_loop);
                        let cluster = self.open(&header, attrs);
                        let inner = self.body(&for_loop.body);
                        let (enter, leave) = self.close(cluster);
                        let outputs = inner.map(|ends| ends.outputs).unwrap_or_default();
                        for from in substs {
                            self.edge(from, enter, EdgeKind::Subst);
                        }
                        // Branches read /dev/null: a pipe in stops at the border.
                        Ends {
                            inputs: vec![enter],
                            outputs,
                            enter,
                            leave,
                        }
                    }
                }
            }
            BlockKind::Fanout { output, branches } => {
                let end =
                    output.map_or(block.span.start + "fanout".len(), |output| output.span.end);
                let header = self.text(Span::new(block.span.start, end)) + dups;
                let cluster = self.open(
                    &header,
                    "style=\"rounded,bold\"; color=\"#2a7f3a\"; fontcolor=\"#2a7f3a\";",
                );
                let inner = self.branches(branches);
                self.concurrent(cluster, inner, true)
            }
            BlockKind::Timeout {
                duration,
                signal,
                grace,
                body,
            } => {
                let end = [
                    Some(duration.span()),
                    signal.map(|s| s.span),
                    grace.as_ref().map(Setting::span),
                ]
                .into_iter()
                .flatten()
                .map(|span| span.end)
                .max()
                .unwrap_or(duration.span().end);
                let header = self.text(Span::new(block.span.start, end)) + dups;
                let cluster = self.open(
                    &header,
                    "style=\"rounded,dashed\"; color=\"#b03030\"; fontcolor=\"#b03030\";",
                );
                let inner = self.body(body);
                self.sequential(cluster, inner)
            }
        }
    }

    /// Closes a block whose statements run in order: pipes go into its
    /// first command and out of its last.
    fn sequential(&mut self, cluster: (usize, usize), inner: Option<Ends>) -> Ends {
        let (enter, leave) = self.close(cluster);
        let (inputs, outputs) =
            inner.map_or((Vec::new(), Vec::new()), |ends| (ends.inputs, ends.outputs));
        Ends {
            inputs,
            outputs,
            enter,
            leave,
        }
    }

    /// Closes a block whose branches run at once: pipes go out of every
    /// branch, and into every branch for a `fanout` (`copies`), or only to
    /// the border for a `parallel`, whose branches read /dev/null.
    fn concurrent(&mut self, cluster: (usize, usize), branches: Vec<Ends>, copies: bool) -> Ends {
        let (enter, leave) = self.close(cluster);
        let inputs = if copies {
            branches.iter().flat_map(Ends::pipe_inputs).collect()
        } else {
            vec![enter]
        };
        let outputs = branches.iter().flat_map(|b| b.outputs.clone()).collect();
        Ends {
            inputs,
            outputs,
            enter,
            leave,
        }
    }

    /// `for NAME in ITEMS`, as written.
    fn for_header(&self, for_loop: &ForLoop) -> String {
        let end = for_loop
            .items
            .iter()
            .map(|item| match item {
                ListItem::Word(word) => word.span.end,
                ListItem::Range { span, .. } => span.end,
            })
            .max()
            .unwrap_or(for_loop.var.span.end);
        self.text(Span::new(for_loop.span.start, end))
    }

    /// Draws the `$(...)` of a `for` list, before the loop's cluster.
    fn list_substs(&mut self, for_loop: &ForLoop) -> Vec<Port> {
        let mut ports = Vec::new();
        for item in &for_loop.items {
            match item {
                ListItem::Word(word) => ports.extend(self.substs(word)),
                ListItem::Range { from, to, .. } => {
                    for bound in [from, to] {
                        match bound {
                            RangeBound::Var(var) => {
                                if let Some(default) = &var.default {
                                    ports.extend(self.substs(default));
                                }
                            }
                            RangeBound::Subst(word) => ports.extend(self.substs(word)),
                            RangeBound::Int(_) => {}
                        }
                    }
                }
            }
        }
        ports
    }

    /// The source text at `span`.
    fn text(&self, span: Span) -> String {
        self.source
            .get(span.start..span.end)
            .unwrap_or_default()
            .to_string()
    }

    /// `text` as a quoted DOT label: secrets hidden, whitespace collapsed,
    /// shortened, escaped. Every label goes through here.
    fn label(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "***");
        }
        quote(&shorten(&collapse(&text)))
    }
}

/// `\`-newlines removed, as the parser removes them (so a word they join
/// stays whole), then whitespace runs as one space; control characters,
/// which SVG cannot hold, as `�`.
fn collapse(text: &str) -> String {
    let text = text.replace("\\\r\n", "").replace("\\\n", "");
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(
            word.chars()
                .map(|c| if c.is_control() { '\u{fffd}' } else { c }),
        );
    }
    out
}

/// At most [`MAX_LABEL`] characters, the last one `…` if cut.
fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_LABEL {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_LABEL - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// A DOT quoted string. Besides `"` and `\`, an `&` that would start an
/// HTML entity (`&lt;`), which Graphviz decodes in labels, is escaped.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for (i, c) in text.char_indices() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' if starts_entity(&text[i + 1..]) => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `rest` (after an `&`) reads as an entity: `#?[A-Za-z0-9]+;`.
fn starts_entity(rest: &str) -> bool {
    let name = rest.strip_prefix('#').unwrap_or(rest);
    let len = name.chars().take_while(char::is_ascii_alphanumeric).count();
    len > 0 && name[len..].starts_with(';')
}

/// The texts to hide: every `secret` whose value is plain literal text,
/// anywhere in the script, as decoded and as written, and every such
/// value given to a secret's name by `let`, `export`, a prefix
/// assignment or a `for` item, which the run keeps secret too.
fn collect_secrets(stmts: &[Stmt], source: &str, out: &mut Vec<String>) {
    let mut names = Vec::new();
    for stmt in stmts {
        crate::syntax::ast::walk_stmt(stmt, &mut |stmt| {
            if let StmtKind::Secret { name, .. } = &stmt.kind {
                names.push(name.name.clone());
            }
        });
    }
    let secret = |name: &Ident| names.contains(&name.name);
    for stmt in stmts {
        crate::syntax::ast::walk_stmt(stmt, &mut |stmt| match &stmt.kind {
            StmtKind::Secret { value, .. } => literal_texts(value, source, out),
            StmtKind::Let { name, value } | StmtKind::Export { name, value } if secret(name) => {
                literal_texts(value, source, out);
            }
            StmtKind::List(list) => {
                for pipeline in list.pipelines() {
                    for stage in &pipeline.stages {
                        let for_loop = match stage {
                            Stage::Command(command) => {
                                for assign in command.assigns.iter().filter(|a| secret(&a.name)) {
                                    literal_texts(&assign.value, source, out);
                                }
                                continue;
                            }
                            Stage::Block(block) => match &block.kind {
                                BlockKind::For(for_loop)
                                | BlockKind::Parallel {
                                    body: ParallelBody::For(for_loop),
                                    ..
                                } => for_loop,
                                _ => continue,
                            },
                        };
                        if secret(&for_loop.var) {
                            for item in &for_loop.items {
                                if let ListItem::Word(word) = item {
                                    literal_texts(word, source, out);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        });
    }
}

/// The literal texts of a secret's value: the whole word when it is all
/// literal (decoded, as written, and as written inside its quotes), else
/// those of the default of a `${x:-default}` that is the whole word.
fn literal_texts(word: &Word, source: &str, out: &mut Vec<String>) {
    let mut push = |text: &str| {
        if !text.trim().is_empty() {
            out.push(text.to_string());
        }
    };
    if word
        .parts
        .iter()
        .all(|part| matches!(part, WordPart::Literal { .. }))
    {
        let mut bytes = Vec::new();
        for part in &word.parts {
            if let WordPart::Literal { bytes: b, .. } = part {
                bytes.extend_from_slice(b);
            }
        }
        if let Ok(decoded) = std::str::from_utf8(&bytes) {
            push(decoded);
        }
        let written = source.get(word.span.start..word.span.end).unwrap_or("");
        push(written);
        for quote in ['"', '\''] {
            if let Some(inner) = written
                .strip_prefix(quote)
                .and_then(|w| w.strip_suffix(quote))
            {
                push(inner);
            }
        }
    } else if let [WordPart::Var(var)] = word.parts.as_slice()
        && let Some(default) = &var.default
    {
        literal_texts(default, source, out);
    }
}

#[cfg(test)]
mod tests {
    use super::graph;
    use crate::syntax::parse;

    /// The graph of `source` without its four fixed header lines and the
    /// closing brace, each line trimmed.
    fn body(source: &str) -> String {
        let script = parse(source).unwrap_or_else(|e| panic!("{source:?}: {e}"));
        let dot = graph(&script, source, "t");
        let lines: Vec<&str> = dot.lines().collect();
        lines[4..lines.len() - 1]
            .iter()
            .map(|line| line.trim())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[track_caller]
    fn check(source: &str, expected: &str) {
        let expected: Vec<&str> = expected
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(body(source), expected.join("\n"), "source: {source:?}");
    }

    #[test]
    fn header() {
        let script = parse("true").unwrap();
        let dot = graph(&script, "true", "my \"x\".pipe");
        assert!(
            dot.starts_with("digraph \"my \\\"x\\\".pipe\" {\n"),
            "{dot}"
        );
        assert!(dot.contains("compound=true"), "{dot}");
        assert!(dot.ends_with("}\n"), "{dot}");
    }

    #[test]
    fn commands_and_pipes() {
        check("", "");
        check("# only a comment\n", "");
        check(
            "echo  hi\t there \\\n  again",
            r#"n0 [label="echo hi there again"];"#,
        );
        // A `\`-newline inside a word joins it, as in the script.
        check("echo a\\\nb", r#"n0 [label="echo ab"];"#);
        check(
            "a | b |\n  c",
            r#"
            n0 [label="a"];
            n1 [label="b"];
            n2 [label="c"];
            n0 -> n1 [penwidth=1.4, weight=4];
            n1 -> n2 [penwidth=1.4, weight=4];
            "#,
        );
    }

    #[test]
    fn statements_in_order() {
        check(
            "a && b || c; d",
            r#"
            n0 [label="a"];
            n1 [label="b"];
            n2 [label="c"];
            n3 [label="d"];
            n0 -> n1 [label="  &&", style=dashed, color=gray50, weight=4, fontcolor=black];
            n1 -> n2 [label="  ||", style=dashed, color=gray50, weight=4, fontcolor=black];
            n2 -> n3 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45];
            "#,
        );
        check(
            "let x = 1\ncd /tmp\nexit $x",
            r#"
            n0 [label="let x = 1", shape=plaintext, fontsize=10];
            n1 [label="cd /tmp", shape=plaintext, fontsize=10];
            n2 [label="exit $x", shape=plaintext, fontsize=10];
            n0 -> n1 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45];
            n1 -> n2 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45];
            "#,
        );
    }

    #[test]
    fn redirects_are_file_nodes() {
        // `2>&1` names no file and stays in the command's label.
        check(
            "sort < in > out 2>> err 2>&1 <<< hi",
            r#"
            n0 [label="sort 2>&1"];
            n1 [label="in", shape=note, style="", fontsize=9];
            n2 [label="out", shape=note, style="", fontsize=9];
            n3 [label="err", shape=note, style="", fontsize=9];
            n4 [label="hi", shape=note, style="", fontsize=9];
            n1 -> n0 [label="  <", color=gray40];
            n0 -> n2 [label="  >", color=gray40];
            n0 -> n3 [label="  2>>", color=gray40];
            n4 -> n0 [label="  <<<", color=gray40];
            "#,
        );
        // An fd number is shown by the operator it means.
        check(
            "echo x 1> out 0< in 1>&2",
            r#"
            n0 [label="echo x 1>&2"];
            n1 [label="out", shape=note, style="", fontsize=9];
            n2 [label="in", shape=note, style="", fontsize=9];
            n0 -> n1 [label="  >", color=gray40];
            n2 -> n0 [label="  <", color=gray40];
            "#,
        );
        check(
            "cmd &>> log",
            r#"
            n0 [label="cmd"];
            n1 [label="log", shape=note, style="", fontsize=9];
            n0 -> n1 [label="  &>>", color=gray40];
            "#,
        );
    }

    #[test]
    fn block_redirects_are_file_nodes_at_the_border() {
        // `2>&1` names no file and ends the cluster's label.
        check(
            "{ a; b } > out 2>&1",
            r#"
            subgraph cluster_0 {
            label="{ } 2>&1"; style=rounded; color=gray60; fontcolor=black;
            n0 [label="a"];
            n1 [label="b"];
            }
            n2 [label="out", shape=note, style="", fontsize=9];
            n0 -> n1 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45];
            n1 -> n2 [label="  >", color=gray40, ltail=cluster_0];
            "#,
        );
        check(
            "for f in x y { c $f } 0< in 1>> log",
            r#"
            subgraph cluster_0 {
            label="for f in x y"; style=rounded; color=gray45; fontcolor=black;
            n0 [label="c $f"];
            }
            n1 [label="in", shape=note, style="", fontsize=9];
            n2 [label="log", shape=note, style="", fontsize=9];
            n1 -> n0 [label="  <", color=gray40, lhead=cluster_0];
            n0 -> n2 [label="  >>", color=gray40, ltail=cluster_0];
            "#,
        );
        check(
            "p | parallel { a } >&2 2> $(mktemp)",
            r##"
            n0 [label="p"];
            subgraph cluster_0 {
            label="parallel >&2"; style="rounded,bold"; color="#1f5fa8"; fontcolor="#1f5fa8";
            n1 [label="a"];
            }
            n2 [label="$(mktemp)", shape=note, style="", fontsize=9];
            subgraph cluster_1 {
            label="$(…)"; style="rounded,dotted"; color=gray40; fontcolor=black;
            n3 [label="mktemp"];
            }
            n3 -> n2 [style=dotted, arrowhead=open, ltail=cluster_1];
            n1 -> n2 [label="  2>", color=gray40, ltail=cluster_0];
            n0 -> n1 [penwidth=1.4, weight=4, lhead=cluster_0];
            "##,
        );
        check(
            "fanout lines { a } <<< hi",
            r##"
            subgraph cluster_0 {
            label="fanout lines"; style="rounded,bold"; color="#2a7f3a"; fontcolor="#2a7f3a";
            n0 [label="a"];
            }
            n1 [label="hi", shape=note, style="", fontsize=9];
            n1 -> n0 [label="  <<<", color=gray40, lhead=cluster_0];
            "##,
        );
    }

    #[test]
    fn substitutions_are_dotted_clusters() {
        check(
            "echo $(date) > $(mktemp)",
            r#"
            n0 [label="echo $(date)"];
            subgraph cluster_0 {
            label="$(…)"; style="rounded,dotted"; color=gray40; fontcolor=black;
            n1 [label="date"];
            }
            n2 [label="$(mktemp)", shape=note, style="", fontsize=9];
            subgraph cluster_1 {
            label="$(…)"; style="rounded,dotted"; color=gray40; fontcolor=black;
            n3 [label="mktemp"];
            }
            n1 -> n0 [style=dotted, arrowhead=open, ltail=cluster_0];
            n3 -> n2 [style=dotted, arrowhead=open, ltail=cluster_1];
            n0 -> n2 [label="  >", color=gray40];
            "#,
        );
        check(
            "let x = ${y:-$(a | b)}",
            r#"
            n0 [label="let x = ${y:-$(a | b)}", shape=plaintext, fontsize=10];
            subgraph cluster_0 {
            label="$(…)"; style="rounded,dotted"; color=gray40; fontcolor=black;
            n1 [label="a"];
            n2 [label="b"];
            }
            n1 -> n2 [penwidth=1.4, weight=4];
            n2 -> n0 [style=dotted, arrowhead=open, ltail=cluster_0];
            "#,
        );
    }

    #[test]
    fn fanout_copies_into_every_branch() {
        check(
            "p | fanout lines { a ; b | c }",
            r##"
            n0 [label="p"];
            subgraph cluster_0 {
            label="fanout lines"; style="rounded,bold"; color="#2a7f3a"; fontcolor="#2a7f3a";
            n1 [label="a"];
            n2 [label="b"];
            n3 [label="c"];
            }
            n2 -> n3 [penwidth=1.4, weight=4];
            n0 -> n1 [penwidth=1.4, weight=4, label="  copy"];
            n0 -> n2 [penwidth=1.4, weight=4, label="  copy"];
            "##,
        );
    }

    #[test]
    fn parallel_reads_nothing_and_writes_from_every_branch() {
        check(
            "p | parallel max 2 fail-fast { a ; b } | q",
            r##"
            n0 [label="p"];
            subgraph cluster_0 {
            label="parallel max 2 fail-fast"; style="rounded,bold"; color="#1f5fa8"; fontcolor="#1f5fa8";
            n1 [label="a"];
            n2 [label="b"];
            }
            n3 [label="q"];
            n0 -> n1 [penwidth=1.4, weight=4, lhead=cluster_0];
            n1 -> n3 [penwidth=1.4, weight=4];
            n2 -> n3 [penwidth=1.4, weight=4];
            "##,
        );
        // Many writers into many readers meet at one point.
        check(
            "parallel { a ; b } | fanout { c ; d }",
            r##"
            subgraph cluster_0 {
            label="parallel"; style="rounded,bold"; color="#1f5fa8"; fontcolor="#1f5fa8";
            n0 [label="a"];
            n1 [label="b"];
            }
            subgraph cluster_1 {
            label="fanout"; style="rounded,bold"; color="#2a7f3a"; fontcolor="#2a7f3a";
            n2 [label="c"];
            n3 [label="d"];
            }
            n4 [label="", shape=point, width=0.08];
            n0 -> n4 [penwidth=1.4, weight=4];
            n1 -> n4 [penwidth=1.4, weight=4];
            n4 -> n2 [penwidth=1.4, weight=4, label="  copy"];
            n4 -> n3 [penwidth=1.4, weight=4, label="  copy"];
            "##,
        );
    }

    #[test]
    fn block_headers_label_clusters() {
        // `|| exit 1` is drawn as the `exit` alone, not as a block.
        check(
            "timeout 2s signal INT grace 1s { a } || exit 1",
            r##"
            subgraph cluster_0 {
            label="timeout 2s signal INT grace 1s"; style="rounded,dashed"; color="#b03030"; fontcolor="#b03030";
            n0 [label="a"];
            }
            n1 [label="exit 1", shape=plaintext, fontsize=10];
            n0 -> n1 [label="  ||", style=dashed, color=gray50, weight=4, fontcolor=black, ltail=cluster_0];
            "##,
        );
        check(
            "parallel max 4 lines for f in $(ls) { cd $f; exit }",
            r##"
            subgraph cluster_0 {
            label="$(…)"; style="rounded,dotted"; color=gray40; fontcolor=black;
            n0 [label="ls"];
            }
            subgraph cluster_1 {
            label="parallel max 4 lines for f in $(ls)"; style="rounded,bold"; color="#1f5fa8"; fontcolor="#1f5fa8";
            n1 [label="cd $f", shape=plaintext, fontsize=10];
            n2 [label="exit", shape=plaintext, fontsize=10];
            }
            n1 -> n2 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45];
            n0 -> n1 [style=dotted, arrowhead=open, ltail=cluster_0, lhead=cluster_1];
            "##,
        );
        check(
            "for i in 1..3 {\n  { a } | b\n}; {}",
            r#"
            subgraph cluster_0 {
            label="for i in 1..3"; style=rounded; color=gray45; fontcolor=black;
            subgraph cluster_1 {
            label="{ }"; style=rounded; color=gray60; fontcolor=black;
            n0 [label="a"];
            }
            n1 [label="b"];
            }
            subgraph cluster_2 {
            label="{ }"; style=rounded; color=gray60; fontcolor=black;
            n2 [label="(empty)", shape=plaintext, fontsize=9];
            }
            n0 -> n1 [penwidth=1.4, weight=4];
            n1 -> n2 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45, ltail=cluster_0, lhead=cluster_2];
            "#,
        );
    }

    #[test]
    fn secrets_are_hidden() {
        check(
            "secret k = \"s3 cr3t\"; echo s3 cr3t; env K='s3 cr3t' \"s3 cr3t\" > s3cr3t",
            r#"
            n0 [label="secret k = ***", shape=plaintext, fontsize=10];
            n1 [label="echo ***"];
            n2 [label="env K='***' ***"];
            n3 [label="s3cr3t", shape=note, style="", fontsize=9];
            n0 -> n1 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45];
            n2 -> n3 [label="  >", color=gray40];
            n1 -> n2 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45];
            "#,
        );
        // A default that is the whole value counts as the value; the
        // commands of a `$(...)` are code, and are drawn.
        check(
            "{ secret k = ${1:-hidden} }; for x in hidden { echo hidden }",
            r#"
            subgraph cluster_0 {
            label="{ }"; style=rounded; color=gray60; fontcolor=black;
            n0 [label="secret k = ***", shape=plaintext, fontsize=10];
            }
            subgraph cluster_1 {
            label="for x in ***"; style=rounded; color=gray45; fontcolor=black;
            n1 [label="echo ***"];
            }
            n0 -> n1 [label="  then", style=dashed, color=gray50, weight=4, fontcolor=gray45, ltail=cluster_0, lhead=cluster_1];
            "#,
        );
        check(
            "secret k = $(gen key)",
            r#"
            n0 [label="secret k = ***", shape=plaintext, fontsize=10];
            subgraph cluster_0 {
            label="$(…)"; style="rounded,dotted"; color=gray40; fontcolor=black;
            n1 [label="gen key"];
            }
            n1 -> n0 [style=dotted, arrowhead=open, ltail=cluster_0];
            "#,
        );
        let source = "echo x\nsecret a = 'hunter2'";
        let dot = graph(&parse(source).unwrap(), source, "hunter2.pipe");
        assert!(!dot.contains("hunter2"), "{dot}");
    }

    #[test]
    fn labels_are_escaped_and_shortened() {
        check(
            r#"echo "say \"hi\" \\ &amp; &&" 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"#,
            r#"n0 [label="echo \"say \\\"hi\\\" \\\\ &amp;amp; &&\" 'aaaaaaaaaaaaaaaa…"];"#,
        );
        check("echo é\u{7}", "n0 [label=\"echo é\u{fffd}\"];");
    }

    #[test]
    fn output_is_deterministic() {
        let source = "parallel { a | b; c } | fanout { d; e }";
        let script = parse(source).unwrap();
        assert_eq!(graph(&script, source, "x"), graph(&script, source, "x"));
    }
}
