//! `pipe::fmt::format` on every script the project ships: the examples and
//! the bad scripts of `errors/` that still parse. Formatting keeps the tree
//! and every comment, and formatting twice changes nothing.

use std::path::Path;

use pipe::fmt::format;
use pipe::syntax::ast::Script;
use pipe::syntax::{dump_without_spans, parse};

fn comment_texts(script: &Script) -> Vec<&str> {
    script.comments.iter().map(|c| c.text.as_str()).collect()
}

/// Checks every `.pipe` file under `dir` that parses; returns how many.
fn check_dir(dir: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pipe"))
        .collect();
    paths.sort();
    let mut checked = 0;
    for path in paths {
        // A script that is not UTF-8 is no text to format.
        let Ok(source) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        let Ok(before) = parse(&source) else {
            assert!(format(&source).is_err(), "{}", path.display());
            continue;
        };
        let formatted = format(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let after = parse(&formatted).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            dump_without_spans(&after),
            dump_without_spans(&before),
            "{} changed meaning:\n{formatted}",
            path.display()
        );
        assert_eq!(
            comment_texts(&after),
            comment_texts(&before),
            "{}",
            path.display()
        );
        for comment in &before.comments {
            assert_eq!(
                formatted.matches(comment.text.as_str()).count(),
                source.matches(comment.text.as_str()).count(),
                "{}: {:?}",
                path.display(),
                comment.text
            );
        }
        let again = format(&formatted).unwrap();
        assert_eq!(again, formatted, "{} is not idempotent", path.display());
        checked += 1;
    }
    checked
}

#[test]
fn examples_keep_meaning_and_comments() {
    assert!(check_dir("examples") >= 9);
}

#[test]
fn error_scripts_that_parse_keep_meaning_and_comments() {
    assert!(check_dir("tests/it/errors") >= 10);
}

#[test]
fn a_formatted_example() {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fetch_with_fallback.pipe"),
    )
    .unwrap();
    let formatted = format(&source).unwrap();
    assert!(
        formatted.contains(
            "timeout 500ms { cat $work/mirror > $work/notes.txt } || {\n  echo \"mirror stalled"
        ),
        "{formatted}"
    );
}
