//! Signals to `pipe`, and the lifetime of what it starts: no process left
//! behind, no zombie, no stray fd, sane behaviour at the fd limit and on a
//! terminal.
//!
//! Each test uses marker durations of its own (`sleep 36.xxx`), so tests
//! running at the same time never see each other's processes.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::concurrency::{assert_gone_within, wait_for_process};
use crate::harness::{Test, processes_with, status_of, wait_with_deadline};

/// Starts the test's script with no stdin, its output piped.
fn spawn(test: &Test) -> Child {
    test.command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pipe")
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill on a pid we spawned and have not yet reaped.
    unsafe { libc::kill(child.id() as i32, sig) };
}

// ---------------------------------------------------------------------------
// Signals to pipe.

#[test]
fn pipe_dies_by_the_signal_it_got() {
    for (sig, marker) in [
        (libc::SIGINT, "sleep 36.011"),
        (libc::SIGTERM, "sleep 36.012"),
        (libc::SIGHUP, "sleep 36.013"),
    ] {
        let test = Test::new().script(format!("{marker}\necho after > after"));
        let child = spawn(&test);
        wait_for_process(marker, Duration::from_secs(10));
        let start = Instant::now();
        signal(&child, sig);
        let output = wait_with_deadline(child, Duration::from_secs(20));
        let elapsed = start.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(
            output.status.signal(),
            Some(sig),
            "signal {sig}: {:?}\n{stderr}",
            output.status
        );
        assert_eq!(status_of(&output), 128 + sig);
        assert!(
            elapsed < Duration::from_secs(2),
            "signal {sig}: {elapsed:?}"
        );
        assert_gone_within(marker, Duration::from_secs(1));
        assert!(
            !test.path().join("after").exists(),
            "a statement ran after signal {sig}"
        );
    }
}

#[test]
fn other_fatal_signals_end_the_children_too() {
    // Their default would end pipe at once: its direct child dies with it,
    // but the child's own child (the marker, under `sh`) would be left.
    for (sig, marker) in [
        (libc::SIGQUIT, "sleep 36.014"),
        (libc::SIGUSR1, "sleep 36.015"),
        (libc::SIGUSR2, "sleep 36.016"),
        (libc::SIGALRM, "sleep 36.017"),
    ] {
        let test = Test::new().script(format!("sh -c '{marker}; true'\necho after > after"));
        let child = spawn(&test);
        wait_for_process(marker, Duration::from_secs(10));
        signal(&child, sig);
        let output = wait_with_deadline(child, Duration::from_secs(20));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(output.status.signal(), Some(sig), "signal {sig}: {stderr}");
        assert_gone_within(marker, Duration::from_secs(1));
        assert!(
            !test.path().join("after").exists(),
            "a statement ran after signal {sig}"
        );
    }
}

#[test]
fn a_forwarded_signal_reaches_the_child() {
    // The child handles TERM and exits 0: pipe still ends by TERM.
    let marker = "sleep 36.021";
    let test = Test::new().script(format!(
        "sh -c 'trap \"echo got > got; exit 0\" TERM; {marker} & wait'\necho after > after"
    ));
    let child = spawn(&test);
    wait_for_process(marker, Duration::from_secs(10));
    // Let sh reach its `wait`.
    std::thread::sleep(Duration::from_millis(100));
    signal(&child, libc::SIGTERM);
    let output = wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(output.status.signal(), Some(libc::SIGTERM));
    assert_eq!(
        std::fs::read_to_string(test.path().join("got")).unwrap_or_default(),
        "got\n"
    );
    assert!(!test.path().join("after").exists());
    assert_gone_within(marker, Duration::from_secs(1));
}

#[test]
fn a_child_ignoring_term_is_killed_after_the_grace() {
    let marker = "sleep 36.031";
    let test = Test::new().script(format!("sh -c 'trap \"\" TERM; {marker}'"));
    let child = spawn(&test);
    // The marker is in sh's own command line too: wait for the sleep
    // itself, which runs only once sh has set its trap (a SIGTERM before
    // it ended sh at once, and the test, on a loaded machine).
    let start = Instant::now();
    while !processes_with(marker).iter().any(|process| {
        process
            .split_once(": ")
            .is_some_and(|(_, cmd)| cmd.starts_with(marker))
    }) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "`{marker}` never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let start = Instant::now();
    signal(&child, libc::SIGTERM);
    let output = wait_with_deadline(child, Duration::from_secs(20));
    let elapsed = start.elapsed();
    assert_eq!(output.status.signal(), Some(libc::SIGTERM));
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_gone_within(marker, Duration::from_secs(1));
}

