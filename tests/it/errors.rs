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
    // Every snapshot names exactly one code; codes differ across kinds.
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
}

/// Diagnostics are plain text, with no colour or link escapes, where
/// stderr is not a terminal or `NO_COLOR` is set; on a terminal without
/// `NO_COLOR` they are coloured (which shows this test can tell).
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
    for (no_color, coloured) in [(Some("1"), false), (None, true)] {
        let mut command = Command::new(PIPE);
        command
            .args(["-c", "echo ok\nehco hi"])
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
            "NO_COLOR={no_color:?}: {text:?}"
        );
    }
}
