//! Statements: pipelines and their statuses, errexit and conditions,
//! lists, `for`, `cd`, `exit`, scoping by blocks, and the diagnostics of
//! statement forms taken from bash.

use super::{fails, ok, read, run_past_a_locked_directory};
use crate::harness::Test;

/// A line that ends in `|`, `&&` or `||` goes on to the next one, across
/// blank lines and a comment, inside blocks too.
#[test]
fn a_line_ending_in_an_operator_goes_on() {
    ok(
        "echo a |\n\n  tr a b\nfalse ||\n  echo c &&   # why\n\n echo d\n\
         parallel {\n  echo e |\n  tr e f\n  true &&\n  echo g\n}\n\
         echo $(echo h |\n tr h i) \\\n  j",
        "b\nc\nd\nf\ng\ni j\n",
    );
}

/// As in bash, a loop over no items, and a block with nothing in it, end
/// with status 0, not with the `$?` of before them: `make || for f in
/// $(cat failed) { ... }` as a script's last line does not end it with
/// make's status when nothing failed.
#[test]
fn a_loop_over_no_items_ends_with_status_0() {
    ok("sh -c 'exit 4' || for f in $(true) { echo $f }", "");
    ok("false || for f in $(true) { echo $f }\necho $?", "0\n");
    ok("false || for f in a {}\necho $?", "0\n");
    ok("false || timeout 1s { }\necho $?", "0\n");
    // Inside, `$?` is still the status of before.
    ok("false || for i in a { echo \"in $?\" }", "in 1\n");
}

#[test]
fn pipelines() {
    ok("printf 'b\\na\\n' | sort | head -n 1", "a\n");
    ok("yes | head -n 2", "y\ny\n");
    ok("{ echo one; echo two } | tac", "two\none\n");
    ok("echo in | { cat; echo more } | cat", "in\nmore\n");
    ok("for i in 1..3 { echo $i } | paste -sd+", "1+2+3\n");
}

#[test]
fn pipefail_names_the_failing_stage() {
    // `true` writes nothing, so no stage can die of SIGPIPE by chance.
    let run = Test::new().script("true | false | cat").status(1).run();
    let stderr = run.stderr();
    assert!(stderr.contains("`false` exited with status 1"), "{stderr}");
    assert!(
        stderr.contains("stage statuses: true 0 | false 1 | cat 0"),
        "{stderr}"
    );
    fails(
        "sh -c 'exit 4' | sh -c 'exit 5'",
        5,
        "stage statuses: sh 4 | sh 5",
    );
    // As PIPESTATUS shows it: `yes` was killed by SIGPIPE, which did not
    // count as a failure, since `head` stopped reading on purpose. (`head`
    // writes to /dev/null, so that it cannot die of SIGPIPE by chance.)
    fails(
        "yes | head -n 1 > /dev/null | false",
        1,
        "stage statuses: yes 141 | head 0 | false 1",
    );
    // A name written in quoted or escaped parts is still named; one that
    // expands a variable is not, as the variable may be a secret.
    fails(
        "true | /bin/fal\\se | \"f\"alse",
        1,
        "stage statuses: true 0 | /bin/false 1 | false 1",
    );
    fails("let c = false\n$c", 1, "`command` exited with status 1");
}

/// A `$(...)` in a later stage's command reads that stage's stdin, as a
/// bash subshell's does, not the pipeline's (here the script's own).
#[test]
fn a_substitution_in_a_later_stage_reads_its_stdin() {
    let ok_with = |script: &str, stdout: &str| {
        Test::new()
            .script(script)
            .stdin("outer\n")
            .stdout(stdout)
            .run();
    };
    ok_with("seq 2 | echo \"[$(cat)]\"", "[1\n2]\n");
    ok_with("echo x | cat | echo \"${nope:-$(cat)}\" | cat", "x\n");
    ok_with("echo x | A=$(cat) env | grep -c '^A=x$'", "1\n");
    // After a block stage, it is expanded before anything starts.
    ok_with("{ echo x } | echo \"$(cat)\"", "outer\n");
    // The same-file rule still holds, before the file is opened.
    let run = Test::new()
        .script("cat < f | cat > $(echo f)")
        .file("f", "data\n")
        .status(1)
        .stderr_has("`f` is both read and truncated by this pipeline")
        .run();
    assert_eq!(read(&run, "f"), "data\n");
}

