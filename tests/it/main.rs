//! Integration tests: each one runs the real `pipe` binary on a script.

mod cli;
mod concurrency;
mod errors;
mod examples;
mod fanout;
mod fmt;
mod graph;
mod harness;
mod hostile;
mod language;
mod lifetime;
mod surroundings;
mod tools;
