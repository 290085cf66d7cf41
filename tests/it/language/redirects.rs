//! Redirects of commands and blocks, here-strings, and the refusal of a
//! pipeline that would truncate a file it reads.

use super::{fails, ok, read};
use crate::harness::Test;

/// As bash does, a command's words are expanded before its redirects,
/// wherever the redirects stand among them: a `$(...)` of a redirect runs
/// after those of every word, and sets `$?` for no word.
#[test]
fn a_command_s_redirects_are_expanded_after_its_words() {
    ok("false || echo $? <<< \"$(true)\" $?", "1 1\n");
    ok("false || echo $? > \"o$(true)\" $?; cat o", "1 1\n");
    Test::new()
        .script(
            "echo <<< \"$(echo r >&2)\" a$(echo a >&2) > \"$(echo s >&2)o\" b$(echo b >&2); cat o",
        )
        .stdout("a b\n")
        .stderr_has("a\nb\nr\ns\n")
        .run();
}

#[test]
fn redirects() {
    let run = Test::new()
        .script(
            "echo one > out\necho two >> out\nls /nonexistent-dir-x 2> err || true\n\
             sh -c 'echo o; echo e >&2' &> both\nsh -c 'echo e2 >&2' 2>&1 | cat > merged\n\
             echo to-err >&2\ncat < out\ncat <<< \"here $HOME\" > here",
        )
        .stdout("one\ntwo\n")
        .stderr_has("to-err")
        .run();
    let read = |name: &str| std::fs::read_to_string(run.dir.join(name)).unwrap();
    assert_eq!(read("out"), "one\ntwo\n");
    assert!(read("err").contains("nonexistent-dir-x"));
    assert_eq!(read("both"), "o\ne\n");
    assert_eq!(read("merged"), "e2\n");
    assert_eq!(
        read("here"),
        format!("here {}\n", std::env::var("HOME").unwrap())
    );
}

/// A redirect target's `$(...)` runs before the command's redirects apply,
/// as docs/language.md says (where bash applies the ones before it
/// first): its stderr and stdin are the command's own.
#[test]
fn a_redirect_substitution_runs_before_the_redirects_apply() {
    Test::new()
        .file("in", "from in\n")
        .stdin("name\n")
        .script(
            "echo x 2>/dev/null <<< \"$(echo err >&2)\"\n\
             cat < in > \"$(head -n 1)\"\ncat name",
        )
        .stdout("x\nfrom in\n")
        .stderr_has("err")
        .run();
}

/// A here-string's text is its word joined as in bash, `$@` with spaces;
/// a file redirect's word must still be one name.
#[test]
fn here_string_joins_the_arguments() {
    Test::new()
        .script("cat <<< \"$@\"\ncat <<< x$@y\n{ cat } <<< \"$@\"\ncat <<< \"$@\" | wc -l")
        .args(["a b", "c"])
        .stdout("a b c\nxa b cy\na b c\n1\n")
        .run();
    Test::new()
        .script("cat <<< \"[$@]\"\ncat < \"$@\"")
        .args(["a", "b"])
        .stdout("[a b]\n")
        .stderr_has("ambiguous redirect")
        .status(1)
        .run();
}

/// An empty file name names no file, as in bash (": No such file or
/// directory"): it is not the working directory, which `cat < ""` read
/// and `> ""` called "is a directory".
#[test]
fn an_empty_redirect_target_is_no_file() {
    for script in [
        "cat < ''",
        "echo x > ''",
        "let e = ''\necho x >> $e",
        "echo x &> \"$(true)\"",
        "{ cat } < ''",
    ] {
        Test::new()
            .script(script)
            .status(1)
            .stderr_has("cannot open ``: no such file or directory")
            .stderr_has("the file name is empty")
            .run();
    }
}

#[test]
fn appending_redirects() {
    let run = Test::new()
        .script("sh -c 'echo e1 >&2' 2>> err\nsh -c 'echo e2 >&2' 2>> err\nsh -c 'echo o; echo e >&2' &>> all\nsh -c 'echo o2' &>> all")
        .file("err", "e0\n")
        .run();
    assert_eq!(
        std::fs::read_to_string(run.dir.join("err")).unwrap(),
        "e0\ne1\ne2\n"
    );
    assert_eq!(
        std::fs::read_to_string(run.dir.join("all")).unwrap(),
        "o\ne\no2\n"
    );
}