/// A block stage that decides the pipeline's status with a diagnostic of
/// its own (a timeout, a branch's `exit`, a `$(...)`'s status) shows every
/// stage's status too, after its own help, as a failed command does.
#[test]
fn a_block_stage_shows_the_stage_statuses() {
    for (script, status, own, table) in [
        (
            "true | timeout 50ms { sleep 5 } | cat",
            124,
            "timed out after 50ms",
            "stage statuses: true 0 | timeout { } 124 | cat 0",
        ),
        (
            "true | parallel { exit 3 } | cat",
            3,
            "a parallel branch exited with status 3",
            "stage statuses: true 0 | parallel { } 3 | cat 0",
        ),
        (
            "true | fanout { exit 4 } | cat",
            4,
            "a fanout branch exited with status 4",
            "stage statuses: true 0 | fanout { } 4 | cat 0",
        ),
        // A block is named by its keyword and braces: `timeout` alone
        // would be coreutils' command.
        (
            "timeout 5s { exit 3 } | cat",
            3,
            "`timeout { }` exited with status 3",
            "stage statuses: timeout { } 3 | cat 0",
        ),
        (
            "true | { echo \"$(exit 5)\" } | cat",
            5,
            "`exit 5` in a `$(...)`",
            "stage statuses: true 0 | { } 5 | cat 0",
        ),
        (
            "true | { echo $(false && true) } | cat",
            1,
            "a `$(...)` ended with status 1",
            "stage statuses: true 0 | { } 1 | cat 0",
        ),
        // A command in the block that could not run (it showed only its
        // own error, where a command stage shows the table).
        (
            "seq 3 | { catt } | cat",
            127,
            "did you mean `cat`?",
            "stage statuses: seq 0 | { } 127 | cat 0",
        ),
        (
            "seq 3 | fanout { cat > no/dir/f ; cat } | cat",
            1,
            "cannot open `no/dir/f`",
            "stage statuses: seq 0 | fanout { } 1 | cat 0",
        ),
    ] {
        Test::new()
            .script(script)
            .status(status)
            .stderr_has(own)
            .stderr_has(table)
            .run();
    }
}

/// A stage that could not run and decides the pipeline's status shows
/// every stage's status after its own help, as a stage that failed does
/// (it showed only its own error, without bash's PIPESTATUS).
#[test]
fn a_stage_that_cannot_run_shows_the_stage_statuses() {
    for (script, status, own, table) in [
        (
            "true | catt | true",
            127,
            "did you mean `cat`?",
            "stage statuses: true 0 | catt 127 | true 0",
        ),
        (
            "true | cat < missing | true",
            1,
            "cannot open `missing`",
            "stage statuses: true 0 | cat 1 | true 0",
        ),
        (
            "true | ./plain | cat",
            126,
            "make it executable",
            "stage statuses: true 0 | ./plain 126 | cat 0",
        ),
    ] {
        Test::new()
            .file("plain", "echo hi\n")
            .script(script)
            .status(status)
            .stderr_has(own)
            .stderr_has(table)
            .run();
    }
    // A command alone has no table.
    let run = Test::new().script("catt").status(127).run();
    assert!(!run.stderr().contains("stage statuses"), "{}", run.stderr());
}

/// A stage that could not run is shown even when a later stage decides
/// the pipeline's status, as bash shows "command not found" in `catt |
/// false`; each diagnostic once, the deciding one last.
#[test]
fn a_stage_that_cannot_run_is_shown_when_another_decides() {
    for (script, shown) in [
        ("catt | sh -c 'exit 3'", "did you mean `cat`?"),
        ("cat < missing | sh -c 'exit 3'", "cannot open `missing`"),
        (
            "./dir | sh -c 'exit 3'",
            "cannot run `./dir`: is a directory",
        ),
        (
            "{ echo $nope } | sh -c 'exit 3'",
            "undefined variable `nope`",
        ),
    ] {
        let run = Test::new()
            .file("dir/x", "")
            .script(script)
            .status(3)
            .stderr_has(shown)
            .run();
        let stderr = run.stderr();
        assert_eq!(stderr.matches(shown).count(), 1, "{script}:\n{stderr}");
        let last = stderr.find("`sh` exited with status 3").expect(script);
        assert!(stderr.find(shown).unwrap() < last, "{script}:\n{stderr}");
    }
    // On the left of `||` too, where the deciding plain status is not.
    Test::new()
        .script("catt | sh -c 'exit 3' || echo handled $?")
        .stdout("handled 3\n")
        .stderr_has("command not found: `catt`")
        .run();
}

