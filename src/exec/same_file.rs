//! The same-file rule: a pipeline that would truncate a file it also
//! reads (`sort < f > f`) is refused before anything starts, the file
//! intact, instead of losing the data as bash would.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::expand;
use crate::syntax::ast::{
    Block, ForLoop, Pipeline, Redirect, RedirectOp, Span, Stage, Stmt, StmtKind, VarName, Word,
    WordPart, walk_block, walk_stmt,
};

use super::command::{self, PlannedRedirect};
use super::error::RunError;
use super::pipeline::StagePlan;
use super::{Interp, Scope, View};

/// A file that a redirect reads or truncates, as the rule sees it.
struct Opened {
    /// Redirects in one group run one after another, those of different
    /// groups at once: each stage of a pipeline is a group.
    group: usize,
    /// Opened when its group starts, before anything in the group reads
    /// or writes: a command's redirects, and a block's own.
    own: bool,
    op: RedirectOp,
    path: PathBuf,
    span: Span,
    target: OsString,
}

impl Interp<'_> {
    /// `sort < f > f`: a pipeline that would truncate a file it also reads
    /// is refused before anything starts. A stage that is a block counts
    /// with its own redirects and the ones written inside it (see
    /// [`block_redirects`]); within one block its statements run one after
    /// another, so a block that reads a file and later rewrites it is its
    /// own business, but its own redirects are opened before any of them
    /// runs, so they clash with each other and with any inside it.
    pub(super) fn same_file(
        &self,
        scope: &Scope,
        pipeline: &Pipeline,
        plans: &[StagePlan],
        later: Option<(usize, &command::Plan)>,
    ) -> Option<RunError> {
        let view = View {
            interp: self,
            scope,
            substs: &HashMap::new(),
        };
        let mut opened = Vec::new();
        for (group, (node, plan)) in pipeline.stages.iter().zip(plans).enumerate() {
            // A command expanded later counts once it is.
            let plan = match later {
                Some((i, later)) if i == group => Some(later),
                _ => match plan {
                    StagePlan::Command(plan) => Some(plan),
                    StagePlan::Block(..) | StagePlan::Later => None,
                },
            };
            match (node, plan, &plans[group]) {
                (_, Some(plan), _) => {
                    let dir = plan.cwd.as_deref().unwrap_or(&scope.cwd);
                    opened.extend(own(group, &plan.redirects, dir));
                }
                (Stage::Block(block), None, StagePlan::Block(redirects, _)) => {
                    opened.extend(own(group, redirects, &scope.cwd));
                    let found = block_redirects(block, &view);
                    opened.extend(inside(group, found, &scope.cwd));
                }
                _ => {}
            }
        }
        clash(&opened)
    }

    /// The rule for a block about to start with its `redirects`, expanded:
    /// they must not truncate a file that one of them, or a redirect
    /// inside the block, reads, nor read one that a redirect inside the
    /// block truncates (`{ cat } < f > f`, `{ sort > f } < f`).
    pub(super) fn block_same_file(
        &self,
        scope: &Scope,
        block: &Block,
        redirects: &[PlannedRedirect],
    ) -> Option<RunError> {
        let view = View {
            interp: self,
            scope,
            substs: &HashMap::new(),
        };
        let mut opened: Vec<Opened> = own(0, redirects, &scope.cwd).collect();
        opened.extend(inside(0, block_redirects(block, &view), &scope.cwd));
        clash(&opened)
    }

    /// The rule for the branches of a `parallel` or `fanout` block about
    /// to start: they run at once, as a pipeline's stages do, so one must
    /// not truncate a file that another reads (`parallel { sort < f ; echo
    /// x > f }`); within one branch, statements run one after another.
    pub(super) fn branches_same_file(&self, scope: &Scope, branches: &[Stmt]) -> Option<RunError> {
        let view = View {
            interp: self,
            scope,
            substs: &HashMap::new(),
        };
        let mut opened = Vec::new();
        for (group, branch) in branches.iter().enumerate() {
            let found = found_redirects(None, |visit| walk_stmt(branch, visit), &view);
            opened.extend(inside(group, found, &scope.cwd));
        }
        branches_clash(&opened)
    }

    /// The rule for the passes of a `parallel for` about to start, more
    /// than one at once: each runs the same body, so one must not truncate
    /// a file that another reads (`parallel for i in 1..2 { sort < f ;
    /// echo x > f }`), as two branches must not. The body's redirects
    /// whose targets do not depend on the pass (on the loop's variable)
    /// are the same in every pass: two passes are enough to count them.
    pub(super) fn passes_same_file(&self, scope: &Scope, for_loop: &ForLoop) -> Option<RunError> {
        let view = View {
            interp: self,
            scope,
            substs: &HashMap::new(),
        };
        let var = Some(for_loop.var.name.as_str());
        let found = found_redirects(
            var,
            |visit| {
                for stmt in &for_loop.body {
                    walk_stmt(stmt, visit);
                }
            },
            &view,
        );
        let mut opened: Vec<Opened> = inside(0, found.clone(), &scope.cwd).collect();
        opened.extend(inside(1, found, &scope.cwd));
        branches_clash(&opened)
    }
}

/// [`clash`], told of as the branches' of a block that run at once.
fn branches_clash(opened: &[Opened]) -> Option<RunError> {
    clash(opened).map(|error| match error {
        RunError::SameFile {
            path,
            input,
            output,
            ..
        } => RunError::SameFile {
            path,
            input,
            output,
            by: "these parallel branches",
        },
        error => error,
    })
}