#[test]
fn a_signal_reaches_every_group() {
    let marker = "sleep 36.041";
    let test = Test::new().script(format!(
        "parallel {{\n{marker}\ntimeout 10s {{ {marker} }}\n{marker} | cat\nsh -c '{marker} & {marker}'\nparallel {{ {marker} }}\nseq 3 | fanout {{ {marker} ; cat > /dev/null ; {marker} }}\n}}"
    ));
    let child = spawn(&test);
    let start = Instant::now();
    // Eight sleeps: one per branch, two in the sh and two in the fanout.
    while processes_with(marker)
        .iter()
        .filter(|p| p.contains(": sleep"))
        .count()
        < 8
    {
        assert!(start.elapsed() < Duration::from_secs(10), "never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    signal(&child, libc::SIGTERM);
    let output = wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(output.status.signal(), Some(libc::SIGTERM));
    assert_gone_within(marker, Duration::from_secs(1));
}

#[test]
fn signals_while_branches_start() {
    // TERM at various moments while 50 branches are being started: nothing
    // escapes between fork and registration.
    let marker = "sleep 36.051";
    for delay_ms in [0u64, 1, 3, 10, 30, 100] {
        let test = Test::new().script(format!("parallel for i in 1..50 {{ {marker} | cat }}"));
        let child = spawn(&test);
        std::thread::sleep(Duration::from_millis(delay_ms));
        signal(&child, libc::SIGTERM);
        let output = wait_with_deadline(child, Duration::from_secs(20));
        assert_eq!(
            output.status.signal(),
            Some(libc::SIGTERM),
            "after {delay_ms} ms: {:?} {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        assert_gone_within(marker, Duration::from_secs(2));
    }
}

#[test]
fn sigkill_to_pipe_kills_its_children() {
    // PR_SET_PDEATHSIG: pipe cannot clean up, the kernel does.
    let test = Test::new()
        .script("parallel {\nsleep 36.061\nsleep 36.062 | cat\ntimeout 9s { sleep 36.063 }\n}");
    let child = spawn(&test);
    for marker in ["sleep 36.061", "sleep 36.062", "sleep 36.063"] {
        wait_for_process(marker, Duration::from_secs(10));
    }
    signal(&child, libc::SIGKILL);
    let output = wait_with_deadline(child, Duration::from_secs(10));
    assert_eq!(output.status.signal(), Some(libc::SIGKILL));
    for marker in ["sleep 36.061", "sleep 36.062", "sleep 36.063"] {
        assert_gone_within(marker, Duration::from_secs(2));
    }
}

#[test]
fn a_signal_ends_pipe_whose_reader_does_not_read() {
    // `pipe x.pipe | less`, paused: pipe is writing held output to a pipe
    // that nobody reads. A signal still ends it, after the grace period.
    let test = Test::new().script("parallel unordered { seq 1000000 }\necho after > after");
    let mut child = spawn(&test);
    std::thread::sleep(Duration::from_millis(700));
    let start = Instant::now();
    signal(&child, libc::SIGTERM);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > Duration::from_secs(8) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    let status = status.expect("pipe did not end by the signal");
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(!test.path().join("after").exists());
}

#[test]
fn a_signal_ends_a_loop_that_starts_no_process() {
    // `let` starts nothing: the loop must still let the signal in.
    let test = Test::new()
        .script("echo go > started\nfor i in 1..3000000 { let x = $i }\necho after > after");
    let child = spawn(&test);
    let start = Instant::now();
    while !test.path().join("started").exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    signal(&child, libc::SIGTERM);
    let output = wait_with_deadline(child, Duration::from_secs(60));
    let elapsed = start.elapsed();
    assert_eq!(output.status.signal(), Some(libc::SIGTERM), "{output:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(!test.path().join("after").exists());
}

#[test]
fn each_pipeline_runs_in_its_own_process_group() {
    // Each line: a name, a pid and its process group (the fifth field of
    // /proc/PID/stat; `sh` has no space in its name).
    let me = r#"$$ $(cut -d" " -f5 /proc/$$/stat)"#;
    let run = Test::new()
        .script(format!(
            "sh -c 'echo pipe $PPID $(cut -d\" \" -f5 /proc/$PPID/stat)'\n\
             sh -c 'echo a {me}' | sh -c 'cat; echo b {me}'\n\
             sh -c 'echo c {me}'\n\
             parallel {{ sh -c 'echo d {me}' ; sh -c 'echo e {me}' }}\n\
             timeout 5s {{ sh -c 'echo f {me}' }}\n"
        ))
        .run();
    let groups: std::collections::BTreeMap<String, u32> = run
        .stdout()
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields.len(), 3, "{line}");
            (fields[0].to_owned(), fields[2].parse().unwrap())
        })
        .collect();
    let group = |name: &str| groups[name];
    // The stages of one pipeline share a group.
    assert_eq!(group("a"), group("b"), "{groups:?}");
    // Every other pipeline has one of its own, and none is pipe's.
    let mut seen: Vec<u32> = ["pipe", "a", "c", "d", "e", "f"]
        .into_iter()
        .map(group)
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6, "{groups:?}");
}

