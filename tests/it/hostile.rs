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
fn a_closed_stdout_ends_every_block_quietly() {
    // `pipe x.pipe | head -c 5` with the writer in a block: a fanout (its
    // branches written through, or held), a timeout, a plain block.
    for (script, marker) in [
        (
            "yes closed-stdout-1 | fanout { cat ; cat }",
            "closed-stdout-1",
        ),
        ("seq 100007 | fanout unordered { cat ; cat }", "seq 100007"),
        ("timeout 20s { yes closed-stdout-3 }", "closed-stdout-3"),
        ("{ yes closed-stdout-4 }", "closed-stdout-4"),
    ] {
        let test = Test::new().script(format!("{script}\necho never > marker"));
        let output = read_then_close(&test, 5, Duration::from_secs(30));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.is_empty(), "{script}: {stderr}");
        assert_eq!(status_of(&output), 141, "{script}");
        assert!(!test.path().join("marker").exists(), "{script}");
        crate::concurrency::assert_gone_within(marker, Duration::from_secs(1));
    }
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
    // A plain command, and a command started by a parallel block's
    // starter thread.
    let test = Test::new().script("cat /proc/self/status\nparallel { cat /proc/self/status }");
    let mut command = test.command();
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            // SIGINT, SIGTERM, SIGQUIT and SIGUSR2 stay ignored in pipe
            // (as in bash) and each child resets them; SIGPIPE is pipe's to
            // set (blocked on Linux), and a child's to have back.
            for signal in [
                libc::SIGINT,
                libc::SIGTERM,
                libc::SIGQUIT,
                libc::SIGUSR2,
                libc::SIGPIPE,
            ] {
                libc::signal(signal, libc::SIG_IGN);
            }
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            libc::sigaddset(&mut set, libc::SIGPIPE);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
    let output = command.output().unwrap();
    assert_eq!(status_of(&output), 0);
    let text = String::from_utf8_lossy(&output.stdout);
    // Signals 1-31; glibc reserves 32 and 33 for itself, whatever the parent did.
    let standard = 0x7fff_ffff;
    let (plain, branch) = text.split_at(text.rfind("Name:").unwrap());
    for text in [plain, branch] {
        assert_eq!(signal_field(text, "SigBlk:") & standard, 0, "{text}");
        assert_eq!(signal_field(text, "SigIgn:") & standard, 0, "{text}");
    }
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
    // The children's standard fds are /dev/null, and no file `pipe` opens
    // (a redirect, a pipe, held output) stands in for one: a command's
    // output to a closed stdout reaches no file, and each file holds
    // exactly what was written to it.
    let test = Test::new().script(
        "echo data > out\n\
         echo stray\n\
         parallel { echo branch ; echo other } \n\
         readlink /proc/self/fd/0 /proc/self/fd/2 > links\n\
         { echo block } | cat > piped\n\
         cat out > copy",
    );
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
    for (name, contents) in [
        ("out", "data\n"),
        ("copy", "data\n"),
        ("links", "/dev/null\n/dev/null\n"),
        ("piped", "block\n"),
    ] {
        assert_eq!(
            std::fs::read_to_string(test.path().join(name)).unwrap(),
            contents,
            "{name}"
        );
    }
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
    // Every other construct that nests: defaults, quoted substitutions,
    // and each kind of block.
    for (start, open, close) in [
        ("echo ", "${x:-", "}"),
        ("echo ", "\"$(echo \"", "\")\""),
        ("", "parallel { ", " }"),
        ("", "timeout 5s { ", " }"),
        ("", "for i in a { ", " }"),
        ("", "echo x | fanout { ", " }"),
    ] {
        let deep = format!(
            "{start}{}echo x{}",
            open.repeat(20_000),
            close.repeat(20_000)
        );
        Test::new()
            .script(deep)
            .status(2)
            .stderr_has("nesting too deep")
            .run();
    }
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
        "timeout infs { sleep 1 }",
        "timeout 1e-5000s { sleep 1 }",
        "timeout 42D { sleep 1 }",
        "timeout \"\" { sleep 1 }",
        "timeout 99999999999999999999999s { sleep 1 }",
        "timeout 1s grace -1s { sleep 1 }",
        "timeout 1s signal 65 { sleep 1 }",
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

