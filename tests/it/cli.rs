//! The command line: ways to give a script, help, version, exit statuses.

use crate::harness::{Test, processes_with};

#[test]
fn script_from_a_file_with_arguments() {
    Test::new()
        .script("echo $1 $2")
        .args(["a", "-x"])
        .stdout("a -x\n")
        .run();
    Test::new().arg("run").arg("script.pipe").script("").run();
    Test::new()
        .script("printf \"<%s>\\n\" \"$@\"")
        .args(["-x", "--version", "-c", "--help"])
        .stdout("<-x>\n<--version>\n<-c>\n<--help>\n")
        .stderr_empty()
        .run();
}

#[test]
fn run_subcommand() {
    Test::new()
        .file("s.pipe", "echo via run $1")
        .args(["run", "s.pipe", "arg"])
        .stdout("via run arg\n")
        .run();
}

#[test]
fn text_with_dash_c() {
    Test::new()
        .args(["-c", "echo $0 $1", "first"])
        .stdout("pipe first\n")
        .run();
    Test::new().args(["-c", "exit 5"]).status(5).run();
}

/// As with `bash -c`, every argument after TEXT is the script's, even one
/// that looks like an option of `pipe`'s own; options before `-c` are
/// `pipe`'s.
#[test]
fn arguments_after_dash_c_text_are_the_script_s() {
    Test::new()
        .args(["-c", "echo \"1=[${1:-none}]\"", "-x"])
        .stdout("1=[-x]\n")
        .stderr_empty()
        .run();
    Test::new()
        .args(["-c", "echo \"1=[${1:-none}]\"", "--help"])
        .stdout("1=[--help]\n")
        .run();
    Test::new()
        .args(["-c", "printf \"<%s>\\n\" \"$@\"", "-x", "--y"])
        .stdout("<-x>\n<--y>\n")
        .stderr_empty()
        .run();
    Test::new()
        .args([
            "-c",
            "printf \"<%s>\\n\" \"$@\"",
            "--",
            "run",
            "-c",
            "--timeline",
        ])
        .stdout("<-->\n<run>\n<-c>\n<--timeline>\n")
        .run();
    Test::new()
        .args(["-cprintf \"<%s>\\n\" \"$@\"", "-V"])
        .stdout("<-V>\n")
        .run();
    Test::new()
        .args(["-x", "-c", "echo hi $1", "a", "b"])
        .stdout("hi a\n")
        .stderr_has("+ echo hi a  # ")
        .run();
    Test::new()
        .args(["-xc", "printf \"%s\" $1", "--version"])
        .stdout("--version")
        .stderr_has("+ printf %s --version  # ")
        .run();
    Test::new()
        .arg("-c")
        .status(2)
        .stderr_has("a value is required for '-c <TEXT>'")
        .run();
}

/// `pipe`'s own options may come before a subcommand too.
#[test]
fn options_before_a_subcommand() {
    Test::new()
        .file("s.pipe", "echo \"hi $1\"\n")
        .args(["-x", "run", "s.pipe", "a"])
        .stdout("hi a\n")
        .stderr_has("+ echo 'hi a'  # ")
        .run();
    let run = Test::new()
        .file("s.pipe", "echo hi\n")
        .args(["--timeline", "t.json", "run", "s.pipe"])
        .stdout("hi\n")
        .run();
    assert!(run.dir.join("t.json").exists());
    Test::new()
        .file("s.pipe", "echo hi\n")
        .args(["-x", "check", "s.pipe"])
        .stderr_empty()
        .run();
    // A subcommand that runs no script takes the options and does nothing
    // with them (docs/language.md): no timeline is written.
    let run = Test::new()
        .file("s.pipe", "echo hi\n")
        .args(["check", "--timeline", "t.json", "s.pipe"])
        .stderr_empty()
        .run();
    assert!(!run.dir.join("t.json").exists());
}