// ---------------------------------------------------------------------------
// Nothing left behind.

#[test]
fn what_a_pipeline_leaves_in_its_group_is_ended() {
    let marker = "sleep 36.071";
    let test = Test::new().script(format!("sh -c '{marker} & sleep 0.3'\nsleep 2.071"));
    let child = spawn(&test);
    wait_for_process(marker, Duration::from_secs(10));
    wait_for_process("sleep 2.071", Duration::from_secs(10));
    // Gone while pipe still runs the next statement.
    let result =
        std::panic::catch_unwind(|| assert_gone_within(marker, Duration::from_millis(500)));
    signal(&child, libc::SIGTERM);
    let _ = wait_with_deadline(child, Duration::from_secs(10));
    assert_gone_within(marker, Duration::from_secs(1));
    assert!(result.is_ok(), "the background sleep outlived its pipeline");
}

#[test]
fn what_a_parallel_branch_leaves_is_ended_with_the_block() {
    // Both branches leave a sleep running in their group; neither outlives
    // the block: the next statement finds them gone.
    let marker = "sleep 36.073";
    let test = Test::new().script(format!(
        "parallel {{ sh -c '{marker} & sleep 0.3' ; timeout 5s {{ sh -c '{marker} & sleep 0.2' }} }}\n\
         sleep 2.073"
    ));
    let child = spawn(&test);
    wait_for_process("sleep 2.073", Duration::from_secs(10));
    let left = processes_with(marker);
    signal(&child, libc::SIGTERM);
    let _ = wait_with_deadline(child, Duration::from_secs(10));
    assert_gone_within(marker, Duration::from_secs(1));
    assert!(left.is_empty(), "left running after its block: {left:?}");
}

#[test]
fn an_orphan_in_its_own_session_is_adopted_and_ended() {
    let marker = "sleep 36.081";
    let test = Test::new().script(format!("sh -c 'setsid {marker} & sleep 0.3'\nsleep 2.081"));
    let child = spawn(&test);
    wait_for_process(marker, Duration::from_secs(10));
    wait_for_process("sleep 2.081", Duration::from_secs(10));
    let result =
        std::panic::catch_unwind(|| assert_gone_within(marker, Duration::from_millis(500)));
    signal(&child, libc::SIGTERM);
    let _ = wait_with_deadline(child, Duration::from_secs(10));
    assert_gone_within(marker, Duration::from_secs(1));
    assert!(result.is_ok(), "the setsid orphan outlived its pipeline");
}

#[test]
fn an_orphan_ignoring_term_is_killed_after_the_grace() {
    // A daemon in its own session that ignores TERM outlives its pipeline
    // by the grace period (2 s), not until pipe exits.
    let marker = "sleep 36.085";
    let test = Test::new().script(format!(
        "sh -c 'setsid sh -c \"trap \\\"\\\" TERM; exec {marker}\" & sleep 0.2'\nsleep 6.085"
    ));
    let child = spawn(&test);
    wait_for_process(marker, Duration::from_secs(10));
    wait_for_process("sleep 6.085", Duration::from_secs(10));
    let result = std::panic::catch_unwind(|| assert_gone_within(marker, Duration::from_secs(4)));
    signal(&child, libc::SIGTERM);
    let _ = wait_with_deadline(child, Duration::from_secs(10));
    assert_gone_within(marker, Duration::from_secs(1));
    assert!(result.is_ok(), "the orphan ignoring TERM lived on");
}

#[test]
fn everything_left_is_killed_when_pipe_exits() {
    // A daemon in its own session that ignores TERM: only KILL ends it.
    let marker = "sleep 36.091";
    let test = Test::new().script(format!(
        "sh -c 'setsid sh -c \"trap \\\"\\\" TERM; {marker}; true\" & sleep 0.3'\nsleep 0.691"
    ));
    let child = spawn(&test);
    wait_for_process(marker, Duration::from_secs(10));
    let output = wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(status_of(&output), 0);
    assert_gone_within(marker, Duration::from_secs(1));

    // Also when the script fails.
    let marker = "sleep 36.092";
    let test = Test::new().script(format!(
        "sh -c 'setsid sh -c \"trap \\\"\\\" TERM; {marker}; true\" & sleep 0.3'\nsleep 0.5\nfalse"
    ));
    let child = spawn(&test);
    wait_for_process(marker, Duration::from_secs(10));
    let output = wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(status_of(&output), 1);
    assert_gone_within(marker, Duration::from_secs(1));
}