/// A word of digits right before `<` or `>` is the fd of that redirect, as
/// in bash; with a space, or any other character in the word, it is an
/// argument.
#[test]
fn redirects_with_fd_numbers() {
    let run = Test::new()
        .script(
            "echo to-stderr 1>&2\necho out 1> o\necho more 1>>o\ncat 0< o\ncat 0<<< here\n\
             echo e 2> e 1>&2\necho 1 >&2\necho a1>f",
        )
        .stdout("out\nmore\nhere\n")
        .run();
    assert_eq!(run.stderr(), "to-stderr\n1\n");
    let read = |name: &str| std::fs::read_to_string(run.dir.join(name)).unwrap();
    assert_eq!(read("o"), "out\nmore\n");
    assert_eq!(read("e"), "e\n");
    assert_eq!(read("f"), "a1\n");
}

/// Any other fd, or another form, is refused before anything runs, rather
/// than passed as an argument.
#[test]
fn other_fd_redirects_are_parse_errors() {
    let run = Test::new()
        .script("touch ran\necho x 3>f3")
        .status(2)
        .stderr_has("pipe::parse::unsupported_redirect")
        .stderr_has("only fds 0, 1 and 2")
        .run();
    assert!(!run.dir.join("ran").exists());
    assert!(!run.dir.join("f3").exists());
    for script in [
        "cat 2< f",
        "echo 1>&3",
        "echo 0> f",
        "cat 5<&0",
        "echo 2>&-",
    ] {
        fails(script, 2, "pipe::parse::unsupported_redirect");
    }
    // bash's `>& FILE` is named, with what to write instead.
    for script in ["make >& log", "echo x >& 2", "echo x 2>& f"] {
        fails(script, 2, "write `&> FILE` for both streams to a file");
    }
}

#[test]
fn redirects_apply_left_to_right() {
    // As in bash: `2>&1 > f` sends stderr to the old stdout.
    let run = Test::new()
        .script("sh -c 'echo out; echo err >&2' 2>&1 > f")
        .stdout("err\n")
        .run();
    assert_eq!(std::fs::read_to_string(run.dir.join("f")).unwrap(), "out\n");
}

/// As in bash, which opens a redirect's file in the child once the
/// redirects before it took effect, `/dev/stdout`, `/dev/stderr`,
/// `/dev/stdin` and `/dev/fd/N` name the command's own streams as they
/// are then (the pipe to the next stage, a block's `2>` file), not
/// `pipe`'s; a child has no fd 3 or above to name.
#[test]
fn dev_stdout_and_stderr_are_the_command_s_own_streams() {
    let run = Test::new()
        .script(
            "echo hi > /dev/stdout | tr h H\n\
             { echo to-log > /dev/stderr } 2> log\n\
             echo again 2>> log >> /dev/fd/2\n\
             echo piped | cat < /dev/stdin\n\
             echo none > /dev/fd/3 || echo refused",
        )
        .stdout("Hi\npiped\nrefused\n")
        .stderr_has("cannot open `/dev/fd/3`: no such file or directory")
        .run();
    assert_eq!(
        std::fs::read_to_string(run.dir.join("log")).unwrap(),
        "to-log\nagain\n"
    );
}

/// `/dev//stdout` and `/dev/./stdout` are `/dev/stdout` to open(2), and
/// so the command's own stdout too, as in bash; pipe opened its own.
/// With a `/` or `/.` at its end the name asks for a directory.
#[test]
fn dev_stdout_written_with_empty_or_dot_components_is_the_command_s_own() {
    Test::new()
        .script(
            "echo a > /dev//stdout | tr a A\n\
             echo b > //dev/./fd/1 | tr b B\n\
             cd /dev\n\
             echo c > ./stdout | tr c C\n\
             echo d > /dev/fd/1/ | cat || echo refused",
        )
        .stdout("A\nB\nC\nrefused\n")
        .stderr_has("cannot open `/dev/fd/1/`: is a directory")
        .run();
}

