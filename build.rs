//! Lays out the release binary's code with the functions ordinary scripts
//! run side by side (`link/hot.ld`, written by `link/hot.py`), so that a
//! run maps a few 64 KiB windows of code instead of nearly all of them:
//! less resident memory and fewer page faults at start-up
//! (docs/benchmarks.md).
//!
//! Only for optimized builds on Linux, where the linker (rust-lld, or GNU
//! ld) takes a script that only adds an output section. Set
//! `PIPE_PLAIN_LAYOUT=1` to link without it.

fn main() {
    println!("cargo::rerun-if-changed=link/hot.ld");
    println!("cargo::rerun-if-env-changed=PIPE_PLAIN_LAYOUT");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    let optimized = std::env::var("PROFILE").as_deref() == Ok("release");
    let plain = std::env::var_os("PIPE_PLAIN_LAYOUT").is_some_and(|v| !v.is_empty());
    if linux && optimized && !plain {
        let root = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
        let script = std::path::Path::new(&root).join("link/hot.ld");
        println!("cargo::rustc-link-arg-bins=-Wl,-T,{}", script.display());
    }
}
