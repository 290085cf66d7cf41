//! The `pipe` binary.
//!
//! `main` is the C entry point itself, not the standard library's wrapper
//! around a Rust `main`. Before a Rust `main` runs, that wrapper finds the
//! main thread's stack guard (on glibc, by reading `/proc/self/maps`) and
//! installs a stack-overflow handler on an alternate signal stack: measured,
//! a tenth of the run of an empty script, which `pipe` otherwise spends
//! almost entirely starting up. `pipe` does not need it: its recursion is
//! bounded by the parser's depth limit, and it sets up its standard fds and
//! signals itself (`exec::prepare_process`). What the wrapper would do at
//! the end, flush stdout and turn a panic into status 101, is done here.

#![no_main]

use std::ffi::{c_char, c_int};
use std::io::Write;

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    // The arguments are read with `std::env::args_os`, which has them on
    // every platform `pipe` builds for.
    let status = std::panic::catch_unwind(pipe::cli::main).unwrap_or(101);
    let _ = std::io::stdout().flush();
    c_int::from(status)
}