#[test]
fn redirect_files_respect_umask() {
    use std::os::unix::fs::PermissionsExt;
    // Every kind of redirect, on commands and blocks alike. A umask that
    // keeps group write tells 0666 & ~umask (0664) from a fixed 0644.
    let test = Test::new().script(
        "echo s > out\necho s >> o1\necho s 2> o2\necho s &> o3\necho s 2>> o4\n\
         { echo s } > o5\nparallel { echo s } > o6\necho s | fanout { cat > o7 ; cat } > o8\n\
         echo s &>> o9\nfor i in 1 { echo s } 2> o10\ntimeout 5s { echo s } &>> o11\n\
         parallel { echo s > o12 ; echo s >> o13 }\necho s | { cat } 1> o14 | cat",
    );
    let mut command = test.command();
    // SAFETY: umask in the forked child before exec only.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::umask(0o002);
            Ok(())
        });
    }
    let status = command.status().unwrap();
    assert!(status.success());
    for name in [
        "out", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "o10", "o11", "o12", "o13",
        "o14",
    ] {
        let mode = std::fs::metadata(test.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o664, "{name}");
    }
}

/// Every block form takes redirects, as a bash compound command does: the
/// files are opened once, when the block starts, so everything inside it
/// writes to one open file (`> f` on the block keeps both lines).
#[test]
fn blocks_redirect_their_stdout() {
    let run = Test::new()
        .script(
            "{ echo a; echo b } > group\n\
             for i in 1..3 { echo $i } >> log\n\
             parallel { echo x; echo y } > par\n\
             parallel max 2 for i in 1..3 { echo $i } > parfor\n\
             fanout { cat; cat } <<< hi > fan\n\
             timeout 5s { echo t1; echo t2 } > time\n\
             { echo one } 1> fd1\n\
             { echo two } 1>> fd1\n\
             echo done",
        )
        .file("log", "0\n")
        .stdout("done\n")
        .stderr_empty()
        .run();
    assert_eq!(read(&run, "group"), "a\nb\n");
    assert_eq!(read(&run, "log"), "0\n1\n2\n3\n");
    assert_eq!(read(&run, "par"), "x\ny\n");
    assert_eq!(read(&run, "parfor"), "1\n2\n3\n");
    assert_eq!(read(&run, "fan"), "hi\nhi\n");
    assert_eq!(read(&run, "time"), "t1\nt2\n");
    assert_eq!(read(&run, "fd1"), "one\ntwo\n");
}

#[test]
fn blocks_redirect_their_stderr() {
    let run = Test::new()
        .script(
            "{ echo e1 >&2; echo o1 } 2> err\n\
             for i in 1..2 { sh -c \"echo e$i >&2\" } 2>> err\n\
             parallel { sh -c 'echo p >&2'; echo o2 } 2> errors.txt\n\
             timeout 5s { ls /no-such-dir-x } 2> lserr || echo failed\n\
             { echo out; echo err >&2 } &> all\n\
             { echo more >&2 } &>> all\n\
             { echo to-err } >&2\n\
             { echo to-err-too } 1>&2",
        )
        .stdout("o1\no2\nfailed\n")
        .run();
    assert_eq!(run.stderr(), "to-err\nto-err-too\n");
    assert_eq!(read(&run, "err"), "e1\ne1\ne2\n");
    assert_eq!(read(&run, "errors.txt"), "p\n");
    assert!(read(&run, "lserr").contains("no-such-dir-x"));
    assert_eq!(read(&run, "all"), "out\nerr\nmore\n");
}

/// A block's stdin is opened once: the first command inside reads it all
/// and the next finds its end, as in bash (`for ...; do cat; done < f`).
#[test]
fn blocks_redirect_their_stdin() {
    Test::new()
        .script(
            "{ cat; echo between; cat } < input\n\
             for i in 1..2 { cat } 0< input\n\
             timeout 5s { tr a-z A-Z } < input\n\
             fanout { cat; wc -c } < input\n\
             { cat } <<< \"here $x\"\n\
             fanout lines { cat; cat } 0<<< twice\n\
             parallel { cat } < input",
        )
        .env("x", "string")
        .file("input", "abc\n")
        .stdout("abc\nbetween\nabc\nABC\nabc\n4\nhere string\ntwice\ntwice\n")
        .run();
}

