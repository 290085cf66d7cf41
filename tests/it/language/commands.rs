//! Finding and starting a program: PATH lookup, what cannot run and why,
//! prefix assignments, and the trace of `-x`.

use super::{fails, ok, run_past_a_locked_directory};
use crate::harness::Test;

/// A program named by a path is not looked for first: its absence is
/// what exec reports, and it reads as "not found", as on PATH.
#[test]
fn a_missing_program_named_by_path_is_not_found() {
    fails(
        "./no-such-program x",
        127,
        "command not found: `./no-such-program`",
    );
    fails(
        "/no/such/dir/prog",
        127,
        "command not found: `/no/such/dir/prog`",
    );
}

/// Programs found on PATH are remembered, as shells do, but never used
/// stale: one removed mid-run is searched for again, and a new PATH is a
/// new search.
#[test]
fn programs_found_on_path_are_looked_for_again_when_gone_or_path_changes() {
    let test = Test::new()
        .file("a/tool", "#!/bin/sh\necho a\n")
        .file("b/tool", "#!/bin/sh\necho b\n")
        .file("c/tool", "#!/bin/sh\necho c\n");
    let dir = test.path().display().to_string();
    test.arg(&dir)
        .script(
            "chmod +x a/tool b/tool c/tool\n\
             export PATH = \"$1/a:$1/b:$PATH\"\n\
             tool; tool\n\
             rm a/tool\n\
             tool\n\
             chmod -x b/tool\n\
             export PATH = \"$1/c:$PATH\"\n\
             tool\n\
             rm c/tool\n\
             tool\n",
        )
        .status(126)
        .stdout("a\na\nb\nc\n")
        .stderr_has("`tool`")
        .run();
}

/// A quoted or escaped keyword is a command's name: `'timeout' 5 sleep 9`
/// runs coreutils' timeout, here from a condition.
#[test]
fn a_quoted_keyword_is_a_command() {
    ok(
        "'timeout' 0.05 sleep 5 || echo \"coreutils $?\"\n\
         ti\"meout\" 0.05 sleep 5 || echo \"joined $?\"\n\
         { \\timeout 5 echo escaped }",
        "coreutils 124\njoined 124\nescaped\n",
    );
    fails("\"for\" x in a", 127, "command not found: `for`");
}

/// Each prefix assignment sees the ones before it, as in bash; the
/// command's own words do not.
#[test]
fn prefix_assignments_see_earlier_ones() {
    ok(
        "let A = old\nA=new B=$A/x sh -c 'echo $A $B'\necho $A",
        "new new/x\nold\n",
    );
    fails("A=1 echo $A", 1, "undefined variable `A`");
    Test::new()
        .file("s.pipe", "A=1 B=$A env\n")
        .args(["check", "s.pipe"])
        .stderr_empty()
        .run();
}

