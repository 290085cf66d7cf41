//! `pipe`: an interpreter for `.pipe` scripts of pipes, parallel groups and
//! timeouts. See ARCHITECTURE.md for the map of the crate.

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod exec;
pub mod expand;
pub mod fmt;
pub mod graph;
pub mod suggest;
pub mod syntax;

// pest is built without its `std` feature (see Cargo.toml), so its derived
// parser names `alloc` from the crate root.
extern crate alloc;
