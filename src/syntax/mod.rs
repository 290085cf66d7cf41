//! Parsing: `.pipe` source text to the typed tree of [`ast`].
//!
//! [`parse`] runs a cheap depth scan (`depth`), then the pest grammar in
//! `grammar/pipe.pest` (`parser`), then lowers the pairs to the tree
//! (`lower`, `word`, `values`). Invariant: syntax does no IO, and every
//! error is a [`ParseError`] with a span but no source text.

pub mod ast;
mod depth;
mod dump;
mod error;
mod hint_bash;
mod hint_header;
mod hint_word;
mod lower;
mod parser;
mod values;
mod word;

#[cfg(test)]
mod tests;

pub use depth::{MAX_DEPTH, limit_depth};
pub use dump::{dump, dump_without_spans};
pub use error::{ParseError, bash_builtin_help};
pub use parser::{decode, parse};
pub use values::{DurationError, MaxError, parse_duration, parse_max, realtime_signals};