/// A stage that could not run is shown when it would have decided the
/// status but something around the pipeline ended it (a timeout, an outer
/// fail-fast), whose diagnostic is the one told: it was lost there, where
/// the same stage on the left was shown.
#[test]
fn a_stage_that_cannot_run_is_shown_when_the_pipeline_is_ended_from_around() {
    for (script, status, shown, then) in [
        (
            "timeout 200ms { sleep 5 | catt }",
            124,
            "command not found: `catt`",
            "timed out after 200ms",
        ),
        (
            "timeout 200ms { sleep 5 | { catt ; true } }",
            124,
            "command not found: `catt`",
            "timed out after 200ms",
        ),
        (
            "timeout 200ms { sleep 5 | cat < missing }",
            124,
            "cannot open `missing`",
            "timed out after 200ms",
        ),
        (
            "parallel fail-fast { sh -c 'sleep 0.2; exit 4' ; sleep 5 | catt }",
            4,
            "command not found: `catt`",
            "`sh` exited with status 4",
        ),
    ] {
        let run = Test::new().script(script).status(status).run();
        let stderr = run.stderr();
        assert_eq!(stderr.matches(shown).count(), 1, "{script}:\n{stderr}");
        let last = stderr.find(then).expect(script);
        assert!(stderr.find(shown).unwrap() < last, "{script}:\n{stderr}");
    }
}