#[test]
fn an_option_given_twice_is_taken_once() {
    // As bash takes `-x -x`: before and after a subcommand's name too
    // (`pipe -x run -x FILE`), and the last `--timeline` wins.
    Test::new()
        .file("s.pipe", "echo hi\n")
        .args(["-x", "run", "-x", "s.pipe"])
        .stdout("hi\n")
        .stderr_has("+ echo hi  # ")
        .run();
    Test::new()
        .args(["-x", "-x", "-c", "echo $1", "-x"])
        .stdout("-x\n")
        .run();
    let run = Test::new()
        .args(["--timeline", "a.json", "--timeline", "b.json", "-c", "true"])
        .run();
    assert!(!run.dir.join("a.json").exists());
    assert!(run.dir.join("b.json").exists());
}

#[test]
fn script_on_stdin() {
    Test::new()
        .arg("-")
        .stdin("echo from stdin $1")
        .status(1)
        .stderr_has("undefined variable `1`")
        .run();
    Test::new()
        .arg("-")
        .arg("x")
        .stdin("echo from stdin $1")
        .stdout("from stdin x\n")
        .run();
    Test::new().stdin("echo piped").stdout("piped\n").run();
    // Read whole before it runs: a command reading stdin finds its end,
    // not the script's next lines.
    for args in [&["-"][..], &[]] {
        Test::new()
            .args(args)
            .stdin("cat\necho after\n")
            .stdout("after\n")
            .run();
    }
}

#[test]
fn shebang_runs_the_script() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new().file("tool", "#!/usr/bin/env pipe\necho shebang $1\n");
    let tool = test.path().join("tool");
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = std::path::Path::new(crate::harness::PIPE).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let output = std::process::Command::new(&tool)
        .arg("ok")
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "shebang ok\n");
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{output:?}"
    );
}

#[test]
fn help_and_version() {
    let run = Test::new().arg("--help").run();
    assert!(run.stdout().contains("Usage: pipe"), "{}", run.stdout());
    assert!(run.stdout().contains("127 command not found"));
    let run = Test::new().arg("--version").run();
    assert!(run.stdout().starts_with("pipe "), "{}", run.stdout());
}

