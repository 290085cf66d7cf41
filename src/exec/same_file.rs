//! The same-file rule: a pipeline that would truncate a file it also
//! reads (`sort < f > f`) is refused before anything starts, the file
//! intact, instead of losing the data as bash would.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;

use crate::expand;
use crate::syntax::ast::{
    Block, BlockKind, ParallelBody, Pipeline, RedirectOp, Span, Stage, StmtKind, VarName, Word,
    WordPart, walk_block,
};

use super::error::RunError;
use super::pipeline::StagePlan;
use super::{Interp, Scope, View};

/// `sort < f > f`: a pipeline that would truncate a file it also reads is
/// refused before anything starts. A stage that is a block counts with the
/// redirects written inside it (see [`block_redirects`]); within one block
/// its statements run one after another, so a block that reads a file and
/// later rewrites it is its own business.
impl Interp<'_> {
    pub(super) fn same_file(
        &self,
        scope: &Scope,
        pipeline: &Pipeline,
        plans: &[StagePlan],
    ) -> Option<RunError> {
        use std::os::unix::fs::MetadataExt;
        struct File<'a> {
            stage: usize,
            id: (u64, u64),
            span: Span,
            target: &'a std::ffi::OsStr,
        }
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        let view = View {
            interp: self,
            scope,
            substs: &HashMap::new(),
        };
        let mut found = Vec::new();
        for (stage, (node, plan)) in pipeline.stages.iter().zip(plans).enumerate() {
            match (node, plan) {
                (_, StagePlan::Command(plan)) => {
                    let dir = plan.cwd.as_deref().unwrap_or(&scope.cwd);
                    for redirect in &plan.redirects {
                        if let Some(target) = &redirect.target {
                            found.push((
                                stage,
                                redirect.op,
                                redirect.path(dir),
                                redirect.span,
                                target.clone(),
                            ));
                        }
                    }
                }
                (Stage::Block(block), StagePlan::Block(_)) => {
                    for (op, target, span) in block_redirects(block, &view) {
                        let path = scope.cwd.join(&target);
                        found.push((stage, op, Some(path), span, target));
                    }
                }
                (Stage::Command(_), StagePlan::Block(_)) => {}
            }
        }
        for (stage, op, path, span, target) in &found {
            let Some(meta) = path.as_ref().and_then(|path| path.metadata().ok()) else {
                continue;
            };
            let file = File {
                stage: *stage,
                id: (meta.dev(), meta.ino()),
                span: *span,
                target,
            };
            if *op == RedirectOp::In {
                inputs.push(file);
            } else if op.truncates() && meta.is_file() {
                outputs.push(file);
            }
        }
        let is_block = |stage: usize| matches!(pipeline.stages[stage], Stage::Block(_));
        for output in &outputs {
            let clash = inputs.iter().find(|input| {
                input.id == output.id && (input.stage != output.stage || !is_block(input.stage))
            });
            if let Some(input) = clash {
                return Some(RunError::SameFile {
                    path: output.target.to_string_lossy().into_owned(),
                    input: input.span.into(),
                    output: output.span.into(),
                });
            }
        }
        None
    }
}

/// The file redirects written anywhere inside `block` whose targets are
/// known before it runs: expanded now, in the scope the block starts in.
/// A target is left out when it could mean something else by the time its
/// command runs: it uses a variable the block assigns (or a loop's
/// variable), `$?` or `$(...)`, or it is a relative path in a block that
/// changes directory. So the check can miss a clash; it never refuses a
/// script that would not clash.
fn block_redirects(block: &Block, view: &View<'_>) -> Vec<(RedirectOp, OsString, Span)> {
    let mut assigned: Vec<String> = Vec::new();
    let mut changes_dir = false;
    let mut redirects = Vec::new();
    let loop_var = |block: &Block, assigned: &mut Vec<String>| {
        if let BlockKind::For(for_loop)
        | BlockKind::Parallel {
            body: ParallelBody::For(for_loop),
            ..
        } = &block.kind
        {
            assigned.push(for_loop.var.name.clone());
        }
    };
    loop_var(block, &mut assigned);
    walk_block(block, &mut |stmt| match &stmt.kind {
        StmtKind::Let { name, .. }
        | StmtKind::Export { name, .. }
        | StmtKind::Secret { name, .. } => {
            assigned.push(name.name.clone());
        }
        StmtKind::Cd { .. } => changes_dir = true,
        StmtKind::Exit { .. } => {}
        StmtKind::List(list) => {
            for pipeline in std::iter::once(&list.first).chain(list.rest.iter().map(|(_, p)| p)) {
                for stage in &pipeline.stages {
                    match stage {
                        Stage::Command(command) => {
                            redirects.extend(command.redirects.iter().cloned())
                        }
                        Stage::Block(block) => loop_var(block, &mut assigned),
                    }
                }
            }
        }
    });
    let settled = |word: &Word| {
        word.parts.iter().all(|part| match part {
            WordPart::Literal { .. } | WordPart::Args { .. } => true,
            WordPart::Subst { .. } => false,
            WordPart::Var(var) => match &var.name {
                VarName::Named(name) => !assigned.contains(name) && var.default.is_none(),
                VarName::Status => false,
                VarName::Positional(_) | VarName::Count => var.default.is_none(),
            },
        })
    };
    redirects
        .into_iter()
        .filter(|redirect| redirect.op == RedirectOp::In || redirect.op.truncates())
        .filter_map(|redirect| {
            let word = redirect.target.as_ref().filter(|word| settled(word))?;
            let target = expand::single(word, "redirect", view).ok()?;
            let relative = !Path::new(&target).is_absolute();
            (!(relative && changes_dir)).then_some((redirect.op, target, redirect.span))
        })
        .collect()
}