#[test]
fn closed_reader_is_not_a_failure() {
    ok("yes | head -n 1", "y\n");
    ok("yes | cat | head -c 2", "y\n");
    fails("yes | false", 1, "`false` exited with status 1");
    // Quietly and at once: `yes` dies of SIGPIPE, which children get back
    // as the default however `pipe` itself handles it.
    let run = Test::new()
        .script("yes | head -n 1\nyes | cat | head -c 2")
        .stdout("y\ny\n")
        .stderr_empty()
        .run();
    assert!(
        run.elapsed < std::time::Duration::from_secs(5),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn errexit_and_conditions() {
    fails(
        "echo before\nfalse\necho after",
        1,
        "`false` exited with status 1",
    );
    Test::new()
        .script("echo before\nfalse\necho after")
        .stdout("before\n")
        .status(1)
        .run();
    ok("false && echo no\necho yes", "yes\n");
    ok("true && echo yes || echo no", "yes\n");
    ok("false || false || echo third", "third\n");
    ok("{ false; echo unreached } || echo caught", "caught\n");
    fails("true && false", 1, "exited with status 1");
    // A block whose last statement is a condition that failed does not stop
    // the script either, as bash's `{ false && x; }`: it only sets `$?`.
    for block in [
        "{ false && true }",
        "{ { false && true } }",
        "for i in 1 2 { false && true }",
        "timeout 5s { false && true }",
    ] {
        ok(&format!("{block}\necho after $?"), "after 1\n");
        ok(&format!("{block} || echo caught $?"), "caught 1\n");
    }
    // A parallel branch is a subshell: its status is its own, and says so.
    Test::new()
        .script("parallel { { false && true } }\necho no")
        .status(1)
        .stderr_has("a parallel branch exited with status 1")
        .run();
}

#[test]
fn exit_statuses() {
    Test::new().script("exit 3").status(3).stderr_empty().run();
    // A condition that failed as the last statement is its status, as in
    // bash with `set -e`: nothing stopped, nothing to say.
    Test::new()
        .script("echo a\nsh -c 'exit 4' && echo no")
        .stdout("a\n")
        .status(4)
        .stderr_empty()
        .run();
    Test::new()
        .script("echo a; exit; echo b")
        .stdout("a\n")
        .run();
    Test::new().script("{ exit 4 }\necho no").status(4).run();
    Test::new()
        .script("sh -c 'kill -TERM $$'")
        .status(143)
        .stderr_has("SIGTERM")
        .run();
    fails("exit 256", 1, "not a number from 0 to 255");
    // As in bash, `exit` may start a list; it ends the script there, and
    // so does one with a status that is no number.
    Test::new()
        .script("exit 3 || echo no\necho no")
        .status(3)
        .stderr_empty()
        .run();
    Test::new()
        .script("exit 0 && echo no\necho no")
        .stdout("")
        .run();
    Test::new()
        .script("exit abc || echo no\necho no")
        .status(1)
        .stdout("")
        .stderr_has("not a number from 0 to 255")
        .run();
    Test::new()
        .script("true && exit -1 || echo no")
        .status(1)
        .stdout("")
        .run();
    // `-0` is 0, as bash takes it; `-1` is refused above. Spaces and
    // tabs around the number are left aside, as bash leaves them.
    Test::new().script("exit -0\necho no").stdout("").run();
    Test::new().script("exit \" 3\t\"").status(3).run();
    fails("exit \"3\\n\"", 1, "not a number from 0 to 255");
    Test::new()
        .file("s.pipe", "exit -00\n")
        .args(["check", "s.pipe"])
        .stderr_empty()
        .run();
    ok(
        "{ exit 3 } | cat || echo \"stage exit $?\"",
        "stage exit 3\n",
    );
    // A leading zero or a `+` is still the number (docs/language.md).
    Test::new()
        .script("exit 007")
        .status(7)
        .stderr_empty()
        .run();
    Test::new().script("exit +3").status(3).stderr_empty().run();
}

#[test]
fn for_loops() {
    ok("for x in a 'b c' d { echo $x }", "a\nb c\nd\n");
    ok("for i in 3..1 { echo $i }", "3\n2\n1\n");
    ok("let n = 3\nfor i in 1..$n { printf $i }", "123");
    // A leading zero pads every item to the wider bound, as bash's {01..10}.
    ok("for i in 08..10 { printf \"$i \" }", "08 09 10 ");
    ok("for i in 1..003 { printf \"$i \" }", "001 002 003 ");
    ok("for i in -02..1 { printf \"$i \" }", "-02 -01 000 001 ");
    ok("let n = 03\nfor i in $n..1 { printf \"$i \" }", "03 02 01 ");
    ok("for i in 0..2 { printf \"$i \" }", "0 1 2 ");
    ok(
        "for line in $(printf 'x\\ny\\n') { echo \"<$line>\" }",
        "<x>\n<y>\n",
    );
    Test::new()
        .script("for f in *.txt { echo $f }\nfor f in '*.txt' { echo $f }")
        .file("b.txt", "")
        .file("a.txt", "")
        .file(".hidden.txt", "")
        .stdout("a.txt\nb.txt\n*.txt\n")
        .run();
    fails("for f in *.nothing { echo $f }", 1, "matched no file");
    // `*/` is the directories, each with its `/`, as in bash.
    Test::new()
        .script("for d in */ { echo $d }\necho s*/*/")
        .file("b/x", "")
        .file("a/x", "")
        .file("sub/in/x", "")
        .file("file", "")
        .stdout("a/\nb/\nsub/\nsub/in/\n")
        .run();
    Test::new()
        .script("for a in $@ { echo $a }")
        .args(["p", "q"])
        .stdout("p\nq\n")
        .run();
}

#[test]
fn cd_is_scoped() {
    Test::new()
        .script("{ cd sub; cat f }\ncat f")
        .file("sub/f", "inner\n")
        .file("f", "outer\n")
        .stdout("inner\nouter\n")
        .run();
    fails(
        "cd missing-dir",
        1,
        "cannot change directory to `missing-dir`",
    );
    // `$PWD` follows `cd` in the script as in its children, with `.` and
    // `..` taken away as bash's `cd` does.
    let test = Test::new().file("sub/f", "");
    let dir = std::fs::canonicalize(test.path()).unwrap();
    let dir = dir.display();
    test.script(
        "cd sub\necho $PWD\nprintenv PWD\n{ cd ./../sub/..; echo $PWD; printenv PWD }\necho $PWD",
    )
    .stdout(format!("{dir}/sub\n{dir}/sub\n{dir}\n{dir}\n{dir}/sub\n"))
    .run();
    // `$OLDPWD` is where the last `cd` left, as in bash.
    let test = Test::new().file("sub/f", "");
    let dir = std::fs::canonicalize(test.path()).unwrap();
    let dir = dir.display();
    test.script("cd sub\necho $OLDPWD\nprintenv OLDPWD")
        .stdout(format!("{dir}\n{dir}\n"))
        .run();
    // As in bash, a path that starts with exactly two slashes keeps
    // them in `$PWD`, `..` or not; three or more are one.
    ok(
        "cd //\necho $PWD\nprintenv PWD\ncd ..\necho $PWD\ncd ///\necho $PWD\ncd //tmp/..\necho $PWD",
        "//\n//\n//\n/\n//\n",
    );
    // `cd`'s word is globbed, as bash's is; it must match one name.
    Test::new()
        .file("build-1.2/f", "")
        .file("x1/f", "")
        .file("x2/f", "")
        .script("cd build-*\nls\ncd ../x*")
        .stdout("f\n")
        .status(1)
        .stderr_has("ambiguous directory: the word expands to 2 values")
        .run();
    fails("cd 'build-*'", 1, "cannot change directory to `build-*`");
    fails("cd nothing-*", 1, "glob `nothing-*` matched no file");
    // `cd -` goes back to `$OLDPWD` and prints it, as bash's does.
    let test = Test::new().file("sub/f", "");
    let dir = std::fs::canonicalize(test.path()).unwrap();
    let dir = dir.display();
    test.script("cd sub\ncd -\npwd\n{ cd - } | tr / :")
        .stdout(format!(
            "{dir}\n{dir}\n{}\n",
            format!("{dir}/sub").replace('/', ":")
        ))
        .run();
    // Its reader gone, it ends as a command killed by SIGPIPE would.
    Test::new()
        .script("{ cd /; cd - } | true\necho after")
        .stdout("after\n")
        .stderr_empty()
        .run();
}

/// A `$PWD` that is not the working directory (the harness, like most
/// process APIs, changes directory without updating it) is set right at
/// start-up, as bash does; one that names it through a link is kept, and
/// `cd` goes on from it.
#[test]
fn pwd_is_the_working_directory_from_the_start() {
    let test = Test::new().file("real/sub/f", "");
    let dir = std::fs::canonicalize(test.path()).unwrap();
    let dir = dir.display().to_string();
    test.env("PWD", "/nonexistent")
        .script("echo $PWD\nprintenv PWD")
        .stdout(format!("{dir}\n{dir}\n"))
        .run();
    // None at all, as a program started with a small environment has:
    // set for the script and its children, a parallel branch's too.
    let test = Test::new();
    let dir = std::fs::canonicalize(test.path()).unwrap();
    let dir = dir.display().to_string();
    let mut command = test.command();
    command
        .env_remove("PWD")
        .args(["-c", "echo $PWD\nprintenv PWD\nparallel { printenv PWD }"]);
    let output = command.output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{dir}\n{dir}\n{dir}\n"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let test = Test::new().file("real/sub/f", "");
    let dir = std::fs::canonicalize(test.path()).unwrap();
    std::os::unix::fs::symlink(dir.join("real"), dir.join("link")).unwrap();
    let link = dir.join("link").display().to_string();
    let mut command = test.command();
    command
        .current_dir(&link)
        .env("PWD", &link)
        .args(["-c", "echo $PWD; cd sub; echo $PWD"]);
    let output = command.output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{link}\n{link}/sub\n")
    );
}

/// `cd` alone is the home directory, as in bash, in a list too.
#[test]
fn cd_alone_goes_home() {
    let test = Test::new().file("home/f", "at home\n");
    let home = test.path().join("home").to_str().unwrap().to_owned();
    test.env("HOME", &home)
        .script("{ cd; cat f; echo $PWD }\ntrue && cd && cat f")
        .stdout(format!("at home\n{home}\nat home\n"))
        .run();
}

/// As in bash, `cd` may stand in a list: `cd build && make` changes the
/// directory of the rest of the block, and a `cd` that fails is a
/// condition there (`cd "$dir" || exit 1`), reported as bash reports it.
#[test]
fn cd_in_a_list() {
    Test::new()
        .script("cd sub && cat f\ncat f\n{ true && cd .. && cat f }\ncat f")
        .file("sub/f", "inner\n")
        .file("f", "outer\n")
        .stdout("inner\ninner\nouter\ninner\n")
        .run();
    Test::new()
        .script("cd missing || echo \"failed: $?\"\nfalse && cd missing\ncat f")
        .file("f", "here\n")
        .stdout("failed: 1\nhere\n")
        .stderr_has("cannot change directory to `missing`")
        .run();
    fails("cd missing || exit 3", 3, "cannot change directory");
    fails("cd missing && echo no", 1, "cannot change directory");
}

/// As in bash, an assignment may stand in a list (`cmd || status=$?`):
/// it sets the variable in the list's own scope.
#[test]
fn assignments_in_a_list() {
    ok(
        "let s = 0\nsh -c 'exit 3' || let s = $?\necho \"status $s\"",
        "status 3\n",
    );
    ok(
        "true && export E = 1 && printenv E\nprintenv E\nfalse && let x = 1\necho ${x:-unset}",
        "1\n1\nunset\n",
    );
    ok("{ true && let y = in }\necho ${y:-out}", "out\n");
    ok("let x = $(false) || echo \"failed: $?\"", "failed: 1\n");
    // `check` sees the name defined after the list, where every way on
    // from it sets the name (`true || let s = $?` alone does not: see
    // `check_defines_a_name_only_where_its_let_certainly_ran`).
    Test::new()
        .file(
            "s.pipe",
            "sh -c 'exit 3' && let s = 0 || let s = $?\necho $s\n\
             cd / || exit 1\nlet t = 1 && echo $t $OLDPWD\n\
             let u = $(echo 1) || exit 2\necho $u\n",
        )
        .args(["check", "s.pipe"])
        .stderr_empty()
        .run();
}

/// `$@` alone is no word when the script has no arguments, as bash's
/// `"$@"`: `cd $@` goes home and `exit $@` ends with `$?`, as `cd` and
/// `exit` with no word do; with one argument they take it.
#[test]
fn cd_and_exit_take_an_empty_dollar_at_as_no_word() {
    Test::new()
        .env("HOME", "/")
        .script("cd $@\npwd\nfalse || exit $@")
        .stdout("/\n")
        .status(1)
        .stderr_empty()
        .run();
    Test::new()
        .script("cd $@\npwd\nexit $@")
        .arg("/tmp")
        .stdout("/tmp\n")
        .status(1)
        .stderr_has("exit status `/tmp` is not a number")
        .run();
}

/// `$?` is the previous statement's status, as in bash, wherever it is
/// read: in a `$(...)`, a block, a `parallel` branch, a default.
#[test]
fn status_is_the_previous_statement_s() {
    for (script, stdout) in [
        ("echo $?", "0\n"),
        ("sh -c 'exit 3' || echo $(echo $?)", "3\n"),
        ("sh -c 'exit 3' || { echo $? }", "3\n"),
        ("sh -c 'exit 3' || parallel { echo $? }", "3\n"),
        ("sh -c 'exit 3' || for i in 1 { echo $? }", "3\n"),
        ("sh -c 'exit 3' || echo \"${nope:-$?}\"", "3\n"),
        ("no-such-command-xyz || echo $?", "127\n"),
        ("sh -c 'exit 3' || let x = 1\necho $?", "0\n"),
        ("false && true\necho $?", "1\n"),
        ("sh -c 'exit 3' | sh -c 'exit 4' || echo $?", "4\n"),
    ] {
        Test::new().script(script).stdout(stdout).run();
    }
}

/// `cd` into a directory without search permission fails at the `cd`,
/// as bash's does: it went there, and the next command failed as if the
/// directory had been removed since. Root may go anywhere: it runs as
/// nobody.
#[test]
fn cd_into_a_directory_without_search_permission_fails() {
    let test = Test::new().file("locked/x", "");
    let output = run_past_a_locked_directory(&test, "cd \"$1/locked\" || echo refused $?\nls");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("refused 1\n"),
        "{stderr}"
    );
    assert!(stderr.contains("pipe::run::cd"), "{stderr}");
    assert!(stderr.contains("locked`: permission denied"), "{stderr}");
    assert!(stderr.contains("search (`x`) permission"), "{stderr}");
}

