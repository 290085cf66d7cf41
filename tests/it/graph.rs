//! `pipe::graph`: every example's process network is DOT that Graphviz
//! accepts, and no secret shows in it.
//!
//! These tests call the library, not the binary (`pipe graph FILE` is a
//! thin wrapper). With `PIPE_RENDER_GRAPHS=1` set, [`render_examples`]
//! also writes `docs/graphs/NAME.svg` for each example.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A secret's value that must never appear in a graph.
const CANARY: &str = "c4n4ry-Value-91x";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `examples/*.pipe`, sorted, with its name (no extension) and text.
fn examples() -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pipe"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no examples found");
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

fn graph_of(source: &str, name: &str) -> String {
    let script = pipe::syntax::parse(source).unwrap_or_else(|e| panic!("{name}: {e}"));
    pipe::graph::graph(&script, source, name)
}

/// Whether Graphviz's `dot` can be run; prints a note when it cannot.
fn have_dot() -> bool {
    let found = Command::new("dot")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        eprintln!("note: Graphviz `dot` not found; DOT output not validated");
    }
    found
}

/// Runs `dot -Tsvg` on `dot_text`; panics on any error or warning but
/// the one a Graphviz built without fonts gives for non-ASCII text.
fn render(dot_text: &str, what: &str) -> Vec<u8> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot_text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let complaints: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.contains("no value for width of non-ASCII character"))
        .filter(|line| !line.trim().is_empty())
        .collect();
    assert!(
        output.status.success() && complaints.is_empty(),
        "dot rejected the graph of {what}: {stderr}\n{dot_text}"
    );
    output.stdout
}

#[test]
fn every_example_renders() {
    let dot = have_dot();
    for (name, source) in examples() {
        let text = graph_of(&source, &name);
        assert!(text.starts_with("digraph "), "{name}: {text}");
        if dot {
            render(&text, &name);
        }
    }
}

/// Shapes the examples do not have: edges into and out of cluster borders,
/// junctions, empty blocks, nested substitutions, odd characters.
#[test]
fn tricky_scripts_render() {
    if !have_dot() {
        return;
    }
    let scripts = [
        "",
        "# nothing but a comment",
        "{ }",
        "{ } | { } && parallel { } || fanout { }",
        "p | parallel max 2 fail-fast { a ; b } | q",
        "parallel { a ; b } | fanout { c ; d } | { e; f }",
        "p | fanout lines { a > x; { b | c } ; timeout 1s { d } } | sort",
        "timeout 2s signal INT grace 1s { a } || exit 1",
        "parallel max 4 lines for f in $(ls $(pwd)) { cd $f; exit }",
        "for i in 1..${n:-$(nproc)} { { a } | b } | { for j in x { c } }",
        "let x = ${y:-$(a | b)}; echo \"$(date) ${x}\" > $(mktemp) 2>&1 <<< 'in'",
        "echo \"say \\\"hi\\\" \\\\ &amp; &lt; && ||\" 'é ü 中文 \u{7}'",
        "check || exit 3; a && b || c",
    ];
    for script in scripts {
        render(&graph_of(script, "tricky"), &format!("{script:?}"));
    }
}

/// Every statement of a block standing as a stage reads and writes the
/// pipe, not only its first and last: each is drawn joined to it.
#[test]
fn every_statement_of_a_block_stage_is_on_its_pipes() {
    let pipes = |script: &str| {
        let text = graph_of(script, "block");
        if have_dot() {
            render(&text, script);
        }
        text.matches("penwidth=1.4").count()
    };
    // echo a -> sort, echo b -> sort.
    assert_eq!(pipes("{ echo a; echo b } | sort"), 2);
    // seq -> head, seq -> cat.
    assert_eq!(pipes("seq 3 | { head -n 1; cat }"), 2);
    // seq -> test, seq -> cat, test -> wc, cat -> wc.
    assert_eq!(pipes("seq 3 | { test -t 0 || cat } | wc -l"), 4);
    assert_eq!(
        pipes("for f in a b { let x = 1; echo $f; echo $x } | sort"),
        2
    );
}

/// A stage whose redirects take it off a pipe is not drawn on it: `echo a
/// > f | cat` gives `cat` nothing, as in bash.
#[test]
fn a_redirected_stage_is_off_its_pipe() {
    let pipes = |script: &str| {
        let text = graph_of(script, "redirects");
        if have_dot() {
            render(&text, script);
        }
        text.matches("penwidth=1.4").count()
    };
    assert_eq!(pipes("echo a > f | cat"), 0);
    assert_eq!(pipes("echo a >&2 | cat"), 0);
    assert_eq!(pipes("make > log 2>&1 | wc"), 0);
    assert_eq!(pipes("{ a; b } &> f | c"), 0);
    assert_eq!(pipes("sort | uniq < f | wc"), 1);
    assert_eq!(pipes("seq 3 | cat <<< x"), 0);
    // Still on it: stderr through the pipe, and the usual cases.
    assert_eq!(pipes("make 2>&1 > log | tee x"), 1);
    assert_eq!(pipes("make 2>&1 | tee x > log"), 1);
    assert_eq!(pipes("a 2> err | b"), 1);
}

