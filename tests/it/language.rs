//! The language as users see it: one script, its output and status.

use crate::harness::Test;

/// The script succeeds and prints exactly `stdout`.
fn ok(script: &str, stdout: &str) {
    Test::new().script(script).stdout(stdout).status(0).run();
}

/// The script ends with `status` and a diagnostic holding `message`.
fn fails(script: &str, status: i32, message: &str) {
    Test::new()
        .script(script)
        .status(status)
        .stderr_has(message)
        .run();
}

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

#[test]
fn commands_and_words() {
    ok("echo hello world", "hello world\n");
    ok("echo 'single $x \\n'", "single $x \\n\n");
    ok("echo \"tab\\there\"", "tab\there\n");
    ok("echo a\"b\"'c'd", "abcd\n");
    ok("printf '%s|' \"\\x41\\u{263A}\"", "A\u{263A}|");
    ok("echo a#b # a comment", "a#b\n");
    ok("echo $( # a comment first\n  echo inner)", "inner\n");
    ok("echo one; echo two", "one\ntwo\n");
    ok(";echo a;; echo b ;\n;\n", "a\nb\n");
    ok("echo \\\n  continued", "continued\n");
    ok("echo '}' \"{\"", "} {\n");
    ok("echo \\`a\\` \"\\`b\\`\" '`c`' \"$\"", "`a` `b` `c` $\n");
    // `{}` is a word, as in bash, for find and xargs.
    ok("echo {} a{}b", "{} a{}b\n");
    ok("printf 'a\\nb\\n' | xargs -I{} echo '<{}>'", "<a>\n<b>\n");
    Test::new()
        .script("find . -name '*.txt' -exec cat {} +; find . -name '*.txt' -exec cat {} \\;")
        .file("f.txt", "found\n")
        .stdout("found\nfound\n")
        .run();
    ok("'echo' for in let", "for in let\n");
}

/// A word is its parts, concatenated, with no space between them: every
/// kind of part, `\ ` a space inside the word.
#[test]
fn a_word_is_its_parts_concatenated() {
    Test::new()
        .script("let x = X\nprintf '[%s]' a'b c'\"d $x\"$x${x}${u:-u}$(echo e)\\ f$1\"$@\"")
        .args(["1", "2"])
        .stdout("[ab cd XXXue f11][2]")
        .run();
}

/// Each escape of a double-quoted string, as the bytes it stands for; a
/// `\` before anything else stays, as in bash.
#[test]
fn double_quote_escapes_decode_to_their_bytes() {
    Test::new()
        .script(
            "let x = X\nprintf '%s' \"[\\\"][\\\\][\\$x][\\n][\\t][\\r][\\x41\\xff][\\u{e9}]\
             [\\u{1F600}][\\`][\\q][\\x4][$x]\"\ncat <<< \"a\\0b\"\n",
        )
        .stdout(
            b"[\"][\\][$x][\n][\t][\r][A\xff][\xc3\xa9][\xf0\x9f\x98\x80][`][\\q][\\x4][X]a\0b\n",
        )
        .run();
}