#[test]
fn command_lookup_errors() {
    fails(
        "no-such-command-xyz",
        127,
        "command not found: `no-such-command-xyz`",
    );
    fails("ehco hi", 127, "did you mean `echo`?");
    // More than the system takes in one argument: status 126 as in bash,
    // naming the argument, with a help that says what to do.
    Test::new()
        .script("echo \"$(head -c 200000 /dev/zero | tr '\\0' a)\"")
        .status(126)
        .stderr_has("cannot start `echo`: argument 1 is 196 KiB")
        .stderr_has("128 KiB")
        .stderr_has("help: pass large data on standard input")
        .run();
    // Redirects first, then the program, as in bash: the redirect's
    // failure is the command's, and a file it creates is there.
    fails("catt > no/such/dir/f", 1, "cannot open `no/such/dir/f`");
    let run = Test::new().script("catt > out").status(127).run();
    assert!(run.dir.join("out").exists());
    // `$@` without arguments is no word: the program is the next one,
    // and the diagnostic underlines it.
    Test::new()
        .script("$@ catt x")
        .status(127)
        .stderr_has("1 │ $@ catt x\n   ·    ──┬─\n")
        .run();
    fails("$@", 1, "its words expand to none");
    // An empty name is close to every one-letter program (`[`): none is
    // suggested, and the help says what made it empty.
    let run = Test::new().script("Q").status(127).run();
    assert!(!run.stderr().contains("did you mean"), "{}", run.stderr());
    for script in ["'' x", "let c = ''\n$c x"] {
        let run = Test::new()
            .script(script)
            .status(127)
            .stderr_has("command not found: ``")
            .stderr_has("the command's name is empty")
            .run();
        assert!(!run.stderr().contains("did you mean"), "{}", run.stderr());
    }
    // bash's `!` is one of its reserved words: refused before anything
    // runs, as the others are (below); quoted, it is a command's name.
    fails("! grep -q x f", 2, "pipe has no `!` to negate a status");
    fails("'!' grep -q x f", 127, "pipe has no `!` to negate a status");
    // bash's `+=` appends; in pipe it is a command's name, or no `=`.
    fails("PATH+=:/opt/bin", 127, "pipe has no `+=`");
    fails("let x = a\nlet x += b", 2, "pipe has no `+=`");
    // Not "did you mean `[`?", which then fails on its `]]`; and refused
    // before anything runs, as bash's other reserved words are (below).
    fails(
        "[[ -f x ]] && echo yes",
        2,
        "pipe has no `[[`: test with `[ ... ]`",
    );
    // `.` is in every directory of PATH, but is no program.
    fails(". ./env.sh", 127, "pipe has no `source`");
    fails("read line", 127, "pipe has no `read`");
    fails("mapfile -t lines", 127, "pipe has no `read`");
    // Refused before anything runs, as bash's `if` is (the same help).
    fails(
        "for i in 1..3 { continue }",
        2,
        "pipe has no `break` or `continue`",
    );
    fails("'continue'", 127, "pipe has no `break` or `continue`");
    fails(": > log", 127, "`true` does nothing too");
    fails("wait", 127, "pipe has no `&` or `wait`");
    // Job control and other builtins a "did you mean" misnamed (`jobs`:
    // `jdb`, `fg`: `sg`, `shopt`: `opt`, `getopts`: `getopt`).
    fails("jobs", 127, "pipe has no background jobs");
    fails("fg", 127, "pipe has no background jobs");
    fails("disown -a", 127, "pipe has no background jobs");
    fails("shopt -s globstar", 127, "pipe has no `shopt`");
    fails("getopts ab opt", 127, "pipe has no `getopts`");
    fails("select x in a b", 2, "pipe loops with `for`");
    // bash's way to log a whole script, `exec >> log 2>&1`.
    fails("exec >> log 2>&1\necho hi", 127, "put it in a block");
    fails("trap 'rm -f t' EXIT", 127, "pipe has no `trap`");
    fails("umask 077", 127, "a setting of the shell itself");
    fails("command -v jq", 127, "to test whether a program is on PATH");
    fails("alias ll='ls -l'", 127, "pipe has no aliases");
    fails("A=1 cd /", 127, "one of pipe's keywords only");
    fails("'exit' 3", 127, "one of pipe's keywords only");
    Test::new()
        .script("./dir")
        .file("dir/x", "")
        .status(126)
        .stderr_has("is a directory")
        .run();
    Test::new()
        .script("./plain")
        .file("plain", "echo hi\n")
        .status(126)
        .stderr_has("permission denied")
        .run();
    // A missing interpreter is execve's ENOENT: 127, as in bash.
    Test::new()
        .script("chmod +x tool\n./tool || echo \"status $?\"\n./tool")
        .file("tool", "#!/no/such/sh\necho hi\n")
        .status(127)
        .stdout("status 127\n")
        .stderr_has("interpreter `/no/such/sh` not found")
        .run();
    ok("no-such-command-xyz || echo fallback", "fallback\n");
}