/// The state letters of the processes whose parent is `pid`.
fn children_states(pid: u32) -> Vec<(u32, char)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold anything, so split after
        // its last parenthesis.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let mut fields = stat[close + 1..].split_whitespace();
        let state = fields.next().and_then(|s| s.chars().next()).unwrap_or('?');
        let ppid: u32 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        if ppid == pid {
            found.push((child, state));
        }
    }
    found
}

#[test]
fn no_zombies() {
    for (script, marker) in [
        ("parallel for i in 1..200 { true }", "sleep 0.601"),
        ("for i in 1..100 { true }", "sleep 0.602"),
        (
            "timeout 100ms { parallel for i in 1..20 { sleep 5 } } || true",
            "sleep 0.603",
        ),
        (
            "parallel fail-fast { false ; sleep 5 ; sleep 5 | cat } || true",
            "sleep 0.604",
        ),
    ] {
        let test = Test::new().script(format!("{script}\n{marker}"));
        let child = spawn(&test);
        wait_for_process(marker, Duration::from_secs(20));
        for _ in 0..5 {
            let zombies: Vec<_> = children_states(child.id())
                .into_iter()
                .filter(|(_, state)| *state == 'Z')
                .collect();
            assert!(zombies.is_empty(), "{script}: zombies {zombies:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let output = wait_with_deadline(child, Duration::from_secs(20));
        assert_eq!(status_of(&output), 0, "{script}");
    }
}

// ---------------------------------------------------------------------------
// File descriptors.

/// The fds an `ls /proc/self/fd` listing shows.
fn fds_of(listing: &str) -> Vec<u32> {
    listing.lines().map(|l| l.parse().unwrap()).collect()
}

#[test]
fn branches_see_only_their_own_fds() {
    let test = Test::new().script(
        "parallel {\n\
           ls /proc/self/fd > a\n\
           ls /proc/self/fd > b\n\
           ls /proc/self/fd | cat > c\n\
           ls /proc/self/fd\n\
         }\n\
         parallel lines { ls /proc/self/fd > d ; ls /proc/self/fd > e }\n\
         parallel raw { ls /proc/self/fd > f ; ls /proc/self/fd > g }\n\
         parallel unordered { ls /proc/self/fd > h ; true }\n\
         timeout 5s { ls /proc/self/fd > i }\n\
         parallel { timeout 5s { ls /proc/self/fd > j } ; sleep 0.1 }",
    );
    let mut command = test.command();
    // An fd inherited from pipe's parent, not close-on-exec.
    // SAFETY: dup2 between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::dup2(2, 7);
            Ok(())
        });
    }
    let output = command.stdin(Stdio::null()).output().unwrap();
    assert_eq!(
        status_of(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut listings = vec![(
        "stdout".to_owned(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )];
    for name in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] {
        let listing = std::fs::read_to_string(test.path().join(name)).unwrap();
        listings.push((name.to_owned(), listing));
    }
    for (name, listing) in listings {
        let fds = fds_of(&listing);
        // ls opens one fd of its own for the directory it reads.
        assert!(
            fds.len() <= 4 && fds.iter().take(3).eq([0, 1, 2].iter()),
            "{name}: {fds:?}"
        );
        assert!(!fds.contains(&7), "{name}: inherited fd 7 leaked: {fds:?}");
    }
}

#[test]
fn running_children_hold_no_foreign_fds() {
    let markers = ["sleep 1.361", "sleep 1.362", "sleep 1.363", "sleep 1.364"];
    let test = Test::new().script(
        "parallel {\n\
           sleep 1.361\n\
           sleep 1.362 | cat\n\
           echo x | sleep 1.363\n\
           timeout 5s { sleep 1.364 }\n\
         }",
    );
    let child = spawn(&test);
    for marker in markers {
        wait_for_process(marker, Duration::from_secs(10));
    }
    let mut problems = Vec::new();
    for marker in markers {
        for process in processes_with(marker) {
            let pid = process.split(':').next().unwrap();
            let fds: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            let mut fds: Vec<u32> = fds.iter().filter_map(|f| f.parse().ok()).collect();
            fds.sort();
            if fds != [0, 1, 2] {
                problems.push(format!("{process}: {fds:?}"));
            }
        }
    }
    let output = wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(status_of(&output), 0);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_sibling_does_not_hold_a_branch_pipe_open() {
    // If the slow branch inherited the write end of `echo hi | cat`, cat
    // would only see EOF when the slow branch ends.
    Test::new()
        .script("parallel unordered { sh -c 'sleep 0.6; echo slow' ; echo hi | cat }")
        .stdout("hi\nslow\n")
        .run();
}

#[test]
fn pipe_holds_no_more_fds_after_many_statements() {
    // Every kind of statement, on its happy and its error paths, gives
    // back the pipes and files it opened: pipe holds as many fds (which
    // `sh` lists as its parent's) after ten rounds as before. `sh` opens
    // the file it writes the list to itself: a redirect of pipe's would be
    // in the list or not, as pipe had closed its copy or not yet. The
    // first `true` has pipe open what it opens for its first child (the
    // SIGCHLD signalfd), which it may do before or after `sh` looks.
    let test = Test::new().script(
        "true\n\
         sh -c 'ls /proc/$PPID/fd > before'\n\
         for i in 1..10 {\n\
           echo hi | cat > /dev/null\n\
           let x = $(echo a | cat)\n\
           parallel { echo a ; echo b | cat } > /dev/null\n\
           parallel lines { echo a } > /dev/null\n\
           parallel unordered { echo a } > /dev/null\n\
           echo x | fanout { cat ; wc -c } > /dev/null\n\
           timeout 5s { echo a | cat } > /dev/null\n\
           true <<< here | cat\n\
           echo hi | no-such-command || true\n\
           cat < missing-file || true\n\
           echo x > missing-dir/f || true\n\
           timeout 1ms { sleep 5 | cat } || true\n\
           parallel fail-fast { false ; sleep 5 } || true\n\
         }\n\
         sh -c 'ls /proc/$PPID/fd > after'",
    );
    let output = test.command().stdin(Stdio::null()).output().unwrap();
    assert_eq!(status_of(&output), 0);
    let before = std::fs::read_to_string(test.path().join("before")).unwrap();
    let after = std::fs::read_to_string(test.path().join("after")).unwrap();
    assert!(!before.is_empty());
    assert_eq!(
        fds_of(&before).len(),
        fds_of(&after).len(),
        "{before} / {after}"
    );
}

#[test]
fn a_substitution_does_not_wait_for_what_it_left_running() {
    // The background `sleep` holds the `$(...)`'s pipe open; it is ended
    // with the pipeline that started it, so the value is there at once.
    for (script, marker) in [
        (
            "echo $(sh -c 'sleep 36.111 & echo started')",
            "sleep 36.111",
        ),
        (
            "timeout 20s { echo $(sh -c 'sleep 36.112 & echo started') }",
            "sleep 36.112",
        ),
        (
            "echo $(sh -c 'setsid sleep 36.113 & sleep 0.2; echo started')",
            "sleep 36.113",
        ),
    ] {
        let run = Test::new().script(script).stdout("started\n").run();
        assert!(
            run.elapsed < Duration::from_secs(10),
            "{script}: {:?}",
            run.elapsed
        );
        assert_gone_within(marker, Duration::from_secs(2));
    }
}

/// The command with its soft fd limit at `soft` and its hard one at `hard`.
fn with_fd_limits(test: &Test, soft: u64, hard: u64) -> std::process::Command {
    let mut command = test.command();
    // SAFETY: setrlimit between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: soft,
                rlim_max: hard,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}

#[test]
fn a_low_fd_limit_is_fine_for_small_blocks() {
    let test = Test::new().script("parallel for i in 1..5 { echo $i | cat }");
    let output = with_fd_limits(&test, 40, 40)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        status_of(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "1\n2\n3\n4\n5\n");
}

#[test]
fn a_low_soft_fd_limit_is_raised_for_pipe_alone() {
    // A soft limit of 1024 is the usual default; 256 shows the same with
    // fewer branches. pipe raises its own to the hard limit, so that 400
    // branches run at once, as 400 `&` jobs would in bash; its children
    // get the soft limit back.
    let test = Test::new().script(
        "parallel for i in 1..400 { echo $i }\nparallel { sh -c 'ulimit -Sn' }\nsh -c 'ulimit -Sn'",
    );
    let output = with_fd_limits(&test, 256, 4096)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status_of(&output), 0, "{stderr}");
    let expected: String = (1..=400).map(|i| format!("{i}\n")).collect();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{expected}256\n256\n")
    );
}