/// As in bash, `> f 2>&1` sends both to the file, while `2>&1 > f` sends
/// stderr where stdout was before, here the terminal's stdout.
#[test]
fn block_redirects_apply_left_to_right() {
    let run = Test::new()
        .script(
            "{ echo out; echo err >&2 } > both 2>&1\n\
             { echo out2; echo err2 >&2 } 2>&1 > only-out\n\
             for i in 1..2 { echo e$i >&2 } 2>&1 >&2 2> last",
        )
        .stdout("err2\n")
        .stderr_empty()
        .run();
    assert_eq!(read(&run, "both"), "out\nerr\n");
    assert_eq!(read(&run, "only-out"), "out2\n");
    assert_eq!(read(&run, "last"), "e1\ne2\n");
}

/// A block standing as a pipeline stage: a redirect replaces the pipe for
/// that stream, as it does for a command stage (`seq 3 | cat > f | wc -c`
/// gives `wc` nothing).
#[test]
fn block_stages_take_redirects() {
    let run = Test::new()
        .script(
            "seq 3 | { cat } > f\n\
             seq 3 | { cat } > g | wc -c\n\
             echo from-pipe | { cat } < input\n\
             { echo o; echo e >&2 } 2>&1 | sort -r\n\
             seq 2 | for i in 1..2 { cat; echo $i } >> log | cat\n\
             seq 10 | fanout { head -n 1; tail -n 1 } > fan | cat",
        )
        .file("input", "from-file\n")
        .stdout("0\nfrom-file\no\ne\n")
        .stderr_empty()
        .run();
    assert_eq!(read(&run, "f"), "1\n2\n3\n");
    assert_eq!(read(&run, "g"), "1\n2\n3\n");
    assert_eq!(read(&run, "log"), "1\n2\n1\n2\n");
    let fan = read(&run, "fan");
    assert_eq!(fan, "1\n10\n", "{fan}");
}

/// The pipe end a block stage's redirect replaces closes when the block
/// starts, as it does for a command: the next stage sees the end of its
/// input at once, not when the block ends.
#[test]
fn a_redirect_on_a_block_stage_closes_its_pipe_at_once() {
    let run = Test::new()
        .script(
            "{ sleep 0.5; date +%s%N > late } > f | { cat; date +%s%N > early }\n\
             yes | { sleep 0.5 } < /dev/null",
        )
        .run();
    let time = |name: &str| read(&run, name).trim().parse::<u128>().unwrap();
    assert!(time("early") + 300_000_000 < time("late"));
}

/// `exit` and the statuses of the block pass through its redirects.
#[test]
fn redirected_blocks_keep_their_status() {
    let run = Test::new()
        .script("{ echo a } > f\n{ echo b; exit 3 } >> f")
        .status(3)
        .run();
    assert_eq!(read(&run, "f"), "a\nb\n");
    let run = Test::new()
        .script("timeout 100ms { echo started; sleep 5 } > f")
        .status(124)
        .stderr_has("timed out after 100ms")
        .run();
    assert_eq!(read(&run, "f"), "started\n");
    Test::new()
        .script("{ false } > f || echo \"failed: $?\"")
        .stdout("failed: 1\n")
        .run();
}

