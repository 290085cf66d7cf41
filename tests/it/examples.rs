//! Every script under `examples/` runs, and does what its comment says.

use std::path::{Path, PathBuf};

use crate::harness::Test;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn run(name: &str) -> crate::harness::Run {
    Test::new().arg(example(name)).run()
}

#[test]
fn every_example_is_tested() {
    let tested = [
        "archive.pipe",
        "encrypt_parallel.pipe",
        "hello.pipe",
        "parallel_sleep.pipe",
        "roundtrip.pipe",
        "timeout.pipe",
        "verify_checksums.pipe",
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".pipe"))
        .collect();
    found.sort();
    assert_eq!(found, tested, "add a test for each new example");
}

#[test]
fn hello() {
    assert_eq!(run("hello.pipe").stdout(), "Hello from the child\n");
}

#[test]
fn archive() {
    let out = run("archive.pipe").stdout();
    assert_eq!(
        out,
        "./\n./a.txt\n./docs/\n./docs/b.txt\narchive verified\n"
    );
}

#[test]
fn verify_checksums() {
    let out = run("verify_checksums.pipe").stdout();
    assert_eq!(
        out,
        "alpha.txt: OK\nbeta.txt: OK\ngamma.txt: OK\na changed file was caught (status 1)\n"
    );
}

#[test]
fn roundtrip() {
    let out = run("roundtrip.pipe").stdout();
    assert!(out.starts_with("round trip ok: "), "{out}");
}
