//! `fanout`: every branch gets every byte of the stream.

use std::process::Stdio;

use crate::harness::{Test, status_of};

#[test]
fn every_branch_gets_every_byte() {
    let data: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let sha = sha256_hex(&data);
    let run = Test::new()
        .file("data", &data)
        .script("cat data | fanout { sha256sum ; cat > copy ; wc -c }")
        .run();
    assert_eq!(run.stdout(), format!("{sha}  -\n{}\n", data.len()));
    assert_eq!(std::fs::read(run.dir.join("copy")).unwrap(), data);
}

#[test]
fn an_early_exit_neither_fails_the_others_nor_kills_the_producer() {
    Test::new()
        .script("seq 1 200000 | fanout { head -n 1 ; wc -l ; tail -n 1 }")
        .stdout("1\n200000\n200000\n")
        .run();
}

#[test]
fn an_exit_in_a_branch_is_named_as_a_fanout_branch() {
    Test::new()
        .script("echo x | fanout { cat ; exit 4 }\necho no")
        .stdout("x\n")
        .status(4)
        .stderr_has("a fanout branch exited with status 4")
        .run();
}

#[test]
fn when_no_branch_reads_the_producer_is_stopped() {
    Test::new()
        .script("yes | fanout { head -n 1 ; head -c 4 }")
        .stdout("y\ny\ny\n")
        .run();
}

#[test]
fn a_slow_branch_slows_but_loses_nothing() {
    Test::new()
        .script("head -c 20000000 /dev/zero | fanout { sh -c 'sleep 0.3; wc -c' ; wc -c }")
        .stdout("20000000\n20000000\n")
        .run();
}

#[test]
fn a_slow_branch_holds_the_producer_back() {
    // 5 MB is far more than the pipes hold: while one branch reads nothing,
    // the producer cannot have written it all (nothing buffers it whole).
    Test::new()
        .script(
            "{ head -c 5000000 /dev/zero; echo done > produced } |\n\
             fanout { sh -c 'sleep 0.5; test -e produced && echo early || echo held; wc -c' ; wc -c }",
        )
        .stdout("held\n5000000\n5000000\n")
        .run();
}

#[test]
fn output_is_combined_as_in_parallel() {
    // The first branch prints a line at once and one after 0.8 s; the
    // second, both of its lines at 0.4 s.
    for (mode, stdout) in [
        ("", "a\nb\nA\nB\n"),
        ("ordered", "a\nb\nA\nB\n"),
        ("unordered", "A\nB\na\nb\n"),
        ("lines", "a\nA\nB\nb\n"),
        ("raw", "a\nA\nB\nb\n"),
    ] {
        Test::new()
            .script(format!(
                "printf 'a\\nb\\n' | fanout {mode} {{\n\
                   sh -c 'read x; echo $x; sleep 0.8; read y; echo $y'\n\
                   sh -c 'sleep 0.4; tr a-z A-Z'\n\
                 }}"
            ))
            .stdout(stdout)
            .run();
    }
}

#[test]
fn fanout_is_a_stage_and_has_output_modes() {
    Test::new()
        .script("seq 5 | fanout { cat ; cat } | sort -n | uniq -c | wc -l")
        .stdout("5\n")
        .run();
    Test::new()
        .script("printf 'a\\nb\\n' | fanout unordered { sh -c 'sleep 0.2; cat' ; cat }")
        .stdout("a\nb\na\nb\n")
        .run();
}

#[test]
fn input_from_a_file_is_copied_too() {
    let test = Test::new()
        .file("in", "line one\nline two\n")
        .script("fanout { wc -l ; cat }");
    let mut command = test.command();
    command
        .stdin(std::fs::File::open(test.path().join("in")).unwrap())
        .stdout(Stdio::piped());
    let output = command.output().unwrap();
    assert_eq!(status_of(&output), 0);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "2\nline one\nline two\n"
    );
}

#[test]
fn a_failing_branch_fails_the_block() {
    Test::new()
        .script("seq 3 | fanout { cat > /dev/null ; sh -c 'cat > /dev/null; exit 5' }")
        .status(5)
        .stderr_has("exited with status 5")
        .run();
    // As in parallel: the first failing branch in script order, though it
    // fails last.
    Test::new()
        .script(
            "seq 3 | fanout { sh -c 'cat > /dev/null; sleep 0.2; exit 3' ; sh -c 'cat > /dev/null; exit 4' }",
        )
        .status(3)
        .stderr_has("exited with status 4")
        .run();
}

/// SHA-256 of `data` by the system's sha256sum, as hex.
fn sha256_hex(data: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(data).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout)[..64].to_owned()
}
