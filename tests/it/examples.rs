//! Every script under `examples/` runs, and does what its comment says.

use std::path::{Path, PathBuf};
use std::time::Duration;

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
        "fetch_with_fallback.pipe",
        "hash_dir.pipe",
        "hello.pipe",
        "parallel_sleep.pipe",
        "report.pipe",
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

/// Sections into one file, errors into another, through the block's
/// redirects; the hanging section is cut off at 500 ms, not 30 s.
#[test]
fn report() {
    let dir = tempfile::tempdir().unwrap();
    let run = Test::new()
        .arg(example("report.pipe"))
        .arg(dir.path())
        .run();
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert_eq!(run.stdout(), format!("{report}errors.log: 1 line(s)\n"));
    assert_eq!(
        report,
        "== system\nLinux\n== a probe that hangs\n(no answer in 500 ms)\n\
         == a path that is not there\n(failed: see errors.log)\n\
         == the three largest numbers\n1000\n999\n998\n"
    );
    let errors = std::fs::read_to_string(dir.path().join("errors.log")).unwrap();
    assert!(errors.contains("/no/such/path"), "{errors}");
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

#[test]
fn parallel_sleep_takes_a_tenth_of_a_second() {
    let run = run("parallel_sleep.pipe");
    assert!(
        // One after another they would take 1 s at least.
        run.elapsed < Duration::from_millis(1000),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn encrypt_parallel() {
    let out = run("encrypt_parallel.pipe").stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    for line in lines {
        let (hash, rest) = line.split_at(32);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
        assert_eq!(rest, "  -");
    }
}

#[test]
fn timeout() {
    let run = run("timeout.pipe");
    assert_eq!(run.stdout(), "timed out: 124\n");
    assert!(run.elapsed < Duration::from_secs(3), "{:?}", run.elapsed);
}

#[test]
fn hash_dir() {
    let out = run("hash_dir.pipe").stdout();
    let names: Vec<&str> = out.lines().map(|line| &line[66..]).collect();
    let mut expected: Vec<String> = (1..=12).map(|i| format!("file-{i}.dat")).collect();
    expected.sort();
    expected.push("-".to_owned());
    assert_eq!(names, expected);
    // The same bytes in, the same hashes out, whatever order branches ran in.
    assert_eq!(out, run("hash_dir.pipe").stdout());
}

#[test]
fn fetch_with_fallback() {
    let run = Test::new()
        .arg(example("fetch_with_fallback.pipe"))
        .stderr_has("status 124")
        .run();
    assert_eq!(run.stdout(), "release notes (cached copy)\n");
}

#[test]
fn examples_are_formatted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    Test::new()
        .args(["fmt", "--check"])
        .args(files)
        .stderr_empty()
        .run();
}