/// A redirect that cannot be opened fails the block's statement with the
/// diagnostic a command's gives, before anything in the block starts:
/// not its `for` list, not a `$(...)` inside it, not a command.
#[test]
fn a_failing_block_redirect_starts_nothing() {
    for script in [
        "{ touch marker } > no/such/dir/f",
        "for i in $(touch marker) { touch marker } >> no/such/dir/f",
        "parallel { touch marker; touch marker2 } 2> no/such/dir/f",
        "parallel for i in 1..2 { touch marker } > no/such/dir/f",
        "fanout { touch marker } &> no/such/dir/f",
        "timeout 5s { touch marker } > no/such/dir/f",
        "echo x | { touch marker } > no/such/dir/f",
        "{ touch marker } > ok 2> no/such/dir/f",
        "{ touch marker } < no/such/dir/f",
        "{ touch marker } > $(echo no/such/dir)/f",
    ] {
        let run = Test::new()
            .script(script)
            .status(1)
            .stderr_has("pipe::run::redirect")
            .stderr_has("cannot open `no/such/dir/f`")
            .run();
        assert!(!run.dir.join("marker").exists(), "{script}");
    }
    // On the left of `||`, the failure is shown and handled.
    let run = Test::new()
        .script("{ touch marker } > no/such/dir/f || echo fallback")
        .stdout("fallback\n")
        .stderr_has("cannot open `no/such/dir/f`")
        .run();
    assert!(!run.dir.join("marker").exists());
    fails("{ echo x } > $nope", 1, "undefined variable `nope`");
}

/// Each output mode of `parallel` still writes every branch's output whole
/// (`lines`: whole lines) when the block's stdout is a file, even past
/// what a held branch keeps in memory.
#[test]
fn parallel_output_modes_redirected_to_a_file() {
    let big = 200_000;
    let branches = format!(
        "{{ head -c {big} /dev/zero | tr '\\0' a; sleep 0.05; echo }}; \
         {{ head -c {big} /dev/zero | tr '\\0' b; echo }}"
    );
    for mode in ["ordered", "unordered", "lines"] {
        let run = Test::new()
            .script(format!("parallel {mode} {{ {branches} }} > out"))
            .run();
        let out = read(&run, "out");
        let a = format!("{}\n", "a".repeat(big));
        let b = format!("{}\n", "b".repeat(big));
        if mode == "ordered" {
            assert_eq!(out, format!("{a}{b}"), "{mode}");
        } else {
            assert!(
                out == format!("{a}{b}") || out == format!("{b}{a}"),
                "{mode}"
            );
        }
    }
}

#[test]
fn same_file_in_and_out_is_refused() {
    let run = Test::new()
        .script("sort < f > f")
        .file("f", "b\na\n")
        .status(1)
        .stderr_has("is both read and truncated")
        .run();
    assert_eq!(
        std::fs::read_to_string(run.dir.join("f")).unwrap(),
        "b\na\n"
    );
}

/// A redirect to a standard stream's name truncates the file an earlier
/// redirect of the command put on that stream, as the command opens it
/// there (`cat < f > /dev/stdin` empties `f`, in bash too): the rule
/// takes it for that file, and for the file a block's redirect put there
/// (`{ cat < f > /dev/stdout } >> f`). A `<<<` text and a file on another
/// stream are not `f`.
#[test]
fn same_file_through_a_standard_stream_name_is_refused() {
    for script in [
        "cat < f > /dev/stdin",
        "cat < f 2>&1 > /dev/fd/0",
        "cat < f 2> /dev//stdin",
        "cat < f > g 2>&1 > /dev/stdin",
        "{ cat < f > /dev/stdout } >> f",
        "{ cat > /dev//stdout < f } >> f",
    ] {
        let run = Test::new()
            .script(script)
            .file("f", "b\na\n")
            .status(1)
            .stderr_has("is both read and truncated")
            .run();
        assert_eq!(
            std::fs::read_to_string(run.dir.join("f")).unwrap(),
            "b\na\n",
            "{script}"
        );
    }
    for script in [
        "cat < f > g 2> /dev/stdout",
        "cat < f > g > /dev/stdout",
        "cat < f <<< x > g 2>&1 > /dev/stdin",
        "{ cat < f > /dev/stdout } >> g",
    ] {
        let run = Test::new().script(script).file("f", "b\na\n").run();
        assert_eq!(
            std::fs::read_to_string(run.dir.join("f")).unwrap(),
            "b\na\n",
            "{script}"
        );
    }
}

