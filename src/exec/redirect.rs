//! Redirects written on a block (`{ ... } > f`, `for ... { ... } < in`),
//! as bash applies them to a compound command: their targets are expanded
//! in the scope the block starts in, the files are opened once, when the
//! block starts, and the redirects apply left to right to the block's own
//! streams, which everything inside it then uses. A redirect that fails
//! fails the block's statement, and nothing in the block starts.

use crate::expand;
use crate::syntax::ast::{Block, Redirect, RedirectOp, Word};

use super::command::{self, PlannedRedirect};
use super::io::Io;
use super::{Flow, Interp, PipeOutcome, Scope, View};

impl Interp<'_> {
    /// Runs a block: its redirects expanded, opened and applied to `io`,
    /// then what the block does. Taking `io` by value lets a stream that a
    /// redirect replaces (a pipe end given to the stage) close at once, as
    /// it does for a command.
    pub(super) async fn run_block(&self, scope: &mut Scope, io: Io, block: &Block) -> Flow {
        if block.redirects.is_empty() {
            return self.run_block_kind(scope, &io, block).await;
        }
        // Boxed: only a block with redirects needs room for this, and
        // every block's future would otherwise have it.
        let redirects = match Box::pin(self.plan_redirects(scope, &io, &block.redirects)).await {
            Ok((redirects, ran_subst)) => {
                // As in bash, a `$(...)` of the redirects sets `$?` for
                // the block, to its status, 0.
                if ran_subst {
                    scope.last_status = 0;
                }
                redirects
            }
            Err(outcome) => return self.finish(scope, outcome),
        };
        // A block standing as a pipeline's stage was checked with the
        // pipeline's other stages (`same_file`); a block alone is here.
        if let Some(error) = self.block_same_file(scope, block, &redirects) {
            return self.finish(scope, PipeOutcome::failed(error));
        }
        self.run_redirected(scope, io, block, &redirects).await
    }

    /// Runs a block whose redirects are already expanded and checked (see
    /// `same_file.rs`): opens them, applies them to `io`, and runs the
    /// block with the result.
    pub(super) async fn run_redirected(
        &self,
        scope: &mut Scope,
        io: Io,
        block: &Block,
        redirects: &[PlannedRedirect],
    ) -> Flow {
        if redirects.is_empty() {
            return self.run_block_kind(scope, &io, block).await;
        }
        let io = match command::apply_redirects(redirects, io, &scope.cwd, &scope.cancel).await {
            Ok(io) => io,
            // Cancelled while a FIFO waited for its other end: as a
            // cancelled block, it ends by the signal, and whoever
            // cancelled it reports why.
            Err(error)
                if let Some(signal) = scope.cancel.cancelled()
                    && command::was_cancelled(&error) =>
            {
                return Flow::Fail(super::Failure {
                    status: 128 + signal,
                    error: None,
                    secrets: Vec::new(),
                });
            }
            Err(error) => return self.finish(scope, PipeOutcome::failed(error)),
        };
        self.run_block_kind(scope, &io, block).await
    }

    /// Expands redirects' targets, running their `$(...)` first, as a
    /// command's are expanded before it starts; with whether a `$(...)`
    /// ran.
    pub(super) async fn plan_redirects(
        &self,
        scope: &Scope,
        io: &Io,
        redirects: &[Redirect],
    ) -> Result<(Vec<PlannedRedirect>, bool), PipeOutcome> {
        if redirects.is_empty() {
            return Ok((Vec::new(), false));
        }
        let words: Vec<&Word> = redirects
            .iter()
            .filter_map(|redirect| redirect.target.as_ref())
            .collect();
        let substs = self.run_substs(scope, io, &words).await?;
        let view = View {
            interp: self,
            scope,
            substs: &substs,
        };
        Ok((expand_redirects(redirects, &view)?, !substs.is_empty()))
    }
}

/// Redirects with their targets expanded, each to exactly one word.
pub(super) fn expand_redirects(
    redirects: &[Redirect],
    view: &dyn expand::Lookup,
) -> Result<Vec<PlannedRedirect>, PipeOutcome> {
    let mut planned = Vec::with_capacity(redirects.len());
    for redirect in redirects {
        let target = match &redirect.target {
            // A here-string's text is joined, `$@` and all, as in bash
            // (`cat <<< "$@"`); a file must be one name.
            Some(word) if redirect.op == RedirectOp::HereString => {
                Some(expand::joined(word, view).map_err(|err| PipeOutcome::failed(err.into()))?)
            }
            Some(word) => {
                Some(expand::target(word, view).map_err(|err| PipeOutcome::failed(err.into()))?)
            }
            None => None,
        };
        planned.push(PlannedRedirect {
            op: redirect.op,
            target,
            span: redirect.span,
        });
    }
    Ok(planned)
}
