//! Seeing a script: check, fmt, graph, trace, timeline, completions, man,
//! and secrets that never leak through any of them.

use crate::harness::{Test, read_then_close, status_of};
use std::time::Duration;

#[test]
fn check_reports_every_problem_and_runs_nothing() {
    let run = Test::new()
        .file(
            "s.pipe",
            "touch ran\nlet a = 1\necho $a $b\nehco x\n{ let inner = 1 }\necho $inner\nfor f in x { echo $f }\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("undefined variable `b`")
        .stderr_has("command not found: `ehco`")
        .stderr_has("undefined variable `inner`")
        .run();
    assert!(!run.dir.join("ran").exists());
    assert_eq!(
        run.stderr().matches("pipe::").count(),
        3,
        "{}",
        run.stderr()
    );
}

/// What the run is sure to refuse, written out in the script, `pipe check`
/// refuses too: an `exit` status that is no number from 0 to 255, and a
/// NUL byte written in an argument or an environment value. They passed
/// the check and failed the run.
#[test]
fn check_refuses_a_bad_exit_status_and_a_written_nul_byte() {
    let run = Test::new()
        .file(
            "s.pipe",
            "touch ran\necho \"a\\0b\" \"$HOME\\x00\"\nX=\"\\0\" true\nexport E = \"\\u{0}\"\nsecret S = \"x\\0\"\ntrue || exit 300\nexit abc\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("exit status `300` is not a number from 0 to 255")
        .stderr_has("exit status `abc` is not a number from 0 to 255")
        .stderr_has("an argument contains a NUL byte")
        .stderr_has("an environment value contains a NUL byte")
        .run();
    assert!(!run.dir.join("ran").exists());
    assert_eq!(
        run.stderr().matches("pipe::run::nul_byte").count(),
        5,
        "{}",
        run.stderr()
    );
    assert_eq!(
        run.stderr().matches("pipe::").count(),
        7,
        "{}",
        run.stderr()
    );
    // What may hold a NUL, or may be a good status, is not refused: a
    // `let` of a name not exported, `<<<` text, a default, `exit $n`.
    Test::new()
        .file(
            "ok.pipe",
            "let L = \"\\0\"\ncat <<< \"a\\0b\"\necho \"${HOME:-\\0}\"\nlet n = 3\nexit +3\nexit 255\nexit $n\nexit\n",
        )
        .args(["check", "ok.pipe"])
        .stderr_empty()
        .run();
}

/// A range written out with more items than a range may hold is refused
/// by `pipe check` as by the run (`pipe::run::range_too_long`); it passed.
#[test]
fn check_refuses_a_range_too_long() {
    let run = Test::new()
        .file(
            "s.pipe",
            "for i in 1..100000000 { true }\nparallel for j in -5000000..5000000 { true }\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("range too long: 100000000 items")
        .stderr_has("range too long: 10000001 items")
        .run();
    assert_eq!(
        run.stderr().matches("pipe::").count(),
        2,
        "{}",
        run.stderr()
    );
    Test::new()
        .file(
            "ok.pipe",
            "for k in 1..10000000 { true }\nlet n = 9\nfor i in 1..$n { true }\n",
        )
        .args(["check", "ok.pipe"])
        .stderr_empty()
        .run();
}

/// A value `check` knows from the environment may be a secret's (`secret
/// token = $TOKEN`): it is hidden in what `check` shows, as the run hides
/// it. The check showed it in full in a diagnostic about a value made
/// from it.
#[test]
fn check_hides_a_secret_known_from_the_environment() {
    for args in [&["check", "s.pipe"][..], &["s.pipe"]] {
        let run = Test::new()
            .file(
                "s.pipe",
                "secret token = $TOKEN\nlet t = \"x$TOKEN\"\nexit $t\n",
            )
            .env("TOKEN", "abcdef")
            .args(args)
            .status(1)
            .stderr_has("exit status `x***` is not a number from 0 to 255")
            .run();
        assert!(!run.stderr().contains("abcdef"), "{}", run.stderr());
    }
}

/// A `let` keeps an exported name exported, so its value is an
/// environment value, which may hold no NUL byte: the run refused `let
/// HOME = "\0"`, or a `let` of a name exported or made secret before,
/// which passed the check. A name exported only in a block that ended,
/// or on one way there, is not known to be exported.
#[test]
fn check_refuses_a_nul_byte_given_to_an_exported_name() {
    let run = Test::new()
        .file(
            "s.pipe",
            "secret c = 300\nlet c = \"a\\0b\"\nexport e = 1\nlet e = \"\\0\"\nlet HOME = \"\\0\"\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("an environment value contains a NUL byte")
        .run();
    assert_eq!(
        run.stderr().matches("pipe::run::nul_byte").count(),
        3,
        "{}",
        run.stderr()
    );
    Test::new()
        .script("export e = 1\nlet e = \"\\0\"")
        .status(1)
        .stderr_has("an environment value contains a NUL byte")
        .run();
    Test::new()
        .file(
            "ok.pipe",
            "{ export f = 1 }\nlet f = \"\\0\"\nlet g = \"\\0\"\ntest -f x && export h = 1\nlet h = \"\\0\"\n",
        )
        .args(["check", "ok.pipe"])
        .stderr_empty()
        .run();
}

/// A range's bound that is a variable whose value is known without
/// running (a default written out, for a name neither the script nor the
/// environment sets) is checked as the run checks it: `1..${n:-}` passed
/// `pipe check` and failed the run with `pipe::run::not_an_integer`.
#[test]
fn check_refuses_a_range_bound_known_to_be_no_number() {
    let run = Test::new()
        .file(
            "s.pipe",
            "touch ran\nfor i in 1..${n:-} { true }\nfor i in ${m:-x}..3 { true }\nfor i in 1..${k:-100000000} { true }\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("`` is not an integer")
        .stderr_has("`x` is not an integer")
        .stderr_has("range too long: 100000000 items")
        .run();
    assert!(!run.dir.join("ran").exists());
    assert_eq!(
        run.stderr().matches("pipe::").count(),
        3,
        "{}",
        run.stderr()
    );
    Test::new()
        .script("for i in 1..${n:-} { true }")
        .status(1)
        .stderr_has("`` is not an integer")
        .run();
    // A name that holds a number, or that the script sets, is not known
    // to be wrong now.
    Test::new()
        .file(
            "ok.pipe",
            "for i in 1..${n:-} { true }\nlet m = $(echo 3)\nfor i in 1..${m:-} { true }\nfor i in 1..${k:-\" 4 \"} { true }\n",
        )
        .env("n", "2")
        .args(["check", "ok.pipe"])
        .stderr_empty()
        .run();
}

/// What the run is sure to refuse in a word whose value is known without
/// running, from variables the script set to text (on every way there)
/// or the environment, `pipe check` refuses too: an `exit` status, a NUL
/// byte, a range's bound, a `timeout`'s duration or grace, a `max`. They
/// passed the check and failed the run.
#[test]
fn check_refuses_what_a_known_value_makes_wrong() {
    let run = Test::new()
        .file(
            "s.pipe",
            "touch ran\nlet code = 300\nlet v = \"a\\0b\"\nlet n = x\nlet limit = 5\nlet m = 0\n\
             true || exit $code\ntrue || echo \"<$v>\"\nfor i in 1..$n { true }\n\
             timeout $limit { true }\ntimeout 1s grace ${u:-x} { true }\nparallel max $m { true }\n\
             { let n = 3 }\nfor i in 1..$n { true }\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("exit status `300` is not a number from 0 to 255")
        .stderr_has("an argument contains a NUL byte")
        .stderr_has("`x` is not an integer")
        .stderr_has("invalid duration `5`")
        .stderr_has("invalid duration `x`")
        .stderr_has("invalid `max` value `0`")
        .run();
    assert!(!run.dir.join("ran").exists());
    assert_eq!(
        run.stderr().matches("pipe::").count(),
        7,
        "{}",
        run.stderr()
    );
    Test::new()
        .script("let limit = 5\ntimeout $limit { true }")
        .status(1)
        .stderr_has("invalid duration `5`")
        .run();
    // A value that differs by the way there, that only the run knows, or
    // a secret's (which no diagnostic shows) is not known; nor is the
    // environment's where the script may have set the name.
    Test::new()
        .file(
            "ok.pipe",
            "test -f x && let k = 300 || let k = 2\nlet w = $(echo 400)\nsecret t = 999\n\
             let d = 2s\nlet j = 5\ntimeout $d { true }\nparallel max \"$j\" { true }\n\
             for i in 1..\"$j\" { true }\nexit $k\nexit $w\nexit $t\nexit \"1$j\"\n\
             test -f x && let CODE = 3\nexit $CODE\n",
        )
        .env("CODE", "300")
        .args(["check", "ok.pipe"])
        .stderr_empty()
        .run();
}

/// A command named by a word whose value is known without running (`let
/// tool = sortt`, then `$tool`) is looked for as one written out: it
/// passed the check and was not found by the run. Its value is never
/// globbed, as the run globs no expanded value.
#[test]
fn check_looks_for_a_command_named_by_a_known_value() {
    let run = Test::new()
        .file(
            "s.pipe",
            "let tool = sortt\n$tool < /dev/null\nlet s = \"two words\"\n\"$s\" x\nlet g = \"*\"\n$g\n\
             let abs = /no/such/tool\n$abs\n${NO_SUCH_TOOL_VAR:-catt} x\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("command not found: `sortt`")
        .stderr_has("did you mean `sort`?")
        .stderr_has("command not found: `two words`")
        .stderr_has("command not found: `*`")
        .stderr_has("command not found: `/no/such/tool`")
        .stderr_has("command not found: `catt`")
        .run();
    assert_eq!(
        run.stderr().matches("pipe::").count(),
        5,
        "{}",
        run.stderr()
    );
    Test::new()
        .script("let tool = sortt\n$tool")
        .status(127)
        .stderr_has("command not found: `sortt`")
        .run();
    let run = Test::new()
        .file(
            "ok.pipe",
            "let tool = sort\n$tool < /dev/null\nlet w = $(echo nope)\n$w\nsecret k = nope\n$k\n",
        )
        .args(["check", "ok.pipe"])
        .run();
    assert!(!run.stderr().contains("not found"), "{}", run.stderr());
}

/// A program named by an absolute path is looked at too (missing, a
/// directory), as the run will find it whatever its directory; a relative
/// path is not, since a `cd` or the directory `pipe` runs in decides it.
#[test]
fn check_looks_for_a_program_named_by_an_absolute_path() {
    let run = Test::new()
        .file(
            "s.pipe",
            "/no/such/tool -x\n/bin/sh -c true\n./later.sh\nparallel { \"/no/such dir/x\" }\n/tmp\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("command not found: `/no/such/tool`")
        .stderr_has("command not found: `/no/such dir/x`")
        .stderr_has("no such file")
        .stderr_has("cannot run `/tmp`: is a directory")
        .run();
    assert_eq!(
        run.stderr().matches("pipe::").count(),
        3,
        "{}",
        run.stderr()
    );
    Test::new()
        .file("ok.pipe", "/bin/sh -c true\n")
        .args(["check", "ok.pipe"])
        .stderr_empty()
        .run();
}

/// `~` is the `$HOME` the script set, as the run takes it: `pipe check`
/// took the environment's, and looked for commands on the wrong PATH.
#[test]
fn check_takes_the_home_the_script_set() {
    let test = Test::new().file("home/bin/tool", "#!/bin/sh\necho tool\n");
    let home = test.path().join("home");
    std::fs::set_permissions(
        home.join("bin/tool"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let script = format!(
        "let HOME = \"{}\"\nexport PATH = ~/bin:$PATH\ntool\n",
        home.display()
    );
    test.file("s.pipe", &script)
        .env("HOME", "/nonexistent")
        .args(["check", "s.pipe"])
        .stderr_empty()
        .run();
}

/// An undefined variable that is a typo of a defined one gets the same
/// "did you mean" from `pipe check` as from the run.
/// A variable a block set, used after the block ended (bash keeps a
/// loop's last value): `pipe check` and the run point at where it was set,
/// a loop's variable too, and a parallel branch's `let` for the next one.
#[test]
fn a_variable_set_in_an_ended_block_is_pointed_at() {
    let script = "for f in a b { let last = $f }\necho $last $f\n";
    for args in [&["check", "s.pipe"][..], &["s.pipe"]] {
        let run = Test::new()
            .file("s.pipe", script)
            .args(args)
            .status(1)
            .stderr_has("set here, only inside its block")
            .stderr_has("print it there and capture it: `let last = $(...)`")
            .run();
        assert!(!run.stderr().contains("define it"), "{}", run.stderr());
    }
    Test::new()
        .file("s.pipe", "for f in a b { true }\necho $f\n")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("the loop's variable, only inside the loop")
        .run();
    Test::new()
        .script("parallel { let x = 1 && true ; echo $x }")
        .status(1)
        .stderr_has("set here, only inside its block")
        .run();
    // A name set in a block still open, or never set, is not pointed at.
    Test::new()
        .script("{ let x = 1 }\n{ let y = 2 ; echo $x }")
        .status(1)
        .stderr_has("set here, only inside its block")
        .run();
    Test::new()
        .script("let a = 1\n{ let a = 2 }\necho $zzqq")
        .status(1)
        .stderr_has("define it with `let zzqq = value`")
        .run();
}

/// A command written as a secret's value is shown as `***` by `pipe
/// check` too, with no "did you mean" from PATH to tell what it is.
#[test]
fn check_gives_no_suggestion_for_a_secret_command() {
    let run = Test::new()
        .file("s.pipe", "secret tool = grpe\ngrpe -n x\n")
        .env("PATH", "/usr/bin:/bin")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("command not found: `***`")
        .run();
    assert!(!run.stderr().contains("did you mean"), "{}", run.stderr());
    assert!(!run.stderr().contains("grpe"), "{}", run.stderr());
}

#[test]
fn check_suggests_a_close_variable_name() {
    let script = "let name = 1\n{ let count = 2\necho $nmae $cuont }\necho $zzqq\n";
    let check = Test::new()
        .file("s.pipe", script)
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("did you mean `$name`?")
        .stderr_has("did you mean `$count`?")
        .stderr_has("define it before this line with `let zzqq = ...`")
        .run();
    assert_eq!(check.stderr().matches("did you mean").count(), 2);
    Test::new()
        .file("s.pipe", script)
        .args(["s.pipe"])
        .status(1)
        .stderr_has("did you mean `$name`?")
        .run();
}

#[test]
fn check_passes_good_scripts_and_warns_about_secret_arguments() {
    Test::new()
        .file("ok.pipe", "let x = 1\necho $x ${y:-d}\n")
        .args(["check", "ok.pipe"])
        .stderr_empty()
        .run();
    Test::new()
        .file(
            "s.pipe",
            "secret token = abc\ncurl -u $token example.invalid\n",
        )
        .args(["check", "s.pipe"])
        .stderr_has("pipe::check::secret_argument")
        .run();
    Test::new()
        .file("bad.pipe", "echo \"open\n")
        .args(["check", "bad.pipe"])
        .status(2)
        .run();
}

/// A secret passed on inside another variable is still passed as an
/// argument: `check` follows it through `let`, `export` and `for`, and
/// through a `${x:-default}`, and forgets it when the name is given a
/// value of its own.
#[test]
fn check_warns_about_a_secret_passed_inside_another_variable() {
    let run = Test::new()
        .file(
            "s.pipe",
            "secret token = abcd1234\n\
             let auth = \"Bearer $token\"\ncurl -H $auth example.invalid\n\
             export copy = $auth\necho $copy\n\
             for t in x $token { echo $t }\n\
             echo ${unset:-$token}\n\
             let auth = plain\necho $auth\n\
             sh -c 'echo $token'\n",
        )
        .args(["check", "s.pipe"])
        .stderr_has("`$auth` holds `$token`")
        .stderr_has("`$copy` holds `$token`")
        .stderr_has("`$t` holds `$token`")
        .run();
    assert_eq!(
        run.stderr().matches("pipe::check::secret_argument").count(),
        4,
        "{}",
        run.stderr()
    );
}

/// A secret in a default that is never expanded (`${x:-$token}` where
/// `x` certainly holds text) is passed nowhere: no warning, for `x` as for
/// a name made from it (check warned, as if the default were taken).
#[test]
fn check_does_not_warn_about_a_secret_in_a_default_never_taken() {
    Test::new()
        .file(
            "s.pipe",
            "secret token = abcd1234\nlet x = 1\necho ${x:-$token}\n\
             let y = ${x:-$token}\necho $y\n",
        )
        .args(["check", "s.pipe"])
        .stderr_empty()
        .run();
}

/// `cd` defines `$OLDPWD` for `check`, as it does at run time, and `$PWD`
/// is always defined, as pipe sets it as it starts.
#[test]
fn check_knows_cd_sets_oldpwd() {
    let test = Test::new()
        .file("cd.pipe", "echo $PWD\ncd /\necho $OLDPWD\n")
        .file("no.pipe", "echo $OLDPWD\n");
    let mut command = test.command();
    command
        .env_remove("OLDPWD")
        .env_remove("PWD")
        .args(["check", "cd.pipe"]);
    assert!(command.output().unwrap().status.success());
    let mut command = test.command();
    command.env_remove("OLDPWD").args(["check", "no.pipe"]);
    assert_eq!(command.output().unwrap().status.code(), Some(1));
}

/// `cd -` reads `$OLDPWD`, for `check` as at run time: before any `cd`,
/// with none in the environment, it is undefined.
#[test]
fn check_knows_cd_dash_reads_oldpwd() {
    let test = Test::new()
        .file(
            "back.pipe",
            "cd /
cd -
",
        )
        .file(
            "first.pipe",
            "cd -
",
        );
    let mut command = test.command();
    command.env_remove("OLDPWD").args(["check", "back.pipe"]);
    assert!(command.output().unwrap().status.success());
    let mut command = test.command();
    command.env_remove("OLDPWD").args(["check", "first.pipe"]);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("undefined variable `OLDPWD`"));
}

/// A PATH the script sets is where `check` looks for later commands, as
/// the run will: `export PATH = "$PWD/bin:$PATH"` finds the tools in
/// `bin`, `PATH=dir cmd` finds `cmd` there, and a PATH that only the run
/// can tell leaves bare names unchecked rather than called missing.
#[test]
fn check_looks_for_commands_on_the_path_the_script_sets() {
    let test = Test::new().file("bin/mytool", "#!/bin/sh\necho mine\n");
    let bin = test.path().join("bin");
    let executable = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
    std::fs::set_permissions(bin.join("mytool"), executable).expect("chmod");
    let bin = bin.to_str().expect("utf-8 path").to_owned();
    let test_dir = &bin[..bin.len() - "/bin".len()];
    test.file(
        "s.pipe",
        format!(
            "export PATH = \"{bin}:$PATH\"\nmytool\n\
             {{ let PATH = /nonexistent }}\nls\n\
             let dir = $(echo {bin})\nlet PATH = \"$dir:$PATH\"\nmytool\n"
        ),
    )
    .file("prefix.pipe", format!("PATH={bin} mytool\n"))
    .file("home.pipe", "export PATH = /nonexistent:~/bin\nmytool\n")
    .env("HOME", test_dir)
    .args(["check", "s.pipe", "prefix.pipe", "home.pipe"])
    .stderr_empty()
    .run();
    Test::new()
        .file("s.pipe", "let PATH = /nonexistent\nls\n")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("command not found: `ls`")
        .run();
}

/// A block's redirects are expanded as it starts, in the scope around it:
/// `check` reads their words there, before the block's own names exist.
#[test]
fn check_reads_block_redirects() {
    let run = Test::new()
        .file(
            "s.pipe",
            "{ echo } > $out\n\
             for f in a { echo $f } > $f.txt\n\
             { let x = 1 } 2> $x\n\
             timeout 1s { echo } < $(cat $missing)\n\
             parallel { echo } &> $(ehco x)\n",
        )
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("undefined variable `out`")
        .stderr_has("undefined variable `f`")
        .stderr_has("undefined variable `x`")
        .stderr_has("undefined variable `missing`")
        .stderr_has("command not found: `ehco`")
        .run();
    assert_eq!(
        run.stderr().matches("pipe::").count(),
        5,
        "{}",
        run.stderr()
    );
    Test::new()
        .file(
            "ok.pipe",
            "let d = out\nfor f in a { echo $f } > $d 2>&1\n{ cat } <<< ${y:-text}\n",
        )
        .args(["check", "ok.pipe"])
        .stderr_empty()
        .run();
}

/// `fmt` and `graph` read a block's redirects too.
#[test]
fn tools_read_block_redirects() {
    let script = "for i in 1..2 {echo $i}>out 2>&1
seq 3|{cat}0<in
";
    let run = Test::new()
        .file("s.pipe", script)
        .args(["fmt", "s.pipe"])
        .run();
    let after = std::fs::read_to_string(run.dir.join("s.pipe")).unwrap();
    assert_eq!(
        after,
        "for i in 1..2 { echo $i } > out 2>&1
seq 3 | { cat } < in
"
    );
    let run = Test::new()
        .file("s.pipe", script)
        .args(["graph", "s.pipe"])
        .run();
    let dot = run.stdout();
    for line in [
        r#"label="for i in 1..2 2>&1";"#,
        r#"n1 [label="out", shape=note, style="", fontsize=9];"#,
        r#"n0 -> n1 [label="  >", color=gray40, ltail=cluster_0];"#,
        r#"n4 [label="in", shape=note, style="", fontsize=9];"#,
        r#"n4 -> n3 [label="  <", color=gray40, lhead=cluster_1];"#,
    ] {
        assert!(dot.contains(line), "{line} not in:\n{dot}");
    }
}

#[test]
fn check_accepts_every_example() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<_> = std::fs::read_dir(examples)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    Test::new().arg("check").args(files).stderr_empty().run();
}

#[test]
fn fmt_rewrites_and_checks() {
    let run = Test::new()
        .file("s.pipe", "echo   a|cat;echo b   # note\n")
        .args(["fmt", "--check", "s.pipe"])
        .status(1)
        .stderr_has("`s.pipe` is not formatted")
        .run();
    let before = std::fs::read_to_string(run.dir.join("s.pipe")).unwrap();
    assert_eq!(
        before, "echo   a|cat;echo b   # note\n",
        "--check must not write"
    );
    let run = Test::new()
        .file("s.pipe", "echo   a|cat;echo b   # note\n")
        .args(["fmt", "s.pipe"])
        .run();
    let after = std::fs::read_to_string(run.dir.join("s.pipe")).unwrap();
    assert_eq!(after, "echo a | cat\necho b # note\n");
}

/// A rewrite that fails (here past `ulimit -f`; a full disk alike)
/// leaves the script as it was: it was emptied before the formatted text
/// failed to fit, and lost. A shorter formatted text leaves no old bytes
/// behind it.
#[test]
fn fmt_that_cannot_write_keeps_the_script() {
    let script = "echo   a|cat;echo b   # note\n";
    let test = Test::new().file("s.pipe", script);
    let output = std::process::Command::new("sh")
        .args([
            "-c",
            "ulimit -f 0; exec \"$0\" fmt s.pipe",
            crate::harness::PIPE,
        ])
        .current_dir(test.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 1, "{stderr}");
    assert!(
        stderr.contains("cannot write `s.pipe`: file too large"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: the file was left as it was"),
        "{stderr}"
    );
    let kept = std::fs::read_to_string(test.path().join("s.pipe")).unwrap();
    assert_eq!(kept, script);
    let run = Test::new()
        .file("s.pipe", "echo      a        b         c\n")
        .args(["fmt", "s.pipe"])
        .run();
    let after = std::fs::read_to_string(run.dir.join("s.pipe")).unwrap();
    assert_eq!(after, "echo a b c\n");
}

#[test]
fn graph_prints_dot() {
    let run = Test::new()
        .file("s.pipe", "cat in | sort | uniq -c\n")
        .args(["graph", "s.pipe"])
        .run();
    let dot = run.stdout();
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(dot.contains("sort") && dot.contains("->"), "{dot}");
}

/// `check`, `fmt` and `graph` read redirects with fd numbers, and words
/// joined by `\`-newline, as running does.
#[test]
fn tools_read_fd_redirects_and_joined_words() {
    let script = "echo to-stderr 1>&2\ncat 0< in 1> out 2>&1\necho jo\\\nined 1>> out\n";
    Test::new()
        .file("s.pipe", script)
        .args(["check", "s.pipe"])
        .stderr_empty()
        .run();
    Test::new()
        .file("bad.pipe", "echo x 3> f\n")
        .args(["check", "bad.pipe"])
        .status(2)
        .stderr_has("pipe::parse::unsupported_redirect")
        .run();
    let run = Test::new()
        .file("s.pipe", script)
        .args(["graph", "s.pipe"])
        .run();
    let dot = run.stdout();
    for line in [
        r#"n0 [label="echo to-stderr 1>&2"];"#,
        r#"n1 [label="cat 2>&1"];"#,
        r#"n4 [label="echo joined"];"#,
        r#"n2 -> n1 [label="  <", color=gray40];"#,
        r#"n1 -> n3 [label="  >", color=gray40];"#,
        r#"n4 -> n5 [label="  >>", color=gray40];"#,
    ] {
        assert!(dot.contains(line), "{line} not in:\n{dot}");
    }
    let run = Test::new()
        .file("s.pipe", script)
        .args(["fmt", "s.pipe"])
        .run();
    let after = std::fs::read_to_string(run.dir.join("s.pipe")).unwrap();
    assert_eq!(
        after,
        "echo to-stderr >&2\ncat < in > out 2>&1\necho jo\\\nined >> out\n"
    );
}

/// `-x` shows a command's prefix assignments before it, as bash does
/// (`+ LANG=C sort`), a secret's value hidden there too.
#[test]
fn trace_shows_prefix_assignments() {
    let run = Test::new()
        .flag("-x")
        .script("secret pw = s3cr3tval\nLANG=C TOKEN=$pw MSG=\"a b\" true\n")
        .run();
    let stderr = run.stderr();
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("+ LANG=C TOKEN='***' MSG='a b' true  # ")),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3tval"), "{stderr}");
}

/// A prefix assignment that gives a secret's name another value for one
/// command (`TOKEN=$(cat other) cmd`) holds a secret, as `let` on that
/// name does: hidden in the trace, the timeline and diagnostics. The
/// trace showed it.
#[test]
fn a_prefix_assignment_to_a_secret_is_hidden() {
    let run = Test::new()
        .flag("-x")
        .flag("--timeline")
        .flag("t.json")
        .script(
            "secret S = first-value\nS=$(cat other) printenv S\n\
             S=third-value sh -c 'exit 3' $S\n",
        )
        .file("other", "second-value\n")
        .stdout("second-value\n")
        .status(3)
        .stderr_has("+ S='***' printenv S  # ")
        .stderr_has("+ S='***' sh -c 'exit 3' '***'  # ")
        .run();
    let timeline = std::fs::read_to_string(run.dir.join("t.json")).unwrap();
    for (what, text) in [("stderr", run.stderr()), ("timeline", timeline)] {
        for value in ["first-value", "second-value", "third-value"] {
            assert!(!text.contains(value), "{what} shows {value}:\n{text}");
        }
    }
}

/// A secret whose value holds an earlier one (`newpw2` after `newpw`) is
/// hidden whole: the shorter was replaced first, so the trace, the
/// timeline and diagnostics showed `***2`, the longer one's remainder.
#[test]
fn a_secret_holding_another_is_hidden_whole() {
    let run = Test::new()
        .flag("-x")
        .flag("--timeline")
        .flag("t.json")
        .script("secret A = newpw\nsecret B = newpw2\nsh -c 'exit 3' newpw2\n")
        .status(3)
        .stderr_has("+ sh -c 'exit 3' '***'  # ")
        .run();
    let timeline = std::fs::read_to_string(run.dir.join("t.json")).unwrap();
    for (what, text) in [("stderr", run.stderr()), ("timeline", timeline)] {
        assert!(!text.contains("***2"), "{what}:\n{text}");
        assert!(!text.contains("newpw"), "{what}:\n{text}");
    }
}

/// `export` on a secret's name keeps the new value secret, as `let` does:
/// it made the name a plain exported one, shown in traces and the timeline.
#[test]
fn export_keeps_a_secret_secret() {
    let run = Test::new()
        .flag("-x")
        .flag("--timeline")
        .flag("t.json")
        .script("secret T = first-value\nexport T = second-value\nprintenv T\necho $T\n")
        .stdout("second-value\nsecond-value\n")
        .stderr_has("+ export T = '***'  # ")
        .stderr_has("+ echo '***'  # ")
        .run();
    let timeline = std::fs::read_to_string(run.dir.join("t.json")).unwrap();
    for (what, text) in [("stderr", run.stderr()), ("timeline", timeline)] {
        assert!(!text.contains("second-value"), "{what}:\n{text}");
    }
}

/// `-x` writes bytes that are not UTF-8 and control characters as bash
/// does, `$'\377'`, so that the line shows every byte, sends no escape
/// sequence to the terminal, and can be pasted; a secret that is not
/// UTF-8 is still hidden, found by its bytes.
#[test]
fn trace_escapes_bytes_and_control_characters() {
    let run = Test::new()
        .flag("-x")
        .script(
            "secret pw = \"\\xe24U\\n\\xd0Ql3S\\x11\"\n\
             true \"\\xff\" \"\\x1b[2J\" \"it's\\x01\" \"a\nb\" \"x${pw}y\" \"\\xe2\\x82\"\n",
        )
        .run();
    let stderr = run.stderr();
    let line = r"+ true $'\377' $'\033[2J' $'it\'s\001' 'a
b' 'x***y' $'\342\202'  # ";
    assert!(stderr.contains(line), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(!stderr.contains("Ql3S"), "{stderr}");
}

/// `-x` quotes a word only where bash's trace does: letters of any script
/// and a `#` or `~` inside a word are plain; a `~` that bash would expand
/// (first, or after `=`) and a space are quoted.
#[test]
fn trace_quotes_words_as_bash_does() {
    let run = Test::new()
        .flag("-x")
        .script("true x# é日本 a=b '~x' a~b 'a=~b' 'a b' '#x' ''\n")
        .run();
    let stderr = run.stderr();
    let line = "+ true x# é日本 a=b '~x' a~b 'a=~b' 'a b' '#x' ''  # ";
    assert!(stderr.contains(line), "{stderr}");
}

/// `-x` traces the statements that start no process too, as bash's
/// `set -x` traces assignments, `cd` and `exit`: their words expanded and
/// quoted, a secret's value hidden, its own statement's too.
#[test]
fn trace_shows_assignments_cd_and_exit() {
    let run = Test::new()
        .file("sub/f", "")
        .env("HOME", "/")
        .flag("--trace")
        .script(
            "secret pw = hunter22\nlet auth = \"Bearer $pw\"\n\
             { export LANG = \"C x\" }\ncd sub && let here = yes\n\
             parallel { true && let p = 1 }\nfalse || cd\nexit 4\n",
        )
        .status(4)
        .run();
    let stderr = run.stderr();
    let traced: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("+ "))
        .map(|line| line.rsplit_once("  # ").map_or(line, |(text, _)| text))
        .collect();
    assert_eq!(
        traced,
        [
            "+ secret pw = '***'",
            "+ let auth = 'Bearer ***'",
            "+ export LANG = 'C x'",
            "+ cd sub",
            "+ let here = yes",
            "+ true",
            "+ let p = 1",
            "+ false",
            "+ cd",
            "+ exit 4",
        ],
        "{stderr}"
    );
    assert!(!stderr.contains("hunter22"), "{stderr}");
}

#[test]
fn trace_shows_start_and_end_with_pids() {
    let run = Test::new()
        .flag("-x")
        .script("sh -c 'exit 0' | cat\ntimeout 50ms { sleep 5 } || true")
        .run();
    let stderr = run.stderr();
    let starts = stderr.lines().filter(|line| line.starts_with("+ ")).count();
    let ends = stderr.lines().filter(|line| line.starts_with("- ")).count();
    assert_eq!((starts, ends), (4, 4), "{stderr}");
    assert!(stderr.contains("killed by SIGTERM"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("! ") && line.contains("timeout 50ms expired")),
        "{stderr}"
    );
}

#[test]
fn timeline_is_chrome_trace_json() {
    let run = Test::new()
        .flag("--timeline")
        .flag("t.json")
        .script("parallel { sleep 0.05 ; sh -c 'exit 0' }\ntimeout 50ms { sleep 5 } || true")
        .run();
    let text = std::fs::read_to_string(run.dir.join("t.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    let slices: Vec<_> = events.iter().filter(|e| e["ph"] == "X").collect();
    assert_eq!(slices.len(), 4, "{text}");
    for slice in &slices {
        assert!(
            slice["ts"].as_u64().is_some() && slice["dur"].as_u64().is_some(),
            "{slice}"
        );
        assert!(slice["args"]["pid"].as_i64().unwrap() > 0);
        assert!(
            slice["args"]["argv"]
                .as_array()
                .is_some_and(|argv| !argv.is_empty())
        );
        assert!(slice["args"]["status"].as_i64().is_some());
    }
    let sleep = slices.iter().find(|e| e["name"] == "sleep 5").unwrap();
    assert_eq!(sleep["args"]["status"], 143);
    assert!(
        events
            .iter()
            .any(|e| e["ph"] == "i" && e["name"].as_str().unwrap().contains("timeout"))
    );
}

/// `--timeline -` writes the timeline to standard output, after all the
/// script printed there, and no file named `-` (it wrote one); a closed
/// standard output ends it quietly.
#[test]
fn timeline_to_standard_output() {
    let run = Test::new()
        .flag("--timeline")
        .flag("-")
        .script("echo first")
        .stderr_empty()
        .run();
    let stdout = run.stdout();
    let json = stdout.strip_prefix("first\n").expect(&stdout);
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    assert!(
        json["traceEvents"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    assert!(!run.dir.join("-").exists());
    // The reader is gone before the timeline is written.
    let test = Test::new()
        .flag("--timeline")
        .flag("-")
        .script("echo first\nsleep 0.3");
    let output = read_then_close(&test, 1, Duration::from_secs(10));
    assert_eq!(status_of(&output), 0);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// The timeline is written when the script ends, with every secret it
/// declared hidden, in what ran before the value became secret too; the
/// format's own fields stay as they are whatever the secret is.
#[test]
fn timeline_hides_secrets_declared_later() {
    let run = Test::new()
        .flag("--timeline")
        .flag("t.json")
        .script(
            "let v = s3cr3tval
echo $v
secret t = $(echo s3cr3tval)
             secret x = X
secret c = process
echo $t X
",
        )
        .run();
    let text = std::fs::read_to_string(run.dir.join("t.json")).unwrap();
    assert!(!text.contains("s3cr3tval"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    let names: Vec<&str> = events
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["echo ***", "echo ***", "echo *** ***"], "{text}");
    assert!(
        events
            .iter()
            .filter(|e| e["ph"] == "X")
            .all(|e| e["cat"] == "process")
    );
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let run = Test::new().args(["completions", shell]).run();
        assert!(run.stdout().contains("pipe"), "{shell}");
    }
    let run = Test::new().arg("man").run();
    assert!(run.stdout().contains(".TH pipe"), "{}", run.stdout());
}

/// A secret hidden in the script's text keeps every underline where it
/// belongs (it is masked with as many `*`), and a short secret does not
/// garble the rest of the output, nor tell itself by the letters hidden.
#[test]
fn secrets_are_hidden_without_garbling_diagnostics() {
    let run = Test::new()
        .script("secret S = hunter2; sh -c 'exit 3' $S\n")
        .status(3)
        .run();
    let stderr = run.stderr();
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let line = stderr
        .lines()
        .find(|line| line.contains("secret S = *******; sh -c"))
        .unwrap_or_else(|| panic!("no masked source line:\n{stderr}"));
    let underline = stderr
        .lines()
        .find(|line| line.contains('┬'))
        .unwrap_or_else(|| panic!("no underline:\n{stderr}"));
    // The underline starts under `sh`, counted in characters.
    let column = |text: &str, at: usize| text[..at].chars().count();
    assert_eq!(
        column(underline, underline.find('─').unwrap()),
        column(line, line.find("sh -c").unwrap()),
        "{stderr}"
    );
    let run = Test::new()
        .flag("-x")
        .script("secret S = e\necho hello $S\nfalse\n")
        .status(1)
        .run();
    let stderr = run.stderr();
    assert!(stderr.contains("echo hello '***'"), "{stderr}");
    assert!(stderr.contains("pipe::run::failed"), "{stderr}");
    assert!(stderr.contains("`false` exited with status 1"), "{stderr}");
}

/// `pipe check` hides a secret written anywhere, a `$(...)` included.
#[test]
fn check_hides_a_secret_inside_a_substitution() {
    let run = Test::new()
        .file("s.pipe", "echo \"$(secret s = hunter22; echo $zz)\"\n")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("undefined variable `zz`")
        .run();
    assert!(!run.stderr().contains("hunter22"), "{}", run.stderr());
}

#[test]
fn a_secret_never_leaks() {
    let canary = "canary-7f1e-secret";
    let script = format!(
        "secret token = {canary}\n\
         sh -c 'test \"$token\" = {canary}' && echo env-ok\n\
         sh -c 'exit 3' $token\n"
    );
    let run = Test::new()
        .flag("-x")
        .flag("--timeline")
        .flag("t.json")
        .script(&script)
        .status(3)
        .run();
    assert_eq!(run.stdout(), "env-ok\n");
    let timeline = std::fs::read_to_string(run.dir.join("t.json")).unwrap();
    for (what, text) in [("stderr", run.stderr()), ("timeline", timeline)] {
        assert!(!text.contains(canary), "{what} leaks the secret:\n{text}");
        assert!(text.contains("***"), "{what} shows no redaction:\n{text}");
    }
    let graph = Test::new()
        .file("s.pipe", &script)
        .args(["graph", "s.pipe"])
        .run();
    assert!(!graph.stdout().contains(canary), "{}", graph.stdout());
    let check = Test::new()
        .file("s.pipe", &script)
        .args(["check", "s.pipe"])
        .run();
    assert!(!check.stderr().contains(canary), "{}", check.stderr());
}

/// Each `fanout` branch is a scope of its own, as each `parallel` branch
/// is: a `let` in one is not seen by the next, for `check` as at run time
/// (check passed `seq 3 | fanout { let x = 1 && cat ; echo $x }`, whose
/// run then failed on the undefined `$x`; a branch that is only a `let`
/// does not parse).
#[test]
fn check_scopes_each_fanout_branch() {
    let script = "seq 3 | fanout { let x = 1 && cat ; echo $x }\n";
    Test::new()
        .file("s.pipe", script)
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("undefined variable `x`")
        .run();
    Test::new()
        .script(script)
        .status(1)
        .stderr_has("undefined variable `x`")
        .run();
    Test::new()
        .file(
            "s.pipe",
            "seq 3 | fanout { { let x = 1 ; echo $x } ; cat }\n",
        )
        .args(["check", "s.pipe"])
        .status(0)
        .run();
}

#[test]
fn check_warns_about_a_list_held_in_one_variable() {
    // bash's habit: a list of words in a variable, split by the loop. In
    // pipe it is one item; check says so, and passes (a warning).
    let check = Test::new()
        .file(
            "s.pipe",
            "let hosts = \"web1 web2\"\n\
             for h in $hosts { echo $h }\n\
             for h in \"$hosts\" { echo $h }\n\
             let one = web3\nfor h in $one { echo $h }\n\
             secret keys = \"k1 k2\"\nfor k in $keys { true }\n",
        )
        .args(["check", "s.pipe"])
        .env("NO_COLOR", "1")
        .stderr_has("pipe::check::one_item")
        .stderr_has("`for h in $hosts` runs once, over the whole value")
        .stderr_has("`for h in web1 web2`")
        .run();
    // Only the unquoted `$hosts`: not the quoted one, a one-word value or
    // a secret (whose value is never shown).
    assert_eq!(check.stderr().matches("pipe::check::one_item").count(), 1);
    assert!(!check.stderr().contains("k1"));
}

#[test]
fn check_warns_about_the_lines_of_a_capture_held_in_one_variable() {
    // bash's habit: `files=$(ls)`, then `for f in $files`. In pipe the
    // lines are one item; only a `$(...)` written in the list is split.
    let check = Test::new()
        .file(
            "s.pipe",
            "let files = $(ls)\n\
             for f in $files { echo $f }\n\
             for f in \"$files\" { echo $f }\n\
             let files = \"$(ls)/x\"\nfor f in $files { echo $f }\n",
        )
        .args(["check", "s.pipe"])
        .stderr_has("`for f in $files` runs once, over the whole value")
        .stderr_has("one item, all the lines of its `$(...)`")
        .run();
    // Not the quoted one, nor a value with more than the `$(...)`.
    assert_eq!(check.stderr().matches("pipe::check::one_item").count(), 1);
}

#[test]
fn check_warns_about_a_pipe_into_a_parallel_block() {
    // Its branches read /dev/null: what the pipe carries is dropped, and
    // the run says nothing (`seq` dies of SIGPIPE, which counts as
    // success). `fanout` was likely meant. Not a `parallel` that writes
    // into a pipe, nor a `fanout`.
    let check = Test::new()
        .file(
            "s.pipe",
            "seq 3 | parallel { wc -l ; true }\n\
             parallel { true ; true } | sort\n\
             seq 3 | fanout { wc -l ; true }\n",
        )
        .args(["check", "s.pipe"])
        .stderr_has("a `parallel` block's branches read nothing from its pipe")
        .stderr_has("s.pipe:1:9")
        .run();
    assert_eq!(
        check
            .stderr()
            .matches("pipe::check::parallel_input")
            .count(),
        1
    );
}

#[test]
fn check_reports_many_problems_at_their_lines() {
    // 20,000 problems, each shown at its own line, after CRLF lines too;
    // each program is looked for once, and no report reads the whole
    // script again (this took 19 s, and now well under one).
    let mut script = String::from("echo a\r\necho b\r\n");
    for _ in 0..20_000 {
        script.push_str("nosuchprog x\n");
    }
    script.push_str("echo $nope\n");
    let run = Test::new()
        .file("s.pipe", &script)
        .args(["check", "s.pipe"])
        .status(1)
        .run();
    let stderr = run.stderr();
    assert_eq!(
        stderr.matches("pipe::run::command_not_found").count(),
        20_000
    );
    assert!(stderr.contains("[s.pipe:3:1]"), "{}", &stderr[..2000]);
    assert!(stderr.contains("[s.pipe:20002:1]"));
    assert!(stderr.contains("[s.pipe:20003:6]"));
    assert!(
        run.elapsed < std::time::Duration::from_secs(20),
        "{:?}",
        run.elapsed
    );
}

/// `check` and the run agree on each script: `check`'s status, then the
/// run's status and stdout.
fn check_agrees_with_run(cases: &[(&str, i32, i32, &str)]) {
    for &(script, check, run, stdout) in cases {
        let checked = Test::new()
            .file("s.pipe", script)
            .args(["check", "s.pipe"])
            .status(check)
            .run();
        if check != 0 {
            assert!(
                checked.stderr().contains("pipe::check::undefined_variable"),
                "{script}: {}",
                checked.stderr()
            );
        }
        Test::new().script(script).status(run).stdout(stdout).run();
    }
}

/// A `let` on the right of `||` or `&&` may not run, so `check` counts
/// its name defined only on the ways the run certainly sets it (check
/// passed `true || let y = 1`, then `echo $y`, whose run failed), and
/// still where every way sets it, or the other ways end the script.
#[test]
fn check_defines_a_name_only_where_its_let_certainly_ran() {
    check_agrees_with_run(&[
        ("true || let y = 1\necho $y\n", 1, 1, ""),
        ("false && let y = 1\necho $y\n", 1, 1, ""),
        ("true || export y = 1\necho $y\n", 1, 1, ""),
        ("false && let y = 1 || let y = 2\necho $y\n", 0, 0, "2\n"),
        ("test -d / && let y = 1 || exit 3\necho $y\n", 0, 0, "1\n"),
        ("let y = $(echo hi) || exit 3\necho $y\n", 0, 0, "hi\n"),
        (
            "test -d / || { echo no; exit 3 }\nlet y = 1\necho $y\n",
            0,
            0,
            "1\n",
        ),
        ("let y = 1 && echo $y || echo $y\n", 0, 0, "1\n"),
        ("{ true || let y = 1\necho $y }\n", 1, 1, ""),
    ]);
    // Both point at the `let` that may not have run.
    for args in [&["check", "s.pipe"][..], &["s.pipe"]] {
        Test::new()
            .file("s.pipe", "true || let y = 1\necho $y\n")
            .args(args)
            .status(1)
            .stderr_has("set here, only when this part of the list runs")
            .stderr_has("set it before the list")
            .run();
    }
}

/// `${x:-default}` expands its default only when `x` is unset or empty:
/// `check` looks into it unless `x` certainly holds text at that point
/// (check reported `$y` in `let x = 1`, then `echo ${x:-$y}`, which runs).
#[test]
fn check_skips_a_default_that_is_never_expanded() {
    check_agrees_with_run(&[
        ("let x = 1\necho ${x:-$y}\n", 0, 0, "1\n"),
        ("for i in 1..2 { echo ${i:-$y} }\n", 0, 0, "1\n2\n"),
        (
            "let x = a\nlet z = \"$x\"\necho ${z:-$(nosuchcommandzz)}\n",
            0,
            0,
            "a\n",
        ),
        ("let x = \"\"\necho ${x:-$y}\n", 1, 1, ""),
        ("echo ${nope:-a$y}\n", 1, 1, ""),
        ("let x = $(true)\necho ${x:-$y}\n", 1, 1, ""),
        ("let x = 1\ntrue && let x = \"\"\necho ${x:-$y}\n", 1, 1, ""),
    ]);
}

/// `check` warns where a secret is an argument, at that `$name`, and
/// nowhere it is passed by environment, stdin or a file name; a warning
/// is no failure.
#[test]
fn check_warns_about_a_secret_argument_at_its_span_only() {
    let run = Test::new()
        .file(
            "s.pipe",
            "secret t = abcd\nX=$t env > /dev/null\ncat <<< $t > /dev/null\n\
             echo hi > $t.out\nparallel { true ; curl -u \"me:$t\" x }\n",
        )
        .args(["check", "s.pipe"])
        .run();
    assert_eq!(
        run.stderr(),
        "pipe::check::secret_argument\n\
         \n  \u{26a0} the secret `t` is passed as an argument\n   \
         \u{256d}\u{2500}[s.pipe:5:31]\n \
         4 \u{2502} echo hi > $t.out\n \
         5 \u{2502} parallel { true ; curl -u \"me:$t\" x }\n   \
         \u{b7}                               \u{2500}\u{252c}\n   \
         \u{b7}                                \u{2570}\u{2500}\u{2500} visible in the process list\n   \
         \u{2570}\u{2500}\u{2500}\u{2500}\u{2500}\n  \
         help: other users can read a process's arguments; pass it by environment\n        \
         instead (`secret` already exports it)\n"
    );
}

/// A secret that `echo` or `printf` prints into a pipe is better given as
/// a here-string: the help says so, naming the secret (it said to pass it
/// by environment, which `echo` cannot read).
#[test]
fn check_suggests_a_here_string_for_a_secret_echoed_into_a_pipe() {
    let run = Test::new()
        .file(
            "s.pipe",
            "secret key = abcd\necho \"$key\" | openssl enc -pass stdin\n\
             printf %s $key | wc -c\n",
        )
        .args(["check", "s.pipe"])
        .run();
    let stderr = run
        .stderr()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let help = "help: other users can read a process's arguments; give it on standard input \
                instead, with a here-string: `cmd <<< $key`, not `echo $key | cmd`";
    assert_eq!(stderr.matches(help).count(), 2, "{stderr}");
}

#[test]
fn trace_shows_a_for_loop_once_with_its_items() {
    // As bash traces a loop's header: its items expanded, quoted and
    // redacted; a long list by its first hundred and its length.
    let run = Test::new()
        .flag("-x")
        .script("secret pw = hunter22\nfor i in 1 \"a b\" $pw { true }\nfor j in 1..150 { true }\nfor k in { true }")
        .run();
    let stderr = run.stderr();
    let traced: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("+ for"))
        .map(|line| line.rsplit_once("  # ").map_or(line, |(text, _)| text))
        .collect();
    let hundred: Vec<String> = (1..=100).map(|n| n.to_string()).collect();
    assert_eq!(
        traced,
        [
            "+ for i in 1 'a b' '***'".to_owned(),
            format!("+ for j in {} … (150 items)", hundred.join(" ")),
            "+ for k in".to_owned(),
        ],
        "{stderr}"
    );
    assert_eq!(stderr.matches("+ true").count(), 153, "{stderr}");
    assert!(!stderr.contains("hunter22"), "{stderr}");
}

/// A `parallel for` is traced once as it starts too, as a `for` is: it
/// showed only its branches' commands.
#[test]
fn trace_shows_a_parallel_for_once_with_its_items() {
    Test::new()
        .flag("-x")
        .script("secret pw = hunter22\nparallel max 1 for i in 1..$(echo 2) $pw { true }\n")
        .stderr_has("\n+ parallel for i in 1 2 '***'  # ")
        .run();
}

/// A `for` (or `parallel for`) whose variable is a secret's name holds a
/// secret in each pass, as `let` on that name would: its header's trace
/// showed the items, hidden only once set.
#[test]
fn trace_hides_the_items_of_a_for_over_a_secret_name() {
    let run = Test::new()
        .flag("-x")
        .script("secret T = first-value\nfor T in second-value { true }\nparallel for T in third-value { true }\n")
        .stderr_has("\n+ for T in '***'  # ")
        .stderr_has("\n+ parallel for T in '***'  # ")
        .run();
    assert!(!run.stderr().contains("-value"), "{}", run.stderr());
}
