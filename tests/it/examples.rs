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

/// Every example starts with `#!/usr/bin/env pipe` and is executable, so
/// that it runs as a command of its own, as the README says a script can:
/// `hello.pipe` is run that way, with `pipe` first on PATH.
#[test]
fn examples_run_by_their_shebang() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "pipe") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("#!/usr/bin/env pipe\n"),
            "{} has no shebang",
            path.display()
        );
        let mode = entry.metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{} is not executable", path.display());
    }
    let bin = Path::new(crate::harness::PIPE).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let output = std::process::Command::new(example("hello.pipe"))
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "Hello from the child\n"
    );
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{output:?}"
    );
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
        run.elapsed >= Duration::from_millis(100),
        "{:?}",
        run.elapsed
    );
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

/// The password reaches each openssl as its exact bytes, by its
/// environment, never in its arguments: a stand-in `openssl`, first on
/// PATH, notes what it got and runs the real one.
#[test]
fn encrypt_parallel_passes_the_password_by_environment() {
    let test = Test::new().file(
        "bin/openssl",
        "#!/bin/sh\n\
         printf '%s' \"$password\" > \"$NOTES/password.$$\"\n\
         printf '%s\\n' \"$@\" > \"$NOTES/argv.$$\"\n\
         PATH=${PATH#*:} exec openssl \"$@\"\n",
    );
    let dir = test.path().to_path_buf();
    std::fs::set_permissions(
        dir.join("bin/openssl"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    let run = test
        .env("PATH", &path)
        .env("NOTES", dir.to_str().unwrap())
        .arg(example("encrypt_parallel.pipe"))
        .run();
    assert_eq!(run.stdout().lines().count(), 3, "{}", run.stdout());
    let mut notes: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(entry.path()).unwrap_or_default())
        })
        .filter(|(name, _)| name.starts_with("password.") || name.starts_with("argv."))
        .collect();
    notes.sort();
    assert_eq!(notes.len(), 6, "three openssl runs, two notes each");
    for (name, bytes) in notes {
        if name.starts_with("password.") {
            assert_eq!(bytes, b"\xe24U\n\xd0Ql3S\x11", "{name}");
        } else {
            assert_eq!(
                String::from_utf8_lossy(&bytes),
                "enc\n-des3\n-pbkdf2\n-pass\nenv:password\n",
                "{name}"
            );
        }
    }
}

#[test]
fn timeout() {
    let run = run("timeout.pipe");
    assert_eq!(run.stdout(), "timed out: 124\n");
    assert!(
        run.elapsed >= Duration::from_millis(100),
        "{:?}",
        run.elapsed
    );
    assert!(run.elapsed < Duration::from_secs(3), "{:?}", run.elapsed);
}

/// The seed's four scripts as the brief writes them (its layout and its
/// comments: the examples are the same in `pipe fmt`'s layout), in one run.
#[test]
fn the_seed_as_written_in_the_brief() {
    let seed = include_str!("../seed.pipe");
    let run = Test::new().script(seed).stderr_empty().run();
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert_eq!(lines[0], "Hello from the child");
    for line in &lines[1..4] {
        let (hash, rest) = line.split_at(32);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
        assert_eq!(rest, "  -");
    }
    assert_eq!(lines[4], "timed out: 124");
    // 0.1 s of sleeps at once, 0.1 s of timeout: one after another the
    // sleeps alone would take 1 s, and the script 1.1 s at least, which the
    // bound must tell apart (it takes about 0.25 s).
    assert!(
        run.elapsed >= Duration::from_millis(200),
        "{:?}",
        run.elapsed
    );
    assert!(
        run.elapsed < Duration::from_millis(1050),
        "{:?}",
        run.elapsed
    );
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