/// A block header's `$(...)` runs a process as the block starts: it is
/// part of the network, as a `for` list's is.
#[test]
fn header_substitutions_are_drawn() {
    let text = graph_of(
        "parallel max $(nproc) { a }\ntimeout $(cat limit) grace ${G:-$(cat grace)} { b }",
        "headers",
    );
    for command in ["nproc", "cat limit", "cat grace"] {
        assert!(
            text.contains(&format!("[label=\"{command}\"]")),
            "{command}: {text}"
        );
    }
    assert_eq!(
        text.matches("style=dotted, arrowhead=open").count(),
        3,
        "{text}"
    );
    if have_dot() {
        render(&text, "headers");
    }
}

#[test]
fn secrets_never_show() {
    let dot = have_dot();
    let canary_script = format!(
        "secret token = '{CANARY}'\n\
         echo {CANARY} > /tmp/{CANARY}.txt\n\
         parallel for x in {CANARY} a {{ X={CANARY} printenv X | grep -c {CANARY} }}\n\
         let fallback = ${{9:-{CANARY}}}\n"
    );
    for (name, source) in examples() {
        let source = format!("{source}\n{canary_script}");
        let text = graph_of(&source, &name);
        assert!(!text.contains(CANARY), "{name}: {text}");
        assert!(!text.contains("c4n4ry"), "{name}: {text}");
        if dot {
            let svg = render(&text, &name);
            assert!(!String::from_utf8_lossy(&svg).contains("c4n4ry"), "{name}");
        }
    }
    // The examples' own secrets: a quoted literal with escapes, and a
    // default that is the whole value.
    let encrypt = graph_of(
        &std::fs::read_to_string(root().join("examples/encrypt_parallel.pipe")).unwrap(),
        "encrypt_parallel",
    );
    assert!(!encrypt.contains("xe24U"), "{encrypt}");
    assert!(encrypt.contains("secret password = ***"), "{encrypt}");
    let archive = graph_of(
        &std::fs::read_to_string(root().join("examples/archive.pipe")).unwrap(),
        "archive",
    );
    assert!(!archive.contains("correct horse"), "{archive}");
}

/// A value that `let`, `export` or a prefix assignment gives a secret's
/// name is secret too, in the run and so in the graph: the graph showed
/// `let TOKEN = new-value` and `TOKEN=other-value env`.
#[test]
fn values_given_to_a_secret_name_never_show() {
    let text = graph_of(
        "secret TOKEN = first-value\nlet TOKEN = 'new-value'\nexport TOKEN = newer-value\n\
         TOKEN=other-value env | grep -c TOKEN\necho new-value\n",
        "reassigned",
    );
    for value in ["first-value", "new-value", "newer-value", "other-value"] {
        assert!(!text.contains(value), "{value}: {text}");
    }
    assert!(text.contains("TOKEN=*** env"), "{text}");
}

/// A `for` item is secret too when the loop's variable is a secret's
/// name: the graph showed `for TOKEN in second-value`.
#[test]
fn for_items_on_a_secret_name_never_show() {
    let text = graph_of(
        "secret TOKEN = first-value\nfor TOKEN in second-value { true }\n\
         parallel for TOKEN in third-value { true }\nfor x in plain { true }\n",
        "for-secret",
    );
    assert!(!text.contains("-value"), "{text}");
    assert!(text.contains("for TOKEN in ***"), "{text}");
    assert!(text.contains("for x in plain"), "{text}");
}

/// Writes `docs/graphs/NAME.svg` for every example when
/// `PIPE_RENDER_GRAPHS=1`; otherwise does nothing.
#[test]
fn render_examples() {
    if std::env::var_os("PIPE_RENDER_GRAPHS").is_none_or(|v| v != "1") {
        return;
    }
    assert!(have_dot(), "PIPE_RENDER_GRAPHS=1 needs Graphviz `dot`");
    let dir = root().join("docs/graphs");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, source) in examples() {
        let svg = render(&graph_of(&source, &format!("{name}.pipe")), &name);
        std::fs::write(dir.join(format!("{name}.svg")), svg).unwrap();
    }
}