/// The closed-reader rule holds whatever the stages are: a block that
/// stops reading, a block whose writer dies of SIGPIPE, a reader that
/// never reads; and a reader that fails decides the status, with the
/// writer's 141 shown as PIPESTATUS would.
#[test]
fn a_closed_reader_is_not_a_failure_around_blocks() {
    for script in [
        "yes | { head -n 1 }",
        "yes | for i in 1 { head -n 1 }",
        "yes | timeout 5s { head -n 1 }",
        "{ yes } | head -n 1",
        "for i in 1..3 { yes } | head -n 1",
        "timeout 5s { yes } | head -n 1",
        "yes | head -n 1 || echo no",
        "yes | true && echo y",
    ] {
        Test::new()
            .script(script)
            .stdout("y\n")
            .stderr_empty()
            .run();
    }
    fails(
        "yes | { head -n 1; exit 3 }",
        3,
        "stage statuses: yes 141 | { } 3",
    );
}

/// A block whose writer died of SIGPIPE on the left of `&&` or `||` ends
/// with that condition's status, 141: the reader went away all the same,
/// so the closed-reader rule holds as for a block whose last command died
/// of it, and the pipeline's status, `$?` after it, is 0.
#[test]
fn a_closed_reader_is_not_a_failure_after_a_condition_in_a_block() {
    for script in [
        "{ yes && echo done } | head -n 1",
        "for i in 1..3 { yes && echo done } | head -n 1",
        "timeout 5s { yes && echo done } | head -n 1",
        "parallel { yes && echo done } | head -n 1",
    ] {
        Test::new()
            .script(script)
            .stdout("y\n")
            .stderr_empty()
            .run();
    }
    Test::new()
        .script("{ yes && echo done } | head -n 1\necho $?")
        .stdout("y\n0\n")
        .run();
    fails(
        "{ false && echo done } | cat",
        1,
        "stage statuses: { } 1 | cat 0",
    );
}