/// `\xNN` is a raw byte in environment values too: an `export`, a
/// `secret` and a prefix assignment reach the child as those bytes.
#[test]
fn raw_bytes_reach_environment_values() {
    Test::new()
        .script(
            "export E = \"\\xff\\x01z\"\nsecret S = \"\\xe2\\x28\"\n\
             printenv E S\nX=\"a\\xfe\" printenv X\n",
        )
        .stdout(b"\xff\x01z\n\xe2(\na\xfe\n")
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

/// `#` starts a comment only where a word starts, after an operator too;
/// inside a word, quoted or escaped, it is text.
#[test]
fn a_comment_starts_only_at_the_beginning_of_a_word() {
    ok(
        "echo a;# c\necho b|# c\ncat\necho \"#\" \\# '#'x y#z $(echo s#t # u\n) #v w\n\
         X=#x sh -c 'echo $X' # y\necho ${U:-#d} {}#\n{ # c\n  echo in # d\n}",
        "a\nb\n# # #x y#z s#t\n#x\n#d {}#\nin\n",
    );
}

#[test]
fn raw_bytes_reach_arguments() {
    Test::new()
        .script(r#"printf '%s' "\xff\xfe""#)
        .stdout(b"\xff\xfe")
        .run();
}

/// A diagnostic names a file, command or loop item whose bytes are not
/// UTF-8 with `\xNN` for those bytes, so that two such names are told
/// apart (U+FFFD showed `\xff` and `\xfe` alike); a secret so shown is
/// hidden all the same.
#[test]
fn a_diagnostic_names_bytes_that_are_not_utf8_as_escapes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let arg = |bytes: &[u8]| OsStr::from_bytes(bytes).to_owned();
    let run = Test::new()
        .script(
            "cat < $1 || true\n\
             $2 || true\n\
             echo $1* || true\n\
             secret s = $3\n\
             cat < \"x$s\" || true\n\
             for f in $1 { false }",
        )
        .arg(arg(b"a\xff"))
        .arg(arg(b"cmd\xfe"))
        .arg(arg(b"\xe24Uzz"))
        .status(1)
        .run();
    let stderr = run.stderr();
    for shown in [
        "cannot open `a\\xff`: no such file or directory",
        "command not found: `cmd\\xfe`",
        "glob `a\\xff*` matched no file",
        "cannot open `x***`",
        "in the pass where `f` is `a\\xff`",
    ] {
        assert!(stderr.contains(shown), "stderr lacks {shown:?}:\n{stderr}");
    }
    assert!(!stderr.contains("4Uzz"), "{stderr}");
    assert!(!stderr.contains('\u{fffd}'), "{stderr}");
}

#[test]
fn bytes_that_are_not_utf8_pass_through_arguments_and_environment() {
    use std::os::unix::ffi::OsStrExt;
    let test = Test::new()
        .script("printf '%s|' $1 \"$@\" \"x$1\"\nprintenv RAW\nlet v = $RAW\nprintf '%s' $v")
        .arg(std::ffi::OsStr::from_bytes(b"a\xffb"))
        .arg("c");
    let mut command = test.command();
    command.env("RAW", std::ffi::OsStr::from_bytes(b"\xfe\x80"));
    let output = command.stdin(std::process::Stdio::null()).output().unwrap();
    assert_eq!(
        output.stdout,
        b"a\xffb|a\xffb|c|xa\xffb|\xfe\x80\n\xfe\x80",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(crate::harness::status_of(&output), 0);
}

#[test]
fn variables() {
    ok("let x = 'a b  *'\nprintf '[%s]' $x", "[a b  *]");
    ok("let x = 1\n{ let x = 2; echo $x }\necho $x", "2\n1\n");
    ok(
        "echo ${UNSET_IN_TEST:-fallback} ${HOME:-x}",
        format!("fallback {}\n", std::env::var("HOME").unwrap()).as_str(),
    );
    ok("let e = ''\necho \"[${e:-empty}]\"", "[empty]\n");
    ok("export GREETING = hi\nsh -c 'echo $GREETING'", "hi\n");
    ok(
        "GREETING=prefix sh -c 'echo $GREETING'\necho ${GREETING:-gone}",
        "prefix\ngone\n",
    );
    ok(
        "{ export INNER = 1 }\nsh -c 'echo ${INNER:-unset}'",
        "unset\n",
    );
    // `let` on an exported name is a bash assignment: it stays exported,
    // with the new value, in its scope; a loop's variable too.
    ok(
        "export V = one\nlet V = two\nsh -c 'echo $V'\n\
         { let V = three; sh -c 'echo $V' }\nsh -c 'echo $V'\n\
         for V in four { sh -c 'echo $V' }\nlet W = five\nsh -c 'echo ${W:-unset}'",
        "two\nthree\ntwo\nfour\nunset\n",
    );
    Test::new()
        .env("PIPE_TEST_FROM_ENV", "outside")
        .script("let PIPE_TEST_FROM_ENV = inside\nsh -c 'echo $PIPE_TEST_FROM_ENV'")
        .stdout("inside\n")
        .run();
    // A secret stays hidden when `let` gives it a new value.
    Test::new()
        .flag("-x")
        .script("secret S = first\nlet S = second\necho $S")
        .stdout("second\n")
        .stderr_has("echo '***'")
        .run();
    ok(
        "let x = \"$(echo nested $(echo deep))\"\necho $x",
        "nested deep\n",
    );
    ok("echo \"$(printf 'a\\n\\n\\n')\"", "a\n");
    ok("false || echo $?", "1\n");
    ok("sh -c 'exit 3' || echo \"status $?\"", "status 3\n");
}

/// As in bash, a `$(...)` sets `$?` for what is expanded after it in the
/// same command: its status, 0 (one that fails fails the command). The
/// words and redirects are expanded before the prefix assignments.
/// `$?` read after a `$(...)` was the status of the statement before.
#[test]
fn a_substitution_sets_the_status_after_it() {
    ok("sh -c 'exit 3' || echo \"$(echo $?) $?\"", "3 0\n");
    ok("false || echo \"$(echo $?)$(echo $?)\" $?", "10 0\n");
    ok("false || echo $? \"$(echo $?)\"", "1 1\n");
    ok("false || let x = \"$(true)$?\"; echo $x", "0\n");
    ok("false || cat <<< \"$(true)$?\"", "0\n");
    ok("false || X=$(true) sh -c \"echo $?\"", "1\n");
    ok("false || X=$? sh -c 'echo $X' \"$(true)\"", "0\n");
    ok(
        "false || X=$(echo $?) Y=$(echo $?) sh -c 'echo $X$Y'",
        "10\n",
    );
}

/// As in bash, a `$(...)` in a block's redirects or a `for` list sets `$?`
/// for the block's body, to its status, 0; a list without one keeps the
/// `$?` of before.
#[test]
fn a_substitution_of_a_block_header_sets_the_status_in_the_block() {
    ok(
        "false || for i in a$(true) b { echo $i $? }\n\
         false || for i in 1..$(echo 1) { echo $? }\n\
         false || for i in a \"$?\" { echo $i $? }",
        "a 0\nb 0\n0\na 1\n1 0\n",
    );
    ok(
        "false || { echo $? } > \"$(echo o)\"; cat o\n\
         false || for i in a { echo $? } > o$(true); cat o\n\
         false || { echo $? } > \"$(echo o)\" | cat; cat o\n\
         false || { echo $? } > o | cat; cat o",
        "0\n0\n0\n1\n",
    );
}

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

/// Inside double quotes, a `${x:-default}`'s default is double-quoted
/// text, as in bash: its escapes are decoded, a `'` is a quote character
/// and `~` and `*` are text; unquoted, it stays a word of its own.
#[test]
fn a_default_in_double_quotes_is_double_quoted_text() {
    Test::new()
        .script(r#"printf '[%s]' "${u:-\x41\t\u{263a}\"\$}""#)
        .stdout("[A\t\u{263a}\"$]")
        .run();
    ok(
        r#"printf '[%s]' "${u:-'q'}" "${u:-~}" "${u:-*}" "${u:-a"b c"}" "${u:-x${v:-\$y}}""#,
        "['q'][~][*][ab c][x$y]",
    );
    ok(
        r#"printf '[%s]' ${u:-'q'} ${u:-\x41} "${u:-$(echo "s t")}""#,
        "[q][x41][s t]",
    );
}

/// A `$(...)` in the default of a script argument (`${1:-$(pwd)}`) runs
/// when the argument is missing or empty, as for a named variable, in a
/// command's words, a redirect's, a here-string's and a header value's;
/// it was never run, and the default read as empty. Given, it is not run.
#[test]
fn a_default_of_an_argument_runs_its_substitution() {
    ok(
        "echo ${1:-$(echo one)} \"[${2:-$(echo two)}]\"\n\
         echo file > ${1:-$(echo out)}\ncat out\n\
         cat <<< ${1:-$(echo here)}\n\
         timeout ${1:-$(echo 5s)} { echo in-time }\n\
         parallel max ${1:-$(echo 2)} { echo branch }",
        "one [two]\nfile\nhere\nin-time\nbranch\n",
    );
    Test::new()
        .script("echo ${1:-$(touch ran)} ${2:-$(echo two)}")
        .args(["given", ""])
        .stdout("given two\n")
        .run();
    Test::new()
        .script("touch ran\necho ${1:-$(touch no)}\nls")
        .arg("given")
        .stdout("given\nran\nscript.pipe\n")
        .run();
}

/// In a default inside double quotes, `\}` is a `}` that does not close
/// the `${`, as in bash (`"${x:-a\}b}"` is `a}b`); it kept its backslash.
/// Elsewhere in double quotes `\}` stays as written, as in bash.
#[test]
fn an_escaped_brace_in_a_quoted_default_is_a_brace() {
    ok(
        r#"printf '[%s]' "${u:-a\}b}" "${u:-\}}" "a\}b" ${u:-\}}"#,
        "[a}b][}][a\\}b][}]",
    );
}

/// A `{` in an unquoted default is text, as in bash: the first `}` closes
/// the `${` (`${x:-{}` is `{`). It was a parse error, "found `{`". `pipe
/// fmt` keeps it as written.
#[test]
fn a_brace_in_an_unquoted_default_is_text() {
    ok(
        "printf '[%s]' ${u:-{} ${u:-a{b} ${u:-{a,b} \"${u:-{}\"",
        "[{][a{b][{a,b][{]",
    );
    Test::new()
        .file("s.pipe", "echo ${u:-a{b}\n")
        .args(["fmt", "--check", "s.pipe"])
        .run();
}

/// A word after `let`, `export` or `secret` that is no name is named as
/// such, with the name to write: it was "`let my` has no value" for
/// `let my-var = 1`, or "expected a name, found a word" with no help.
#[test]
fn an_assignment_to_no_name_says_so() {
    for (script, help) in [
        ("let my-var = 1", "my_var = VALUE`"),
        ("true && export 2x = a", "_2x = VALUE`"),
        (
            "secret $token = x",
            "written without its `$`: `secret token = VALUE`",
        ),
        ("{ let 'x' = 1 }", "a name is not quoted: `let x = VALUE`"),
    ] {
        Test::new()
            .script(script)
            .status(2)
            .stderr_has("pipe::parse::invalid_name")
            .stderr_has("is not a variable name")
            .stderr_has(help)
            .run();
    }
    fails("let x+=1", 2, "pipe has no `+=`");
    fails("let x", 2, "`let x` has no value");
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

/// As in bash, a `~` is the home directory only when its prefix, up to an
/// unquoted `/` or the word's end, is written out unquoted: one before a
/// quote, an escape or an expansion stays as written, in an argument, a
/// glob, an assignment and a redirect's target.
#[test]
fn a_tilde_before_a_quote_or_an_expansion_stays_as_written() {
    Test::new()
        .env("HOME", "/h")
        .script(
            "let x = /q\n\
             echo ~\"\" ~\"/x\" ~'b' ~\\/a ~$x ~/\"x\" ~/$x\n\
             let y = ~\"/b\":~$x\necho $y\n\
             echo a > ~\"\"\ncat '~'",
        )
        .stdout("~ ~/x ~b ~/a ~/q /h/x /h//q\n~/b:~/q\na\n")
        .run();
}

/// As bash does for an argument that reads as an assignment (`make
/// PREFIX=~/.local`), a `~` right after its `=`, or after a `:` in its
/// value, is the home directory; not when the name is no name or is
/// quoted, nor where a `~` would not be one in an assignment either.
#[test]
fn a_tilde_in_an_argument_that_reads_as_an_assignment_is_home() {
    Test::new()
        .env("HOME", "/h")
        .script(
            "echo PREFIX=~/.local a=~ a=x:~/b a+=~:~\n\
             echo -a=~/b 9a=~/b \"a\"=~/b a\\=~/b a=\\~/b a=~x a=~\"/b\" a=x~ a=b=~/c",
        )
        .stdout("PREFIX=/h/.local a=/h a=x:/h/b a+=/h:/h\n-a=~/b 9a=~/b a=~/b a=~/b a=~/b a=~x a=~/b a=x~ a=b=~/c\n")
        .run();
    // In a `for` list and a redirect's target too, not in a here-string.
    let run = Test::new()
        .env("HOME", "h")
        .script("for x in a=~/b { echo $x }\ncat <<< a=~/b\nmkdir a=h\necho hi > a=~/f")
        .stdout("a=h/b\na=~/b\n")
        .run();
    assert_eq!(
        std::fs::read_to_string(run.dir.join("a=h/f")).unwrap(),
        "hi\n"
    );
    // The home directory is text, never a glob.
    Test::new()
        .env("HOME", "/h*")
        .script("echo X=~/a")
        .stdout("X=/h*/a\n")
        .run();
}

#[test]
fn tilde_is_home_at_the_start_of_a_word() {
    Test::new()
        .env("HOME", "/home/someone")
        .script("echo ~ ~/x a~ '~' \"~\" ~user\nlet d = ~/dir\necho $d")
        .stdout("/home/someone /home/someone/x a~ ~ ~ ~user\n/home/someone/dir\n")
        .run();
    // With HOME unset, as in bash, `~` is the user's home from the
    // password database.
    let test = Test::new();
    let mut command = test.command();
    command.env_remove("HOME").args(["-c", "echo ~/x"]);
    let output = command.output().unwrap();
    let expected = std::process::Command::new("sh")
        .args(["-c", "getent passwd $(id -u) | cut -d: -f6"])
        .output()
        .unwrap();
    let home = String::from_utf8_lossy(&expected.stdout).trim().to_owned();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{home}/x\n")
    );
    // In an assignment's value, as in bash, a `~` after a `:` too.
    Test::new()
        .env("HOME", "/h")
        .script("let p = /bin:~/bin:~\necho $p\nX=a:~/x printenv X\necho a:~/x \"b:~/y\"")
        .stdout("/bin:/h/bin:/h\na:/h/x\na:~/x b:~/y\n")
        .run();
    // One that a `:` ends at the value's start too (bash's `PATH=~:~/bin`),
    // but not in an argument, nor a quoted one.
    Test::new()
        .env("HOME", "/h")
        .script("let p = ~:~/bin\necho $p\nX=~:a printenv X\necho ~:a\nlet q = \"~\":~\necho $q")
        .stdout("/h:/h/bin\n/h:a\n~:a\n~:/h\n")
        .run();
    // A glob after `~/` looks in the home directory, whatever its name
    // holds (here a `[`, matched as it is).
    let test = Test::new()
        .file("ho[me/b.txt", "")
        .file("ho[me/a.txt", "")
        .script("echo ~/*.txt\nfor f in ~/?.txt { echo $f }");
    let home = test.path().join("ho[me").to_str().unwrap().to_owned();
    test.env("HOME", &home)
        .stdout(format!(
            "{home}/a.txt {home}/b.txt\n{home}/a.txt\n{home}/b.txt\n"
        ))
        .run();
}

#[test]
fn undefined_variable_is_an_error() {
    fails("echo $nope", 1, "undefined variable `nope`");
    fails("let name = x\necho $nam", 1, "did you mean `$name`?");
    // bash sets these itself, unexported: a ported script is told what
    // to run instead, not to define them (nor "did you mean `$PWD`?").
    fails(
        "tar -czf \"backup-$RANDOM.tgz\" .",
        1,
        "`$RANDOM` is bash's own variable",
    );
    fails("test $UID = 0", 1, "ask for the user's id: `$(id -u)`");
    Test::new()
        .file("s.pipe", "echo $PIPESTATUS\n")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("`$PIPESTATUS` is bash's own variable")
        .run();
}

#[test]
fn script_arguments() {
    Test::new()
        .script("printf '[%s]' \"$0\" $1 $#\nprintf '<%s>' $@")
        .args(["a b", "c"])
        .stdout("[script.pipe][a b][2]<a b><c>")
        .run();
    Test::new()
        .script("printf '<%s>' x$@y")
        .args(["1", "2"])
        .stdout("<x1><2y>")
        .run();
    Test::new()
        .script("printf '<%s>' $@ end")
        .stdout("<end>")
        .run();
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

/// An unquoted glob in a command's words is its sorted matches, as in
/// bash (`cat *.txt`); quoted or escaped text, and values, are never
/// globbed; a word that is no valid pattern (`[` of `[ -f x ]`) is its
/// text; a glob matching nothing is an error, as with `failglob`.
#[test]
fn globs_in_command_words_expand_as_in_bash() {
    Test::new()
        .script(
            "echo *.txt\n\
             cat [ab].txt sub/*\n\
             let pattern = \"*.txt\"\n\
             echo \"*.txt\" \\*.txt $pattern\n\
             [ -f a.txt ] && echo a[b\n\
             A=*.txt printenv A\n\
             echo out > *.out\n\
             cat '*.out'\n",
        )
        .file("a.txt", "A\n")
        .file("b.txt", "B\n")
        .file("c d.txt", "")
        .file(".hidden.txt", "")
        .file("sub/z", "Z\n")
        .stdout("a.txt b.txt c d.txt\nA\nB\nZ\n*.txt *.txt *.txt\na[b\n*.txt\nout\n")
        .run();
    Test::new()
        .script("echo start\nwc -l *.nothing\necho after")
        .status(1)
        .stdout("start\n")
        .stderr_has("pipe::run::no_match")
        .stderr_has("glob `*.nothing` matched no file")
        .run();
    // A failure like any other: the left side of `||` is a condition.
    Test::new()
        .script("cat *.log || echo \"no logs $?\"\necho after")
        .stdout("no logs 1\nafter\n")
        .run();
}

/// As in bash, a `[` that no `]` closes in its path component is an
/// ordinary character of a glob that has other wildcards (`*a[b`, `[*`,
/// `*/[`), and a bracket cannot span a `/` (`[a/b]*` is the directory
/// `[a`, then `b]*`): they glob, where they were taken as text, or as an
/// invalid glob; with no other wildcard (`a[b`) the word is its text.
#[test]
fn an_unclosed_bracket_in_a_glob_is_a_character() {
    Test::new()
        .script("echo *a[b\necho [*\necho */[\necho [a/b]*\necho a[b\n")
        .file("a[b", "")
        .file("xa[b", "")
        .file("[a/b]x", "")
        .file("d/[", "")
        .stdout("a[b xa[b\n[a\nd/[\n[a/b]x\na[b\n")
        .run();
    Test::new()
        .script("echo *[\n")
        .status(1)
        .stderr_has("glob `*[` matched no file")
        .run();
}

/// As bash finds a glob, a `[` with a `]` after it makes one even when
/// the bracket does not close (`[]`, `[a/b]`): it matches the name
/// written, and nothing is an error, as with `failglob`. They were text.
#[test]
fn an_unclosed_bracket_with_a_later_close_is_a_glob() {
    Test::new()
        .script("echo [] [a/b]\necho [!]\n")
        .file("[]", "")
        .file("[a/b]", "")
        .stdout("[] [a/b]\n")
        .status(1)
        .stderr_has("glob `[!]` matched no file")
        .run();
}

/// Brackets are read as bash reads them: a class only inside one
/// (`[:alpha:]` alone is one of `:alph`, and `[[:alpha:]` a `[`, then
/// one of those), bash's other classes too, and a quoted or escaped
/// character as a member (`[a"*"]` is `a` or `*`), which neither negates
/// (`[\!a]`) nor closes (`[a"]"` is no glob). Classes were replaced
/// before brackets were read (`[a-zA-Z`, text), `[[:punct:]]` matched
/// nothing, and a quoted character broke the bracket or negated it.
#[test]
fn brackets_are_read_as_bash_reads_them() {
    let mut test = Test::new().script(
        "echo [[:alpha:]\n\
         echo [:alpha:]\n\
         echo [a\"*\"]\n\
         echo [\\]a]\n\
         echo [\\!a]\n\
         echo [a\"]\"\n\
         echo x[[:punct:]] x[[:digit:]]\n\
         for f in [!\"!\"[:alpha:]] { echo $f }\n",
    );
    for name in ["a", "b", ":", "[a", "*", "]", "!", "x1", "x."] {
        test = test.file(name, "");
    }
    test.stdout("[a\n: a\n* a\n] a\n! a\n[a]\nx. x1\n*\n:\n]\n")
        .run();
}

/// `$@` in a glob spreads as bash's `"$@"` does before the globbing: the
/// text before it globs with the first argument, the text after with the
/// last, and the arguments between are as written. The arguments were
/// joined with spaces into one pattern (`$@*` with `a b` matched `a b`,
/// not `a`, then the glob `b*`).
#[test]
fn args_in_a_glob_spread_before_it_globs() {
    Test::new()
        .script("printf '[%s]\\n' *$@*\nfor f in [ax]$@ { echo $f }\n")
        .args(["b", "*", "y"])
        .file("a b", "")
        .file("ab", "")
        .file("y1", "")
        .stdout("[a b]\n[ab]\n[*]\n[y1]\nab\n*\ny\n")
        .run();
}

/// The `/`s written between names are kept in the matches, as bash
/// keeps them (`$d/*` with `d` holding `d/` is `d//x.txt`), up to the
/// first wildcard, after which bash joins with one. They were always one.
#[test]
fn slashes_written_in_a_glob_are_kept_as_bash_keeps_them() {
    Test::new()
        .script("let d = \"d/\"\necho $d/* d//e/*\necho *//*.txt\n")
        .file("d/x.txt", "")
        .file("d/e/y.txt", "")
        .stdout("d//e d//x.txt d//e/y.txt\nd/x.txt\n")
        .run();
}

/// A hidden name is matched by a pattern that starts with `.`, as in
/// bash, and `.` and `..` never are (bash 5.2's globskipdots); a
/// directory that holds a name that is not UTF-8 globs without a panic.
#[test]
fn globs_match_hidden_names_only_by_a_leading_dot() {
    Test::new()
        .script("echo .*\necho .h* sub/.*\necho *\nfor f in ./.c* { echo $f }")
        .file(".hidden", "")
        .file(".config/x", "")
        .file("sub/.e", "")
        .file("shown", "")
        .stdout(".config .hidden\n.hidden sub/.e\nscript.pipe shown sub\n./.config\n")
        .run();
    let test = Test::new().script("echo *.txt\nprintf '%s\\n' b*");
    std::fs::write(
        test.path()
            .join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"bad\xff")),
        "",
    )
    .unwrap();
    test.file("good.txt", "")
        .stdout(b"good.txt\nbad\xff\n")
        .run();
}

/// A `\` before a character makes it literal, as in bash: an escaped
/// `*` is no glob and an escaped `~` no home directory.
#[test]
fn escaped_glob_and_tilde_characters_are_literal() {
    Test::new()
        .script("for f in \\*.txt t\\?p.txt { echo \"[$f]\" }\necho \\~ \\~/x")
        .file("top.txt", "")
        .stdout("[*.txt]\n[t?p.txt]\n~ ~/x\n")
        .run();
}

/// `**` alone in a path component is recursive, as with bash's
/// `globstar`; inside one (`a**`) it is a `*`, as in bash.
#[test]
fn double_star_globs() {
    Test::new()
        .script("for f in a** t**.txt **/*.txt { echo $f }")
        .file("top.txt", "")
        .file("a/one.txt", "")
        .file("a/b/two.txt", "")
        .stdout("a\ntop.txt\na/b/two.txt\na/one.txt\ntop.txt\n")
        .run();
    // Last in a pattern, `**` is the files below too, as in bash, and the
    // directory before it is written as bash writes it: with its `/` when
    // its name is written out, without when a wildcard found it.
    Test::new()
        .script("echo a/**\necho **\necho ./a/**/\necho */**")
        .file("a/one.txt", "")
        .file("a/b/two.txt", "")
        .stdout(
            "a/ a/b a/b/two.txt a/one.txt\na a/b a/b/two.txt a/one.txt script.pipe\n\
             ./a/ ./a/b/\na a/b a/b/two.txt a/one.txt\n",
        )
        .run();
    // A glob that matches nothing is named as it expanded.
    fails(
        "let d = \"[x] y\"\nfor f in $d/*.txt { echo $f }",
        1,
        "glob `[x] y/*.txt` matched no file",
    );
    // bash's character classes.
    Test::new()
        .script("for f in [[:digit:]]* [[:upper:]][[:lower:]] { echo $f }")
        .file("1x", "")
        .file("Ab", "")
        .file("ab", "")
        .stdout("1x\nAb\n")
        .run();
    // bash's `[^...]` negates, as `[!...]` does.
    Test::new()
        .script("for f in [^a]1 [!a]1 { echo $f }")
        .file("a1", "")
        .file("b1", "")
        .stdout("b1\nb1\n")
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

/// bash's brace expansion is named, wherever the parse stopped: in a
/// `for` list (where `{1..3}` would otherwise be read as the loop's body),
/// or in a command's words.
#[test]
fn bash_brace_expansion_is_named() {
    for script in [
        "for i in {1..3} { echo $i }",
        "for i in {1..3}; do echo $i; done",
        "echo {a,b}",
        "cp f{,.bak}",
        "parallel for i in {1..3}; do",
    ] {
        fails(script, 2, "pipe has no brace expansion");
    }
    ok("for i in a {}\nfind . -name x -exec echo {} +", "");
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

/// `\`-newline is removed, as in bash: inside a word it joins the parts
/// around it; next to a space it only continues the line.
#[test]
fn a_backslash_that_ends_the_script_is_itself() {
    // No line follows to join: `bash -c 'echo a \'` prints `a \`.
    for (script, stdout) in [
        ("echo a \\", "a \\\n"),
        ("echo a\\", "a\\\n"),
        ("echo a\\\\\\", "a\\\\\n"),
        ("echo 'a'\\", "a\\\n"),
    ] {
        Test::new().script(script).stdout(stdout).run();
        Test::new().args(["-c", script]).stdout(stdout).run();
    }
    // `pipe fmt` keeps its meaning: the newline it ends with would join.
    Test::new()
        .args(["fmt", "-"])
        .stdin("echo a \\")
        .stdout("echo a \\\\\n")
        .run();
}

#[test]
fn backslash_newline_joins_a_word() {
    ok("echo a\\\nb", "ab\n");
    ok("echo a \\\n b", "a b\n");
    ok("echo a\\\n b", "a b\n");
    ok("echo \"a\"\\\n'b'c", "abc\n");
    ok("echo a\\\n#b", "a#b\n");
    ok("echo a \\\n# comment\necho b", "a\nb\n");
    ok("# comment \\\necho after", "after\n");
    ok("echo x 2>&1\\\n | cat", "x\n");
}

/// A `\r` alone is part of the word it is in, as in bash, which breaks
/// lines at `\n` only; a `\r\n` is a line break, as `\n` is.
#[test]
fn a_carriage_return_alone_is_part_of_a_word() {
    for (script, stdout) in [
        ("echo a\rb", "a\rb\n"),
        ("printf '[%s]' a \r b", "[a][\r][b]"),
        ("let x = a\rb\nprintf '[%s]' $x", "[a\rb]"),
        ("printf '[%s]' a\\\rb \"a\\\rb\"", "[a\rb][a\\\rb]"),
        ("# no\recho comment\necho after", "after\n"),
        ("for i in 1..2\r { echo $i }", "1..2\r\n"),
        ("echo a\r; echo b", "a\r\nb\n"),
        ("echo a\r\necho b\r\n", "a\nb\n"),
        (
            "echo a |\r\n  cat && \\\r\n echo \"b\\\r\nc\"\r\n",
            "a\nbc\n",
        ),
    ] {
        Test::new().script(script).stdout(stdout).run();
    }
    // A script whose lines end in `\r` alone is one line, as for bash:
    // the diagnostic says why its command is not found.
    Test::new()
        .script("true\rfalse\r")
        .status(127)
        .stderr_has("command not found: `true")
        .stderr_has("the name holds a carriage return (`\\r`), which ends no line")
        .run();
}

/// `pipe fmt` keeps a word that ends in a `\r`, raw or escaped, at the
/// end of a line: written right before the newline, the `\r` made a
/// `\r\n` line break, so fmt refused the script as a change of meaning
/// (`echo a\r`, then a space, then a newline). A space now stands
/// between them, and the formatted script prints the same bytes.
#[test]
fn fmt_keeps_a_carriage_return_that_ends_a_line() {
    for (script, formatted, stdout) in [
        ("echo a\r \necho b\n", "echo a\r \necho b\n", "a\r\nb\n"),
        ("echo a\\\r", "echo a\\\r \n", "a\r\n"),
        (
            "for i in 1 {\n  echo a\r ; echo b\n}\n",
            "for i in 1 {\n  echo a\r \n  echo b\n}\n",
            "a\r\nb\n",
        ),
    ] {
        Test::new()
            .args(["fmt", "-"])
            .stdin(script)
            .stdout(formatted)
            .run();
        Test::new().script(script).stdout(stdout).run();
        Test::new().script(formatted).stdout(stdout).run();
    }
    // So a comment that ends the script in a `\r`: it was called a change
    // of comments.
    Test::new()
        .args(["fmt", "-"])
        .stdin("echo a # c\r")
        .stdout("echo a # c\r \n")
        .run();
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

/// The files of a run's directory, by name.
fn read(run: &crate::harness::Run, name: &str) -> String {
    std::fs::read_to_string(run.dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
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
        let run = Test::new()
            .script(format!("{script}\ntouch after"))
            .file("f", "b\na\n")
            .status(1)
            .stderr_has("is both read and truncated")
            .run();
        assert_eq!(read(&run, "f"), "b\na\n", "{script}");
        assert!(!run.dir.join("after").exists(), "{script}");
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
        let run = Test::new()
            .script(format!("{script}\ntouch after"))
            .file("f", "b\na\n")
            .status(1)
            .stderr_has("is both read and truncated by these parallel branches")
            .run();
        assert_eq!(read(&run, "f"), "b\na\n", "{script}");
        assert!(!run.dir.join("after").exists(), "{script}");
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

#[test]
fn nul_in_argument_is_an_error() {
    fails("echo \"a\\0b\"", 1, "an argument contains a NUL byte");
    // Environment values may hold any byte but NUL too; a variable that
    // reaches no environment may hold one, here for a here-string.
    for script in [
        "export E = \"a\\0b\"",
        "secret S = \"\\x00\"",
        "E=\"\\0\" true",
    ] {
        Test::new()
            .script(format!("{script}\necho unreached"))
            .status(1)
            .stdout("")
            .stderr_has("an environment value contains a NUL byte")
            .run();
    }
    ok("let v = \"a\\0b\"\ncat <<< $v", "a\0b\n");
}

/// A NUL byte that came from a value, a command's output, gets a help
/// for the likeliest cause, names printed NUL-separated (`find -print0`)
/// looped over with `for`; one written out does not.
#[test]
fn a_nul_byte_from_a_command_s_output_says_how_to_take_such_a_list() {
    let help = "`find . -print0 | xargs -0 CMD`";
    let run = Test::new()
        .file("a b", "")
        .script("for f in $(find . -name 'a*' -print0) { echo $f }")
        .status(1)
        .stderr_has("an argument contains a NUL byte")
        .run();
    assert!(
        run.stderr().replace("\n        ", " ").contains(help),
        "{}",
        run.stderr()
    );
    let run = Test::new().script("echo \"a\\0b\"").status(1).run();
    assert!(!run.stderr().contains("print0"), "{}", run.stderr());
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

/// A `for` variable that is exported goes into children's environment,
/// which cannot hold a NUL byte: it is the NUL error at the list's word,
/// not a child that cannot start. A plain one may hold it, as `let`'s may.
#[test]
fn nul_in_an_exported_loop_variable_is_an_error() {
    fails(
        "export E = 1\nfor E in \"a\\0b\" { printenv E }",
        1,
        "an environment value contains a NUL byte",
    );
    fails(
        "export E = 1\nparallel for E in \"a\\x00\" { printenv E }",
        1,
        "an environment value contains a NUL byte",
    );
    ok("for v in \"a\\0b\" { echo ok }", "ok\n");
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

#[test]
fn an_undefined_variable_in_a_condition_ends_the_script() {
    // A mistake in the script, not a condition that failed: as bash's
    // `set -u`, nothing after it runs, on the left of `||` either.
    for script in [
        "echo $nope || echo caught\necho reached",
        "{ echo $nope } || echo caught\necho reached",
        "echo $nope | cat && echo ran || echo caught\necho reached",
    ] {
        Test::new()
            .script(script)
            .status(1)
            .stdout("")
            .stderr_has("pipe::run::undefined_variable")
            .run();
    }
    // A default is no mistake, and a failed command still is a condition.
    Test::new()
        .script("echo ${nope:-x} || echo no\ncatt 2> /dev/null || echo caught $?")
        .stdout("x\ncaught 127\n")
        .run();
}

/// An expanded value is exactly one argument, whatever it holds: an empty
/// one too (bash drops it), a `$(...)`'s spaces and newlines, glob
/// characters where files match (bash splits and globs all of these).
/// Only `$@`, `for` lists and globs written in the script make several.
#[test]
fn expanded_values_are_never_split_or_globbed() {
    let run = |script: &str, stdout: &str| {
        Test::new()
            .file("a1", "")
            .file("a2", "")
            .file("a*/m", "")
            .script(script)
            .stdout(stdout)
            .run();
    };
    run("let e = ''\nprintf '[%s]' $e x ${e}", "[][x][]");
    run("printf '[%s]' $(echo a b) $(printf 'a\\nb')", "[a b][a\nb]");
    run(
        "let x = 'a*'\nprintf '[%s]' $x ${x} ${nope:-$x} $x$x",
        "[a*][a*][a*][a*a*]",
    );
    run("printf '[%s]' a*", "[a*][a1][a2]");
    run("let x = 'a*'\nfor f in $x { echo $f }", "a*\n");
    run("let x = 'a*'\ncd $x\nls", "m\n");
    run("let x = 'o b'\necho hi > $x\ncat 'o b'", "hi\n");
    run("let x = 'a b'\nsh -c 'echo $#' sh $x $@ \"$x\"", "2\n");
}

/// `$name` is the script's variable where there is one (in its scope),
/// else the environment's.
#[test]
fn script_variables_come_before_the_environment() {
    Test::new()
        .env("PIPE_T", "outside")
        .script(
            "echo $PIPE_T\nlet PIPE_T = inside\necho $PIPE_T\n\
             { let PIPE_T = block; echo $PIPE_T }\necho $PIPE_T ${PIPE_T:-x}\n\
             { let HOME = elsewhere }\necho $HOME",
        )
        .env("HOME", "/home/t")
        .stdout("outside\ninside\nblock\ninside inside\n/home/t\n")
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

/// Runs `script` with the test's directory as `$1`, from `/`, as nobody
/// when run as root (root may go anywhere), while its `locked` directory
/// may not be searched (mode 600); then gives the directory its mode back.
fn run_past_a_locked_directory(test: &Test, script: &str) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let dir = test.path().to_path_buf();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut command = std::process::Command::new(crate::harness::PIPE);
    command
        .args(["-c", script])
        .arg(&dir)
        .current_dir("/")
        .env("NO_COLOR", "1");
    crate::harness::as_nobody(&mut command);
    let output = command.output().unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    output
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

/// A `for` list word that is only `$(...)` is its output's lines: the
/// trailing newline ends the last one, empty lines are skipped, spaces
/// stay in their line, quoted or not, and a `\r` before a newline is
/// part of its line, as bash (whose IFS has no `\r`) keeps it.
#[test]
fn a_substitution_in_a_for_list_is_split_into_lines() {
    ok(
        "for x in $(printf '\\na b \\n\\n\\nc\\n\\n') { printf '[%s]' $x }\n\
         for x in \"$(printf ' d\\ne ')\" { printf '[%s]' $x }\n\
         for x in $(printf 'f') { printf '[%s]' $x }\n\
         for x in $(printf 'g\\r\\nh\\r\\n') { printf '[%s]' $x | od -An -c | tr -s ' ' }",
        "[a b ][c][ d][e ][f] [ g \\r ]\n [ h \\r ]\n",
    );
}

/// A range bound's default may hold a `$(...)` (`1..${n:-$(nproc)}`, as
/// `pipe graph` and `pipe check` read it): it runs when the variable is
/// unset or empty, and its failure fails the loop. It was never run, and
/// the bound read as empty: "`` is not an integer".
#[test]
fn a_range_bound_default_runs_its_substitution() {
    ok(
        "for i in 1..${n:-$(echo 3)} { printf $i }\n\
         parallel for i in ${1:-$(echo 2)}..${m:-$(echo 1)} { printf $i }\n\
         let n = 2\nfor i in 1..${n:-$(touch ran; echo 3)} { printf $i }\nls",
        "1232112script.pipe\n",
    );
    let run = Test::new()
        .script("for i in 1..${n:-$(exit 4)} { touch ran }")
        .status(4)
        .stderr_has("`exit 4` in a `$(...)`")
        .run();
    assert!(!run.dir.join("ran").exists());
}

/// A bound written out may have a `+`, as in bash's `{1..+3}` and as a
/// variable's value may (it was no range but the one item `1..+3`); and
/// it pads with zeros as bash does, by its text as written: `-0` is 0 and
/// pads nothing (it padded `00 01 02`), `-00` pads to three, `+01` pads
/// nothing, as a variable holding the same text does.
#[test]
fn range_bounds_are_read_as_bash_reads_them() {
    ok(
        "for i in 1..+3 { printf \"$i \" }\nfor i in +1..03 { printf \"$i \" }\n\
         for i in +01..2 { printf \"$i \" }\nfor i in -0..2 { printf \"$i \" }\n\
         for i in -00..1 { printf \"$i \" }\nlet z = -0\nfor i in $z..1 { printf \"$i \" }\n\
         for i in 1..+ ++1..2 { printf \"$i \" }",
        "1 2 3 01 02 03 1 2 0 1 2 000 001 0 1 1..+ ++1..2 ",
    );
}

/// A range bound may be a `$(...)` (`1..$(nproc)`), as it may be a
/// variable: its output, trailing newlines and spaces aside, is the
/// bound, and its failure fails the loop. It was no range: the one item
/// `1..4`, the loop running once.
#[test]
fn a_range_bound_may_be_a_substitution() {
    ok(
        "for i in 1..$(echo 3) { printf $i }\n\
         parallel for i in $(printf ' 3 \\n')..$(echo 1) { printf $i }\n\
         for i in $(echo 1)..2 4..$(echo 5) { printf $i }\n\
         for x in $(echo 1)..$(echo 2)x { printf \"[$x]\" }\n\
         for x in $(printf 'a\\nb') { printf \"[$x]\" }",
        "1233211245[1..2x][a][b]",
    );
    fails(
        "for i in 1..$(echo many) { true }",
        1,
        "`many` is not an integer",
    );
    let run = Test::new()
        .script("for i in 1..$(exit 3) { touch ran }")
        .status(3)
        .stderr_has("`exit 3` in a `$(...)`")
        .run();
    assert!(!run.dir.join("ran").exists());
    Test::new()
        .file("s.pipe", "for i in 1..$(echo $nope) { true }\n")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has("undefined variable `nope`")
        .run();
}

/// Ranges count from the first bound to the second, both included: up,
/// down, one item when they are equal, across zero and all negative,
/// from a variable too, out to the ends of a 64-bit integer; one of
/// more than 10,000,000 items is refused before the loop runs, written
/// out or from a variable, and a bound past 64 bits is a parse error.
#[test]
fn ranges_at_their_edges() {
    ok(
        "for i in 5..5 { printf \"[$i]\" }\nfor i in -3..-1 { printf \"[$i]\" }\n\
         for i in 1..-1 { printf \"[$i]\" }\nlet n = -2\nfor i in $n..$n { printf \"[$i]\" }\n\
         let z = 0\nfor i in 1..$z { printf \"[$i]\" }\n\
         for i in 9223372036854775806..9223372036854775807 { printf \"[$i]\" }\n\
         for i in -9223372036854775807..-9223372036854775808 { printf \"[$i]\" }",
        "[5][-3][-2][-1][1][0][-1][-2][1][0]\
         [9223372036854775806][9223372036854775807]\
         [-9223372036854775807][-9223372036854775808]",
    );
    for script in [
        "touch ran\nfor i in 1..10000001 { touch no }",
        "touch ran\nlet n = 10000001\nfor i in $n..1 { touch no }",
        "touch ran\nparallel for i in -9223372036854775808..9223372036854775807 { touch no }",
    ] {
        let run = Test::new()
            .script(script)
            .status(1)
            .stderr_has("pipe::run::range_too_long")
            .stderr_has("range too long: ")
            .stderr_has("a range may hold at most 10,000,000 items")
            .run();
        assert!(run.dir.join("ran").exists(), "{script}");
        assert!(!run.dir.join("no").exists(), "{script}");
    }
    Test::new()
        .script("touch ran\nfor i in 1..9223372036854775808 { true }")
        .status(2)
        .stderr_has("pipe::parse::number_out_of_range")
        .run();
    Test::new()
        .script("let n = abc\nfor i in 1..$n { true }")
        .status(1)
        .stderr_has("pipe::run::not_an_integer")
        .stderr_has("a range bound must be a whole number")
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

/// `$file_bak`, written without braces where the script set `file`, is
/// one name, as in bash: the help of it undefined shows the braces, in
/// the run and in `pipe check`; not for a name from the environment
/// (`$HOME_DIR` is more likely a variable not set), nor a braced one.
#[test]
fn an_undefined_name_joining_a_set_one_and_text_shows_the_braces() {
    let help = "write `${file}_bak` for `$file` then `_bak`";
    fails("for file in a.txt { cp $file $file_bak }", 1, help);
    Test::new()
        .file("s.pipe", "let file = a.txt\ncp $file $file_bak\n")
        .args(["check", "s.pipe"])
        .status(1)
        .stderr_has(help)
        .run();
    for script in ["let file = a\necho ${file_bak}", "echo $HOME_DIR"] {
        let run = Test::new().script(script).status(1).run();
        assert!(!run.stderr().contains("write `${"), "{}", run.stderr());
    }
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