#[test]
fn empty_and_relative_path_entries_are_skipped() {
    use std::os::unix::fs::PermissionsExt;
    // A trojan `ls` in the working directory and in a relative PATH entry:
    // whatever PATH says, it never runs. Empty entries are skipped too
    // (execvp would read them as `.`).
    for path in [
        "",
        ".",
        ":/usr/bin:/bin",
        "/usr/bin:/bin::",
        "bin:/usr/bin:/bin",
    ] {
        for script in ["ls > /dev/null", "PATH=. ls > /dev/null"] {
            let test = Test::new()
                .script(script)
                .file("ls", "#!/bin/sh\ntouch pwned\n")
                .file("bin/ls", "#!/bin/sh\ntouch pwned\n")
                .env("PATH", path);
            for name in ["ls", "bin/ls"] {
                let file = test.path().join(name);
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            let expected = if path.contains("/usr/bin") && !script.starts_with("PATH=") {
                0
            } else {
                127
            };
            let run = test.status(expected).run();
            assert!(!run.dir.join("pwned").exists(), "PATH={path:?}: {script}");
        }
    }
}

#[test]
fn an_interpreter_that_cannot_run_is_named() {
    use std::os::unix::fs::PermissionsExt;
    // The script is executable; what its `#!` line names is not a program.
    for (interpreter, reason) in [
        ("/", "its interpreter `/` is a directory"),
        ("./data", "its interpreter `./data` is not executable"),
        ("./plain", "its interpreter `./plain` is not a binary"),
    ] {
        let test = Test::new()
            .script("./tool")
            .file("tool", format!("#!{interpreter}\ntouch ran\n"))
            .file("data", "x")
            .file("plain", "touch ran\n");
        for (name, mode) in [("tool", 0o755), ("data", 0o644), ("plain", 0o755)] {
            let path = test.path().join(name);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let run = test
            .status(126)
            .stderr_has(reason)
            .stderr_has("fix the script's `#!` line")
            .run();
        assert!(!run.dir.join("ran").exists());
    }
}

#[test]
fn script_without_shebang_is_not_run() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new()
        .script("./noshebang")
        .file("noshebang", "touch ran\n");
    let path = test.path().join("noshebang");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = test.status(126).stderr_has("no `#!` line").run();
    assert!(!run.dir.join("ran").exists());
}

#[test]
fn no_shell_reparsing() {
    let run = Test::new()
        .script("let x = 'a; touch pwned #$(id)*'\necho $x")
        .stdout("a; touch pwned #$(id)*\n")
        .run();
    assert!(!run.dir.join("pwned").exists());
}

/// A command's trace line is printed before it starts, so it comes before
/// anything the command writes.
#[test]
fn trace_comes_before_the_command_s_output() {
    let script: String = (0..50).map(|i| format!("echo out{i} >&2\n")).collect();
    let run = Test::new().flag("-x").script(script).run();
    let stderr = run.stderr();
    for i in 0..50 {
        let traced = stderr.find(&format!("+ echo out{i}  # "));
        let written = stderr.find(&format!("\nout{i}\n"));
        assert!(
            traced.is_some() && traced < written,
            "out{i} before its trace:\n{stderr}"
        );
    }
}

#[test]
fn trace_prints_commands_with_secrets_hidden() {
    Test::new()
        .flag("-x")
        .script("secret token = canary-1234\necho $token | cat > /dev/null")
        .stderr_has("+ echo '***'  # ")
        .stderr_has("+ cat  # ")
        .stderr_has("echo exited with status 0")
        .run();
}

/// As execvp, lookup takes the first executable file on PATH, going past
/// a directory and a file that is not executable; with only those, it is
/// status 126, as execvp's EACCES.
#[test]
fn path_lookup_goes_past_what_cannot_run() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new()
        .file("a/tool/x", "")
        .file("b/tool", "#!/bin/sh\necho b\n")
        .file("c/tool", "#!/bin/sh\necho c\n");
    let dir = test.path().to_path_buf();
    std::fs::set_permissions(dir.join("c/tool"), std::fs::Permissions::from_mode(0o755)).unwrap();
    test.arg(dir.display().to_string())
        .script("PATH=$1/a:$1/b:$1/c tool\nPATH=$1/a:$1/b tool")
        .stdout("c\n")
        .status(126)
        .stderr_has("cannot run `tool`")
        .run();
}

/// A command named as a file in the working directory (`build.sh`,
/// `deploy.pipe`) is looked for on PATH only, as in bash: the help says
/// how to run it. After a `cd` to where no such file is, it does not.
#[test]
fn not_found_names_a_file_in_the_working_directory() {
    Test::new()
        .file("build.sh", "#!/bin/sh\necho built\n")
        .script("build.sh")
        .status(127)
        .stderr_has("`build.sh` is a file in the working directory")
        .stderr_has("run it as `./build.sh`")
        .run();
    Test::new()
        .file("deploy.pipe", "echo deployed\n")
        .script("deploy.pipe")
        .status(127)
        .stderr_has("or `./deploy.pipe`")
        .run();
    let run = Test::new()
        .file("build.sh", "")
        .file("sub/x", "")
        .script("cd sub\nbuild.sh")
        .status(127)
        .run();
    assert!(
        !run.stderr().contains("working directory"),
        "{}",
        run.stderr()
    );
}

/// A program in a directory that may not be searched cannot run, for the
/// directory's sake: the help said to `chmod +x` the program. Root runs
/// it as nobody.
#[test]
fn a_program_past_a_directory_without_search_permission_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new().file("locked/tool", "#!/bin/sh\n");
    std::fs::set_permissions(
        test.path().join("locked/tool"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let output = run_past_a_locked_directory(&test, "\"$1/locked/tool\"");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 126, "{stderr}");
    assert!(stderr.contains("tool`: permission denied"), "{stderr}");
    assert!(
        stderr.contains("a directory on the way to it may not be searched"),
        "{stderr}"
    );
    assert!(!stderr.contains("chmod +x"), "{stderr}");
}