/// `let`, `export`, `secret` and `cd` hold in the block they are written
/// in, whatever kind it is: each pass of a `for` starts from the scope
/// around the loop, each `parallel` or `fanout` branch has its own, and a
/// block standing as a pipeline stage changes nothing around the pipeline.
#[test]
fn statements_are_scoped_by_every_block_kind() {
    let test = Test::new().file("sub/f", "");
    let dir = std::fs::canonicalize(test.path()).unwrap();
    let dir = dir.display();
    test.script(
        "let v = outer\n\
         for i in 1 2 { echo \"$i $v\"; let v = in$i; export E = e$i; secret S = s$i; cd sub; pwd; sh -c 'echo $E $S' }\n\
         timeout 5s { let v = t; export E = t; secret S = t; cd sub }\n\
         parallel { { let v = p; export E = p; cd sub; sh -c 'echo $E'; pwd } ; echo \"$v ${E:-no-E}\"; pwd }\n\
         echo in | fanout { { let v = f; cd sub; cat; pwd } ; { cat; echo $v; pwd } }\n\
         echo x | { let v = st; export E = st; secret S = st; cd sub; cat } | { cat; echo $v; pwd }\n\
         echo \"$v ${E:-no-E} ${S:-no-S}\"\npwd\nsh -c 'echo ${E:-no-E} ${S:-no-S}'",
    )
    .stdout(format!(
        "1 outer\n{dir}/sub\ne1 s1\n2 outer\n{dir}/sub\ne2 s2\n\
         p\n{dir}/sub\nouter no-E\n{dir}\n\
         in\n{dir}/sub\nin\nouter\n{dir}\n\
         x\nouter\n{dir}\n\
         outer no-E no-S\n{dir}\nno-E no-S\n"
    ))
    .run();
}