/// A long pipeline holds an fd in pipe for each running stage: at a soft
/// limit of 1024, a pipeline of 2,000 stages failed to start most of them
/// (a diagnostic each) where bash runs it. pipe raises its own limit for
/// it as for a parallel block; here a soft limit of 64 and 100 stages.
#[test]
fn a_low_soft_fd_limit_is_raised_for_a_long_pipeline() {
    let test = Test::new().script(format!(
        "echo x{} | sh -c 'cat; ulimit -Sn'",
        " | cat".repeat(100)
    ));
    let output = with_fd_limits(&test, 64, 4096)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status_of(&output), 0, "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "x\n64\n");
}

/// Where the fds run out all the same (a hard limit of 64), a long
/// pipeline stops at the first stage that cannot start, with one
/// diagnostic: the stages after it would fail alike, a diagnostic each
/// (1,945 of them for 2,000 stages).
#[test]
fn a_pipeline_out_of_fds_starts_no_more_stages() {
    let test = Test::new().script(format!("echo x{}", " | cat".repeat(200)));
    let output = with_fd_limits(&test, 64, 64)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status_of(&output), 126, "{stderr}");
    assert_eq!(stderr.matches("pipe::run::").count(), 1, "{stderr}");
    assert!(stderr.contains("too many open files"), "{stderr}");
}