/// A short secret is looked for in all the script a diagnostic shows,
/// each time next to the characters around it only: that read all the
/// text before and after each match, and a failure in a 400 KB script
/// with a one-letter secret took half a minute to report.
#[test]
fn a_short_secret_in_a_large_script_is_masked_at_once() {
    let mut script = String::from("secret a = w\n");
    for _ in 0..1000 {
        script.push_str("# ");
        script.push_str(&"w ".repeat(200));
        script.push('\n');
    }
    script.push_str("false\n");
    let run = Test::new()
        .script(script)
        .status(1)
        .stderr_has("`false` exited with status 1")
        .run();
    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
}

/// A script that does not parse is searched for the secrets written in
/// it within a bound, each value kept once: 256 long unquoted values of
/// one-letter words took minutes to be read word by word.
#[test]
fn secrets_of_a_large_unparsed_script_are_found_at_once() {
    let line = format!("secret a = {}\n", "w ".repeat(2000));
    let script = line.repeat(256) + "echo (\n";
    let run = Test::new()
        .script(script)
        .status(2)
        .stderr_has("pipe::parse::value_not_one_word")
        .run();
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    assert!(
        run.stderr().contains("secret a = * * *"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_substitution_that_prints_without_end_fails_at_a_cap() {
    // `$(yes)` would fill all memory: it fails at 64 MiB, quickly. The
    // address space is capped too, so that a regression fails this test
    // rather than the machine.
    let test = Test::new().script("echo $(yes)\necho never");
    let mut command = test.command();
    // SAFETY: setrlimit between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let output = command.stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    insta::assert_snapshot!(format!("status: {}\n{stderr}", status_of(&output)));
}

#[test]
fn large_here_strings_neither_block_nor_fail() {
    // 4 MB, far more than a pipe holds: `pipe` writes it while the command
    // reads and its output is captured; a command that never reads it is
    // no failure (the writer's EPIPE is ignored); a timeout ends a reader
    // that stopped reading, writer and all.
    let run = Test::new()
        .script(
            "let big = $(head -c 4000000 /dev/zero | tr '\\0' a)\n\
             let copy = $(cat <<< $big)\n\
             cat <<< $copy | wc -c\n\
             true <<< $big\n\
             true <<< $big | true\n\
             timeout 300ms { sleep 10 <<< $big } || echo \"timed out $?\"\n\
             timeout 300ms { cat <<< $big | sleep 10 } || echo \"timed out $?\"",
        )
        .stdout("4000001\ntimed out 124\ntimed out 124\n")
        .run();
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
}

#[test]
fn both_streams_into_one_capture() {
    // Each stream is far past a pipe's buffer: neither may wait for the
    // other to be read.
    Test::new()
        .script(
            "let both = $(sh -c 'head -c 1000000 /dev/zero | tr \"\\0\" e >&2; \
             head -c 1000000 /dev/zero | tr \"\\0\" o' 2>&1)\n\
             cat <<< $both | tr -d o | wc -c\n\
             cat <<< $both | tr -d e | wc -c",
        )
        // Each stream whole, a megabyte of each and the here-string's
        // newline: not one stream twice, nor a total that happens to match.
        .stdout("1000001\n1000001\n")
        .run();
}

#[test]
fn a_blocked_and_ignored_sigalrm_does_not_change_a_timeout() {
    let test = Test::new().script("timeout 200ms { sleep 5 } || echo \"timed out $?\"");
    let mut command = test.command();
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::signal(libc::SIGALRM, libc::SIG_IGN);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGALRM);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
    let start = std::time::Instant::now();
    let output = command.stdin(Stdio::null()).output().unwrap();
    let elapsed = start.elapsed();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "timed out 124\n");
    assert_eq!(status_of(&output), 0);
    assert!(
        elapsed >= Duration::from_millis(190) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

/// Whether `unshare` can make a user and PID namespace here.
fn can_unshare() -> bool {
    std::process::Command::new("unshare")
        .args(["--pid", "--fork", "--map-root-user", "--mount-proc", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

#[test]
fn as_pid_1_pipe_reaps_orphans_and_ends_by_sigterm() {
    // In a container `pipe` may be PID 1: every orphan comes to it, and a
    // signal without a handler does nothing to it.
    if !can_unshare() {
        eprintln!("skipped: unshare cannot make a PID namespace here");
        return;
    }
    let test = Test::new().script(
        "sh -c 'sleep 0.1 & sleep 0.1 & (sleep 0.1 &) ; exit 0'\n\
         sleep 0.5\n\
         sh -c 'cat /proc/[0-9]*/stat' > stats\n\
         echo ready > ready\n\
         sleep 36.121",
    );
    let pipe = test.command();
    let mut command = std::process::Command::new("unshare");
    command
        .args(["--pid", "--fork", "--map-root-user", "--mount-proc"])
        .arg(pipe.get_program())
        .args(pipe.get_args())
        .current_dir(test.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let ready = test.path().join("ready");
    let start = std::time::Instant::now();
    while !ready.exists() {
        if child.try_wait().unwrap().is_some() {
            let output = child.wait_with_output().unwrap();
            panic!(
                "ended before it was ready, status {}: {}",
                status_of(&output),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert!(start.elapsed() < Duration::from_secs(20), "never ready");
        std::thread::sleep(Duration::from_millis(10));
    }
    // unshare's one child is pipe.
    let children =
        std::fs::read_to_string(format!("/proc/{}/task/{}/children", child.id(), child.id()))
            .unwrap();
    let pipe_pid: i32 = children.split_whitespace().next().unwrap().parse().unwrap();
    // SAFETY: kill on pipe, which is running: its parent, unshare, has not
    // reaped it.
    unsafe { libc::kill(pipe_pid, libc::SIGTERM) };
    let output = crate::harness::wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(
        status_of(&output),
        143,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stats = std::fs::read_to_string(test.path().join("stats")).unwrap();
    assert!(stats.starts_with("1 "), "pipe is not PID 1:\n{stats}");
    // The state is the field after the command's name in parentheses.
    let zombies: Vec<&str> = stats
        .lines()
        .filter(|line| {
            line.rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z'))
        })
        .collect();
    assert!(zombies.is_empty(), "{zombies:?}");
    crate::concurrency::assert_gone_within("sleep 36.121", Duration::from_secs(2));
}

#[test]
fn a_child_pipe_did_not_start_is_left_alone() {
    // `sh` leaves a child and execs `pipe`: the child is pipe's now, but
    // not one it started. It is neither ended nor mistaken for one of the
    // script's, and every status still reaches the right command.
    let test = Test::new().script(
        "parallel for i in 1..100 { sh -c \"exit $i\" || echo \"$i $?\" } | awk '$1 != $2'\n\
         sh -c 'exit 3' || echo \"got $?\"",
    );
    let pipe = test.command();
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg("sleep 36.131 > /dev/null 2>&1 & echo $! > foreign; exec \"$0\" \"$@\"")
        .arg(pipe.get_program())
        .args(pipe.get_args())
        .current_dir(test.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    let output = command.output().unwrap();
    let foreign: i32 = std::fs::read_to_string(test.path().join("foreign"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let alive = std::fs::read_to_string(format!("/proc/{foreign}/cmdline"))
        .is_ok_and(|cmdline| cmdline.contains("36.131"));
    if alive {
        // SAFETY: the sleep this test started, still running (its parent,
        // pipe, has ended: it is init's or a subreaper's to reap).
        unsafe { libc::kill(foreign, libc::SIGKILL) };
    }
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "got 3\n",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(status_of(&output), 0);
    assert!(alive, "pipe ended a process it did not start");
}

#[test]
fn a_group_is_never_signalled_after_its_pid_is_reused() {
    // In a PID namespace of its own, a branch's group leader ends and is
    // reaped; a decoy, no process of pipe's, is then made with that very
    // pid, as the leader of its own group. The fail-fast and the SIGTERM
    // that follow must not reach it.
    if !can_unshare() {
        eprintln!("skipped: unshare cannot make a PID namespace here");
        return;
    }
    let init = r#"
        (
          while [ ! -s victim ]; do :; done
          n=$(cat victim)
          while [ -d /proc/$n ]; do :; done
          echo $((n - 1)) > /proc/sys/kernel/ns_last_pid
          setsid sleep 36.141 &
          echo $! > decoy-pid
          : > decoy
        ) &
        "$0" "$@"
        echo $? > status
        sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$(cat decoy-pid)/status" > decoy-state
    "#;
    let wait_for_decoy = "while [ ! -f decoy ]; do :; done";
    for (script, expected) in [
        (
            format!(
                "parallel fail-fast {{ sh -c 'echo $$ > victim' ; sh -c '{wait_for_decoy}; exit 3' ; sleep 36.142 }}"
            ),
            "3",
        ),
        (
            format!(
                "parallel {{ sh -c 'echo $$ > victim' ; sh -c '{wait_for_decoy}; kill -TERM $PPID' ; sleep 36.143 }}"
            ),
            "143",
        ),
    ] {
        let test = Test::new().script(&script);
        let pipe = test.command();
        let output = std::process::Command::new("unshare")
            .args([
                "--pid",
                "--fork",
                "--map-root-user",
                "--mount-proc",
                "sh",
                "-c",
                init,
            ])
            .arg(pipe.get_program())
            .args(pipe.get_args())
            .current_dir(test.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = crate::harness::wait_with_deadline(output, Duration::from_secs(30));
        let read = |name: &str| {
            std::fs::read_to_string(test.path().join(name))
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        if read("victim") != read("decoy-pid") {
            // Another process took the pid first: the case was not made.
            eprintln!("skipped: the decoy did not get the freed pid");
            continue;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(read("status"), expected, "{script}: {stderr}");
        // Sleeping (or running): not gone, nor a zombie.
        let state = read("decoy-state");
        assert!(
            state == "S" || state == "R",
            "decoy {state:?}: {script}: {stderr}"
        );
    }
}

#[test]
fn a_diagnostic_on_a_wide_line_shows_only_its_part() {
    // A script with 100 KB on one line (generated, or a value pasted in):
    // the diagnostic shows the line around the variable, not all of it.
    let line = format!("echo {} $nope {}\n", "a".repeat(50_000), "b".repeat(50_000));
    let run = Test::new().script(line).status(1).run();
    insta::assert_snapshot!(run.stderr());
}

#[test]
fn a_diagnostic_cuts_a_word_of_a_megabyte() {
    // The command's name is in the message and under the label: both are
    // cut, and the report stays a few kilobytes.
    let script = format!("true\nnosuch{} arg\n", "x".repeat(1 << 20));
    let run = Test::new().script(script).status(127).run();
    let stderr = run.stderr();
    assert!(stderr.len() < 4096, "{} bytes of stderr", stderr.len());
    assert!(stderr.contains("pipe::run::command_not_found"), "{stderr}");
    assert!(stderr.contains("`nosuchxxx"), "{stderr}");
    assert!(stderr.contains("x…"), "{stderr}");
    assert!(stderr.contains("[script.pipe:2:1]"), "{stderr}");
}

#[test]
fn a_secret_in_a_cut_word_stays_hidden() {
    // The word is cut after the secret is hidden: no part of it shows.
    let script = format!(
        "secret key = hunter2hunter2\nnosuch{}${{key}}tail\n",
        "x".repeat(390)
    );
    let run = Test::new().script(script).status(127).run();
    let stderr = run.stderr();
    // Cut first, the message would end in the secret's first bytes.
    let cut = format!("`nosuch{}h", "x".repeat(390));
    assert!(!stderr.contains(&cut), "{stderr}");
    assert!(stderr.contains("***"), "{stderr}");
}

#[test]
fn a_variable_name_of_a_megabyte_is_cut_in_its_help_too() {
    let script = format!("echo ${}\n", "v".repeat(1 << 20));
    let run = Test::new().script(script).status(1).run();
    let stderr = run.stderr();
    assert!(stderr.len() < 6000, "{} bytes of stderr", stderr.len());
    assert!(stderr.contains("pipe::run::undefined_variable"), "{stderr}");
    assert!(stderr.contains("help: define it with `let"), "{stderr}");
}

#[test]
fn a_script_over_4_mib_is_refused_unread() {
    // An endless file is refused at once, not read into memory.
    let run = Test::new()
        .arg("/dev/zero")
        .status(2)
        .stderr_has("pipe::usage::too_large")
        .stderr_has("`/dev/zero` is larger than 4 MiB")
        .run();
    assert!(run.elapsed < Duration::from_secs(20));
    // 4 MiB exactly runs; a byte more, by file or on standard input, does
    // not, for a run as for `pipe check`.
    let comment = "#".repeat(99) + "\n";
    let tail = "echo done\n";
    let body = (4 << 20) - tail.len();
    let full = comment.repeat(body / 100) + &"#".repeat(body % 100 - 1) + "\n" + tail;
    assert_eq!(full.len(), 4 << 20);
    Test::new().script(&full).stdout("done\n").run();
    let over = full.clone() + "\n";
    Test::new()
        .script(&over)
        .status(2)
        .stderr_has("`script.pipe` is larger than 4 MiB")
        .run();
    Test::new()
        .arg("-")
        .stdin(&over)
        .status(2)
        .stderr_has("`standard input` is larger than 4 MiB")
        .run();
    Test::new()
        .file("big.pipe", &over)
        .args(["check", "big.pipe"])
        .status(2)
        .stderr_has("pipe::usage::too_large")
        .run();
}

#[test]
fn a_diagnostic_writes_control_characters_as_escapes() {
    // A name out of a `$(...)` may hold escape sequences: shown raw they
    // would drive the terminal (colour, cursor, a cleared screen).
    let run = Test::new()
        .script("cd \"$(printf 'a\\033[2J\\rb\\302\\233')\"")
        .status(1)
        .run();
    let stderr = run.stderr();
    assert!(!stderr.contains(['\x1b', '\r', '\u{9b}']), "{stderr:?}");
    assert!(
        stderr.contains("cannot change directory to `a\\x1b[2J\\rb\\u{9b}`"),
        "{stderr}"
    );
}

#[test]
fn a_diagnostic_counts_lines_as_the_script_does_and_shows_no_control_characters() {
    // A lone CR is part of its word, not a line break: the error on the
    // second line is on line 2. Neither it nor an ESC in the script's
    // text reaches the terminal raw; each shows as a space.
    let run = Test::new()
        .script("echo \"a\rb\x1b[2Jc\" x\nexit 300\n")
        .status(1)
        .run();
    let stderr = run.stderr();
    assert!(stderr.contains("[script.pipe:2:6]"), "{stderr}");
    assert!(stderr.contains(" 1 │ echo \"a b [2Jc\" x\n"), "{stderr:?}");
    assert!(!stderr.contains(['\r', '\x1b']), "{stderr:?}");
}

#[test]
fn a_diagnostic_writes_control_characters_in_the_script_s_name_as_escapes() {
    // The name heads the diagnostic: an escape sequence in it would drive
    // the terminal, and a newline would split `[name:line:col]` in two.
    for (name, shown) in [
        ("e\x1b[2Jf.pipe", "[e\\x1b[2Jf.pipe:1:1]"),
        ("new\nline.pipe", "[new\\nline.pipe:1:1]"),
    ] {
        let run = Test::new()
            .file(name, "nosuch\n")
            .arg(name)
            .status(127)
            .run();
        let stderr = run.stderr();
        assert!(!stderr.contains('\x1b'), "{stderr:?}");
        assert!(stderr.contains(shown), "{stderr}");
    }
}

/// Opening a FIFO waits for its other end, as in bash; that wait blocked
/// all of pipe: a parallel branch that was the other end never started
/// (a hang), and neither a timeout nor SIGTERM could end it.
#[test]
fn a_fifo_redirect_waits_for_its_other_end_without_blocking_pipe() {
    let run = Test::new()
        .script(
            "mkfifo f\n\
             parallel { cat < f ; echo hi > f }\n\
             parallel { { tr a-z A-Z } < f ; echo hi > f }\n\
             timeout 100ms { echo x > f } || echo \"timed out: $?\"\n\
             timeout 100ms { cat < f } || echo \"timed out: $?\"\n\
             timeout 100ms { { cat } > f } || echo \"timed out: $?\"\n",
        )
        .stdout("hi\nHI\ntimed out: 124\ntimed out: 124\ntimed out: 124\n")
        .run();
    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
}

/// A label on each stage of a long pipeline made a row of connectors for
/// each, as wide as the line: 16 MB of diagnostic for 2,000 stages. The
/// stages next to the failed one are labelled; the help has every status.
#[test]
fn a_long_failing_pipeline_has_a_short_diagnostic() {
    let run = Test::new()
        // The last stage reads all before it fails: a `false` that ends
        // first leaves the `cat` before it a SIGPIPE (141), now and then.
        .script(format!(
            "echo x{} | sh -c 'cat > /dev/null; exit 1'\n",
            " | cat".repeat(300)
        ))
        .status(1)
        .stderr_has("pipe::run::failed")
        .stderr_has("`sh` exited with status 1")
        .run();
    let stderr = run.stderr();
    assert!(stderr.len() < 16_000, "{} bytes", stderr.len());
    assert_eq!(stderr.matches("── status 0").count(), 8, "{stderr}");
    let statuses = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        statuses.contains(&format!(
            "stage statuses: echo 0 |{} sh 1",
            " cat 0 |".repeat(300)
        )),
        "{stderr}"
    );
}