/// Every block kind stands as a pipeline stage, first, in the middle or
/// last, with the stage's stdin and stdout as its own: its commands read
/// the pipe before it (a `parallel` branch excepted: it reads /dev/null)
/// and write to the pipe after it.
#[test]
fn every_block_kind_is_a_pipeline_stage() {
    Test::new()
        .script(
            "seq 3 | { cat; echo b } | tr '\\n' ' '\necho\n\
             seq 3 | for i in a b { cat; echo $i } | tr '\\n' ' '\necho\n\
             seq 3 | timeout 5s { cat; echo t } | tr '\\n' ' '\necho\n\
             seq 3 | fanout { wc -l ; tail -n 1 } | tr '\\n' ' '\necho\n\
             seq 3 | parallel { cat ; echo p } | tr '\\n' ' '\necho\n\
             seq 2 | { cat } | for i in x { cat; echo $i } | timeout 5s { cat } | fanout { cat } | parallel { echo end } | cat",
        )
        .stdin("script stdin\n")
        .stdout("1 2 3 b \n1 2 3 a b \n1 2 3 t \n3 3 \np \nend\n")
        .run();
}

/// `&&` and `||` run left to right with equal precedence, as in bash: each
/// runs its pipeline by the status of the one before it.
#[test]
fn and_or_lists_run_left_to_right() {
    ok(
        "false && echo a || echo b && echo c\n\
         true || echo d && echo e\n\
         false || false || echo f && false || echo g\n\
         true &&\n  false ||\n  echo h\n\
         false || false && echo no\necho \"status $?\"",
        "b\nc\ne\nf\ng\nh\nstatus 1\n",
    );
}

/// `exit` ends the script from inside a block that stands as a statement,
/// a `for` or `timeout` body too; in a block that is a stage of a longer
/// pipeline, or in a `parallel` branch, it ends only that.
#[test]
fn exit_inside_blocks() {
    Test::new()
        .script("for i in 1 2 3 { echo $i; exit 5 }\necho no")
        .stdout("1\n")
        .status(5)
        .stderr_empty()
        .run();
    Test::new()
        .script("timeout 5s { echo t; exit 6 }\necho no")
        .stdout("t\n")
        .status(6)
        .stderr_empty()
        .run();
    Test::new()
        .script("sh -c 'exit 7' || { exit }\necho no")
        .stdout("")
        .status(7)
        .stderr_empty()
        .run();
    // A bare `exit` takes `$?` as it is where it stands, as in bash.
    Test::new()
        .script("sh -c 'exit 7' || { echo h; exit }\necho no")
        .stdout("h\n")
        .status(0)
        .run();
    ok(
        "for i in 1 2 { echo $i; exit 0 } | cat\n\
         echo q | timeout 5s { cat; exit 0; echo no } | cat\n\
         parallel { exit 0 ; echo b }\necho after",
        "1\nq\nb\nafter\n",
    );
}

