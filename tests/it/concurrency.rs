//! Parallel blocks, their output modes, timeouts and fail-fast, and blocks
//! used as pipeline stages.
//!
//! Every test that leaves a process behind on failure runs it with a marker
//! of its own (`sleep 31.3xx`), so that tests running at the same time never
//! see each other's processes.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{
    Test, processes_with, read_then_close, spawn_piped, status_of, wait_with_deadline,
};

/// The script succeeds and prints exactly `stdout`.
fn ok(script: &str, stdout: &str) {
    Test::new().script(script).stdout(stdout).status(0).run();
}

/// Waits up to `limit` for every process holding `marker` to be gone.
pub fn assert_gone_within(marker: &str, limit: Duration) {
    let start = Instant::now();
    loop {
        let left = processes_with(marker);
        if left.is_empty() {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "still running {limit:?} later: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits up to `limit` for a process holding `marker` to appear.
pub fn wait_for_process(marker: &str, limit: Duration) {
    let start = Instant::now();
    while processes_with(marker).is_empty() {
        assert!(start.elapsed() < limit, "`{marker}` never started");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn secs(run: &crate::harness::Run) -> f64 {
    run.elapsed.as_secs_f64()
}

// ---------------------------------------------------------------------------
// Parallel blocks: concurrency, status, ordering.

#[test]
fn branches_run_at_once() {
    // 10 x 0.3 s: 0.3 s at once, 3 s one after another; the bound sits
    // far from both, so a loaded machine does not flake it.
    let branches = "sleep 0.3\n".repeat(10);
    let run = Test::new()
        .script(format!("parallel {{\n{branches}}}"))
        .stdout("")
        .run();
    assert!(secs(&run) >= 0.3, "{:?}", run.elapsed);
    assert!(secs(&run) < 1.8, "10 x sleep 0.3 took {:?}", run.elapsed);

    let run = Test::new()
        .script("parallel for i in 1..10 { sleep 0.3 }")
        .run();
    assert!(
        secs(&run) < 1.8,
        "for: 10 x sleep 0.3 took {:?}",
        run.elapsed
    );
}

#[test]
fn max_limits_concurrency() {
    let run = Test::new()
        .script("parallel max 2 for i in 1..4 { sleep 0.2 }")
        .run();
    assert!(secs(&run) >= 0.4, "max 2 ran 4 x 0.2s in {:?}", run.elapsed);
    assert!(secs(&run) < 2.0, "{:?}", run.elapsed);

    // Statements as branches: at most 2 at once, and 2, not 1 (which the
    // time alone, 0.6 s against 0.4 s, would not tell apart safely).
    let branch = "sh -c 'echo + >> log; sleep 0.2; echo - >> log'";
    let run = Test::new()
        .script(format!(
            "parallel max 2 {{ {branch} ; {branch} ; {branch} }}"
        ))
        .run();
    assert!(secs(&run) >= 0.4, "max 2 ran 3 x 0.2s in {:?}", run.elapsed);
    let log = std::fs::read_to_string(run.dir.join("log")).unwrap();
    let (mut now, mut most) = (0, 0);
    for line in log.lines() {
        now += if line == "+" { 1 } else { -1 };
        most = most.max(now);
    }
    assert_eq!(log.lines().count(), 6, "{log}");
    assert_eq!(most, 2, "{log}");

    // max 1 runs one branch at a time: even unordered output is in order.
    ok(
        "parallel max 1 unordered for i in 1..5 { sh -c \"sleep 0.0$i; echo $i\" }",
        "1\n2\n3\n4\n5\n",
    );
    // max larger than the number of branches is fine.
    let run = Test::new()
        .script("parallel max 100 for i in 1..4 { sleep 0.4 }")
        .run();
    // At once: 0.4 s; one after another: 1.6 s.
    assert!(secs(&run) < 1.3, "{:?}", run.elapsed);
}

#[test]
fn max_n_runs_at_most_n_at_once() {
    // Each branch (a pipeline: it counts once) notes its start and end in
    // a log; the most running at once is 2, however the timings fall.
    let run = Test::new()
        .script(
            "parallel max 2 for i in 1..6 { sh -c 'echo + >> log; sleep 0.2; echo - >> log' | cat }",
        )
        .run();
    let log = std::fs::read_to_string(run.dir.join("log")).unwrap();
    let (mut now, mut most) = (0, 0);
    for line in log.lines() {
        now += if line == "+" { 1 } else { -1 };
        most = most.max(now);
    }
    assert_eq!(log.lines().count(), 12, "{log}");
    assert_eq!(most, 2, "{log}");
}

#[test]
fn max_may_be_expanded() {
    // Four branches of 200 ms, two at a time: two rounds. Each notes its
    // start and end in a log: the most running at once is 2, not 1 (a
    // time bound would have to be tight to tell 0.4 s from 0.8 s) nor 4.
    let run = Test::new()
        .script(
            "let n = 2\nparallel max $n for i in 1..4 { sh -c 'echo + >> log; sleep 0.2; echo - >> log'; echo $i }",
        )
        .stdout("1\n2\n3\n4\n")
        .run();
    assert!(secs(&run) >= 0.4, "{:?}", run.elapsed);
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
    let log = std::fs::read_to_string(run.dir.join("log")).unwrap();
    let (mut now, mut most) = (0, 0);
    for line in log.lines() {
        now += if line == "+" { 1 } else { -1 };
        most = most.max(now);
    }
    assert_eq!(log.lines().count(), 8, "{log}");
    assert_eq!(most, 2, "{log}");
    ok("parallel max $(nproc) { echo a; echo b }", "a\nb\n");
    ok("parallel max ${JOBS:-1} fail-fast { echo a }", "a\n");
    Test::new()
        .script("let n = 0\nparallel max $n { echo a }")
        .stdout("")
        .status(1)
        .stderr_has("pipe::run::bad_value")
        .stderr_has("invalid `max` value `0`")
        .run();
}

#[test]
fn parallel_for_makes_one_branch_per_item() {
    ok("parallel for i in 1..3 { echo $i }", "1\n2\n3\n");
    ok("parallel for i in 3..1 { echo $i }", "3\n2\n1\n");
    ok(
        "parallel for w in a 'b c' d { echo \"[$w]\" }",
        "[a]\n[b c]\n[d]\n",
    );
    Test::new()
        .script("parallel for a in $@ { echo $a }")
        .args(["x", "y z"])
        .stdout("x\ny z\n")
        .run();
    // Each branch has its own binding of the variable.
    ok(
        "parallel for i in 1..3 { sh -c \"sleep 0.$i\"; echo $i }",
        "1\n2\n3\n",
    );
}

#[test]
fn statements_and_lines_are_branches() {
    ok("parallel { echo a ; echo b }", "a\nb\n");
    ok("parallel {\n  echo a\n  echo b\n}", "a\nb\n");
    // A branch is a whole statement: a pipeline, `&&`, `||`, a block.
    ok(
        "parallel { echo x | tr x y ; false || echo handled ; { echo c; echo d } }",
        "y\nhandled\nc\nd\n",
    );
    // Variables of the enclosing scope are seen by every branch.
    ok("let v = val\nparallel { echo $v ; echo $v }", "val\nval\n");
    // The block waits for all its branches before the next statement.
    ok(
        "parallel { sh -c 'sleep 0.3; echo slow' ; echo fast }\necho after",
        "slow\nfast\nafter\n",
    );
}

#[test]
fn branches_read_dev_null() {
    // Branches never share (or steal) the block's stdin.
    Test::new()
        .script("parallel { cat ; cat ; wc -c }")
        .stdin("input\n")
        .stdout("0\n")
        .run();
    Test::new()
        .script("parallel { readlink /proc/self/fd/0 }")
        .stdin("input\n")
        .stdout("/dev/null\n")
        .run();
}

#[test]
fn status_is_the_first_failing_branch_in_script_order() {
    for (script, status) in [
        ("parallel { true ; true }", 0),
        ("parallel { sh -c 'exit 3' ; true }", 3),
        ("parallel { true ; sh -c 'exit 7' ; sh -c 'exit 8' }", 7),
        // The first in script order, although it fails last.
        ("parallel { sh -c 'sleep 0.2; exit 4' ; sh -c 'exit 5' }", 4),
        ("parallel { true ; sh -c 'kill -TERM $$' }", 143),
        ("parallel { true ; no-such-command-pipe-test }", 127),
        ("parallel for i in 1..5 { sh -c \"exit $i\" }", 1),
        ("parallel for i in 5..9 { sh -c \"exit $i\" }", 5),
        (
            "parallel unordered { sh -c 'sleep 0.2; exit 2' ; sh -c 'exit 9' }",
            2,
        ),
        (
            "parallel lines { sh -c 'sleep 0.2; exit 2' ; sh -c 'exit 9' }",
            2,
        ),
        (
            "parallel raw { sh -c 'sleep 0.2; exit 2' ; sh -c 'exit 9' }",
            2,
        ),
    ] {
        let run = Test::new().script(script).status(status).run();
        if status != 0 {
            assert!(run.stderr().contains("pipe::run::"), "{script}");
        }
    }
}

#[test]
fn a_failing_block_is_handled_by_or() {
    ok(
        "parallel { sh -c 'exit 3' ; true } || echo \"got $?\"",
        "got 3\n",
    );
    // A failing block stops the script.
    Test::new()
        .script("parallel { false ; true }\necho never")
        .stdout("")
        .status(1)
        .run();
}

#[test]
fn without_fail_fast_every_branch_runs_to_its_end() {
    let run = Test::new()
        .script("parallel { false ; sh -c 'sleep 0.3; echo done > f' }")
        .status(1)
        .run();
    assert_eq!(
        std::fs::read_to_string(run.dir.join("f")).unwrap(),
        "done\n"
    );
    assert!(secs(&run) >= 0.3, "{:?}", run.elapsed);
}

#[test]
fn each_branch_keeps_its_own_status() {
    // 100 branches, each handling its own failure: the status each one saw
    // is its own child's, whatever order they were reaped in.
    let expected: String = (1..=100).map(|i| format!("{i}:{i}\n")).collect();
    ok(
        "parallel for i in 1..100 { sh -c \"exit $i\" || echo \"$i:$?\" }",
        &expected,
    );
}

#[test]
fn a_thousand_branches() {
    let run = Test::new()
        .script("parallel for i in 1..1000 { true }")
        .stdout("")
        .run();
    assert!(secs(&run) < 60.0, "{:?}", run.elapsed);
    let expected: String = (1..=300).map(|i| format!("{i}\n")).collect();
    Test::new()
        .script("parallel max 50 for i in 1..300 { echo $i }")
        .stdout(expected)
        .run();
}

// ---------------------------------------------------------------------------
// Fail-fast.

#[test]
fn fail_fast_ends_the_siblings() {
    let marker = "sleep 31.301";
    let run = Test::new()
        .script(format!(
            "parallel fail-fast {{ {marker} ; sh -c 'sleep 0.1; exit 5' }}"
        ))
        .status(5)
        .run();
    assert!(secs(&run) < 5.0, "fail-fast took {:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));

    // The status is the failing branch's, even when an earlier branch (in
    // script order) was ended by the SIGTERM.
    let marker = "sleep 31.302";
    let run = Test::new()
        .script(format!(
            "parallel fail-fast {{ sh -c '{marker}; exit 0' ; sh -c 'sleep 0.1; exit 6' ; {marker} }}"
        ))
        .status(6)
        .run();
    assert!(secs(&run) < 5.0, "fail-fast took {:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));
}

#[test]
fn fail_fast_ends_every_kind_of_sibling() {
    // Siblings that are blocks (a parallel, a timeout, a fanout, a loop)
    // are ended at once too, and none of their statuses (124 for the
    // timeout) replaces the failing branch's.
    let marker = "sleep 31.309";
    let run = Test::new()
        .script(format!(
            "parallel fail-fast {{\n\
               parallel {{ {marker} ; {marker} | cat }}\n\
               timeout 20s {{ {marker} }}\n\
               seq 3 | fanout {{ {marker} ; cat > /dev/null }}\n\
               for i in 1..3 {{ {marker} }}\n\
               sh -c 'sleep 0.2; exit 9'\n\
             }}\n\
             echo never"
        ))
        .stdout("")
        .status(9)
        .stderr_has("`sh` exited with status 9")
        .run();
    assert!(secs(&run) < 5.0, "fail-fast took {:?}", run.elapsed);
    assert!(
        !run.stderr().contains("pipe::run::timeout"),
        "{}",
        run.stderr()
    );
    assert_gone_within(marker, Duration::from_secs(1));
}

#[test]
fn fail_fast_kills_a_sibling_that_ignores_term() {
    let marker = "sleep 31.303";
    let run = Test::new()
        .script(format!(
            "parallel fail-fast {{ sh -c 'trap \"\" TERM; {marker}' ; sh -c 'sleep 0.1; exit 6' }}"
        ))
        .status(6)
        .run();
    // SIGKILL after the 2 s grace.
    assert!(
        secs(&run) >= 1.5,
        "KILL came before the grace: {:?}",
        run.elapsed
    );
    assert!(secs(&run) < 5.0, "{:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));
}

#[test]
fn a_failed_fast_block_ends_what_escaped_it_before_it_ends() {
    // As after a timeout: the session `setsid -w` started ignores TERM and
    // is an orphan once setsid is ended; the block ends only once it is
    // gone too (it did up to the 2 s grace before), so the next statement
    // finds none.
    let marker = "sleep 33.321";
    let test = Test::new().script(format!(
        "parallel fail-fast {{ setsid -w sh -c 'trap \"\" TERM; exec {marker}' ; sh -c 'sleep 0.2; exit 3' }} || echo \"failed $?\"\n\
         sleep 2.321"
    ));
    ends_what_escaped_before_the_next_statement(&test, marker, "sleep 2.321", "failed 3\n");
}

#[test]
fn fail_fast_kills_grandchildren() {
    let marker = "sleep 31.304";
    let run = Test::new()
        .script(format!(
            "parallel fail-fast {{ sh -c '{marker} & {marker} ; true' ; sh -c 'sleep 0.1; exit 3' }}"
        ))
        .status(3)
        .run();
    assert!(secs(&run) < 5.0, "{:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));
}

#[test]
fn fail_fast_starts_no_more_branches() {
    Test::new()
        .script("parallel fail-fast max 1 for i in 1..5 { sh -c \"echo $i; exit $i\" }")
        .stdout("1\n")
        .status(1)
        .run();
}

/// Among several branches, commands are started by starter threads; what
/// cannot start is still reported at its span, each with its own reason.
#[test]
fn branches_that_cannot_start_are_reported() {
    Test::new()
        .script("parallel {\nsh -c 'sleep 0.2; echo done'\nehco hi\n/\n}")
        .stdout("done\n")
        .stderr_has("command not found: `ehco`")
        .stderr_has("cannot run `/`: is a directory")
        .stderr_has("script.pipe:3:1")
        .status(127)
        .run();
}

/// A branch killed by SIGPIPE lost the block's reader, which is no failure:
/// it ends no sibling, and one that then fails on its own decides the
/// status, as without `fail-fast` (it was ended at once, and the block
/// succeeded).
#[test]
fn a_closed_reader_does_not_set_off_fail_fast() {
    Test::new()
        .script("parallel fail-fast { yes ; sh -c 'sleep 0.2; exit 3' } | head -n 1")
        .stdout("y\n")
        .status(3)
        .stderr_has("`sh` exited with status 3")
        .run();
    let run = Test::new()
        .script("parallel fail-fast { yes ; sh -c 'sleep 0.3; echo done > f' } | head -n 1")
        .stdout("y\n")
        .stderr_empty()
        .run();
    assert_eq!(
        std::fs::read_to_string(run.dir.join("f")).unwrap_or_default(),
        "done\n"
    );
}

#[test]
fn fail_fast_when_all_succeed() {
    ok(
        "parallel fail-fast { echo a ; sh -c 'sleep 0.1; echo b' }",
        "a\nb\n",
    );
}

// ---------------------------------------------------------------------------
// Output modes.

#[test]
fn ordered_output_is_in_script_order() {
    // Later branches finish first.
    ok(
        "parallel { sh -c 'sleep 0.3; echo 1' ; sh -c 'sleep 0.1; echo 2' ; echo 3 }",
        "1\n2\n3\n",
    );
    ok(
        "parallel ordered { sh -c 'echo 1a; sleep 0.3; echo 1b' ; sh -c 'echo 2a; sleep 0.1; echo 2b' }",
        "1a\n1b\n2a\n2b\n",
    );
    ok(
        "parallel for i in 5..1 { sh -c \"sleep 0.0$i; echo $i\" }",
        "5\n4\n3\n2\n1\n",
    );
    // A partial last line is kept as is, and nothing is added.
    ok(
        "parallel { sh -c 'sleep 0.2; printf a' ; printf b ; printf 'c\\n' }",
        "abc\n",
    );
}

#[test]
fn ordered_streams_the_first_branch_live() {
    let test = Test::new().script("parallel { sh -c 'echo live; sleep 1.5' ; echo second }");
    let start = Instant::now();
    let mut child = spawn_piped(&test);
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let first = start.elapsed();
    assert_eq!(line, "live\n");
    assert!(first < Duration::from_millis(1200), "held for {first:?}");
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "second\n");
    let output = wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(status_of(&output), 0);
}

#[test]
fn ordered_streams_the_next_branch_live_once_the_first_ends() {
    // The first branch ends at 0.3 s: the second is then the earliest
    // unfinished one, and what it printed comes out at once, not when it
    // ends 2 s later.
    let test =
        Test::new().script("parallel { sleep 0.3 ; sh -c 'echo second; sleep 2' ; echo third }");
    let start = Instant::now();
    let mut child = spawn_piped(&test);
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let first = start.elapsed();
    assert_eq!(line, "second\n");
    assert!(first < Duration::from_millis(1500), "held for {first:?}");
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "third\n");
    let output = wait_with_deadline(child, Duration::from_secs(20));
    assert_eq!(status_of(&output), 0);
}

#[test]
fn stderr_is_never_held() {
    // In every output mode, and from a fanout branch: the second branch's
    // stderr comes out while the first still runs (its stdout is held in
    // `ordered` and `unordered`). All five run at once.
    let children: Vec<_> = [
        "parallel { sleep 1.5 ; sh -c 'echo err-now >&2; echo out' }",
        "parallel unordered { sleep 1.5 ; sh -c 'echo err-now >&2; echo out' }",
        "parallel lines { sleep 1.5 ; sh -c 'echo err-now >&2; echo out' }",
        "parallel raw { sleep 1.5 ; sh -c 'echo err-now >&2; echo out' }",
        "echo out | fanout { sh -c 'sleep 1.5; cat > /dev/null' ; sh -c 'echo err-now >&2; cat' }",
    ]
    .into_iter()
    .map(|script| {
        let test = Test::new().script(script);
        let start = Instant::now();
        let mut child = spawn_piped(&test);
        let stderr = child.stderr.take().unwrap();
        // Each read on a thread of its own: when its line came matters.
        let reader = std::thread::spawn(move || {
            let mut line = String::new();
            BufReader::new(stderr).read_line(&mut line).unwrap();
            (line, start.elapsed())
        });
        (script, test, child, reader)
    })
    .collect();
    for (script, _test, child, reader) in children {
        let (line, seen) = reader.join().unwrap();
        assert_eq!(line, "err-now\n", "{script}");
        assert!(
            seen < Duration::from_millis(1200),
            "{script}: stderr held for {seen:?}"
        );
        let output = wait_with_deadline(child, Duration::from_secs(20));
        assert_eq!(String::from_utf8_lossy(&output.stdout), "out\n", "{script}");
        assert_eq!(status_of(&output), 0, "{script}");
    }
}

#[test]
fn ordered_large_outputs_are_byte_identical() {
    // 8 branches of 1 MiB each, distinct bytes, the first ones slowest.
    let mut test = Test::new();
    let mut expected = Vec::new();
    let mut branches = String::new();
    for i in 0..8u32 {
        let data: Vec<u8> = (0..1024 * 1024u32)
            .map(|n| (n.wrapping_mul(2654435761).wrapping_add(i * 7919) >> 13) as u8)
            .collect();
        expected.extend_from_slice(&data);
        test = test.file(&format!("f{i}"), &data);
        branches.push_str(&format!("sh -c 'sleep 0.{}; cat f{i}'\n", 7 - i));
    }
    let run = test.script(format!("parallel {{\n{branches}}}")).run();
    assert_eq!(run.output.stdout.len(), expected.len());
    assert!(run.output.stdout == expected, "ordered output differs");
}

#[test]
fn held_output_keeps_memory_bounded() {
    // The second branch prints 200 MiB while the first one still runs: it
    // is held, in memory up to a bound, then in a temporary file.
    let test =
        Test::new().script("parallel { sh -c 'sleep 1; echo first' ; head -c 200M /dev/zero }");
    let mut command = test.command();
    command.env("TMPDIR", test.path());
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut head = Vec::new();
        let mut total = 0usize;
        let mut nonzero_after_head = 0usize;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = stdout.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            for &b in &buf[..n] {
                if head.len() < 6 {
                    head.push(b);
                } else if b != 0 {
                    nonzero_after_head += 1;
                }
            }
            total += n;
        }
        (head, total, nonzero_after_head)
    });
    let start = Instant::now();
    let mut peak_kib = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib: u64 = line
                .trim_start_matches("VmHWM:")
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .unwrap();
            peak_kib = peak_kib.max(kib);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "pipe hung");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (head, total, nonzero) = reader.join().unwrap();
    let output = wait_with_deadline(child, Duration::from_secs(5));
    assert_eq!(
        status_of(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(head, b"first\n");
    assert_eq!(total, 6 + 200 * 1024 * 1024);
    assert_eq!(nonzero, 0);
    assert!(peak_kib > 0, "VmHWM never read");
    assert!(peak_kib < 64 * 1024, "pipe's peak RSS was {peak_kib} KiB");
    // The spill file is gone.
    let left: Vec<_> = std::fs::read_dir(test.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "script.pipe")
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn unordered_output_follows_the_order_of_finish() {
    ok(
        "parallel unordered { sh -c 'sleep 0.6; echo a' ; sh -c 'sleep 0.3; echo b' ; echo c }",
        "c\nb\na\n",
    );
    // Each branch's output is whole: b finishes while a is half-way.
    ok(
        "parallel unordered { sh -c 'echo a1; sleep 0.6; echo a2' ; sh -c 'sleep 0.3; echo b' }",
        "b\na1\na2\n",
    );
}

#[test]
fn lines_mode_never_tears_a_line() {
    let letters = ['A', 'B', 'C', 'D'];
    let count = 5000;
    let lines: Vec<String> = letters.iter().map(|c| c.to_string().repeat(100)).collect();
    let branches: String = lines
        .iter()
        .map(|l| format!("yes {l} | head -n {count}\n"))
        .collect();
    let run = Test::new()
        .script(format!("parallel lines {{\n{branches}}}"))
        .run();
    let out = run.stdout();
    assert!(out.ends_with('\n'));
    let mut counts = [0usize; 4];
    for (n, line) in out.lines().enumerate() {
        let Some(which) = lines.iter().position(|l| l == line) else {
            panic!("line {n} is torn: {line:?}");
        };
        counts[which] += 1;
    }
    assert_eq!(counts, [count; 4]);
}

#[test]
fn lines_mode_streams_and_flushes_partial_lines() {
    // Lines appear as they come, not branch by branch.
    ok(
        "parallel lines { sh -c 'echo a1; sleep 0.6; echo a2' ; sh -c 'sleep 0.3; echo b' }",
        "a1\nb\na2\n",
    );
    // A final partial line is flushed at EOF, as is.
    ok("parallel lines { printf no-newline }", "no-newline");
    ok(
        "parallel lines { printf abc ; sh -c 'sleep 0.5; echo def' }",
        "abcdef\n",
    );
    // A line written in pieces is still whole.
    ok(
        "parallel lines { sh -c 'printf a; sleep 0.4; printf \"b\\n\"' ; sh -c 'sleep 0.2; echo x' }",
        "x\nab\n",
    );
}

#[test]
fn raw_mode_passes_stdout_straight_through() {
    let run = Test::new()
        .script("readlink /proc/self/fd/1\nparallel raw { readlink /proc/self/fd/1 }")
        .run();
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0], lines[1], "raw branch stdout is not the block's");
    let run = Test::new()
        .script("parallel raw { echo a ; echo b ; echo c }")
        .run();
    let mut got: Vec<String> = run.stdout().lines().map(str::to_owned).collect();
    got.sort();
    assert_eq!(got, ["a", "b", "c"]);
}

#[test]
fn output_to_a_redirect_inside_branches() {
    let run = Test::new()
        .script("parallel for i in 1..5 { echo $i > out$i }\ncat out1 out2 out3 out4 out5")
        .stdout("1\n2\n3\n4\n5\n")
        .run();
    assert!(run.dir.join("out5").exists());
}

#[test]
fn closed_stdout_ends_parallel_quietly() {
    // `pipe x.pipe | head -c 5`: a closed stdout ends the script quietly.
    // (Not `unordered`: it holds each endless branch, as documented.)
    for mode in ["ordered", "lines", "raw"] {
        let marker = format!("closed-stdout-{mode}");
        let test = Test::new().script(format!("parallel {mode} for i in 1..4 {{ yes {marker} }}"));
        let output = read_then_close(&test, 5, Duration::from_secs(20));
        assert_gone_within(&marker, Duration::from_secs(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        // 141, as the script's other statements end on a closed stdout
        // (`hostile::closed_stdout_ends_quietly`) and as bash ends: a 0
        // would say the branches' output was all written.
        assert_eq!(status_of(&output), 141, "{mode}: {stderr}");
        assert!(stderr.is_empty(), "{mode}: not quiet:\n{stderr}");
    }
}

#[test]
fn a_closed_stdout_ends_quietly_after_a_block_whose_branches_failed() {
    // The block's first failure is not shown when the pipeline's last
    // stage dies of the closed stdout (quiet, as a shell's SIGPIPE is):
    // nor are the other failures it would show with it, nor their count.
    for block in [
        "parallel { sh -c 'sleep 0.2; exit 3' ; sh -c 'sleep 0.2; exit 4' }",
        "parallel for i in 1..3 { sh -c 'sleep 0.2; exit 3' }",
        "timeout 5s { parallel { sh -c 'sleep 0.2; exit 3' ; sh -c 'sleep 0.2; exit 4' } }",
    ] {
        let test = Test::new().script(format!("echo start\n{block} | wc -l"));
        let output = read_then_close(&test, 5, Duration::from_secs(20));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(status_of(&output), 141, "{block}: {stderr}");
        assert!(stderr.is_empty(), "{block}: not quiet:\n{stderr}");
    }
    // With its stdout open, every failure is shown, as before.
    Test::new()
        .script("parallel { sh -c 'exit 3' ; sh -c 'exit 4' } | wc -l")
        .stdout("0\n")
        .status(3)
        .stderr_has("`sh` exited with status 4")
        .stderr_has("`sh` exited with status 3")
        .run();
}

#[test]
fn a_closed_stdout_stops_the_script_after_held_output() {
    // `unordered` writes a branch's output only once it has ended: the
    // branches succeeded, but what pipe writes for them meets the closed
    // stdout. The script ends quietly with 141, as if they had met it.
    let test =
        Test::new().script("parallel unordered { seq 30000; seq 30000 }\necho after > after");
    let output = read_then_close(&test, 5, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status_of(&output), 141, "{stderr}");
    assert!(stderr.is_empty(), "not quiet:\n{stderr}");
    assert!(!test.path().join("after").exists(), "the script went on");
}

#[test]
fn output_that_cannot_be_written_fails_the_block() {
    // pipe writes held output itself: a full disk is a failure, as it is
    // for a command writing there, not output silently lost.
    for mode in ["unordered", "lines"] {
        Test::new()
            .script(format!(
                "parallel {mode} {{ echo a; echo b }} > /dev/full || echo \"failed $?\""
            ))
            .stdout("failed 1\n")
            .stderr_has("pipe::run::write")
            .stderr_has("no space left on device")
            .run();
    }
}

#[test]
fn output_held_where_tmpdir_takes_no_file_goes_to_tmp() {
    // A held branch past the memory bound spills to a temporary file: in
    // `/tmp` when `$TMPDIR` takes none, as bash falls back (the block
    // failed). Where no file can be made at all, the block fails, saying
    // so (`surroundings::past_the_file_size_limit_pipe_tells_the_write_that_failed`).
    for mode in ["ordered", "unordered", "lines"] {
        Test::new()
            .env("TMPDIR", "/nonexistent/tmp")
            .script(format!(
                "parallel {mode} {{ sleep 0.2; head -c 300000 /dev/zero }} | wc -c"
            ))
            .stdout("300000\n")
            .run();
    }
}

// ---------------------------------------------------------------------------
// Blocks as pipeline stages.

#[test]
fn parallel_is_a_pipeline_stage() {
    ok("parallel { echo b ; echo c ; echo a } | sort", "a\nb\nc\n");
    ok("parallel for i in 1..3 { echo $i } | tac", "3\n2\n1\n");
    ok(
        "parallel unordered { echo x ; echo y } | sort | tr a-z A-Z",
        "X\nY\n",
    );
    ok(
        "parallel lines { echo x ; echo x } | uniq -c | tr -s ' '",
        " 2 x\n",
    );
    ok("parallel raw { echo x ; echo x } | wc -l", "2\n");
    // A failing stage fails the pipeline.
    Test::new()
        .script("parallel { sh -c 'exit 4' } | cat")
        .status(4)
        .run();
    // A later stage that stops reading early is not a failure, however
    // many branches it cuts off, and it says nothing; a branch that failed
    // on its own still fails the block.
    for script in [
        "parallel { yes } | head -n 1",
        "parallel { yes ; yes } | head -n 1",
        "parallel lines { yes ; yes ; yes } | head -n 1",
        "seq 100000 | fanout { cat ; cat } | head -n 1 | tr 1y yy",
    ] {
        Test::new()
            .script(script)
            .stdout("y\n")
            .stderr_empty()
            .run();
    }
    Test::new()
        .script("parallel { yes ; sh -c 'exit 3' } | head -n 1")
        .stdout("y\n")
        .status(3)
        .stderr_has("exited with status 3")
        .run();
}

#[test]
fn timeout_is_a_pipeline_stage() {
    let run = Test::new()
        .script("timeout 1s { yes } | head -n 2")
        .stdout("y\ny\n")
        .run();
    assert!(
        secs(&run) < 1.0,
        "waited for the timeout: {:?}",
        run.elapsed
    );
    ok("echo hi | timeout 5s { cat } | tr a-z A-Z", "HI\n");
    ok(
        "timeout 5s { parallel { echo a ; echo b } } | sort -r",
        "b\na\n",
    );
    Test::new()
        .script("timeout 200ms { sleep 5 } | cat")
        .status(124)
        .stderr_has("pipe::run::timeout")
        .run();
}

#[test]
fn blocks_nest() {
    ok(
        "parallel { timeout 100ms { sleep 10 } || echo t ; echo x }",
        "t\nx\n",
    );
    ok(
        "parallel for i in 1..2 { parallel for j in 1..2 { echo $i$j } }",
        "11\n12\n21\n22\n",
    );
    let marker = "sleep 31.305";
    let run = Test::new()
        .script(format!(
            "timeout 300ms {{ parallel {{ {marker} ; {marker} | cat }} }}"
        ))
        .status(124)
        .run();
    assert!(secs(&run) < 2.5, "{:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));
}

// ---------------------------------------------------------------------------
// Timeouts.

#[test]
fn timeout_basics() {
    let run = Test::new()
        .script("timeout 100ms { sleep 10 }")
        .status(124)
        .run();
    assert!(secs(&run) >= 0.1, "{:?}", run.elapsed);
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
    ok(
        "timeout 100ms { sleep 10 } || echo \"timed out: $?\"",
        "timed out: 124\n",
    );
    // The script stops at a timeout.
    Test::new()
        .script("timeout 100ms { sleep 10 }\necho after")
        .stdout("")
        .status(124)
        .run();
}

#[test]
fn timeout_ends_a_loop_that_starts_no_process() {
    // Nothing in the loop waits on a child: the deadline must still come.
    let run = Test::new()
        .script("timeout 100ms { for i in 1..2000000 { let x = $i } } || echo \"timed out: $?\"")
        .stdout("timed out: 124\n")
        .run();
    assert!(secs(&run) < 3.0, "{:?}", run.elapsed);
}

#[test]
fn durations_may_be_expanded() {
    ok(
        "let limit = 100ms\ntimeout $limit { sleep 10 } || echo \"timed out: $?\"",
        "timed out: 124\n",
    );
    // The grace too: TERM is ignored, KILL comes 100 ms later.
    let run = Test::new()
        .script(
            "timeout ${LIMIT:-100ms} grace $(echo 100ms) { sh -c 'trap \"\" TERM; sleep 5' } || echo $?",
        )
        .stdout("124\n")
        .run();
    assert!(secs(&run) >= 0.2, "{:?}", run.elapsed);
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
    ok("let limit = 5s\ntimeout $limit { echo quick }", "quick\n");
    Test::new()
        .script("let limit = soon\ntimeout $limit { echo never }")
        .stdout("")
        .status(1)
        .stderr_has("pipe::run::bad_value")
        .stderr_has("invalid duration `soon`")
        .run();
}

#[test]
fn timeout_diagnostic() {
    let run = Test::new()
        .script("timeout 100ms { sleep 10 }")
        .status(124)
        .stderr_has("pipe::run::timeout")
        .stderr_has("timed out after 100ms")
        .stderr_has("ended by SIGTERM")
        .run();
    assert!(run.stderr().contains("sleep"), "{}", run.stderr());
    // A limit finer than a microsecond is shown as written, not truncated.
    Test::new()
        .script("timeout 1.5us { sleep 10 }")
        .status(124)
        .stderr_has("timed out after 0.0000015s")
        .run();
}

#[test]
fn a_block_that_ends_in_time_keeps_its_status() {
    for (script, stdout, status) in [
        ("timeout 10s { sh -c 'exit 2' }", "", 2),
        ("timeout 10s { echo ok }", "ok\n", 0),
        ("timeout 10s { true ; echo two }", "two\n", 0),
        ("timeout 10s { false }", "", 1),
        ("timeout 10s { sh -c 'kill -TERM $$' }", "", 143),
        ("timeout 10s { sh -c 'exit 124' }", "", 124),
    ] {
        let run = Test::new()
            .script(script)
            .stdout(stdout)
            .status(status)
            .run();
        assert!(secs(&run) < 5.0, "{script} waited: {:?}", run.elapsed);
    }
}

#[test]
fn durations() {
    for (script, status, at_least) in [
        ("timeout 500us { sleep 1 }", 124, 0.0),
        ("timeout 150ms { sleep 5 }", 124, 0.15),
        ("timeout 0.3s { sleep 5 }", 124, 0.3),
        ("timeout .3s { sleep 5 }", 124, 0.3),
        ("timeout 1.5s { true }", 0, 0.0),
        ("timeout 5m { true }", 0, 0.0),
        ("timeout 1h { true }", 0, 0.0),
        ("timeout 2s grace 1.5s { true }", 0, 0.0),
        ("timeout 1d grace 5m { true }", 0, 0.0),
    ] {
        let run = Test::new().script(script).status(status).run();
        assert!(secs(&run) >= at_least, "{script}: {:?}", run.elapsed);
        assert!(secs(&run) < 2.0, "{script}: {:?}", run.elapsed);
    }
    // A bare number, a duration's or a grace's, is refused before anything
    // runs, with a label and help that ask for a unit.
    // What is wrong is named: a number that stops short (`1_000ms` was an
    // "unknown unit", though `ms` is one), or a unit that is none.
    for (duration, reason) in [
        ("1_000ms", "not a number"),
        ("0x10s", "not a number"),
        ("5M", "unknown unit; minutes are `m`"),
        ("1sec", "unknown unit; seconds are `s`"),
        // Two numbers and units, as systemd and Go write a duration (it
        // was "not a number").
        ("1m30s", "it has two units; write one (`90s`, not `1m30s`)"),
        ("1h30m", "it has two units"),
        ("1s500ms", "it has two units"),
    ] {
        Test::new()
            .script(format!("timeout {duration} {{ true }}"))
            .status(2)
            .stderr_has(&format!("invalid duration: {reason}"))
            .run();
    }
    // The help writes the number with units (it said `5s` whatever the
    // number was).
    for (script, help) in [
        (
            "timeout 5 { true }",
            "`5s` for seconds, `5ms` for milliseconds",
        ),
        ("timeout 1.5 { true }", "`1.5s` for seconds, `1.5ms` for"),
        ("timeout 0 { true }", "`0s` for seconds"),
        ("timeout 1s grace 2 { true }", "`2s` for seconds"),
        (
            "timeout 1s signal KILL grace .5 { true }",
            "`.5s` for seconds",
        ),
    ] {
        let run = Test::new()
            .script(format!("touch ran\n{script}"))
            .status(2)
            .stderr_has("pipe::parse::duration_without_unit")
            .stderr_has("needs a unit: us, ms, s, m, h or d")
            .stderr_has(&format!("help: add a unit: {help}"))
            .run();
        assert!(!run.dir.join("ran").exists(), "{script}");
    }
}

#[test]
fn a_zero_timeout_runs_nothing() {
    // The deadline has passed before the body starts: every time, however
    // quick the body, nothing runs and the status is 124.
    for _ in 0..5 {
        Test::new()
            .script("timeout 0s { echo never > ran } || echo \"timed out: $?\"")
            .stdout("timed out: 124\n")
            .run();
    }
    Test::new()
        .script("timeout 0ms { true }")
        .status(124)
        .stderr_has("no command was running at the deadline")
        .run();
}

#[test]
fn output_before_the_deadline_is_kept() {
    Test::new()
        .script("timeout 300ms { sh -c 'echo before; sleep 10' }")
        .stdout("before\n")
        .status(124)
        .run();
    Test::new()
        .script("timeout 300ms { echo one; sleep 10; echo never }")
        .stdout("one\n")
        .status(124)
        .run();
}

#[test]
fn timeout_kills_grandchildren() {
    let run = Test::new()
        .script("timeout 300ms { sh -c 'sleep 31.101 & sleep 32.101' }")
        .status(124)
        .run();
    assert!(secs(&run) < 2.5, "{:?}", run.elapsed);
    assert_gone_within("sleep 31.101", Duration::from_secs(1));
    assert_gone_within("sleep 32.101", Duration::from_secs(1));
}

#[test]
fn a_timed_out_block_ends_what_escaped_it_before_it_ends() {
    // The sh ignores TERM and is killed after the grace; the session it
    // started (which ignores TERM too, as does its sleep) becomes pipe's.
    // The block ends only once that is gone as well, generation after
    // generation, within about the grace: the next statement finds none.
    let marker = "sleep 33.311";
    let test = Test::new().script(format!(
        "timeout 200ms grace 100ms {{ sh -c 'trap \"\" TERM; setsid sh -c \"trap \\\"\\\" TERM; {marker}; echo late\"; echo after' }} || echo \"timed out $?\"\n\
         sleep 2.311"
    ));
    ends_what_escaped_before_the_next_statement(&test, marker, "sleep 2.311", "timed out 124\n");
}

/// Runs a script whose block left an orphan marked `marker`, then runs the
/// statement `next`: once `next` runs, the orphan must be gone, and the
/// script must have printed `stdout` by then.
fn ends_what_escaped_before_the_next_statement(
    test: &Test,
    marker: &str,
    next: &str,
    stdout: &str,
) {
    let child = test
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_process(next, Duration::from_secs(10));
    let left = processes_with(marker);
    // SAFETY: kill on a pid we spawned and have not yet reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let output = wait_with_deadline(child, Duration::from_secs(10));
    assert_gone_within(marker, Duration::from_secs(3));
    assert!(left.is_empty(), "left running after its block: {left:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), stdout);
}

#[test]
fn timeout_and_a_new_session() {
    // setsid forks (its child would otherwise lead a process group): the
    // block ends at once, and the sleep it left in a session of its own is
    // an orphan that pipe adopts and ends.
    let marker = "sleep 33.301";
    let run = Test::new()
        .script(format!("timeout 300ms {{ setsid {marker} }}"))
        .run();
    assert!([0, 124].contains(&status_of(&run.output)));
    assert_gone_within(marker, Duration::from_secs(1));

    // setsid -w waits: the block times out while the sleep runs in another
    // session, out of reach of the group signal.
    let marker = "sleep 33.302";
    let run = Test::new()
        .script(format!("timeout 300ms {{ setsid -w {marker} }}"))
        .status(124)
        .run();
    assert!(secs(&run) < 2.5, "{:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));

    // Gone not only when pipe exits but when the block ends.
    let marker = "sleep 33.303";
    let test = Test::new().script(format!(
        "timeout 300ms {{ setsid -w {marker} }} || true\nsleep 2.303"
    ));
    let child = test
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_process("sleep 2.303", Duration::from_secs(5));
    // Ended while the script still runs: within a second of the block's
    // end (the orphan is looked for as groups close, then sent SIGTERM),
    // where pipe's own end is 2.3 s away.
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut left = processes_with(marker);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        left = processes_with(marker);
    }
    // SAFETY: kill on a pid we spawned and have not yet reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = wait_with_deadline(child, Duration::from_secs(10));
    assert_gone_within(marker, Duration::from_secs(3));
    assert!(
        left.is_empty(),
        "left running after its block timed out: {left:?}"
    );
}

#[test]
fn a_child_ignoring_term_is_killed_after_grace() {
    let marker = "sleep 31.306";
    let run = Test::new()
        .script(format!(
            "timeout 200ms grace 300ms {{ sh -c 'trap \"\" TERM; {marker}' }}"
        ))
        .status(124)
        .stderr_has("ended by SIGKILL")
        .run();
    assert!(secs(&run) >= 0.45, "{:?}", run.elapsed);
    assert!(secs(&run) < 2.5, "{:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));

    // The default grace is 2 s.
    let marker = "sleep 31.307";
    let run = Test::new()
        .script(format!(
            "timeout 100ms {{ sh -c 'trap \"\" TERM; {marker}' }}"
        ))
        .status(124)
        .run();
    assert!(secs(&run) >= 1.9, "{:?}", run.elapsed);
    assert!(secs(&run) < 5.0, "{:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));

    // `grace 0s` sends SIGKILL right after the signal, where coreutils'
    // `timeout -k 0` would never send it.
    let marker = "sleep 31.315";
    let run = Test::new()
        .script(format!(
            "timeout 100ms grace 0s {{ sh -c 'trap \"\" TERM; {marker}' }}"
        ))
        .status(124)
        .stderr_has("ended by SIGKILL")
        .run();
    assert!(secs(&run) >= 0.09, "{:?}", run.elapsed);
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
    assert_gone_within(marker, Duration::from_secs(1));
}

#[test]
fn a_stopped_child_is_ended_at_the_deadline() {
    let run = Test::new()
        .script("timeout 300ms { sh -c 'kill -STOP $$; sleep 31.308' }")
        .status(124)
        .run();
    assert!(secs(&run) >= 0.3, "{:?}", run.elapsed);
    assert!(secs(&run) < 2.0, "{:?}", run.elapsed);
    assert_gone_within("sleep 31.308", Duration::from_secs(1));
}

#[test]
fn timeout_signal_option() {
    for (sig, marker) in [
        ("KILL", "sleep 31.311"),
        ("SIGKILL", "sleep 31.312"),
        ("9", "sleep 31.313"),
    ] {
        let run = Test::new()
            .script(format!(
                "timeout 200ms signal {sig} {{ sh -c 'trap \"\" TERM; {marker}' }}"
            ))
            .status(124)
            .stderr_has("SIGKILL")
            .run();
        // No grace needed: KILL is the first signal.
        assert!(secs(&run) < 1.5, "signal {sig}: {:?}", run.elapsed);
        assert_gone_within(marker, Duration::from_secs(1));
    }
    // INT reaches a child that handles it.
    Test::new()
        .script(
            "timeout 200ms signal INT { sh -c 'trap \"echo got-int; exit 0\" INT; while :; do sleep 0.05; done' }",
        )
        .stdout("got-int\n")
        .status(124)
        .run();
}

/// SIG is a name, with or without `SIG`, in any case, or a number; the
/// signal sent is the one named, and 0 or a number past 64 is refused.
#[test]
fn timeout_signal_forms() {
    for (sig, ended) in [
        ("TERM", "ended by SIGTERM"),
        ("SIGTERM", "ended by SIGTERM"),
        ("term", "ended by SIGTERM"),
        ("15", "ended by SIGTERM"),
        ("HUP", "ended by SIGHUP"),
        ("SigHup", "ended by SIGHUP"),
        ("1", "ended by SIGHUP"),
        ("INT", "ended by SIGINT"),
        ("sigint", "ended by SIGINT"),
        ("2", "ended by SIGINT"),
        ("64", "ended by SIGRTMAX"),
    ] {
        Test::new()
            .script(format!("timeout 50ms signal {sig} {{ sleep 5 }}"))
            .status(124)
            .stderr_has(ended)
            .run();
    }
    for sig in ["0", "65", "SIGNOPE", "-9", "9x"] {
        let run = Test::new()
            .script(format!("touch ran\ntimeout 5s signal {sig} {{ true }}"))
            .status(2)
            .stderr_has("pipe::parse::unknown_signal")
            .run();
        assert!(!run.dir.join("ran").exists(), "{sig}");
    }
}

#[test]
fn timeout_signal_takes_every_name_coreutils_takes() {
    // PWR, the aliases POLL and CLD, and the real-time RTMIN+N and
    // RTMAX-N, as `timeout -s` and bash's `kill` name them; they were
    // unknown signals. (CLD is only parsed: sleep ignores SIGCHLD.)
    for (sig, ended) in [
        ("PWR", "ended by SIGPWR"),
        ("SIGPOLL", "ended by SIGIO"),
        ("RTMIN", "ended by SIGRTMIN"),
        ("rtmin+2", "ended by SIGRTMIN+2"),
        ("SIGRTMAX-1", "ended by SIGRTMAX-1"),
    ] {
        Test::new()
            .script(format!("timeout 100ms signal {sig} {{ sleep 5 }}"))
            .status(124)
            .stderr_has(ended)
            .run();
    }
    Test::new().script("timeout 5s signal CLD { true }").run();
    for sig in ["RTMIN+31", "RTMAX-31", "RTMIN+", "RTMIN-1", "RTMAX+1"] {
        Test::new()
            .script(format!("timeout 5s signal {sig} {{ true }}"))
            .status(2)
            .stderr_has("pipe::parse::unknown_signal")
            .run();
    } // `kill -9`'s spelling is named as such (it was "not a signal").
    for sig in ["-9", "-KILL"] {
        Test::new()
            .script(format!("timeout 5s signal {sig} {{ true }}"))
            .status(2)
            .stderr_has("written without the `-` of `kill -9`")
            .run();
    }
}

/// Every branch of a `parallel for` has the same span: a failure in one
/// says which item's branch it is, after its help (it did for `exit N`
/// only, so a host that timed out among many was not named).
#[test]
fn a_parallel_for_failure_names_its_item() {
    let run = Test::new()
        .script(
            "parallel for h in web1 web2 web3 {\n  timeout 100ms { sh -c \"test $h != web2 || sleep 5\" }\n}",
        )
        .status(124)
        .stderr_has("timed out after 100ms")
        .stderr_has("status is 124\n        in the branch where `h` is `web2`")
        .run();
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
    Test::new()
        .script("parallel for f in a b { cat missing-$f }")
        .status(1)
        .stderr_has("1 more branch failed the same way")
        .stderr_has("in the branch where `f` is `a`")
        .run();
    // As a pipeline stage, after the stage statuses.
    for (script, status) in [
        ("true | parallel for i in a b { false } | cat", 1),
        ("true | parallel for i in a b { catt } | cat", 127),
        (
            "true | parallel for i in a b { timeout 10ms { sleep 1 } } | cat",
            124,
        ),
    ] {
        Test::new()
            .script(script)
            .status(status)
            .stderr_has(&format!(
                "stage statuses: true 0 | parallel {{ }} {status} | cat 0\n        in the branch where `i` is `a`"
            ))
            .run();
    }
    // Nested: both items; a secret item stays hidden.
    Test::new()
        .script("parallel for v in a b { parallel for w in x y { test $v$w != by } }")
        .status(1)
        .stderr_has("in the branch where `w` is `y`\n        in the branch where `v` is `b`")
        .run();
    let run = Test::new()
        .script("secret s = \"abcdefgh\"\nparallel for v in $s { sh -c 'exit 1' }")
        .status(1)
        .stderr_has("in the branch where `v` is `***`")
        .run();
    assert!(!run.stderr().contains("abcdefgh"), "{}", run.stderr());
}

#[test]
fn nested_timeouts() {
    // The inner one fires first.
    let run = Test::new()
        .script("timeout 5s { timeout 100ms { sleep 10 } }")
        .status(124)
        .stderr_has("timed out after 100ms")
        .run();
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
    // Handled inside: the outer one is never reached.
    let run = Test::new()
        .script("timeout 5s { timeout 100ms { sleep 10 } || echo \"inner $?\" }\necho done")
        .stdout("inner 124\ndone\n")
        .run();
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
    // The outer one fires first.
    let run = Test::new()
        .script("timeout 200ms { timeout 10s { sleep 10 } }")
        .status(124)
        .stderr_has("timed out after 200ms")
        .run();
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
}

/// A timeout that fires while a parallel block's commands are still being
/// started (on the starter threads) ends those too, at once: not after the
/// grace period, and not when their commands end.
#[test]
fn timeout_ends_commands_that_were_starting() {
    let marker = "sleep 31.314";
    let started = Instant::now();
    Test::new()
        .script(format!(
            "timeout 20ms grace 30s {{ parallel for i in 1..300 {{ {marker} }} }} || echo $?"
        ))
        .stdout("124\n")
        .run();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert_gone_within(marker, Duration::from_secs(2));
}

#[test]
fn failures_before_a_timeout_are_shown_with_it() {
    // `false` failed long before the deadline: it is not the timeout's
    // doing, so it is shown, and the block's status is still 124.
    let run = Test::new()
        .script("timeout 300ms { parallel { false; sh -c 'exit 3'; sleep 5 } }")
        .status(124)
        .stderr_has("`false` exited with status 1")
        .stderr_has("`sh` exited with status 3")
        .stderr_has("timed out after 300ms")
        .run();
    assert_eq!(run.stderr().matches("pipe::run::timeout").count(), 1);
    // An inner timeout that ran out first is shown too.
    Test::new()
        .script("timeout 300ms { parallel { timeout 100ms { sleep 5 }; sleep 5 } }")
        .status(124)
        .stderr_has("timed out after 100ms")
        .stderr_has("timed out after 300ms")
        .run();
    // What the deadline ended is told once, by the timeout.
    let run = Test::new()
        .script("timeout 200ms { parallel for i in 1..3 { sleep 5 } }")
        .status(124)
        .run();
    assert_eq!(
        run.stderr().matches("pipe::run::").count(),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn timeouts_in_parallel_branches() {
    let run = Test::new()
        .script("parallel for i in 1..10 { timeout 200ms { sleep 5 } || echo $? }")
        .stdout("124\n".repeat(10))
        .run();
    assert!(secs(&run) >= 0.2, "{:?}", run.elapsed);
    assert!(secs(&run) < 1.5, "{:?}", run.elapsed);
}

/// A `parallel` or `fanout` on the left of `||` is a condition: none of
/// its branches' plain failures is shown, as the first one's is not (the
/// others were, with "the script stops at the first failing statement",
/// though it went on); a branch that could not run still is.
#[test]
fn a_parallel_condition_shows_no_branch_status() {
    Test::new()
        .script(
            "parallel { false ; sh -c 'exit 3' } || echo a $?\n\
             seq 3 | fanout { false ; sh -c 'exit 3' } || echo b $?\n\
             { parallel for i in 1..3 { false } ; echo no } || echo c $?\n",
        )
        .stdout("a 1\nb 1\nc 1\n")
        .stderr_empty()
        .status(0)
        .run();
    Test::new()
        .script("parallel { false ; no-such-command-e } || echo $?\n")
        .stdout("1\n")
        .stderr_has("command not found: `no-such-command-e`")
        .status(0)
        .run();
    // Outside a condition, every failure is still shown.
    Test::new()
        .script("parallel { false ; sh -c 'exit 3' }\n")
        .stderr_has("`false` exited with status 1")
        .stderr_has("`sh` exited with status 3")
        .status(1)
        .run();
}

#[test]
fn a_branch_exit_names_its_item() {
    // Every branch of a `parallel for` has the same span: the item tells
    // which one exited. Alike exits are still told once, with a count, and
    // a secret item is masked.
    let run = Test::new()
        .script("parallel for i in 1..3 { exit $i }")
        .status(1)
        .stderr_has("the branch where `i` is `1`")
        .stderr_has("the branch where `i` is `2`")
        .stderr_has("the branch where `i` is `3`")
        .run();
    assert_eq!(run.stderr().matches("pipe::run::branch_exit").count(), 3);
    let run = Test::new()
        .script("secret k = sekrit\nparallel for i in 1..4 $k { exit 3 }")
        .status(3)
        .stderr_has("4 more branches failed the same way")
        .run();
    assert_eq!(run.stderr().matches("pipe::run::branch_exit").count(), 1);
    let run = Test::new()
        .script("secret k = sekrit\nparallel for i in $k { exit 3 }")
        .status(3)
        .stderr_has("the branch where `i` is `***`")
        .run();
    assert!(!run.stderr().contains("sekrit"));
}

/// What a block's branches printed before their grace period ran out is
/// still written when they are killed, for a reader that reads: only a
/// reader that takes nothing has it dropped (below). (Every mode held it
/// back and then dropped it all at the SIGKILL, the branch that ignored
/// SIGTERM and the one that did not alike.)
#[test]
fn output_held_when_the_grace_ends_reaches_a_reader_that_reads() {
    let ignores = "sh -c 'trap \"\" TERM; echo L1; sleep 5'";
    let ends = "sh -c 'echo L2; sleep 5'";
    for (body, stdout) in [
        (
            format!("timeout 100ms grace 300ms {{ parallel {{ {ignores} ; {ends} }} }}"),
            "L1\nL2\n",
        ),
        (
            format!("timeout 100ms grace 300ms {{ parallel unordered {{ {ignores} ; {ends} }} }}"),
            "L2\nL1\n",
        ),
        (
            format!("timeout 100ms grace 300ms {{ parallel lines {{ {ignores} }} }}"),
            "L1\n",
        ),
    ] {
        let start = Instant::now();
        Test::new()
            .script(format!("{body} | cat"))
            .status(124)
            .stdout(stdout)
            .run();
        assert!(start.elapsed() < Duration::from_secs(4), "{body}");
    }
    Test::new()
        .script(format!(
            "parallel fail-fast {{ {ignores} ; {ends} ; sh -c 'sleep 0.1; exit 3' }} | cat"
        ))
        .status(3)
        .stdout("L1\nL2\n")
        .run();
    Test::new()
        .stdin("a\n")
        .script(
            "timeout 100ms grace 300ms { fanout { sh -c 'trap \"\" TERM; cat; sleep 5' ; sh -c 'cat; sleep 5' } } | cat",
        )
        .status(124)
        .stdout("a\na\n")
        .run();
}

/// A timeout whose branches printed nothing does not say that output was
/// dropped: there was none (it said so once the grace had ended, whatever
/// the reader, a file here).
#[test]
fn a_timeout_with_no_output_held_says_none_was_dropped() {
    let run = Test::new()
        .script("timeout 200ms { parallel { sleep 5 ; sh -c 'trap \"\" TERM; sleep 3' } } > out")
        .status(124)
        .stderr_has("ended by SIGKILL")
        .run();
    assert!(!run.stderr().contains("dropped"), "{}", run.stderr());
}

/// A block's output that pipe holds, or streams, for a reader that does
/// not read (a paused pager, a full FIFO) does not hold a timeout past its
/// grace period: what is left of it is dropped, and the diagnostic says so.
/// (Without that, each of these ended only when the reader read.)
#[test]
fn a_reader_that_does_not_read_does_not_hold_a_timeout() {
    for body in [
        // Held, then written out once the branch before has ended.
        "parallel unordered { head -c 10000000 /dev/zero }",
        // The second branch, streamed live through pipe once the first ends.
        "parallel { true ; head -c 10000000 /dev/zero }",
        "parallel lines { seq 1 3000000 }",
        "head -c 10000000 /dev/zero | fanout { cat ; cat }",
    ] {
        let test = Test::new().script(format!("timeout 200ms grace 300ms {{ {body} }}"));
        let (reader, writer) = os_pipe::pipe().unwrap();
        let start = Instant::now();
        let child = test
            .command()
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = wait_with_deadline(child, Duration::from_secs(20));
        let elapsed = start.elapsed();
        drop(reader);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(status_of(&output), 124, "{body}: {stderr}");
        assert!(elapsed < Duration::from_secs(4), "{body}: {elapsed:?}");
        assert!(
            stderr.contains("unread by its reader, was dropped"),
            "{body}: {stderr}"
        );
    }
}