/// The same-file rule looks at redirects, not at arguments, which may be
/// no file at all (as docs/language.md says): `echo f > f` writes to `f`.
#[test]
fn same_file_rule_leaves_arguments_aside() {
    let run = Test::new()
        .script("echo f > f\ncat f | cat > g")
        .file("f", "old\n")
        .run();
    assert_eq!(std::fs::read_to_string(run.dir.join("f")).unwrap(), "f\n");
    assert_eq!(std::fs::read_to_string(run.dir.join("g")).unwrap(), "f\n");
}

/// A block standing as a stage counts with the redirects written inside it:
/// the file is not emptied. Inside one block, statements run one after
/// another, and a target the block may change (its own variable, a loop's,
/// a relative path after `cd`) is not guessed at.
#[test]
fn same_file_through_a_block_stage_is_refused() {
    for script in [
        "cat < f | { cat > f }",
        "cat < f | timeout 5s { cat > f }",
        "cat < f | for i in 1..2 { cat > f }",
        "{ sort < f } | cat > f",
        "let g = f\ncat < $g | parallel { cat > $g }",
    ] {
        let run = Test::new()
            .script(script)
            .file("f", "b\na\n")
            .status(1)
            .stderr_has("is both read and truncated")
            .run();
        assert_eq!(
            std::fs::read_to_string(run.dir.join("f")).unwrap(),
            "b\na\n",
            "{script}"
        );
    }
    for (script, f) in [
        ("{ sort < f > g; cat g > f }", "a\nb\n"),
        ("cat < f | { let f = g; cat > $f }", "b\na\n"),
        ("cat < f | for x in g { cat > $x }", "b\na\n"),
        ("cat < f | { cd sub; cat > f }", "b\na\n"),
    ] {
        let run = Test::new()
            .script(script)
            .file("f", "b\na\n")
            .file("sub/f", "")
            .status(0)
            .run();
        assert_eq!(
            std::fs::read_to_string(run.dir.join("f")).unwrap(),
            f,
            "{script}"
        );
    }
}

/// A block's own redirects are opened when it starts, before anything in
/// it runs: like a command's, they clash with each other, with the other
/// stages, and with any redirect inside the block (a block reading `f`
/// reads it as long as it runs). Redirects on blocks nested in a stage
/// count as that stage's.
#[test]
fn same_file_through_block_redirects_is_refused() {
    for script in [
        "{ cat } < f > f",
        "{ cat } 0< f &> f",
        "sort < f | { sort } > f",
        "{ cat } < f | cat > f",
        "{ cat < f } > f",
        "{ sort > f } < f",
        "for i in 1..2 { cat } < f > f",
        "parallel { cat < f } > f",
        "timeout 5s { cat } < f 1> f",
        "fanout { cat } < f > f",
        "cat < f | { { cat } > f }",
        "{ cat } < f | { echo; { cat } > f }",
        "let t = f\ncat < $t | { let x = 1; { cat } > $t }",
        "{ { cat } < f > f }",
        // A block's own redirects clash as a pipeline's stage too.
        "true | { cat } < f > f",
        "true | { sort > f } < f",
    ] {
        refused(script, "is both read and truncated");
    }
    // One after the other in a block, reading then rewriting is fine.
    for (script, f) in [
        ("{ { sort } < f > g; cat g > f }", "a\nb\n"),
        ("{ sort < f } > g\n{ cat } < g > f", "a\nb\n"),
        ("cat < f | { { cat } > g }", "b\na\n"),
    ] {
        let run = Test::new().script(script).file("f", "b\na\n").run();
        assert_eq!(read(&run, "f"), f, "{script}");
    }
}

/// `script`, run over a file `f`, is refused with `message` before
/// anything starts: `f` is intact, and the statement after it never runs.
fn refused(script: &str, message: &str) {
    let run = Test::new()
        .script(format!("{script}\ntouch after"))
        .file("f", "b\na\n")
        .status(1)
        .stderr_has(message)
        .run();
    assert_eq!(read(&run, "f"), "b\na\n", "{script}");
    assert!(!run.dir.join("after").exists(), "{script}");
}