/// bash's reserved words that pipe has no statement for (`if`, `while`,
/// `until`, `select`, `[[`, `!`, and the words that go with them) are refused
/// where they name a command, before anything runs: the script does not
/// run up to that line and then stop on a command not found. Quoted, or
/// after a prefix assignment, or as an argument, such a word is a word.
#[test]
fn bash_reserved_words_are_refused_before_anything_runs() {
    for (line, text) in [
        ("if [ -f x ]; then", "`if ... fi` is not supported"),
        ("  echo yes\nfi", "`if ... fi` is not supported"),
        ("while true; do", "`while ... done` is not supported"),
        ("done", "`while ... done` is not supported"),
        ("until false; do", "`until ... done` is not supported"),
        ("ls | while read l; do", "`while ... done` is not supported"),
        ("[[ -n $HOME ]] && echo y", "`[[ ... ]]` is not supported"),
        ("! grep -q x f && echo y", "`! cmd` is not supported"),
    ] {
        let run = Test::new()
            .script(format!("touch ran\n{line}\n"))
            .status(2)
            .stderr_has("pipe::parse::unsupported_expansion")
            .stderr_has(text)
            .run();
        assert!(!run.dir.join("ran").exists(), "{line}");
    }
    Test::new()
        .script("echo if then fi done\nX=1 'if' 2> /dev/null || echo quoted\n")
        .stdout("if then fi done\nquoted\n")
        .run();
}

/// A header's word misspelled gets a "did you mean" among the words the
/// header takes there.
#[test]
fn a_misspelled_header_word_gets_a_did_you_mean() {
    for (script, meant) in [
        ("parallel line { a }", "did you mean `lines`?"),
        ("parallel fial-fast { a }", "did you mean `fail-fast`?"),
        ("parallel max 2 fro i in 1..2 { a }", "did you mean `for`?"),
        ("timeout 1s grce 1s { a }", "did you mean `grace`?"),
        ("timeout 1s singal INT { a }", "did you mean `signal`?"),
        ("echo x | fanout order { a }", "did you mean `ordered`?"),
    ] {
        fails(script, 2, meant);
    }
    let run = Test::new().script("parallel xyz { a }").status(2).run();
    assert!(!run.stderr().contains("did you mean"), "{}", run.stderr());
}

/// A statement keyword misspelled or capitalised is run as a command, and
/// not found: its help names the keyword, not a program of a close name
/// (`expor` is not `expr`), in the run and in `pipe check`.
#[test]
fn a_misspelled_statement_keyword_is_named_when_not_found() {
    for (script, meant) in [
        ("expor LANG = C", "did you mean the keyword `export`, as in"),
        ("lte x = 1", "did you mean the keyword `let`, as in"),
        ("exti 1", "did you mean the keyword `exit`, as in `exit N`"),
        (
            "Let x = 1",
            "did you mean the keyword `let`? Keywords are lower case",
        ),
    ] {
        fails(script, 127, meant);
    }
    Test::new()
        .file("s.pipe", "secrte key = x\n")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("did you mean the keyword `secret`")
        .run();
    let run = Test::new().script("get x").status(127).run();
    assert!(!run.stderr().contains("keyword"), "{}", run.stderr());
}

/// A `for` header without its `in` (`for i = 1..3`, `for i of xs`) gets
/// a help that shows the loop's form.
#[test]
fn a_for_header_without_in_shows_the_form() {
    for script in [
        "for i = 1..3 { a }",
        "for i 1..3 { a }",
        "parallel for i of a b { a }",
    ] {
        fails(script, 2, "its list follows `in`");
    }
}

/// A `,` between commands, as a list elsewhere separates its items, is
/// part of the word: the command not found says what separates commands.
#[test]
fn a_comma_after_a_command_name_says_what_separates_commands() {
    Test::new()
        .script("seq 3 | fanout { cat, wc -l }")
        .status(127)
        .stderr_has("`cat` is a program; a `,` is part of the word")
        .run();
}

/// `x = 5`, bash's mistake of spaces around an assignment's `=`, runs a
/// program named `x`, as in bash: not found, its help says how to set a
/// variable, in the run and in `pipe check`.
#[test]
fn an_assignment_with_spaces_is_a_command_whose_help_says_let() {
    let help = "this runs a program named `count`, as in bash; to set a variable";
    fails("count = 0", 127, help);
    Test::new()
        .file("s.pipe", "count = 0\n")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has(help)
        .run();
}

/// A `for` whose variable was left out, its list first (`for *.txt {`),
/// gets a help that names a variable before the list.
#[test]
fn a_for_without_its_variable_shows_one_before_the_list() {
    fails(
        "for *.txt { gzip $f }",
        2,
        "a loop names its variable first, then its list: `for f in *.txt",
    );
}
