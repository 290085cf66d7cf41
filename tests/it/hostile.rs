//! Hostile surroundings and bad input: never a panic, a hang or a leak.

use std::process::Stdio;
use std::time::Duration;

use crate::harness::{Test, read_then_close, status_of};

#[test]
fn closed_stdout_ends_quietly() {
    let test = Test::new().script("for i in 1..100000 { echo line $i }\necho never > marker");
    let output = read_then_close(&test, 5, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(status_of(&output), 141);
    assert!(!test.path().join("marker").exists());
}

#[test]
fn statuses_survive_an_ignored_sigchld() {
    let test = Test::new().script("sh -c 'exit 7' || echo \"got $?\"\nfalse");
    let mut command = test.command();
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::signal(libc::SIGCHLD, libc::SIG_IGN);
            Ok(())
        });
    }
    let output = command.output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "got 7\n");
    assert_eq!(status_of(&output), 1);
}

/// The hex masks of a `/proc/self/status` field, as the child saw them.
fn signal_field(text: &str, field: &str) -> u64 {
    let line = text
        .lines()
        .find(|line| line.starts_with(field))
        .expect(field);
    u64::from_str_radix(line[field.len()..].trim(), 16).unwrap()
}

#[test]
fn children_start_with_default_signals_and_empty_mask() {
    let test = Test::new().script("cat /proc/self/status");
    let mut command = test.command();
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            // SIGINT and SIGTERM get pipe's own handlers; SIGQUIT and
            // SIGUSR2 are reset before the first child starts.
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGQUIT, libc::SIGUSR2] {
                libc::signal(signal, libc::SIG_IGN);
            }
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
    let output = command.output().unwrap();
    assert_eq!(status_of(&output), 0);
    let text = String::from_utf8_lossy(&output.stdout);
    // Signals 1-31; glibc reserves 32 and 33 for itself, whatever the parent did.
    let standard = 0x7fff_ffff;
    assert_eq!(signal_field(&text, "SigBlk:") & standard, 0, "{text}");
    assert_eq!(signal_field(&text, "SigIgn:") & standard, 0, "{text}");
}

#[test]
fn children_see_only_their_own_fds() {
    // Each stage lists its fds; nothing beyond 0-2 (and ls's own directory fd).
    let test = Test::new().script(
        "ls /proc/self/fd | cat > a\n{ ls /proc/self/fd > b } | cat\necho x | ls /proc/self/fd > c",
    );
    let mut command = test.command();
    // An fd inherited from pipe's parent, not close-on-exec.
    // SAFETY: dup2 between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::dup2(2, 7);
            Ok(())
        });
    }
    let output = command.output().unwrap();
    assert_eq!(
        status_of(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for name in ["a", "b", "c"] {
        let listing = std::fs::read_to_string(test.path().join(name)).unwrap();
        let fds: Vec<u32> = listing.lines().map(|l| l.parse().unwrap()).collect();
        // ls opens one fd of its own for the directory it reads.
        assert!(
            fds.len() <= 4 && fds.iter().take(3).eq([0, 1, 2].iter()),
            "{name}: {fds:?}"
        );
        assert!(!fds.contains(&7), "{name}: inherited fd 7 leaked: {fds:?}");
    }
}

#[test]
fn started_with_standard_fds_closed() {
    let test = Test::new().script("echo data > out\ncat out > copy");
    let mut command = test.command();
    command.stdin(Stdio::null()).stdout(Stdio::null());
    // SAFETY: close between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::close(0);
            libc::close(1);
            libc::close(2);
            Ok(())
        });
    }
    let status = command.status().unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(test.path().join("copy")).unwrap(),
        "data\n"
    );
}

#[test]
fn deep_nesting_is_refused_cleanly() {
    let deep = format!("{}echo x{}", "{ ".repeat(100_000), " }".repeat(100_000));
    Test::new()
        .script(deep)
        .status(2)
        .stderr_has("nesting too deep")
        .run();
    let deep = format!("echo {}x{}", "$(echo ".repeat(100_000), ")".repeat(100_000));
    Test::new()
        .script(deep)
        .status(2)
        .stderr_has("nesting too deep")
        .run();
}

#[test]
fn moderate_nesting_runs() {
    let nested = format!("{}echo x{}", "{ ".repeat(50), " }".repeat(50));
    Test::new().script(nested).stdout("x\n").run();
}

#[test]
fn invalid_utf8_names_its_byte_offset() {
    Test::new()
        .script(b"echo ok\necho \xff\n")
        .status(2)
        .stderr_has("offset 13")
        .run();
}

#[test]
fn bad_input_never_panics() {
    for script in [
        "echo \"abc",
        "echo 'abc",
        "{ echo a",
        "echo a }",
        "echo a |",
        "echo a &&",
        "timeout 5 { sleep 1 }",
        "timeout -1s { sleep 1 }",
        "timeout NaNs { sleep 1 }",
        "timeout 1e300s { sleep 1 }",
        "timeout 1s signal NOPE { sleep 1 }",
        "parallel max 0 { true }",
        "X=1",
        "$(",
        "${",
        "for in { }",
        // Two-byte characters where a diagnostic looks back for a name:
        // a no-break space before a bash function's, a name not ASCII.
        "a\u{a0}f() { }",
        "ünï=(a b)",
    ] {
        Test::new()
            .script(script)
            .status(2)
            .stderr_has("pipe::parse::")
            .run();
    }
}

#[test]
fn missing_redirect_directory() {
    let run = Test::new()
        .script("echo x > missing/dir/f")
        .status(1)
        .stderr_has("cannot open `missing/dir/f`")
        .run();
    assert!(!run.dir.join("missing").exists());
}

#[test]
fn huge_flat_script_runs() {
    let script = "let x = 1\n".repeat(50_000) + "echo done\n";
    let run = Test::new().script(script).stdout("done\n").run();
    assert!(run.elapsed < Duration::from_secs(60));
    let pipeline = format!("echo x{}", " | cat".repeat(200));
    Test::new().script(pipeline).stdout("x\n").run();
}
