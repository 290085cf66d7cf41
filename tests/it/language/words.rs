//! Words: quoting, escapes, raw bytes, variables, defaults, `$(...)`,
//! `~`, globs and ranges, as the commands they reach see them.

use super::{fails, ok};
use crate::harness::Test;

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

/// A secret that is not UTF-8 stays hidden in a name whose bytes before
/// or after it make a character with its first or last bytes: `\xc3`
/// then `\xa9abcdefgh` is `éabcdefgh`, which showed all but the first
/// byte of the secret.
#[test]
fn a_secret_that_is_not_utf8_is_hidden_where_a_name_joins_its_bytes_to_a_character() {
    let run = Test::new()
        .script(
            "secret s = \"\\xa9abcdefgh\"\n\
             secret t = \"ijklmnop\\xe2\\x82\"\n\
             \"\\xc3$s\" || true\n\
             cat < \"/no/$t\\xac\" || true\n\
             cat < \"/no/\\xc3$s$t\\x82\"",
        )
        .status(1)
        .run();
    let stderr = run.stderr();
    for shown in [
        "command not found: `é***`",
        "cannot open `/no/***€`",
        "cannot open `/no/é******₂`",
    ] {
        assert!(stderr.contains(shown), "stderr lacks {shown:?}:\n{stderr}");
    }
    assert!(!stderr.contains("abcdefgh"), "{stderr}");
    assert!(!stderr.contains("ijklmnop"), "{stderr}");
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