/// The branches of a `parallel` or `fanout` block run at once, as a
/// pipeline's stages do: one may not truncate a file another reads. With
/// `max 1`, or within one branch, they run one after another. So do the
/// passes of a `parallel for`, which were not counted against each other.
#[test]
fn same_file_across_parallel_branches_is_refused() {
    for script in [
        "parallel { sort < f ; echo x > f }",
        "parallel unordered { { cat > f } <<< x ; { sort } < f }",
        "seq 3 | fanout { cat > f ; wc -l < f }",
        // The passes of a `parallel for` run at once too.
        "parallel for i in 1..2 { sort < f ; echo x > f }",
        "parallel max 2 for i in a b { { sort < f > g$i } ; cat g$i > f }",
    ] {
        refused(
            script,
            "is both read and truncated by these parallel branches",
        );
    }
    for (script, f) in [
        ("parallel max 1 { sort < f > g ; cat < g > f }", "a\nb\n"),
        (
            "parallel { { sort < f > g ; cat < g > f } ; true }",
            "a\nb\n",
        ),
        ("parallel { cat < f ; cat < f > /dev/null }", "b\na\n"),
        (
            "parallel max 1 for i in 1..2 { sort < f > g ; cat g > f }",
            "a\nb\n",
        ),
        ("parallel for i in 1 { sort < f > g ; cat g > f }", "a\nb\n"),
        ("parallel for i in a b { sort < f > g$i }", "b\na\n"),
    ] {
        let run = Test::new().script(script).file("f", "b\na\n").run();
        assert_eq!(read(&run, "f"), f, "{script}");
    }
}

/// A command's redirects apply left to right as in bash, several of one
/// fd too: each `>` target is created (truncated), and the last one of
/// each fd is what the command gets; `2>&1` copies fd 1 as it is at that
/// point (`2>> f 2>&1` leaves `f` as it was).
#[test]
fn several_redirects_of_one_fd_apply_left_to_right() {
    let both = "sh -c 'echo out; echo err >&2'";
    let run = Test::new()
        .script(format!(
            "{both} > o1 2>&1\n\
             {both} > a1 > b1\n\
             {both} 2> a2 2> b2\n\
             {both} &> a3 > b3\n\
             {both} > a4 &> b4\n\
             {both} > a5 2>&1 > b5\n\
             {both} 1> a6 2>&1 1>&2\n\
             {both} >&2 2> e7\n\
             {both} 2>> o8 2>&1\n\
             cat < i1 < i2\n\
             cat < i1 <<< here\n\
             cat <<< first <<< second\n\
             cat <<< text < i1\n\
             echo to-err >&2 2>&1"
        ))
        .file("a1", "old\n")
        .file("o8", "o8\n")
        .file("i1", "i1\n")
        .file("i2", "i2\n")
        .stdout("out\nout\nerr\ni2\nhere\nsecond\ni1\n")
        .run();
    assert_eq!(run.stderr(), "err\nout\nto-err\n");
    for (name, contents) in [
        ("o1", "out\nerr\n"),
        ("a1", ""),
        ("b1", "out\n"),
        ("a2", ""),
        ("b2", "err\n"),
        ("a3", "err\n"),
        ("b3", "out\n"),
        ("a4", ""),
        ("b4", "out\nerr\n"),
        ("a5", "err\n"),
        ("b5", "out\n"),
        ("a6", "out\nerr\n"),
        ("e7", "err\n"),
        ("o8", "o8\n"),
    ] {
        assert_eq!(read(&run, name), contents, "{name}");
    }
}

/// `<<< WORD` gives the command WORD's bytes and a newline, as in bash:
/// raw bytes as they are, an empty word as one empty line, a word that
/// ends in a newline with a second one, lines of a quoted word kept.
#[test]
fn here_string_is_its_bytes_and_a_newline() {
    Test::new()
        .script(
            "cat <<< \"\\xff\\xfe\"\ncat <<< ''\ncat <<< \"a\\n\"\ncat <<< 'x\ny'\n\
             let v = \"p  *\"\ncat <<< $v\ncat <<< a\\ b\ncat <<< \"$(printf 'z\\n\\n')\" | od -An -c",
        )
        .stdout(b"\xff\xfe\n\na\n\nx\ny\np  *\na b\n   z  \\n\n")
        .run();
}