#[test]
fn output_that_cannot_be_written_is_an_error() {
    // A full disk is never output lost without a word: every tool that
    // writes on stdout says so, with status 1.
    // The script's `cat` says so itself, and pipe names the failed stage.
    for args in [
        &["--help"][..],
        &["--version"],
        &["man"],
        &["completions", "bash"],
        &["graph", "script.pipe"],
        &["fmt", "-"],
        &["script.pipe"],
    ] {
        let test = Test::new().file("script.pipe", "echo x | cat").args(args);
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = test
            .command()
            .stdin(std::fs::File::open(test.path().join("script.pipe")).unwrap())
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(crate::harness::status_of(&output), 1, "{args:?}: {stderr}");
        if args != ["script.pipe"] {
            assert!(stderr.contains("pipe::usage::stdout"), "{args:?}: {stderr}");
            assert!(
                stderr.contains("no space left on device"),
                "{args:?}: {stderr}"
            );
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    // Arguments clap refuses are a diagnostic with a code, like every
    // other error, with clap's tips and usage as its help.
    Test::new()
        .arg("--no-such-flag")
        .status(2)
        .stderr_has("pipe::usage::arguments")
        .stderr_has("unexpected argument '--no-such-flag' found")
        .stderr_has("Usage: pipe")
        .run();
    Test::new()
        .arg("check")
        .status(2)
        .stderr_has("pipe::usage::arguments")
        .stderr_has("the following required arguments were not provided: <FILES>...")
        .run();
    let run = Test::new()
        .arg("missing.pipe")
        .status(2)
        .stderr_has("cannot read `missing.pipe`: no such file or directory")
        .run();
    assert_eq!(
        run.stderr().matches("no such file").count(),
        1,
        "{}",
        run.stderr()
    );
    // A directory, as `pipe fmt .` names one: its scripts are to be named.
    for args in [&["fmt", "."][..], &["check", "sub/"], &["sub"]] {
        Test::new()
            .file("sub/a.pipe", "true\n")
            .args(args)
            .status(2)
            .stderr_has("is a directory")
            .stderr_has("help: name the scripts in it instead:")
            .run();
    }
    Test::new()
        .file("deploy.pipe", "true\n")
        .arg("deploy")
        .status(2)
        .stderr_has("cannot read `deploy`: no such file or directory")
        .stderr_has("help: did you mean `deploy.pipe`?")
        .run();
    // A subcommand misspelt is read as a script's name.
    Test::new()
        .file("s.pipe", "true\n")
        .args(["chek", "s.pipe"])
        .status(2)
        .stderr_has("cannot read `chek`: no such file or directory")
        .stderr_has("help: did you mean the subcommand `check`?")
        .run();
}

/// A timeline that cannot be written is a usage error found before the
/// script runs, not after.
#[test]
fn timeline_file_is_created_before_the_script_runs() {
    let run = Test::new()
        .flag("--timeline")
        .flag("no/such/dir/t.json")
        .args(["-c", "touch ran"])
        .status(2)
        .stderr_has("pipe::usage::timeline")
        .stderr_has("cannot create the timeline `no/such/dir/t.json`: no such file or directory")
        .run();
    assert!(!run.dir.join("ran").exists(), "the script ran");
    assert_eq!(
        run.stderr().matches("no such file").count(),
        1,
        "{}",
        run.stderr()
    );
    Test::new()
        .file("dir/keep", "")
        .flag("--timeline")
        .flag("dir")
        .args(["-c", "touch ran"])
        .status(2)
        .stderr_has("cannot create the timeline `dir`")
        .run();
    let run = Test::new()
        .flag("--timeline")
        .flag("t.json")
        .args(["-c", "test -f t.json && echo exists"])
        .stdout("exists\n")
        .run();
    let text = std::fs::read_to_string(run.dir.join("t.json")).unwrap();
    assert!(text.contains("traceEvents"), "{text}");
    // Created, but lost when written: the script ran, and its success is
    // not reported with a 0 after an error message.
    let run = Test::new()
        .flag("--timeline")
        .flag("/dev/full")
        .args(["-c", "touch ran"])
        .status(2)
        .stderr_has("cannot write `/dev/full`")
        .run();
    assert!(run.dir.join("ran").exists());
    Test::new()
        .flag("--timeline")
        .flag("/dev/full")
        .args(["-c", "sh -c 'exit 3'"])
        .status(3)
        .stderr_has("cannot write `/dev/full`")
        .run();
}

/// A timeline is never written over a script: `pipe --timeline
/// deploy.pipe`, its JSON name forgotten, would read the script to run
/// from standard input and replace `deploy.pipe` with JSON; nor over the
/// file the script is read from, by name or as standard input.
#[test]
fn a_timeline_is_not_written_over_a_script() {
    let script = "touch ran\n";
    for args in [
        &["--timeline", "deploy.pipe"][..],
        &["--timeline", "deploy", "deploy"],
        &["--timeline", "new.pipe", "-c", "touch ran"],
    ] {
        let run = Test::new()
            .file("deploy.pipe", script)
            .file("deploy", script)
            .args(args)
            .status(2)
            .stderr_has("pipe::usage::timeline_over_script")
            .run();
        assert!(!run.dir.join("ran").exists(), "{args:?}: the script ran");
        for name in ["deploy.pipe", "deploy"] {
            let kept = std::fs::read_to_string(run.dir.join(name)).unwrap();
            assert_eq!(kept, script, "{args:?}");
        }
        assert!(!run.dir.join("new.pipe").exists(), "{args:?}");
    }
    let test = Test::new().file("deploy", script);
    let output = std::process::Command::new(crate::harness::PIPE)
        .args(["--timeline", "deploy"])
        .stdin(std::fs::File::open(test.path().join("deploy")).unwrap())
        .current_dir(test.path())
        .output()
        .unwrap();
    assert_eq!(crate::harness::status_of(&output), 2);
    let kept = std::fs::read_to_string(test.path().join("deploy")).unwrap();
    assert_eq!(kept, script);
    // `/dev/null` is no script, though standard input may be it too.
    Test::new().args(["--timeline", "/dev/null"]).run();
}

#[test]
fn environment_reaches_children_and_variables() {
    Test::new()
        .env("FROM_PARENT", "p")
        .script("echo $FROM_PARENT\nsh -c 'echo $FROM_PARENT'")
        .stdout("p\np\n")
        .run();
}

#[test]
fn closed_readers_leave_no_process() {
    let marker = "marker-closed-reader-7f3a";
    Test::new()
        .script(format!("yes {marker} | head -n 1"))
        .stdout(format!("{marker}\n"))
        .run();
    assert_eq!(processes_with(marker), Vec::<String>::new());
}

/// A script that does not parse is a parse error, status 2, for every
/// subcommand that reads scripts, as for running one; every file is still
/// looked at, and the worst status wins.
#[test]
fn subcommands_exit_2_on_a_parse_error() {
    let lines: [&[&str]; 5] = [
        &["fmt", "bad.pipe"],
        &["fmt", "--check", "bad.pipe"],
        &["check", "bad.pipe"],
        &["check", "ok.pipe", "bad.pipe", "ok.pipe"],
        &["graph", "bad.pipe"],
    ];
    for line in lines {
        Test::new()
            .file("bad.pipe", "echo \"open\n")
            .file("ok.pipe", "echo ok\n")
            .args(line)
            .status(2)
            .stderr_has("pipe::parse::unterminated_string")
            .stderr_has("bad.pipe:1:6")
            .run();
    }
    let run = Test::new()
        .file("bad.pipe", "echo \"open\n")
        .file("messy.pipe", "echo   a\n")
        .args(["fmt", "bad.pipe", "messy.pipe", "missing.pipe"])
        .status(2)
        .stderr_has("pipe::parse::unterminated_string")
        .stderr_has("cannot read `missing.pipe`")
        .run();
    let formatted = std::fs::read_to_string(run.dir.join("messy.pipe")).unwrap();
    assert_eq!(formatted, "echo a\n");
    Test::new()
        .file("bad.pipe", "echo \"open\n")
        .file("messy.pipe", "echo   a\n")
        .args(["fmt", "--check", "messy.pipe", "bad.pipe"])
        .status(2)
        .stderr_has("`messy.pipe` is not formatted")
        .stderr_has("pipe::parse::unterminated_string")
        .run();
    Test::new()
        .file("messy.pipe", "echo   a\n")
        .args(["fmt", "--check", "messy.pipe"])
        .status(1)
        .run();
}

/// `-` names standard input wherever a script is read, as for `pipe -`;
/// `pipe fmt -` writes the formatted script on standard output.
#[test]
fn a_dash_reads_the_script_from_standard_input() {
    Test::new()
        .args(["fmt", "-"])
        .stdin("echo   a|cat;echo b   # note\n")
        .stdout("echo a | cat\necho b # note\n")
        .stderr_empty()
        .run();
    Test::new()
        .args(["fmt", "-"])
        .stdin("echo a\n")
        .stdout("echo a\n")
        .run();
    Test::new()
        .args(["fmt", "--check", "-"])
        .stdin("echo   a\n")
        .stdout("")
        .status(1)
        .stderr_has("`stdin` is not formatted")
        .stderr_has("`pipe fmt -`")
        .run();
    Test::new()
        .args(["fmt", "--check", "-"])
        .stdin("echo a\n")
        .stdout("")
        .stderr_empty()
        .run();
    Test::new()
        .args(["fmt", "-"])
        .stdin("echo \"open\n")
        .stdout("")
        .status(2)
        .stderr_has("stdin:1:6")
        .run();
    Test::new()
        .args(["check", "-"])
        .stdin("ehco x\n")
        .status(1)
        .stderr_has("command not found: `ehco`")
        .run();
    let run = Test::new().args(["graph", "-"]).stdin("cat | sort\n").run();
    assert!(run.stdout().starts_with("digraph"), "{}", run.stdout());
    Test::new()
        .args(["check", "-", "-"])
        .stdin("echo a\n")
        .status(2)
        .stderr_has("pipe::usage::stdin_twice")
        .run();
}

/// A script that is not UTF-8 is refused before anything runs, with the
/// byte offset of the first bad byte, however it is given.
#[test]
fn invalid_utf8_is_refused_wherever_the_script_comes_from() {
    use std::os::unix::ffi::OsStrExt;
    let script = b"touch ran\necho caf\xe9\n";
    Test::new()
        .arg("-c")
        .arg(std::ffi::OsStr::from_bytes(script))
        .status(2)
        .stderr_has("invalid UTF-8 at byte offset 18")
        .stderr_has("-c:2:9")
        .run();
    for args in [
        &["-"][..],
        &[],
        &["check", "-"],
        &["fmt", "-"],
        &["graph", "-"],
    ] {
        let run = Test::new()
            .args(args)
            .stdin(script)
            .stdout("")
            .status(2)
            .stderr_has("pipe::parse::invalid_utf8")
            .stderr_has("invalid UTF-8 at byte offset 18")
            .run();
        assert!(!run.dir.join("ran").exists(), "{args:?} ran the script");
    }
}

/// A UTF-8 byte order mark at the very start of a script is skipped, and
/// diagnostics point where an editor, which hides the mark, shows the
/// error; `pipe fmt` keeps it.
#[test]
fn a_byte_order_mark_is_skipped() {
    const BOM: &str = "\u{feff}";
    Test::new()
        .script(format!("{BOM}echo bom $1\n"))
        .arg("a")
        .stdout("bom a\n")
        .stderr_empty()
        .run();
    Test::new()
        .args(["-c", &format!("{BOM}echo bom")])
        .stdout("bom\n")
        .run();
    Test::new()
        .arg("-")
        .stdin(format!("{BOM}echo bom\n"))
        .stdout("bom\n")
        .run();
    Test::new()
        .script(format!("{BOM}echo \"open\n"))
        .status(2)
        .stderr_has("script.pipe:1:6")
        .run();
    Test::new()
        .script(format!("{BOM}true\nehco x\n"))
        .status(127)
        .stderr_has("command not found: `ehco`")
        .stderr_has("script.pipe:2:1")
        .run();
    Test::new()
        .script(b"\xef\xbb\xbfecho \xff\n")
        .status(2)
        .stderr_has("invalid UTF-8 at byte offset 8")
        .run();
    // Only at the very start: anywhere else it is a character like any.
    Test::new()
        .args(["-c", &format!(" {BOM}true")])
        .status(127)
        .run();
    Test::new()
        .file("s.pipe", format!("{BOM}let a = 1\necho $a\n"))
        .args(["check", "s.pipe"])
        .stderr_empty()
        .run();
    Test::new()
        .file("s.pipe", format!("{BOM}echo a\n"))
        .args(["fmt", "--check", "s.pipe"])
        .stderr_empty()
        .run();
    let run = Test::new()
        .file("s.pipe", format!("{BOM}echo   a\n"))
        .args(["fmt", "s.pipe"])
        .run();
    let formatted = std::fs::read_to_string(run.dir.join("s.pipe")).unwrap();
    assert_eq!(formatted, format!("{BOM}echo a\n"));
    Test::new()
        .args(["fmt", "-"])
        .stdin(format!("{BOM}echo   a\n"))
        .stdout(format!("{BOM}echo a\n"))
        .run();
    let run = Test::new()
        .file("s.pipe", format!("{BOM}cat in | sort\n"))
        .args(["graph", "s.pipe"])
        .run();
    assert!(run.stdout().starts_with("digraph"), "{}", run.stdout());
}

/// `pipe man` is one page: it names each subcommand as it is typed,
/// `pipe run`, not as a page of its own, `pipe-run(1)`, which nothing
/// installs or prints.
#[test]
fn man_names_subcommands_as_typed() {
    let run = Test::new().arg("man").stderr_empty().run();
    let page = run.stdout();
    assert!(page.starts_with(".ie"), "{page}");
    for name in ["run", "check", "fmt", "graph", "completions", "man", "help"] {
        assert!(page.contains(&format!("\npipe {name}\n")), "{name}: {page}");
    }
    assert!(!page.contains("(1)\n"), "{page}");
}