/// The files of redirects opened when their group starts. A name for a
/// standard stream (`/dev/stdout`, `/dev/fd/0`) is the file an earlier
/// redirect in the list put there, as the command opens it (see
/// `command::standard_stream`): `cat < f > /dev/stdin` truncates `f`.
fn own(group: usize, redirects: &[PlannedRedirect], dir: &Path) -> impl Iterator<Item = Opened> {
    // Before any redirect, each stream is `pipe`'s own, which its name
    // finds; a `<<<` text is a file of its own, which no name finds.
    let mut fds = ["/dev/stdin", "/dev/stdout", "/dev/stderr"].map(PathBuf::from);
    let mut opened = Vec::new();
    for redirect in redirects {
        match redirect.op {
            RedirectOp::ErrToOut => fds[2] = fds[1].clone(),
            RedirectOp::OutToErr => fds[1] = fds[2].clone(),
            RedirectOp::HereString => fds[0] = PathBuf::new(),
            _ => {}
        }
        let (Some(path), Some(target)) = (redirect.path(dir), redirect.target.clone()) else {
            continue;
        };
        let path = match command::standard_stream(&path) {
            Some(Some(n)) => fds[usize::from(n)].clone(),
            _ => path,
        };
        let set: &[usize] = match redirect.op {
            RedirectOp::In => &[0],
            RedirectOp::Out | RedirectOp::Append => &[1],
            RedirectOp::Err | RedirectOp::ErrAppend => &[2],
            RedirectOp::All | RedirectOp::AllAppend => &[1, 2],
            RedirectOp::ErrToOut | RedirectOp::OutToErr | RedirectOp::HereString => &[],
        };
        for &fd in set {
            fds[fd] = path.clone();
        }
        opened.push(Opened {
            group,
            own: true,
            op: redirect.op,
            path,
            span: redirect.span,
            target,
        });
    }
    opened.into_iter()
}

/// The files of redirects found inside a block (see [`block_redirects`]).
fn inside(
    group: usize,
    found: Vec<(RedirectOp, OsString, Span)>,
    dir: &Path,
) -> impl Iterator<Item = Opened> {
    found.into_iter().map(move |(op, target, span)| Opened {
        group,
        own: false,
        op,
        path: super::command::redirect_path(dir, &target),
        span,
        target,
    })
}

/// The first output that truncates a file an input reads, where both can
/// happen at once, or the output before the input: in different groups,
/// or in one group when either is opened as the group starts.
fn clash(opened: &[Opened]) -> Option<RunError> {
    use std::os::unix::fs::MetadataExt;
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for file in opened {
        let Ok(meta) = file.path.metadata() else {
            continue;
        };
        let id = (meta.dev(), meta.ino());
        if file.op == RedirectOp::In {
            inputs.push((id, file));
        } else if file.op.truncates() && meta.is_file() {
            outputs.push((id, file));
        }
    }
    for (id, output) in &outputs {
        let clash = inputs.iter().find(|(input_id, input)| {
            input_id == id && (input.group != output.group || input.own || output.own)
        });
        if let Some((_, input)) = clash {
            return Some(RunError::SameFile {
                path: crate::diagnostics::shown_bytes(output.target.as_encoded_bytes()),
                input: input.span.into(),
                output: output.span.into(),
                by: "this pipeline",
            });
        }
    }
    None
}

/// The file redirects written anywhere inside `block`, on its commands and
/// on the blocks nested in it (not its own), whose targets are known
/// before it runs: expanded now, in the scope the block starts in.
/// A target is left out when it could mean something else by the time its
/// command runs: it uses a variable the block assigns (or a loop's
/// variable), `$?` or `$(...)`, or it is a relative path in a block that
/// changes directory. So the check can miss a clash; it never refuses a
/// script that would not clash.
fn block_redirects(block: &Block, view: &View<'_>) -> Vec<(RedirectOp, OsString, Span)> {
    let var = block.for_loop().map(|for_loop| for_loop.var.name.as_str());
    found_redirects(var, |visit| walk_block(block, visit), view)
}

/// As [`block_redirects`], for the statements `walk` visits, in a scope
/// where `var` (a loop's variable) is assigned.
fn found_redirects<'a>(
    var: Option<&'a str>,
    walk: impl FnOnce(&mut dyn FnMut(&'a Stmt)),
    view: &View<'_>,
) -> Vec<(RedirectOp, OsString, Span)> {
    let mut assigned: Vec<&str> = var.into_iter().collect();
    let mut changes_dir = false;
    let mut redirects: Vec<&Redirect> = Vec::new();
    walk(&mut |stmt| match &stmt.kind {
        StmtKind::Let { name, .. }
        | StmtKind::Export { name, .. }
        | StmtKind::Secret { name, .. } => assigned.push(&name.name),
        StmtKind::Cd { .. } => changes_dir = true,
        StmtKind::Exit { .. } => {}
        StmtKind::List(list) => {
            for stage in list.pipelines().flat_map(|pipeline| &pipeline.stages) {
                match stage {
                    Stage::Command(command) => redirects.extend(&command.redirects),
                    Stage::Block(block) => {
                        assigned.extend(block.for_loop().map(|l| l.var.name.as_str()));
                        redirects.extend(&block.redirects);
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
                VarName::Named(name) => !assigned.contains(&name.as_str()) && var.default.is_none(),
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
            let target = expand::target(word, view).ok()?;
            let relative = !Path::new(&target).is_absolute();
            (!(relative && changes_dir)).then_some((redirect.op, target, redirect.span))
        })
        .collect()
}