/// Runs 100 branches of `{marker} | cat` with 40 fds at most: pipe must
/// fail with a diagnostic within a few seconds and leave nothing behind.
fn exhaust_fds(options: &str, marker: &str) {
    let test = Test::new().script(format!(
        "parallel {options} for i in 1..100 {{ {marker} | cat }}"
    ));
    let mut child = with_fd_limits(&test, 40, 40)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let mut status = None;
    while start.elapsed() < Duration::from_secs(4) {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = start.elapsed();
    if status.is_none() {
        // Still waiting for the branches it did start: end it, then fail.
        signal(&child, libc::SIGTERM);
    }
    let output = wait_with_deadline(child, Duration::from_secs(20));
    let stderr = reader.join().unwrap();
    assert_gone_within(marker, Duration::from_secs(2));
    assert!(!stderr.contains("panicked"), "{stderr}");
    let emfile = stderr.matches("too many open files").count();
    assert!(
        status.is_some(),
        "pipe still ran {elapsed:?} after running out of fds ({emfile} \
         \"too many open files\" diagnostics; ended by our SIGTERM: {:?})",
        output.status
    );
    assert_ne!(status_of(&output), 0);
    assert!(emfile > 0, "{stderr}");
}

#[test]
fn fd_exhaustion_with_fail_fast_ends_at_once() {
    exhaust_fds("fail-fast", "sleep 31.71");
}

#[test]
fn fd_exhaustion_fails_cleanly() {
    // Hazard 4: the branches already started are ended, not awaited.
    exhaust_fds("", "sleep 31.7 ");
}

// ---------------------------------------------------------------------------
// A terminal.

/// A pseudo-terminal: (master, slave).
pub(crate) fn open_pty() -> (OwnedFd, OwnedFd) {
    // SAFETY: plain libc calls on fds we own; ptsname_r writes into buf.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        assert!(
            master >= 0,
            "posix_openpt: {}",
            std::io::Error::last_os_error()
        );
        let master = OwnedFd::from_raw_fd(master);
        assert_eq!(libc::grantpt(master.as_raw_fd()), 0);
        assert_eq!(libc::unlockpt(master.as_raw_fd()), 0);
        let mut buf = [0 as libc::c_char; 128];
        assert_eq!(
            libc::ptsname_r(master.as_raw_fd(), buf.as_mut_ptr(), buf.len()),
            0
        );
        let slave = libc::open(
            buf.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        assert!(
            slave >= 0,
            "open slave: {}",
            std::io::Error::last_os_error()
        );
        (master, OwnedFd::from_raw_fd(slave))
    }
}

/// Starts `test` on a new terminal that it controls, in its foreground.
fn spawn_on_pty(test: &Test) -> (Child, std::fs::File) {
    command_on_pty(test.command())
}

/// Starts `command` on a new terminal that it controls, in its foreground.
pub(crate) fn command_on_pty(mut command: std::process::Command) -> (Child, std::fs::File) {
    let (master, slave) = open_pty();
    command
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // SAFETY: setsid and ioctl between fork and exec; stdio is in place.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The new session's only process group is the foreground one.
            if libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn().expect("spawn pipe on a pty");
    drop(command);
    (child, std::fs::File::from(master))
}

/// Reads the terminal's output until every slave is closed.
pub(crate) fn drain(master: &std::fs::File) -> std::thread::JoinHandle<String> {
    let mut reader = master.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut text = Vec::new();
        let mut buf = [0u8; 4096];
        // EIO once no process holds the slave any more.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            text.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&text).into_owned()
    })
}

#[test]
fn a_child_reads_the_terminal() {
    // The child runs in a process group of its own: unless that group has
    // the terminal's foreground, reading it stops the child (SIGTTIN).
    let test = Test::new().flag("-c").flag("head -n 1");
    let (child, mut master) = spawn_on_pty(&test);
    let output_thread = drain(&master);
    master.write_all(b"hello\n").unwrap();
    let start = Instant::now();
    let output = wait_with_deadline(child, Duration::from_secs(5));
    let elapsed = start.elapsed();
    let text = output_thread.join().unwrap();
    assert_eq!(status_of(&output), 0, "terminal showed: {text:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    assert!(
        text.matches("hello").count() >= 2,
        "head's line never came back: {text:?}"
    );
}

