//! Integration tests: each one runs the real `pipe` binary on a script.

mod cli;
mod errors;
mod examples;
mod fanout;
mod harness;
mod hostile;
mod language;
mod tools;