/// A name of three characters is one edit from its "did you mean" at
/// most, whatever bytes they take: `éyé` is not two edits from `xyz`,
/// `xyé` is one.
#[test]
fn did_you_mean_counts_a_short_name_in_characters() {
    use std::os::unix::fs::PermissionsExt;
    for (name, suggested) in [("éyé", false), ("xyé", true)] {
        let test = Test::new().file("bin/xyz", "#!/bin/sh\n");
        let bin = test.path().join("bin");
        std::fs::set_permissions(bin.join("xyz"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let run = test
            .env("PATH", &bin.display().to_string())
            .script(format!("{name} arg\n"))
            .status(127)
            .stderr_has(&format!("command not found: `{name}`"))
            .run();
        let stderr = run.stderr();
        assert_eq!(
            stderr.contains("did you mean `xyz`?"),
            suggested,
            "{stderr}"
        );
    }
}

/// A name that differs from a program's or a variable's only in case
/// (Caps Lock: `LS`, `SORT`; `$home` for `$HOME`) gets that name as its
/// "did you mean", however many letters differ, before a closer typo.
#[test]
fn did_you_mean_takes_a_name_that_differs_only_in_case() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new()
        .file("bin/ls", "#!/bin/sh\n")
        .file("bin/lt", "#!/bin/sh\n");
    let bin = test.path().join("bin");
    for name in ["ls", "lt"] {
        std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    test.env("PATH", &bin.display().to_string())
        .script("LS -l\n")
        .status(127)
        .stderr_has("did you mean `ls`?")
        .run();
    fails("let name = x\necho $NAME", 1, "did you mean `$name`?");
    fails("echo $path", 1, "did you mean `$PATH`?");
}

/// A command not found is underlined at its name, past the prefix
/// assignments before it.
#[test]
fn not_found_points_at_the_program_after_prefix_assignments() {
    Test::new()
        .script("A=1 B=\"x y\" catt arg")
        .status(127)
        .stderr_has("1 │ A=1 B=\"x y\" catt arg\n   ·             ──┬─\n")
        .stderr_has("did you mean `cat`?")
        .run();
}

/// A prefix assignment is the environment of its command alone: not of
/// the other stages of its pipeline, nor the other branches of its
/// `parallel`, nor the commands after it in its `&&` list.
#[test]
fn prefix_assignments_reach_their_command_alone() {
    ok(
        "A=1 sh -c 'echo ${A:-u}' | B=2 sh -c 'cat; echo ${A:-u}${B:-u}'\n\
         parallel { A=3 sh -c 'echo $A' ; sh -c 'echo ${A:-u}' }\n\
         A=4 sh -c 'echo $A' && sh -c 'echo ${A:-u}' || true\n\
         export A = outer\nA=5 sh -c 'echo $A'\nsh -c 'echo $A'",
        "1\nu2\n3\nu\n4\nu\n5\nouter\n",
    );
}

/// A command that cannot start says so on its own stderr, as bash, which
/// fails in the child it forked, writes "command not found" to that
/// child's fd 2: where the command's redirects (or its block's) sent it,
/// the message goes, and `tool --version 2>/dev/null || echo missing`
/// prints only `missing`.
#[test]
fn a_command_that_cannot_start_tells_its_own_stderr() {
    Test::new()
        .script(
            "nosuch --version 2>/dev/null || echo missing\n\
             { nosuch ; echo no } 2>/dev/null || echo block\n\
             cat 2>/dev/null < nofile || echo redirect\n\
             parallel { nosuch 2>/dev/null ; true } || echo branch\n\
             nosuch 2>&1 | grep -c 'command not foun[d]' || echo piped",
        )
        .stdout("missing\nblock\nredirect\nbranch\n1\npiped\n")
        .stderr_empty()
        .run();
    let run = Test::new()
        .script("nosuch 2> err.log || echo \"status $?\"")
        .stdout("status 127\n")
        .stderr_empty()
        .run();
    let log = std::fs::read_to_string(run.dir.join("err.log")).unwrap();
    assert!(log.contains("pipe::run::command_not_found"), "{log}");
    assert!(log.contains("not found on PATH"), "{log}");
    // A redirect that fails before stderr is redirected reports where
    // stderr still was, as in bash; so does a command not redirected.
    Test::new()
        .script("cat < nofile 2>/dev/null || echo r\nnosuch || echo n")
        .stdout("r\nn\n")
        .stderr_has("cannot open `nofile`")
        .stderr_has("command not found: `nosuch`")
        .run();
    // One that ends the script is shown on pipe's stderr as well.
    Test::new()
        .script("nosuch 2>/dev/null")
        .status(127)
        .stderr_has("command not found: `nosuch`")
        .run();
}
