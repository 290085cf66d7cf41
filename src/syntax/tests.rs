//! Data-driven tests of the whole parser: source in, compact dump out.
//!
//! [`check`] compares the dump of a script, folded onto one line (children
//! in parentheses, top-level statements separated by `; `), so that each
//! case fits on one line. [`check_error`] compares an error's code and span.

use std::ops::Range;

use miette::Diagnostic;
use proptest::prelude::*;

use super::{MAX_DEPTH, ParseError, decode, dump, dump_without_spans, parse};

/// The dump of `source` on one line, or its error.
fn compact(source: &str) -> String {
    let script = match parse(source) {
        Ok(script) => script,
        Err(error) => return format!("error: {error}"),
    };
    let dump = dump(&script);
    let lines: Vec<(usize, &str)> = dump
        .lines()
        .skip(1)
        .map(|line| {
            let text = line.trim_start();
            ((line.len() - text.len()) / 2, text)
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        out.push(render(&lines, &mut i));
    }
    out.join("; ")
}

/// Renders the node at `lines[*i]` and its children, advancing `i`.
fn render(lines: &[(usize, &str)], i: &mut usize) -> String {
    let (depth, text) = lines[*i];
    *i += 1;
    let mut children = Vec::new();
    while *i < lines.len() && lines[*i].0 > depth {
        children.push(render(lines, i));
    }
    if children.is_empty() {
        text.to_string()
    } else {
        format!("{text} ({})", children.join(", "))
    }
}

#[track_caller]
fn check(source: &str, expected: &str) {
    assert_eq!(compact(source), expected, "source: {source:?}");
}

#[track_caller]
fn check_error(source: &str, code: &str, span: Range<usize>) {
    let error = match parse(source) {
        Ok(script) => panic!("{source:?} parsed: {}", dump(&script)),
        Err(error) => error,
    };
    let actual = error.code().map(|c| c.to_string()).unwrap_or_default();
    assert_eq!(
        actual,
        format!("pipe::parse::{code}"),
        "source: {source:?}: {error}"
    );
    let actual = error.span().map(|s| s.start..s.end);
    assert_eq!(actual, Some(span), "source: {source:?}: {error}");
}

#[test]
fn words() {
    check("echo hi", r#"cmd 0..7 (word 0..4 "echo", word 5..7 "hi")"#);
    check(
        "  echo   hi  ",
        r#"cmd 2..11 (word 2..6 "echo", word 9..11 "hi")"#,
    );
    check(
        "echo a#b",
        r#"cmd 0..8 (word 0..4 "echo", word 5..8 "a#b")"#,
    );
    check(
        "echo #c",
        "cmd 0..4 (word 0..4 \"echo\"); comment 5..7 \"#c\"",
    );
    check(
        "echo \"a\"#b $x#y",
        "cmd 0..15 (word 0..4 \"echo\", word 5..10 q\"a\"@6..7 \"#b\"@8..10, word 11..15 $x@11..13 \"#y\"@13..15)",
    );
    check(
        r#"echo a\ b \$x \" \{ \#"#,
        "cmd 0..22 (word 0..4 \"echo\", word 5..9 \"a\"@5..6 q\" \"@6..8 \"b\"@8..9, word 10..13 q\"$\"@10..12 \"x\"@12..13, word 14..16 q\"\\\"\", word 17..19 q\"{\", word 20..22 q\"#\")",
    );
    check(
        "echo a=b",
        r#"cmd 0..8 (word 0..4 "echo", word 5..8 "a=b")"#,
    );
    check(
        "echo 'a b'",
        r#"cmd 0..10 (word 0..4 "echo", word 5..10 q"a b")"#,
    );
    check(
        "echo 'multi\nline'",
        r#"cmd 0..17 (word 0..4 "echo", word 5..17 q"multi\nline")"#,
    );
    check(
        r#"echo '' """#,
        r#"cmd 0..10 (word 0..4 "echo", word 5..7 q"", word 8..10 q"")"#,
    );
    check(
        r#"echo "a\"b\\c\$d""#,
        r#"cmd 0..17 (word 0..4 "echo", word 5..17 q"a\"b\\c$d"@6..16)"#,
    );
    check(
        r#"echo "\n\t\r\0""#,
        r#"cmd 0..15 (word 0..4 "echo", word 5..15 q"\n\t\r\u{0}"@6..14)"#,
    );
    check(
        r#"echo "\xff\x41\xZZ""#,
        r#"cmd 0..19 (word 0..4 "echo", word 5..19 q"\xffA\\xZZ"@6..18)"#,
    );
    check(
        r#"echo "\u{e9}\u{1F600}""#,
        r#"cmd 0..22 (word 0..4 "echo", word 5..22 q"é😀"@6..21)"#,
    );
    check(
        r#"echo "\q\u{zz}""#,
        r#"cmd 0..15 (word 0..4 "echo", word 5..15 q"\\q\\u{zz}"@6..14)"#,
    );
    check(
        "echo $x $_y1 ${x} ${1} $1 $10 ${10} $? $# $@",
        r#"cmd 0..44 (word 0..4 "echo", word 5..7 $x, word 8..12 $_y1, word 13..17 $x, word 18..22 $1, word 23..25 $1, word 26..29 $1@26..28 "0"@28..29, word 30..35 $10, word 36..38 $?, word 39..41 $#, word 42..44 $@)"#,
    );
    check(
        "a ${?} ${#} ${@}",
        r#"cmd 0..16 (word 0..1 "a", word 2..6 $?, word 7..11 $#, word 12..16 $@)"#,
    );
    check(
        r#"echo $ a$ $% "$" "a$""#,
        r#"cmd 0..21 (word 0..4 "echo", word 5..6 "$", word 7..9 "a$", word 10..12 "$%", word 13..16 q"$"@14..15, word 17..21 q"a$"@18..20)"#,
    );
    check(
        r#"echo "$x$@$?$1""#,
        r#"cmd 0..15 (word 0..4 "echo", word 5..15 $x@6..8 $@@8..10 $?@10..12 $1@12..14)"#,
    );
    check(
        "echo ${x:-d} ${x:-}",
        r#"cmd 0..19 (word 0..4 "echo", word 5..12 ${x:-["d"]@10..11}, word 13..19 ${x:-[]@18..18})"#,
    );
    check(
        r#"echo ${x:-"a b" $y 'c' d e|f;g}"#,
        r#"cmd 0..31 (word 0..4 "echo", word 5..31 ${x:-[q"a b"@11..14 " "@15..16 $y@16..18 " "@18..19 q"c"@19..22 " d e|f;g"@22..30]@10..30})"#,
    );
    check(
        "echo ${x:-${y:-z}}",
        r#"cmd 0..18 (word 0..4 "echo", word 5..18 ${x:-[${y:-["z"]@15..16}]@10..17})"#,
    );
    check(
        "echo $(echo a; echo b)",
        r#"cmd 0..22 (word 0..4 "echo", word 5..22 $(#1) (subst 5..22 (cmd 7..13 (word 7..11 "echo", word 12..13 "a"), cmd 15..21 (word 15..19 "echo", word 20..21 "b"))))"#,
    );
    check(
        "echo $( )",
        r#"cmd 0..9 (word 0..4 "echo", word 5..9 $(#1) (subst 5..9))"#,
    );
    check(
        r#"echo "$(echo "a")""#,
        r#"cmd 0..18 (word 0..4 "echo", word 5..18 $(#1)@6..17 (subst 6..17 (cmd 8..16 (word 8..12 "echo", word 13..16 q"a"@14..15))))"#,
    );
    check(
        "echo a$(b)c",
        r#"cmd 0..11 (word 0..4 "echo", word 5..11 "a"@5..6 $(#1)@6..10 "c"@10..11 (subst 6..10 (cmd 8..9 (word 8..9 "b"))))"#,
    );
    check(
        r#"echo $x"y"'z'w"#,
        r#"cmd 0..14 (word 0..4 "echo", word 5..14 $x@5..7 q"yz"@8..13 "w"@13..14)"#,
    );
    check(
        r#"echo 'a'"b"c"#,
        r#"cmd 0..12 (word 0..4 "echo", word 5..12 q"ab"@5..11 "c"@11..12)"#,
    );
}

#[test]
fn redirects() {
    check(
        "cat < in > out >> app 2> err 2>> erra &> all &>> alla",
        r#"cmd 0..53 (word 0..3 "cat", redirect 4..8 < (word 6..8 "in"), redirect 9..14 > (word 11..14 "out"), redirect 15..21 >> (word 18..21 "app"), redirect 22..28 2> (word 25..28 "err"), redirect 29..37 2>> (word 33..37 "erra"), redirect 38..44 &> (word 41..44 "all"), redirect 45..53 &>> (word 49..53 "alla"))"#,
    );
    check(
        "echo hi>out",
        r#"cmd 0..11 (word 0..4 "echo", word 5..7 "hi", redirect 7..11 > (word 8..11 "out"))"#,
    );
    check(
        "echo hi 2>&1 >&2",
        r#"cmd 0..16 (word 0..4 "echo", word 5..7 "hi", redirect 8..12 2>&1, redirect 13..16 >&2)"#,
    );
    check(
        r#"cat <<< "text" <<<word"#,
        r#"cmd 0..22 (word 0..3 "cat", redirect 4..14 <<< (word 8..14 q"text"@9..13), redirect 15..22 <<< (word 18..22 "word"))"#,
    );
    check(
        "echo a2>f",
        r#"cmd 0..9 (word 0..4 "echo", word 5..7 "a2", redirect 7..9 > (word 8..9 "f"))"#,
    );
    check(
        "echo 2 > f",
        r#"cmd 0..10 (word 0..4 "echo", word 5..6 "2", redirect 7..10 > (word 9..10 "f"))"#,
    );
    check(
        "> out echo hi",
        r#"cmd 0..13 (word 6..10 "echo", word 11..13 "hi", redirect 0..5 > (word 2..5 "out"))"#,
    );
    check(
        "echo hi 2>&1 | cat",
        r#"pipeline 0..18 (cmd 0..12 (word 0..4 "echo", word 5..7 "hi", redirect 8..12 2>&1), cmd 15..18 (word 15..18 "cat"))"#,
    );
}

/// A word of digits right before `<` or `>` is the redirect's fd number, as
/// in bash; the tree holds the redirect it means, so `1>` is `>`.
#[test]
fn redirect_fd_numbers() {
    check(
        "echo to-stderr 1>&2",
        r#"cmd 0..19 (word 0..4 "echo", word 5..14 "to-stderr", redirect 15..19 >&2)"#,
    );
    check(
        "cat 0< in 0<<< w",
        r#"cmd 0..16 (word 0..3 "cat", redirect 4..9 < (word 7..9 "in"), redirect 10..16 <<< (word 15..16 "w"))"#,
    );
    check(
        "echo 1> out 1>>app",
        r#"cmd 0..18 (word 0..4 "echo", redirect 5..11 > (word 8..11 "out"), redirect 12..18 >> (word 15..18 "app"))"#,
    );
    check(
        "echo x 2>err 1>&2",
        r#"cmd 0..17 (word 0..4 "echo", word 5..6 "x", redirect 7..12 2> (word 9..12 "err"), redirect 13..17 >&2)"#,
    );
    check(
        "echo 01>f x",
        r#"cmd 0..11 (word 0..4 "echo", word 10..11 "x", redirect 5..9 > (word 8..9 "f"))"#,
    );
    check(
        "echo 2>&01 01>&002",
        r#"cmd 0..18 (word 0..4 "echo", redirect 5..10 2>&1, redirect 11..18 >&2)"#,
    );
    check(
        "1>out echo",
        r#"cmd 0..10 (word 6..10 "echo", redirect 0..5 > (word 2..5 "out"))"#,
    );
    // With a space, or any other character in the word, the digits are an
    // argument, as in bash.
    check(
        "echo 1 >&2",
        r#"cmd 0..10 (word 0..4 "echo", word 5..6 "1", redirect 7..10 >&2)"#,
    );
    check(
        r#"echo "1">f 1\>g 1$x>h"#,
        r#"cmd 0..21 (word 0..4 "echo", word 5..8 q"1"@6..7, word 11..15 "1"@11..12 q">"@12..14 "g"@14..15, word 16..19 "1"@16..17 $x@17..19, redirect 8..10 > (word 9..10 "f"), redirect 19..21 > (word 20..21 "h"))"#,
    );
    check(
        "echo 2&>f",
        r#"cmd 0..9 (word 0..4 "echo", word 5..6 "2", redirect 6..9 &> (word 8..9 "f"))"#,
    );
}

#[test]
fn bash_special_parameters_are_refused() {
    // `|`, `&&` or `||` first on a line after a statement.
    check_error("echo a\n| cat", "leading_operator", 7..8);
    check_error("echo a\n  && echo b", "leading_operator", 9..11);
    check_error("echo a # c\n\n# d\n|| echo b", "leading_operator", 16..18);
    check_error("{\n| cat }", "unexpected", 2..3);
    check_error("echo a |\n| cat", "unexpected", 9..10);
    check_error("echo $$", "unsupported_expansion", 5..7);
    check_error("echo \"pid $$\"", "unsupported_expansion", 10..12);
    check_error("kill $!", "unsupported_expansion", 5..7);
    check_error("echo $*", "unsupported_expansion", 5..7);
    check_error("echo \"$*\"", "unsupported_expansion", 6..8);
    check_error("echo $-", "unsupported_expansion", 5..7);
    // A `$` that starts nothing is still a `$`.
    check(
        "echo a$ '$$' \"$\"",
        r#"cmd 0..16 (word 0..4 "echo", word 5..7 "a$", word 8..12 q"$$", word 13..16 q"$"@14..15)"#,
    );
}

#[test]
fn unsupported_fd_redirects() {
    // Other fds, other directions, other duplications, and closing.
    check_error("echo x 3>f3", "unsupported_redirect", 7..9);
    check_error("echo x 3> f3", "unsupported_redirect", 7..9);
    check_error("cat 2< f", "unsupported_redirect", 4..6);
    check_error("cat 1< f", "unsupported_redirect", 4..6);
    check_error("echo 0> f", "unsupported_redirect", 5..7);
    check_error("echo 0>> f", "unsupported_redirect", 5..8);
    check_error("echo 12>>f", "unsupported_redirect", 5..9);
    check_error("cat 1<<< w", "unsupported_redirect", 4..8);
    check_error("echo 1>&3", "unsupported_redirect", 5..9);
    check_error("echo >&3", "unsupported_redirect", 5..8);
    check_error("echo 2>&2", "unsupported_redirect", 5..9);
    check_error("echo >&1", "unsupported_redirect", 5..8);
    check_error("cat 5<&0", "unsupported_redirect", 4..8);
    check_error("cat <&0", "unsupported_redirect", 4..7);
    check_error("echo 2>&-", "unsupported_redirect", 5..9);
    check_error("echo >&-", "unsupported_redirect", 5..8);
    check_error("3>f echo", "unsupported_redirect", 0..2);
    check_error(
        "echo 99999999999999999999999>f",
        "unsupported_redirect",
        5..29,
    );
    // The label says what is wrong with it.
    let reason = |source: &str| match parse(source) {
        Err(ParseError::UnsupportedRedirect { reason, .. }) => reason,
        other => panic!("{source:?}: {other:?}"),
    };
    assert_eq!(reason("echo 3>f"), "an fd other than 0, 1 or 2");
    assert_eq!(reason("echo 1>&3"), "an fd other than 0, 1 or 2");
    assert_eq!(reason("echo 2>&-"), "closing an fd is not supported");
    assert_eq!(reason("cat 2<f"), "not one of the supported forms");
    assert_eq!(reason("echo 2>&2"), "not one of the supported forms");
}

#[test]
fn assignments() {
    check(
        "A=1 B= cmd",
        r#"cmd 0..10 (assign 0..3 A@0..1 (word 2..3 "1"), assign 4..6 B@4..5 (word 6..6), word 7..10 "cmd")"#,
    );
    check(
        r#"A=$x"y" cmd"#,
        r#"cmd 0..11 (assign 0..7 A@0..1 (word 2..7 $x@2..4 q"y"@5..6), word 8..11 "cmd")"#,
    );
    check(
        "A=#x cmd",
        "cmd 0..8 (assign 0..4 A@0..1 (word 2..4 \"#x\"), word 5..8 \"cmd\")",
    );
    check(
        "echo A=1",
        r#"cmd 0..8 (word 0..4 "echo", word 5..8 "A=1")"#,
    );
}

#[test]
fn statements() {
    check("let x = 1", r#"let 0..9 x@4..5 (word 8..9 "1")"#);
    check("let x=1", r#"let 0..7 x@4..5 (word 6..7 "1")"#);
    check(
        r#"export X = "a b""#,
        r#"export 0..16 X@7..8 (word 11..16 q"a b"@12..15)"#,
    );
    check(
        r#"secret S = "\xe2""#,
        r#"secret 0..17 S@7..8 (word 11..17 q"\xe2"@12..16)"#,
    );
    check("cd /tmp", r#"cd 0..7 (word 3..7 "/tmp")"#);
    check(
        "a {} -I{} x{}y",
        r#"cmd 0..14 (word 0..1 "a", word 2..4 "{}", word 5..9 "-I{}", word 10..14 "x{}y")"#,
    );
    check("{}", "group 0..2");
    check("for i in a {}", r#"for 0..13 i@4..5 (word 9..10 "a", do)"#);
    check(
        "cd d && a",
        r#"list 0..9 (group 0..4 (cd 0..4 (word 3..4 "d")), &&, cmd 8..9 (word 8..9 "a"))"#,
    );
    check(
        "a || let s = $?",
        r#"list 0..15 (cmd 0..1 (word 0..1 "a"), ||, group 5..15 (let 5..15 s@9..10 (word 13..15 $?)))"#,
    );
    check(
        "export X = 1 && a",
        r#"list 0..17 (group 0..12 (export 0..12 X@7..8 (word 11..12 "1")), &&, cmd 16..17 (word 16..17 "a"))"#,
    );
    check(
        "a || cd d",
        r#"list 0..9 (cmd 0..1 (word 0..1 "a"), ||, group 5..9 (cd 5..9 (word 8..9 "d")))"#,
    );
    check("exit", "exit 0..4");
    check("exit 3", r#"exit 0..6 (word 5..6 "3")"#);
    check(
        "exit 3 || a",
        r#"list 0..11 (group 0..6 (exit 0..6 (word 5..6 "3")), ||, cmd 10..11 (word 10..11 "a"))"#,
    );
    check_error("for ((i = 0; i < 3; i++))", "unsupported_expansion", 0..25);
    check_error("( cd d && make )", "unsupported_expansion", 0..16);
    check_error("a || (\nb\n)", "unsupported_expansion", 5..6);
    check_error("a | (b) | c", "unsupported_expansion", 4..7);
    check_error("(( n++ ))", "unsupported_expansion", 0..9);
    check_error("xs=(a b)", "unsupported_expansion", 0..8);
    check_error("let xs = (a b)", "unsupported_expansion", 9..14);
    check_error("echo (a)", "unexpected", 5..6);
    check_error("echo ((a))", "unexpected", 5..6);
    check_error("'q' =(a)", "unexpected", 5..6);
    check_error("ünï=(a)", "unexpected", 6..7);
    check_error("echo é=(a)", "unexpected", 8..9);
    // A no-break space (two bytes) before a bash function's name.
    check_error("a\u{a0}f() { }", "unsupported_expansion", 3..6);
    check_error("let x =", "missing_value", 6..7);
    check_error("cd d | make", "statement_piped", 5..6);
    check_error("a && exit 1 | b", "statement_piped", 12..13);
    check_error(
        "parallel { let t = 1 ; echo $t }",
        "statement_branch",
        11..20,
    );
    check_error(
        "parallel max 2 { a\n export E = 1 }",
        "statement_branch",
        20..32,
    );
    check_error("fanout { secret S = x ; cat }", "statement_branch", 9..21);
    check_error("a | fanout lines { cd / }", "statement_branch", 19..23);
    check_error("let x = \"a;b\" | c", "unexpected", 14..15);
    check_error("echo {\"a\": 1}", "brace_in_arguments", 5..6);
    check_error("a | b { c }", "brace_in_arguments", 6..7);
    check_error("echo hi >>", "missing_target", 8..10);
    check_error("cmd 2> | x", "missing_target", 4..6);
    check_error("echo a12>", "missing_target", 8..9);
    check_error("cat <<<\n", "missing_target", 4..7);
    check_error(
        "a\ncase $1 in\n  x) b ;;\nesac",
        "unsupported_expansion",
        2..6,
    );
    check_error("echo case a)", "unexpected", 11..12);
    check_error("let x += b", "unsupported_expansion", 6..8);
    check_error("cd My Documents", "too_many_words", 6..15);
    check_error("a && exit 1 2", "too_many_words", 12..13);
    check_error("echo ${1:?usage} x", "unsupported_expansion", 5..16);
    check_error("echo ${x } y", "bad_substitution", 5..10);
    check_error("echo \"${}\"", "bad_substitution", 6..9);
    check_error("echo ${1x}", "bad_substitution", 5..10);
    check_error("echo ${x:-${ y}}", "bad_substitution", 10..15);
    check_error("echo ${#x}", "unsupported_expansion", 5..10);
    check_error("echo ${x-y}", "unsupported_expansion", 5..11);
    check_error("echo ${x:}", "bad_substitution", 5..10);
    check_error("echo ${x@}", "bad_substitution", 5..10);
    check_error("echo ${x[1}", "bad_substitution", 5..11);
    check_error("echo ${x[1]x}", "bad_substitution", 5..13);
    check_error("echo ${x@Q}", "unsupported_expansion", 5..11);
    check_error("echo ${x[1]}", "unsupported_expansion", 5..12);
    check_error("echo ${x::}", "unsupported_expansion", 5..11);
    check_error("echo ${x:=1}", "unsupported_expansion", 5..12);
    check_error("a\nexport x= # c\nb", "missing_value", 10..11);
    check_error("let x = a = b", "value_not_one_word", 10..11);
    check_error("echo a >| f", "unsupported_redirect", 7..9);
    check_error("cat <> f", "unsupported_redirect", 4..6);
    check(
        "let x = $(date)",
        r#"let 0..15 x@4..5 (word 8..15 $(#1) (subst 8..15 (cmd 10..14 (word 10..14 "date"))))"#,
    );
    check(
        "a; b",
        r#"cmd 0..1 (word 0..1 "a"); cmd 3..4 (word 3..4 "b")"#,
    );
    check("\n\na\n\n", r#"cmd 2..3 (word 2..3 "a")"#);
    check(";a;", r#"cmd 1..2 (word 1..2 "a")"#);
    check(
        "a;;b",
        r#"cmd 0..1 (word 0..1 "a"); cmd 3..4 (word 3..4 "b")"#,
    );
}

#[test]
fn lists() {
    check(
        "a && b || c",
        r#"list 0..11 (cmd 0..1 (word 0..1 "a"), &&, cmd 5..6 (word 5..6 "b"), ||, cmd 10..11 (word 10..11 "c"))"#,
    );
    check(
        "a |\n b",
        r#"pipeline 0..6 (cmd 0..1 (word 0..1 "a"), cmd 5..6 (word 5..6 "b"))"#,
    );
    check(
        "a &&\n\n b",
        r#"list 0..8 (cmd 0..1 (word 0..1 "a"), &&, cmd 7..8 (word 7..8 "b"))"#,
    );
    check(
        "a | # c\n b",
        "pipeline 0..10 (cmd 0..1 (word 0..1 \"a\"), cmd 9..10 (word 9..10 \"b\")); comment 4..7 \"# c\"",
    );
    check(
        "echo a\r\necho b",
        r#"cmd 0..6 (word 0..4 "echo", word 5..6 "a"); cmd 8..14 (word 8..12 "echo", word 13..14 "b")"#,
    );
    // A `\r` alone is no line break: it is in the word, as in bash.
    check(
        "echo a\rb \r\\\rc\r\n",
        r#"cmd 0..13 (word 0..4 "echo", word 5..8 "a\rb", word 9..13 "\r"@9..10 q"\r"@10..12 "c"@12..13)"#,
    );
}

#[test]
fn keywords() {
    check(
        "'timeout' 5 sleep 9",
        r#"cmd 0..19 (word 0..9 q"timeout", word 10..11 "5", word 12..17 "sleep", word 18..19 "9")"#,
    );
    check(
        "echo for in let",
        r#"cmd 0..15 (word 0..4 "echo", word 5..8 "for", word 9..11 "in", word 12..15 "let")"#,
    );
    check(
        r#""for" x"#,
        r#"cmd 0..7 (word 0..5 q"for"@1..4, word 6..7 "x")"#,
    );
    check("lets go", r#"cmd 0..7 (word 0..4 "lets", word 5..7 "go")"#);
    check("in x", r#"cmd 0..4 (word 0..2 "in", word 3..4 "x")"#);
    check("max 3", r#"cmd 0..5 (word 0..3 "max", word 4..5 "3")"#);
    check(
        "FOO=1 timeout 5 sleep 9",
        r#"cmd 0..23 (assign 0..5 FOO@0..3 (word 4..5 "1"), word 6..13 "timeout", word 14..15 "5", word 16..21 "sleep", word 22..23 "9")"#,
    );
}

#[test]
fn blocks() {
    check(
        "{ a; b }",
        r#"group 0..8 (cmd 2..3 (word 2..3 "a"), cmd 5..6 (word 5..6 "b"))"#,
    );
    check("{\n a\n}", r#"group 0..6 (cmd 3..4 (word 3..4 "a"))"#);
    check(
        "{ a } | b",
        r#"pipeline 0..9 (group 0..5 (cmd 2..3 (word 2..3 "a")), cmd 8..9 (word 8..9 "b"))"#,
    );
    check(
        "a | { b }",
        r#"pipeline 0..9 (cmd 0..1 (word 0..1 "a"), group 4..9 (cmd 6..7 (word 6..7 "b")))"#,
    );
    check(
        "{ echo a}",
        r#"group 0..9 (cmd 2..8 (word 2..6 "echo", word 7..8 "a"))"#,
    );
    check(
        "for i in a b c { echo $i }",
        r#"for 0..26 i@4..5 (word 9..10 "a", word 11..12 "b", word 13..14 "c", do (cmd 17..24 (word 17..21 "echo", word 22..24 $i)))"#,
    );
    check("for i in { }", "for 0..12 i@4..5 (do)");
    check(
        "for i in 1..3 -2..$n $a..$b ${a}..3 1..3x *.txt $@ $(ls) { }",
        r#"for 0..60 i@4..5 (range 9..13 1@9..10 3@12..13, range 14..20 -2@14..16 $n@18..20, range 21..27 $a@21..23 $b@25..27, range 28..35 $a@28..32 3@34..35, word 36..41 "1..3x", word 42..47 "*.txt", word 48..50 $@, word 51..56 $(#1) (subst 51..56 (cmd 53..55 (word 53..55 "ls"))), do)"#,
    );
    check(
        "for i in 1..3 { echo $i }",
        r#"for 0..25 i@4..5 (range 9..13 1@9..10 3@12..13, do (cmd 16..23 (word 16..20 "echo", word 21..23 $i)))"#,
    );
    check(
        "parallel { a; b }",
        r#"parallel 0..17 (cmd 11..12 (word 11..12 "a"), cmd 14..15 (word 14..15 "b"))"#,
    );
    check(
        "parallel max 2 { a }",
        r#"parallel 0..20 max=2@13..14 (cmd 17..18 (word 17..18 "a"))"#,
    );
    check(
        "parallel fail-fast unordered max 3 { a }",
        r#"parallel 0..40 max=3@33..34 fail-fast@9..18 unordered@19..28 (cmd 37..38 (word 37..38 "a"))"#,
    );
    check(
        "parallel raw for i in 1..2 { a }",
        r#"parallel 0..32 raw@9..12 (for 13..32 i@17..18 (range 22..26 1@22..23 2@25..26, do (cmd 29..30 (word 29..30 "a"))))"#,
    );
    check("parallel ordered {}", "parallel 0..19 ordered@9..16");
    // A header value with an expansion is a word, checked when the block
    // starts.
    check(
        "parallel max $(nproc) { a }",
        r#"parallel 0..27 max=word@13..21 (word 13..21 $(#1) (subst 13..21 (cmd 15..20 (word 15..20 "nproc"))), cmd 24..25 (word 24..25 "a"))"#,
    );
    check(
        "timeout $t grace ${g:-1s} {}",
        r#"timeout 0..28 word@8..10 grace=word@17..25 (word 8..10 $t, word 17..25 ${g:-["1s"]@22..24})"#,
    );
    check(
        "fanout { a; b }",
        r#"fanout 0..15 (cmd 9..10 (word 9..10 "a"), cmd 12..13 (word 12..13 "b"))"#,
    );
    check(
        "fanout lines { a }",
        r#"fanout 0..18 lines@7..12 (cmd 15..16 (word 15..16 "a"))"#,
    );
    check(
        "p | fanout { a ; b } | c",
        r#"pipeline 0..24 (cmd 0..1 (word 0..1 "p"), fanout 4..20 (cmd 13..14 (word 13..14 "a"), cmd 17..18 (word 17..18 "b")), cmd 23..24 (word 23..24 "c"))"#,
    );
    check(
        "timeout 500us { a }",
        r#"timeout 0..19 500µs@8..13 (cmd 16..17 (word 16..17 "a"))"#,
    );
    check(
        "timeout 150ms signal INT { }",
        "timeout 0..28 150ms@8..13 signal=2@21..24",
    );
    check(
        "timeout 2s grace 1s signal 9 { }",
        "timeout 0..32 2s@8..10 signal=9@27..28 grace=1s@17..19",
    );
    check("timeout 5m { }", "timeout 0..14 300s@8..10");
    check("timeout 1h { }", "timeout 0..14 3600s@8..10");
    check("timeout 1d { }", "timeout 0..14 86400s@8..10");
    check("timeout 0.5s {}", "timeout 0..15 500ms@8..12");
    check("timeout .25s {}", "timeout 0..15 250ms@8..12");
    check(
        "timeout 1.25s signal SIGTERM {}",
        "timeout 0..31 1.25s@8..13 signal=15@21..28",
    );
    check(
        "timeout 1s signal PWR {}",
        "timeout 0..24 1s@8..10 signal=30@18..21",
    );
    check(
        "timeout 1s signal cld {}",
        "timeout 0..24 1s@8..10 signal=17@18..21",
    );
    check(
        "timeout 1s signal POLL {}",
        "timeout 0..25 1s@8..10 signal=29@18..22",
    );
    check(
        "timeout 1s signal RTMIN {}",
        "timeout 0..26 1s@8..10 signal=34@18..23",
    );
    check(
        "timeout 1s signal SIGRTMIN+3 {}",
        "timeout 0..31 1s@8..10 signal=37@18..28",
    );
    check(
        "timeout 1s signal RTMAX-2 {}",
        "timeout 0..28 1s@8..10 signal=62@18..25",
    );
    check(
        "parallel { timeout 1s { a } ; for i in 1 { b } }",
        r#"parallel 0..48 (timeout 11..27 1s@19..21 (cmd 24..25 (word 24..25 "a")), for 30..46 i@34..35 (word 39..40 "1", do (cmd 43..44 (word 43..44 "b"))))"#,
    );
}

/// Every block form may be followed by redirects, in every form a command
/// takes; they belong to the block, whose span covers them. A `for` loop's
/// own span is its header and body: inside `parallel`, what follows its `}`
/// belongs to the `parallel` block.
#[test]
fn block_redirects() {
    check(
        "{ a } > f",
        r#"group 0..9 (cmd 2..3 (word 2..3 "a"), redirect 6..9 > (word 8..9 "f"))"#,
    );
    check(
        "for i in 1..3 { echo $i } >> log 2>&1",
        r#"for 0..25 i@4..5 (range 9..13 1@9..10 3@12..13, do (cmd 16..23 (word 16..20 "echo", word 21..23 $i)), redirect 26..32 >> (word 29..32 "log"), redirect 33..37 2>&1)"#,
    );
    check(
        "parallel { a } 2> e",
        r#"parallel 0..19 (cmd 11..12 (word 11..12 "a"), redirect 15..19 2> (word 18..19 "e"))"#,
    );
    check(
        "parallel for i in x { b } 1>&2 0< in",
        r#"parallel 0..36 (for 9..25 i@13..14 (word 18..19 "x", do (cmd 22..23 (word 22..23 "b"))), redirect 26..30 >&2, redirect 31..36 < (word 34..36 "in"))"#,
    );
    check(
        "timeout 5s { a } < input &> all",
        r#"timeout 0..31 5s@8..10 (cmd 13..14 (word 13..14 "a"), redirect 17..24 < (word 19..24 "input"), redirect 25..31 &> (word 28..31 "all"))"#,
    );
    check(
        "fanout { cat } <<< hi 2>>e &>>a",
        r#"fanout 0..31 (cmd 9..12 (word 9..12 "cat"), redirect 15..21 <<< (word 19..21 "hi"), redirect 22..26 2>> (word 25..26 "e"), redirect 27..31 &>> (word 30..31 "a"))"#,
    );
    check(
        "seq 10 | fanout { a } > out.txt",
        r#"pipeline 0..31 (cmd 0..6 (word 0..3 "seq", word 4..6 "10"), fanout 9..31 (cmd 18..19 (word 18..19 "a"), redirect 22..31 > (word 24..31 "out.txt")))"#,
    );
    check(
        "x | { a }>$(b) | c",
        r#"pipeline 0..18 (cmd 0..1 (word 0..1 "x"), group 4..14 (cmd 6..7 (word 6..7 "a"), redirect 9..14 > (word 10..14 $(#1) (subst 10..14 (cmd 12..13 (word 12..13 "b"))))), cmd 17..18 (word 17..18 "c"))"#,
    );
    check(
        "{ a }2>f",
        r#"group 0..8 (cmd 2..3 (word 2..3 "a"), redirect 5..8 2> (word 7..8 "f"))"#,
    );
    check(
        "{ a } \\\n  > f",
        r#"group 0..13 (cmd 2..3 (word 2..3 "a"), redirect 10..13 > (word 12..13 "f"))"#,
    );
    check(
        "{ { a } < i } > o",
        r#"group 0..17 (group 2..11 (cmd 4..5 (word 4..5 "a"), redirect 8..11 < (word 10..11 "i")), redirect 14..17 > (word 16..17 "o"))"#,
    );
    check(
        "b || { a } > f",
        r#"list 0..14 (cmd 0..1 (word 0..1 "b"), ||, group 5..14 (cmd 7..8 (word 7..8 "a"), redirect 11..14 > (word 13..14 "f")))"#,
    );
    // The forms a command refuses are refused here too; only redirects may
    // follow a block, and a newline ends the statement before one.
    check_error("{ a } 3> f", "unsupported_redirect", 6..8);
    check_error("{ a } 2>&-", "unsupported_redirect", 6..10);
    check_error("{ a } > f b", "unexpected", 10..11);
    check_error("{ a } 2 > f", "unexpected", 6..7);
    check_error("{ a }\n> f", "redirect_without_command", 6..9);
    check_error("{ a } >", "missing_target", 6..7);
    // `cd`, `exit` and the assignments are statements, not blocks: the
    // redirect is named, whole.
    check_error("exit 1 > f", "statement_redirect", 7..10);
    check_error("cd d > f", "statement_redirect", 5..8);
    check_error("cd d 2>/dev/null || exit 1", "statement_redirect", 5..16);
    check_error("a && cd - >&2", "statement_redirect", 10..13);
    check_error("let x = $(a) 2> f", "statement_redirect", 13..17);
    check_error("export X = 1 &>> f", "statement_redirect", 13..18);
    // A word after one is not a redirect.
    check_error("cd d e", "too_many_words", 5..6);
}

#[test]
fn comments() {
    check("# only", "comment 0..6 \"# only\"");
    check(
        "a # x\n# y",
        "cmd 0..1 (word 0..1 \"a\"); comment 2..5 \"# x\"; comment 6..9 \"# y\"",
    );
    check(
        "echo a#b # real",
        "cmd 0..8 (word 0..4 \"echo\", word 5..8 \"a#b\"); comment 9..15 \"# real\"",
    );
    check(
        "{ # c\n a }",
        "group 0..10 (cmd 7..8 (word 7..8 \"a\")); comment 2..5 \"# c\"",
    );
    check(
        "echo $(a # c\n b)",
        "cmd 0..16 (word 0..4 \"echo\", word 5..16 $(#1) (subst 5..16 (cmd 7..8 (word 7..8 \"a\"), cmd 14..15 (word 14..15 \"b\")))); comment 9..12 \"# c\"",
    );
    check(
        "echo $( # c\n b)",
        "cmd 0..15 (word 0..4 \"echo\", word 5..15 $(#1) (subst 5..15 (cmd 13..14 (word 13..14 \"b\")))); comment 8..11 \"# c\"",
    );
}

#[test]
fn errors() {
    check_error(r#"echo "abc"#, "unterminated_string", 5..6);
    check_error("echo 'abc", "unterminated_string", 5..6);
    check_error("{ echo", "unclosed_brace", 0..1);
    check_error("echo $(ls", "unclosed_subst", 5..7);
    check_error("echo ${x", "unclosed_var", 5..7);
    check_error("echo }", "stray_brace", 5..6);
    check_error("echo {", "unclosed_brace", 5..6);
    check_error("echo {a}", "brace_in_arguments", 5..6);
    check_error("}", "stray_brace", 0..1);
    check_error("echo ( a )", "unexpected", 5..6);
    check_error("for i a {}", "unexpected", 6..7);
    check_error("for $f in a {}", "invalid_name", 4..6);
    check_error("parallel for f in a max 4 {}", "misplaced_option", 20..25);
    check_error("A=1 timeout 1s { a }", "assignment_before_block", 0..3);
    check_error("A=1 B=2 parallel { a }", "assignment_before_block", 0..7);
    check_error("x; A=1 { a }", "assignment_before_block", 3..6);
    check_error("A=1 echo {a}", "brace_in_arguments", 9..10);
    check_error(
        "parallel for f in a fail-fast {}",
        "misplaced_option",
        20..29,
    );
    check_error("parallel { a } max 4", "misplaced_option", 15..20);
    check_error("timeout 1s { a } grace 1s", "misplaced_option", 17..25);
    check_error("let x = ${a} max 2", "value_not_one_word", 13..16);
    check_error("exit ${c} lines", "too_many_words", 10..15);
    check_error("true && let x = a b", "value_not_one_word", 18..19);
    check_error("cd ${d} e", "too_many_words", 8..9);
    check_error("for ${f} in a {}", "invalid_name", 4..8);
    check_error("for my-file in a {}", "invalid_name", 4..11);
    check_error("parallel foo {}", "unexpected", 9..12);
    check_error("parallel echo a", "missing_body", 9..13);
    check_error("timeout 5 sleep 9", "missing_body", 10..15);
    check_error("timeout 5s\n{ a }", "missing_body", 10..11);
    // An option where the duration belongs: the duration left out, or
    // written after it.
    check_error("timeout signal { a }", "missing_header_value", 8..14);
    check_error(
        "timeout signal KILL 5s { a }",
        "missing_header_value",
        8..14,
    );
    check_error("timeout grace 1s { a }", "missing_header_value", 8..13);
    check_error("a | fanout cat", "missing_body", 11..14);
    check_error("for f in *.txt; do a; done", "missing_body", 14..15);
    check_error("echo ${x:=1}", "unsupported_expansion", 5..12);
    check_error("echo ${#x}", "unsupported_expansion", 5..10);
    check_error("echo $((1 + 2))", "unsupported_expansion", 5..8);
    check_error("cut -d $'\\t'", "unsupported_expansion", 7..9);
    check_error("echo $\"x\"", "unsupported_expansion", 5..7);
    check_error("echo `date`", "backquote", 5..11);
    check_error("cat <<EOF", "here_document", 4..6);
    check_error("ls x |& cat", "unsupported_expansion", 5..7);
    check_error("echo $[1 + 1]", "unsupported_expansion", 5..7);
    check_error("cat << EOF", "here_document", 4..6);
    check_error("diff <(sort a) b", "unsupported_expansion", 5..7);
    check_error("cat < <(ls)", "unsupported_expansion", 6..8);
    check_error("tee >(wc -l)", "unsupported_expansion", 4..6);
    check_error("let msg = hello world", "value_not_one_word", 16..21);
    check_error("a; export P=/bin /usr/bin", "value_not_one_word", 17..25);
    check_error("let x = $(for i a {})", "unexpected", 16..17);
    check_error("echo \"at `date`\"", "backquote", 9..15);
    check_error("echo a`b", "backquote", 6..7);
    check_error("a ${f%.txt}.bak", "unsupported_expansion", 2..11);
    check_error("let 9 = 1", "invalid_name", 4..5);
    check_error("a |", "trailing_operator", 2..3);
    check_error("a &&", "trailing_operator", 2..4);
    check_error("a ||\n", "trailing_operator", 2..4);
    check_error("a |\n# c", "trailing_operator", 2..3);
    check_error("a | let x = 1", "misplaced_keyword", 4..7);
    check_error("a | cd /", "misplaced_keyword", 4..6);
    check_error("cd / | a", "statement_piped", 5..6);
    check_error("FOO=1", "bare_assignment", 0..5);
    check_error("A=1 B=2;", "bare_assignment", 0..3);
    check_error("> out", "redirect_without_command", 0..5);
    check_error("timeout 5 {}", "duration_without_unit", 8..9);
    check_error("timeout 1s grace 2 {}", "duration_without_unit", 17..18);
    check_error("timeout -1s {}", "invalid_duration", 8..11);
    check_error("timeout inf {}", "invalid_duration", 8..11);
    check_error("timeout NaN {}", "invalid_duration", 8..11);
    check_error("timeout 42D {}", "invalid_duration", 8..11);
    check_error("timeout 1.2.3s {}", "invalid_duration", 8..14);
    check_error("timeout 5.s {}", "invalid_duration", 8..11);
    check_error("timeout .s {}", "invalid_duration", 8..10);
    check_error(r#"timeout "" {}"#, "invalid_duration", 8..10);
    check_error("timeout 99999999999h {}", "duration_too_large", 8..20);
    check_error(
        "timeout 1000000000000000000000000000000000000000000s {}",
        "duration_too_large",
        8..52,
    );
    check_error("timeout 1s signal FOO {}", "unknown_signal", 18..21);
    check_error("timeout 1s signal 0 {}", "unknown_signal", 18..19);
    check_error("timeout 1s signal 65 {}", "unknown_signal", 18..20);
    check_error("timeout 1s signal RTMIN+31 {}", "unknown_signal", 18..26);
    check_error("timeout 1s signal RTMAX+1 {}", "unknown_signal", 18..25);
    check_error("parallel max x {}", "invalid_max", 13..14);
    check_error("parallel max -1 {}", "invalid_max", 13..15);
    check_error("parallel max 0 {}", "max_zero", 13..14);
    check_error("parallel max 1 max 2 {}", "duplicate_option", 15..20);
    check_error(
        "parallel fail-fast fail-fast {}",
        "duplicate_option",
        19..28,
    );
    check_error("parallel ordered raw {}", "duplicate_option", 17..20);
    check_error(
        "timeout 1s signal INT signal TERM {}",
        "duplicate_option",
        22..33,
    );
    check_error(
        "timeout 1s grace 1s grace 2s {}",
        "duplicate_option",
        20..28,
    );
    check_error(
        "for i in 99999999999999999999..1 {}",
        "number_out_of_range",
        9..29,
    );
    check_error(
        "echo ${99999999999999999999999}",
        "number_out_of_range",
        7..30,
    );
    check_error(
        "parallel max 99999999999999999999999 {}",
        "number_out_of_range",
        13..36,
    );
    check_error(r#"echo "\u{110000}""#, "invalid_escape", 6..16);
    check_error(r#"echo "\u{d800}""#, "invalid_escape", 6..14);
    check_error(r#"echo "\u{1234567}""#, "invalid_escape", 6..17);
    check_error(r#"echo "${x:-\u{fffffffff}}""#, "invalid_escape", 11..24);
    check_error("echo a\\\nb 3>f", "unsupported_redirect", 10..12);
    check_error("echo a\\\nb }", "stray_brace", 10..11);
}

#[test]
fn line_continuations() {
    check(
        "echo a \\\n  b",
        r#"cmd 0..12 (word 0..4 "echo", word 5..6 "a", word 11..12 "b")"#,
    );
    // Inside a word, `\`-newline is removed and joins the parts around it,
    // as in bash; next to a space it is only a line continuation.
    check(
        "echo a\\\nb",
        r#"cmd 0..9 (word 0..4 "echo", word 5..9 "ab")"#,
    );
    check(
        "echo a\\\n b",
        r#"cmd 0..10 (word 0..4 "echo", word 5..6 "a", word 9..10 "b")"#,
    );
    check(
        "echo a \\\nb",
        r#"cmd 0..10 (word 0..4 "echo", word 5..6 "a", word 9..10 "b")"#,
    );
    check(
        "echo a\\\r\nb a\\\n\\\nb",
        r#"cmd 0..17 (word 0..4 "echo", word 5..10 "ab", word 11..17 "ab")"#,
    );
    check(
        "echo \"a\"\\\n'b'c ${x}\\\ny",
        r#"cmd 0..22 (word 0..4 "echo", word 5..14 q"ab"@6..13 "c"@13..14, word 15..22 $x@15..19 "y"@19..22)"#,
    );
    check(
        "A=\\\nb cmd",
        r#"cmd 0..9 (assign 0..5 A@0..1 (word 2..5 "b"), word 6..9 "cmd")"#,
    );
    check(
        "echo ${x:-\\\n}",
        r#"cmd 0..13 (word 0..4 "echo", word 5..13 ${x:-[]@10..12})"#,
    );
    // A `\`-newline that ends a word is not part of it, nor does it keep a
    // keyword or a `2>&1` from ending.
    check(
        "echo x\\\n",
        r#"cmd 0..6 (word 0..4 "echo", word 5..6 "x")"#,
    );
    check(
        "echo 2>&1\\\n | cat",
        r#"pipeline 0..17 (cmd 0..9 (word 0..4 "echo", redirect 5..9 2>&1), cmd 14..17 (word 14..17 "cat"))"#,
    );
    check(
        "for\\\n i in 1 { }",
        r#"for 0..16 i@6..7 (word 11..12 "1", do)"#,
    );
    check("exit\\\n", "exit 0..4");
    // A `#` joined to a word is part of it; after a continuation that
    // follows a space, it starts a comment. A comment never continues.
    check(
        "echo a\\\n#b",
        r#"cmd 0..10 (word 0..4 "echo", word 5..10 "a#b")"#,
    );
    check(
        "{ echo a\\\n#b }",
        r#"group 0..14 (cmd 2..12 (word 2..6 "echo", word 7..12 "a#b"))"#,
    );
    check(
        "{ echo \\\n#c\n}",
        r##"group 0..13 (cmd 2..6 (word 2..6 "echo")); comment 9..11 "#c""##,
    );
    check(
        "# c \\\necho x",
        r##"cmd 6..12 (word 6..10 "echo", word 11..12 "x"); comment 0..5 "# c \\""##,
    );
    check(
        "echo \"a\\\nb\"",
        r#"cmd 0..11 (word 0..4 "echo", word 5..11 q"ab"@6..10)"#,
    );
    check(
        "echo ${x:-a\\\nb}",
        r#"cmd 0..15 (word 0..4 "echo", word 5..15 ${x:-["ab"]@10..14})"#,
    );
    check(
        "for i in a \\\n b { c }",
        r#"for 0..21 i@4..5 (word 9..10 "a", word 14..15 "b", do (cmd 18..19 (word 18..19 "c")))"#,
    );
    check(
        "a |\n\n  b &&\n c",
        r#"list 0..14 (pipeline 0..8 (cmd 0..1 (word 0..1 "a"), cmd 7..8 (word 7..8 "b")), &&, cmd 13..14 (word 13..14 "c"))"#,
    );
}

#[test]
fn nested_blocks_and_substitutions() {
    check(
        "a | { b | c } | d",
        r#"pipeline 0..17 (cmd 0..1 (word 0..1 "a"), group 4..13 (pipeline 6..11 (cmd 6..7 (word 6..7 "b"), cmd 10..11 (word 10..11 "c"))), cmd 16..17 (word 16..17 "d"))"#,
    );
    check(
        "{ { a } }",
        r#"group 0..9 (group 2..7 (cmd 4..5 (word 4..5 "a")))"#,
    );
    check(
        "x=$(for i in 1 { echo $i })",
        r#"error: assignment without a command"#,
    );
    check(
        "echo $(for i in 1 { echo $i })",
        r#"cmd 0..30 (word 0..4 "echo", word 5..30 $(#1) (subst 5..30 (for 7..29 i@11..12 (word 16..17 "1", do (cmd 20..27 (word 20..24 "echo", word 25..27 $i))))))"#,
    );
    check(
        "echo ${x:-$(a)}",
        r#"cmd 0..15 (word 0..4 "echo", word 5..15 ${x:-[$(#1)]@10..14} (subst 10..14 (cmd 12..13 (word 12..13 "a"))))"#,
    );
    check(
        "timeout 1s { a } || echo \"timed out: $?\"",
        r#"list 0..40 (timeout 0..16 1s@8..10 (cmd 13..14 (word 13..14 "a")), ||, cmd 20..40 (word 20..24 "echo", word 25..40 q"timed out: "@26..37 $?@37..39))"#,
    );
}

#[test]
fn language_md_seed_examples() {
    let seed = include_str!("../../tests/seed.pipe");
    let script = parse(seed).expect("the seed parses");
    assert_eq!(script.body.len(), 5);
    assert_eq!(script.comments.len(), 4);
    let secret = dump_without_spans(&script);
    assert!(
        secret.contains(r#"word q"\xe24U\n\xd0Ql3S\u{11}""#),
        "{secret}"
    );
}

#[test]
fn dump_without_spans_ignores_layout() {
    let a = parse("echo 'a'\"b\" | { x;y }  # c").expect("parses");
    let b = parse("echo \"ab\" |\n{\n  x\n  y\n}\n").expect("parses");
    assert_eq!(dump_without_spans(&a), dump_without_spans(&b));
    assert_ne!(dump(&a), dump(&b));
}

#[test]
fn decode_reports_the_byte_offset() {
    assert_eq!(decode(b"echo hi"), Ok("echo hi"));
    let error = decode(b"echo \xff hi").expect_err("not UTF-8");
    assert_eq!(error.to_string(), "invalid UTF-8 at byte offset 5");
    assert_eq!(
        error.code().map(|c| c.to_string()).as_deref(),
        Some("pipe::parse::invalid_utf8")
    );
    assert_eq!(error.span().map(|s| s.start..s.end), Some(5..6));
    let truncated = decode(b"echo \xe2\x82").expect_err("truncated");
    assert_eq!(truncated.span().map(|s| s.start..s.end), Some(5..7));
}

/// Parses `source` on a thread with a 2 MiB stack, as small as a test
/// thread's.
fn parse_on_small_stack(source: String) -> Result<(), ParseError> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || parse(&source).map(drop))
        .expect("spawn")
        .join()
        .expect("no panic")
}

fn too_deep_at(result: Result<(), ParseError>) -> Option<usize> {
    match result {
        Err(ParseError::TooDeep { span, .. }) => Some(span.offset()),
        _ => None,
    }
}

#[test]
fn hundred_thousand_braces_are_too_deep() {
    let braces = "{".repeat(100_000) + &"}".repeat(100_000);
    assert_eq!(too_deep_at(parse(&braces).map(drop)), Some(MAX_DEPTH));
    assert_eq!(too_deep_at(parse_on_small_stack(braces)), Some(MAX_DEPTH));
    let substs = "echo ".to_string() + &"$(".repeat(100_000);
    assert_eq!(
        too_deep_at(parse_on_small_stack(substs)),
        Some(5 + 2 * MAX_DEPTH)
    );
    let unclosed = "{ ".repeat(100_000);
    assert_eq!(
        too_deep_at(parse_on_small_stack(unclosed)),
        Some(2 * MAX_DEPTH)
    );
}

/// The costliest shapes at exactly `MAX_DEPTH` parse on a 2 MiB stack.
#[test]
fn deepest_nesting_fits() {
    let n = MAX_DEPTH;
    let shapes = [
        format!("{}a{}", "{ ".repeat(n), " }".repeat(n)),
        format!(
            "{}a{}",
            "parallel max 2 for i in 1..2 { ".repeat(n),
            " }".repeat(n)
        ),
        format!(
            "{}a{}",
            "timeout 1s signal 9 grace 1s { ".repeat(n),
            " }".repeat(n)
        ),
        format!("{}a{}", "a | fanout lines { b | ".repeat(n), " }".repeat(n)),
        format!("echo {}a{}", "\"$(echo ".repeat(n / 2), ")\"".repeat(n / 2)),
        format!("echo {}a{}", "${x:-".repeat(n), "}".repeat(n)),
    ];
    for shape in shapes {
        let prefix: String = shape.chars().take(20).collect();
        assert_eq!(parse_on_small_stack(shape), Ok(()), "{prefix}");
    }
}

/// No rule or lowering step recurses per stage, statement or character:
/// flat scripts of any length parse on a small stack. A debug build parses
/// about 15,000 stages a second, so it checks 20,000 to keep `cargo test`
/// quick; `cargo test --release` checks the full 100,000.
#[test]
fn huge_flat_scripts_parse() {
    let stages = if cfg!(debug_assertions) {
        20_000
    } else {
        100_000
    };
    let pipeline = vec!["a"; stages].join(" | ");
    let script = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || parse(&pipeline).map(|script| dump_without_spans(&script)))
        .expect("spawn")
        .join()
        .expect("no panic")
        .expect("a long pipeline parses");
    assert_eq!(script.matches("cmd").count(), stages);
    let word = format!("echo {}", "x".repeat(1 << 20));
    assert!(parse(&word).is_ok());
    let lines = "echo hi\n".repeat(10_000);
    assert_eq!(parse(&lines).map(|s| s.body.len()), Ok(10_000));
}

/// The tokens of the language, to build scripts from.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "$(",
    "${",
    "}",
    "\"",
    "'",
    "|",
    "&&",
    "||",
    ";",
    "\n",
    " ",
    "\\",
    "#",
    "for",
    "in",
    "parallel",
    "fanout",
    "timeout",
    "let",
    "export",
    "secret",
    "cd",
    "exit",
    "max",
    "2",
    "0",
    "fail-fast",
    "ordered",
    "lines",
    "signal",
    "TERM",
    "grace",
    "1s",
    "5",
    "1..3",
    "$x",
    "$@",
    "$?",
    "$1",
    "${x:-",
    ":-",
    "x",
    "=",
    "X=1",
    "<",
    ">",
    ">>",
    "2>",
    "2>&1",
    ">&2",
    "1>&2",
    "0<",
    "1>",
    "3>",
    "2>&-",
    "\\\n",
    "&>",
    "<<<",
    "\\x41",
    "\\u{e9}",
    "$",
    "é",
    "\r\n",
    "\t",
];

/// Statements, some of several lines and some that go on to the next
/// line, for `statements_parse_in_parts_as_at_once`.
const STATEMENTS: &[&str] = &[
    "echo a",
    "let x = 1",
    "{ a ; b }",
    "{\n a\n b\n}",
    "for f in a b {\n echo $f \\\n  g\n}",
    "parallel {\n a\n b\n}",
    "timeout 5s {\n sleep 1\n}",
    "a | fanout {\n b\n c\n}",
    "echo 'x\ny'",
    "echo \"a\n$(b\nc)\"",
    "echo ${x:-a\nb}",
    "x=1 y > f 2>&1",
    "# a comment",
    "echo a#b \\#",
    "echo a \\",
    "a ||",
    "a &&",
    "a |",
];

/// What may come after each of `STATEMENTS`.
const BETWEEN: &[&str] = &[
    "\n", "\n\n", " # c\n", "\\\n", "\r\n", ";", " ;\n", "\n# c\n", "\n  \n", " \\\n  ",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(source) = decode(&bytes) {
            let _ = parse(source);
        }
    }

    #[test]
    fn statements_parse_in_parts_as_at_once(
        items in proptest::collection::vec((0..STATEMENTS.len(), 0..BETWEEN.len()), 1..40),
    ) {
        let source: String = items
            .iter()
            .map(|&(stmt, between)| format!("{}{}", STATEMENTS[stmt], BETWEEN[between]))
            .collect();
        if super::depth::scan(&source).is_ok() {
            parts_agree(&source);
        }
    }

    #[test]
    fn token_soup_parses_in_parts_as_at_once(indices in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
        let source: String = indices.iter().map(|&i| TOKENS[i]).collect();
        if super::depth::scan(&source).is_ok() {
            parts_agree(&source);
        }
    }

    #[test]
    fn token_soup_never_panics(indices in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
        let source: String = indices.iter().map(|&i| TOKENS[i]).collect();
        match parse(&source) {
            Ok(script) => {
                let _ = dump(&script);
            }
            Err(error) => {
                let span = error.span().expect("every error has a span");
                prop_assert!(span.end <= source.len(), "{error:?} outside {source:?}");
                prop_assert!(source.is_char_boundary(span.start) && source.is_char_boundary(span.end));
            }
        }
    }
}

/// `parse_in_parts`, cutting wherever it may (parts of one byte or more),
/// gives the tree that parsing at once gives, spans included.
fn parts_agree(source: &str) {
    let whole = super::parser::parse_at_once(source);
    match super::parser::parse_in_parts(source, 1) {
        Some(parts) => assert_eq!(Ok(parts), whole, "{source:?}"),
        None => assert!(whole.is_err(), "{source:?}: a part did not parse"),
    }
}

#[test]
fn long_scripts_parse_in_parts_as_at_once() {
    for source in [
        "echo a\necho b\n",
        "echo a \\\n  b\necho c",
        "echo a \\\r\n  b\r\necho c\r\n",
        "echo a |\n  cat\necho b &&\n\n echo c ||\n echo d\n",
        "echo a | # why\n  cat\necho b && # then\n echo c\n",
        "echo a\\\\\necho b",
        "echo 'a\nb' \"c\nd $(echo e\n f)\"\necho g # it's { here\necho h",
        "{\n echo a\n} > out\nfor f in a b {\n  echo $f\n}\nlet x = ${y:-a\nb}\n",
        "parallel max 2 {\n a\n b\n}\ntimeout 5s { sleep 1 }\ncat f | fanout {\n sha256sum\n wc -c\n}\n",
        "#!/usr/bin/env pipe\n# a comment\n\n\necho a; echo b\n;\necho c",
        "echo a#b\necho '#'\necho \\#\n",
        "echo a |\n",
        "echo a\n  | cat\n",
        "echo 'a\n",
        "echo ok\nfor i in {1..3}; do echo $i; done\n",
    ] {
        parts_agree(source);
    }
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples")).unwrap() {
        let path = entry.unwrap().path();
        parts_agree(&std::fs::read_to_string(&path).unwrap());
    }
}

#[test]
fn an_error_in_a_long_script_is_told_as_in_a_short_one() {
    let short = "echo a >\n";
    let long = format!("{}{short}", "echo line\n".repeat(10_000));
    let (short, long) = (parse(short).unwrap_err(), parse(&long).unwrap_err());
    assert_eq!(
        long.code().unwrap().to_string(),
        short.code().unwrap().to_string()
    );
    let offset = |error: &ParseError| error.labels().unwrap().next().unwrap().offset();
    assert_eq!(offset(&long), offset(&short) + 100_000);
}