#[test]
fn ctrl_c_on_the_terminal_ends_pipe() {
    for (key, sig, marker) in [
        (b"\x03", libc::SIGINT, "sleep 36.101"),
        (b"\x1c", libc::SIGQUIT, "sleep 36.102"),
    ] {
        ends_pipe_from_the_terminal(&format!("{marker}\necho after > after"), key, sig, marker);
    }
}

/// Ctrl-C goes to the pipeline holding the terminal, and the commands of a
/// block stage run in process groups of their own, which pipe alone
/// reaches: it does at once (it did only once they had ended on their own,
/// 36 s later), as the one group of a bash script gets Ctrl-C.
#[test]
fn ctrl_c_reaches_the_blocks_of_the_pipeline_on_the_terminal() {
    for (script, key, sig, marker) in [
        (
            "cat | { sleep 36.103 }",
            b"\x03",
            libc::SIGINT,
            "sleep 36.103",
        ),
        (
            "cat | parallel { sleep 36.104 ; sleep 36.104 | cat }",
            b"\x03",
            libc::SIGINT,
            "sleep 36.104",
        ),
        (
            "cat | timeout 60s { sleep 36.105 }",
            b"\x1c",
            libc::SIGQUIT,
            "sleep 36.105",
        ),
    ] {
        ends_pipe_from_the_terminal(&format!("{script}\necho after > after"), key, sig, marker);
    }
}

/// Ctrl-C reaches the pipeline on the terminal once, from the terminal:
/// when `cat` dies of it, pipe sends SIGINT to every other group, not to
/// that one again, whose `perl` handles the first (to a program that does,
/// a second Ctrl-C often means "quit at once").
#[test]
fn ctrl_c_reaches_the_pipeline_on_the_terminal_once() {
    let test = Test::new()
        .file(
            "count.pl",
            "$n = 0; $SIG{INT} = sub { $n++ };\n\
             open R, '>', 'ready'; close R;\n\
             select(undef, undef, undef, 0.01) for 1..60;\n\
             open F, '>', 'count'; print F \"$n\\n\";\n",
        )
        .script("cat | perl count.pl\necho after > after");
    let (child, mut master) = spawn_on_pty(&test);
    let output_thread = drain(&master);
    wait_for_process("perl count.pl", Duration::from_secs(10));
    // Once perl has its handler (a loaded machine may take longer than
    // any fixed pause to get there): then it counts for 0.6 s, well within
    // the 2 s that pipe waits after a Ctrl-C.
    let ready = test.path().join("ready");
    let start = std::time::Instant::now();
    while !ready.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(5));
    }
    master.write_all(b"\x03").unwrap();
    let output = wait_with_deadline(child, Duration::from_secs(10));
    let text = output_thread.join().unwrap();
    assert_eq!(
        output.status.signal(),
        Some(libc::SIGINT),
        "{:?}; terminal showed: {text:?}",
        output.status
    );
    assert_eq!(
        std::fs::read_to_string(test.path().join("count")).unwrap_or_default(),
        "1\n"
    );
    assert!(!test.path().join("after").exists());
}

/// `key` typed on the terminal, which the pipeline holds, sends it `sig`:
/// pipe ends by that signal too, as a shell script would.
fn ends_pipe_from_the_terminal(script: &str, key: &[u8], sig: i32, marker: &str) {
    let test = Test::new().script(script);
    let (child, mut master) = spawn_on_pty(&test);
    let output_thread = drain(&master);
    wait_for_process(marker, Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(100));
    master.write_all(key).unwrap();
    let output = wait_with_deadline(child, Duration::from_secs(10));
    let text = output_thread.join().unwrap();
    assert_eq!(
        output.status.signal(),
        Some(sig),
        "{:?}; terminal showed: {text:?}",
        output.status
    );
    assert!(!test.path().join("after").exists());
    assert_gone_within(marker, Duration::from_secs(1));
}

/// The state letter of process `pid` (`T` when stopped).
fn state_of(pid: u32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rfind(')')
        .and_then(|close| stat[close + 1..].split_whitespace().next())
        .and_then(|state| state.chars().next())
        .unwrap_or('?')
}

