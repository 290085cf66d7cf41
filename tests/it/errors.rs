//! Diagnostics, snapshotted: one bad script per file under `errors/`, run
//! by the real binary with plain output 80 columns wide.

use std::process::Command;

use crate::harness::{PIPE, status_of};

#[test]
fn diagnostics() {
    insta::glob!("errors/*.pipe", |path| {
        let dir = tempfile::tempdir().unwrap();
        let name = path.file_name().unwrap();
        std::fs::copy(path, dir.path().join(name)).unwrap();
        let output = Command::new(PIPE)
            .arg(name)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        let report = format!("status: {}\n{}", status_of(&output), stderr);
        insta::assert_snapshot!(report);
    });
}

#[test]
fn error_codes_are_stable_and_unique() {
    // The codes the snapshots show: enough kinds of error are pinned.
    let mut seen = std::collections::BTreeMap::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for code in text.split_whitespace().filter(|w| w.starts_with("pipe::")) {
            seen.entry(code.to_owned())
                .or_insert_with(Vec::new)
                .push(entry.file_name());
        }
    }
    assert!(seen.len() >= 10, "too few codes snapshotted: {seen:?}");
    // Each code is declared once in the source: two kinds of error never
    // share one. The run's undefined variable is declared twice, the same
    // error either way: `check::EndedUse` shows it with where it was set.
    let mut declared = std::collections::BTreeMap::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("code(pipe::") {
                let rest = &text[at + "code(".len()..];
                let code = &rest[..rest.find(')').unwrap()];
                declared
                    .entry(code.to_owned())
                    .or_insert_with(Vec::new)
                    .push(path.clone());
            }
        }
    }
    assert!(declared.len() >= 50, "too few codes declared: {declared:?}");
    for (code, places) in &declared {
        let allowed = if code == "pipe::run::undefined_variable" {
            2
        } else {
            1
        };
        assert!(
            places.len() <= allowed,
            "`{code}` declared more than once: {places:?}"
        );
    }
    // Every code a snapshot shows is one the source declares.
    for code in seen.keys() {
        assert!(declared.contains_key(code), "`{code}` is declared nowhere");
    }
}

/// Diagnostics are plain text, with no colour or link escapes, where
/// stderr is not a terminal, `NO_COLOR` is set or `TERM` is `dumb` (an
/// editor's shell buffer: it was coloured); on a terminal without either
/// they are coloured (which shows this test can tell).
#[test]
fn diagnostics_are_plain_off_a_terminal_or_with_no_color() {
    let output = Command::new(PIPE)
        .args(["-c", "echo ok\nehco hi"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status_of(&output), 127, "{stderr}");
    assert!(stderr.contains("command not found: `ehco`"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    for (no_color, term, coloured) in [
        (Some("1"), "xterm", false),
        (None, "xterm", true),
        (None, "dumb", false),
    ] {
        let mut command = Command::new(PIPE);
        command
            .args(["-c", "echo ok\nehco hi"])
            .env("TERM", term)
            .env_remove("NO_COLOR");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let (child, master) = crate::lifetime::command_on_pty(command);
        let terminal = crate::lifetime::drain(&master);
        let output = crate::harness::wait_with_deadline(child, std::time::Duration::from_secs(10));
        drop(master);
        let text = terminal.join().unwrap();
        assert_eq!(status_of(&output), 127, "{text:?}");
        assert!(text.contains("command not found"), "{text:?}");
        assert_eq!(
            text.contains("\x1b["),
            coloured,
            "NO_COLOR={no_color:?} TERM={term}: {text:?}"
        );
    }
}