/// Waits up to `limit` for every process in `pids` to be stopped.
fn assert_stopped_within(pids: &[u32], limit: Duration) {
    let start = Instant::now();
    loop {
        let states: Vec<char> = pids.iter().map(|&pid| state_of(pid)).collect();
        if states.iter().all(|&state| state == 'T') {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "not all stopped {limit:?} later: {pids:?} {states:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pids of the processes holding `marker`.
fn pids_with(marker: &str) -> Vec<u32> {
    processes_with(marker)
        .iter()
        .filter_map(|line| line.split(':').next()?.parse().ok())
        .collect()
}

#[test]
fn sigtstp_stops_the_whole_job_and_sigcont_resumes_it() {
    // As a shell's job: pipe leads a process group of its own, in the
    // test's session, so a shell could continue it.
    let marker = "sleep 1.811";
    let test = Test::new().script(format!(
        "parallel {{ {marker}; sh -c '{marker}; true' }}\necho done"
    ));
    let mut command = test.command();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let child = command.spawn().expect("spawn pipe");
    let start = Instant::now();
    while pids_with(marker).len() < 2 {
        assert!(start.elapsed() < Duration::from_secs(10), "never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    signal(&child, libc::SIGTSTP);
    // pipe, both sleeps and the sh between: the whole job is stopped.
    let mut pids = pids_with(marker);
    pids.push(child.id());
    assert_stopped_within(&pids, Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(100));
    assert!(pids.iter().all(|&pid| state_of(pid) == 'T'));
    signal(&child, libc::SIGCONT);
    let output = wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(
        status_of(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.stdout, b"done\n");
}

#[test]
fn ctrl_z_stops_the_job_that_holds_the_terminal() {
    // A job-control shell (sh -m) runs pipe as a job. The pipeline reading
    // the terminal holds its foreground, so Ctrl-Z reaches it, not pipe:
    // the whole job must stop all the same, or the shell would wait on
    // pipe for ever while nothing could read the terminal. The shell then
    // continues it in the foreground (`fg`), and the pipeline reads on.
    let script = format!(
        "'{}' -c 'head -n 1 | tr a-y A-Y; echo done'; echo \"status $?\"; fg",
        crate::harness::PIPE
    );
    let mut command = std::process::Command::new("sh");
    command.args(["-m", "-c", &script]).env("NO_COLOR", "1");
    let (child, mut master) = command_on_pty(command);
    let output_thread = drain(&master);
    let start = Instant::now();
    while pids_with("tr a-y A-Y").is_empty() {
        assert!(start.elapsed() < Duration::from_secs(10), "never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    master.write_all(b"\x1a").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    master.write_all(b"hello\n").unwrap();
    let output = wait_with_deadline(child, Duration::from_secs(10));
    let text = output_thread.join().unwrap();
    assert_eq!(status_of(&output), 0, "terminal showed: {text:?}");
    // 148: 128 + SIGTSTP, the shell's word for a stopped job.
    assert!(text.contains("status 148"), "never stopped: {text:?}");
    assert!(text.contains("HELLO") && text.contains("done"), "{text:?}");
}

#[test]
fn under_nohup_a_hangup_is_ignored_by_pipe_and_its_children() {
    // `nohup pipe job.pipe &`: started with SIGHUP ignored, pipe keeps it
    // ignored, as bash does, and so do its children; the job outlives the
    // terminal. (Without nohup, `pipe_dies_by_the_signal_it_got`.)
    let ignored = survives_what_it_was_started_ignoring("sleep 1.615", &[libc::SIGHUP]);
    assert_ne!(ignored & 1 << (libc::SIGHUP - 1), 0, "{ignored:x}");
}

#[test]
fn a_background_job_of_a_script_is_not_interrupted() {
    // `pipe job.pipe &` in a bash script: bash starts it with SIGINT and
    // SIGQUIT ignored, so that the Ctrl-C meant for the script's foreground
    // command does not end it; pipe keeps them ignored, as bash does. Its
    // children start with them at their default all the same.
    let ignored =
        survives_what_it_was_started_ignoring("sleep 1.625", &[libc::SIGINT, libc::SIGQUIT]);
    let interrupts = 1 << (libc::SIGINT - 1) | 1 << (libc::SIGQUIT - 1);
    assert_eq!(ignored & interrupts, 0, "{ignored:x}");
}

/// Starts a script that runs `marker`, then shows its own ignored signals,
/// with `signals` ignored; sends them to pipe while `marker` runs; checks
/// that the script went on to its end, and returns the SigIgn mask its
/// child showed.
fn survives_what_it_was_started_ignoring(marker: &str, signals: &'static [i32]) -> u64 {
    let test = Test::new().script(format!(
        "{marker}\ngrep SigIgn /proc/self/status\necho survived"
    ));
    let mut command = test.command();
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            for &sig in signals {
                libc::signal(sig, libc::SIG_IGN);
            }
            Ok(())
        });
    }
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_process(marker, Duration::from_secs(10));
    for &sig in signals {
        signal(&child, sig);
    }
    let output = wait_with_deadline(child, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        status_of(&output),
        0,
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.ends_with("survived\n"), "{stdout}");
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .map(|mask| u64::from_str_radix(mask.trim(), 16).unwrap())
        .unwrap()
}
