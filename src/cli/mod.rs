//! The command line: arguments to a validated request, the request run,
//! its outcome mapped to `pipe`'s exit status.

mod observe;

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use miette::Diagnostic;
use thiserror::Error;

use crate::check;
use crate::diagnostics::{Printer, Source};
use crate::exec::{self, Outcome, RunError};
use crate::syntax;

use observe::Observer;

/// Run `.pipe` scripts: pipes, parallel groups and timeouts, with pipefail
/// and errexit always on, no word splitting and no orphans.
#[derive(Debug, Parser)]
#[command(
    name = "pipe",
    version,
    args_conflicts_with_subcommands = true,
    args_override_self = true
)]
#[command(
    after_help = "Exit status: the status of the statement that ended the script (0 on \
success); 2 for a parse or usage error; 124 for a timeout; 126 not executable; 127 command not \
found; 128+N for a child killed by signal N. Interrupted (SIGINT, SIGTERM, SIGHUP), pipe ends \
its children, then itself by the same signal."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Run TEXT as the script; every argument after it is the script's
    /// ($1, $2, ...), even one that starts with `-`
    #[arg(short = 'c', value_name = "TEXT")]
    text: Option<OsString>,

    /// Print each command on stderr before it starts and as it ends, with a
    /// relative time, and its pid at its end (secrets hidden)
    #[arg(short = 'x', long = "trace", global = true)]
    trace: bool,

    /// Write every process's start, end, pid and status as Chrome
    /// trace-event JSON (opens in Perfetto); `-` for standard output
    #[arg(long, value_name = "FILE.json", global = true)]
    timeline: Option<PathBuf>,

    /// The script (`-` for standard input), then its arguments
    #[arg(value_name = "FILE [ARGS]", trailing_var_arg = true)]
    script: Vec<OsString>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a script (the same as `pipe FILE`)
    Run {
        /// The script (`-` for standard input), then its arguments
        #[arg(
            value_name = "FILE [ARGS]",
            trailing_var_arg = true,
            allow_hyphen_values = true,
            required = true
        )]
        script: Vec<OsString>,
    },
    /// Parse and resolve scripts (commands on PATH, variables defined
    /// before use) without running anything; exit 1 if a problem is found,
    /// 2 if a script cannot be read or does not parse
    Check {
        /// The scripts (`-` for standard input)
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Rewrite scripts in the canonical layout, keeping comments; exit 2 if
    /// a script cannot be read or does not parse
    Fmt {
        /// Only report the files that are not formatted; exit 1 if any
        #[arg(long)]
        check: bool,
        /// The scripts (`-` reads standard input and writes the formatted
        /// script on standard output)
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a script's process network as Graphviz DOT; exit 2 if the
    /// script cannot be read or does not parse
    Graph {
        /// The script (`-` for standard input)
        file: PathBuf,
    },
    /// Print a completion script for a shell
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff)
    Man,
}

/// Problems with the command line, and with the files `pipe` itself reads
/// and writes: scripts, a timeline, formatted scripts.
#[derive(Debug, Error, Diagnostic)]
enum UsageError {
    // The OS error is in the message; a field named `source` would make it
    // the error's cause too, and the report would say it twice.
    #[error("cannot read `{path}`: {}", exec::io_reason(.error))]
    #[diagnostic(code(pipe::usage::read))]
    Read {
        path: String,
        error: std::io::Error,
        /// What to do, where the error tells: see [`UsageError::read`].
        #[help]
        help: Option<String>,
    },

    #[error("cannot write `{path}`: {}", exec::io_reason(.error))]
    #[diagnostic(code(pipe::usage::write))]
    Write {
        path: String,
        error: std::io::Error,
        /// For a script `pipe fmt` rewrote: whether it was put back.
        #[help]
        help: Option<&'static str>,
    },

    #[error("cannot write to standard output: {}", exec::io_reason(.error))]
    #[diagnostic(code(pipe::usage::stdout))]
    Stdout { error: std::io::Error },

    #[error("cannot create the timeline `{path}`: {}", exec::io_reason(.error))]
    #[diagnostic(
        code(pipe::usage::timeline),
        help(
            "the timeline is created before the script runs and written when it ends; name a \
             file in a directory that exists and that you may write to"
        )
    )]
    Timeline { path: String, error: std::io::Error },

    #[error("the timeline `{path}` would be written over a script")]
    #[diagnostic(
        code(pipe::usage::timeline_over_script),
        help(
            "a timeline is JSON, and would replace what the file holds: name a file of its own \
             (`--timeline run.json`), with the script after it (`pipe --timeline run.json \
             FILE`)"
        )
    )]
    TimelineOverScript { path: String },

    #[error("`{path}` is larger than {}", MAX_SCRIPT_TEXT)]
    #[diagnostic(
        code(pipe::usage::too_large),
        help(
            "pipe reads a whole script before it runs any of it, so that a syntax error anywhere \
             stops it before anything starts; keep data in files the script reads (`for line in \
             $(cat FILE)`), or split the script into scripts that run one another"
        )
    )]
    TooLarge { path: String },

    #[error("no script given")]
    #[diagnostic(
        code(pipe::usage::no_script),
        help(
            "run `pipe FILE`, `pipe -c 'TEXT'`, or pipe a script into `pipe -`; see `pipe --help`"
        )
    )]
    NoScript,

    /// Arguments clap refuses: its message, then its tips and usage.
    #[error("{message}")]
    #[diagnostic(code(pipe::usage::arguments), help("{help}"))]
    Arguments { message: String, help: String },

    #[error("standard input can be read only once")]
    #[diagnostic(code(pipe::usage::stdin_twice), help("name `-` once among the files"))]
    StdinTwice,

    /// `name` is the file's name in diagnostics, `arg` how to name it to
    /// `pipe fmt` (`-` for standard input).
    #[error("`{name}` is not formatted")]
    #[diagnostic(
        code(pipe::usage::unformatted),
        severity(Warning),
        help("run `pipe fmt {arg}`")
    )]
    Unformatted { name: String, arg: String },
}

impl UsageError {
    /// A script that cannot be read. A directory is named, as `pipe fmt
    /// .` would name the scripts in it: they are to be named instead; a
    /// missing name may be a script's without its `.pipe`, or a
    /// subcommand's misspelt.
    fn read(path: &str, error: std::io::Error) -> UsageError {
        let help = match error.kind() {
            _ if path == STDIN_NAME => None,
            std::io::ErrorKind::IsADirectory => {
                let dir = path.trim_end_matches('/');
                Some(format!("name the scripts in it instead: `{dir}/*.pipe`"))
            }
            // `pipe deploy` for `deploy.pipe`.
            std::io::ErrorKind::NotFound if Path::new(&format!("{path}.pipe")).is_file() => {
                Some(format!("did you mean `{path}.pipe`?"))
            }
            // `pipe chek x.pipe`: a subcommand misspelt is read as a script.
            std::io::ErrorKind::NotFound => {
                crate::suggest::closest_name(path, SUBCOMMANDS.map(str::to_owned))
                    .map(|name| format!("did you mean the subcommand `{name}`?"))
            }
            _ => None,
        };
        UsageError::Read {
            path: path.to_owned(),
            error,
            help,
        }
    }
}

/// A script to run: its name for diagnostics, `$0`, its text as bytes.
struct Script {
    name: String,
    arg0: OsString,
    text: Vec<u8>,
    args: Vec<OsString>,
    /// Where the text was read from: a file, standard input, or neither
    /// (`-c`), so that no timeline is written over it.
    origin: Origin,
}

#[derive(Clone, Copy, PartialEq)]
enum Origin {
    File,
    Stdin,
    Text,
}

/// clap's report of arguments it refuses, as a usage diagnostic: its
/// first paragraph (without clap's `error: `) is the message, the tips and
/// the usage after it the help.
fn arguments_error(err: &clap::Error) -> UsageError {
    let text = err.render().to_string();
    let (first, rest) = text.trim().split_once("\n\n").unwrap_or((text.trim(), ""));
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let message = first.split_whitespace().collect::<Vec<_>>().join(" ");
    let help = rest
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.strip_prefix("  tip: ").unwrap_or(line).trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    UsageError::Arguments { message, help }
}

/// Exit status for a parse or usage error.
const USAGE: u8 = 2;

/// Runs `pipe` with the process's arguments; returns its exit status.
pub fn main() -> u8 {
    exec::prepare_process();
    let cli = match Cli::from_args(std::env::args_os().collect()) {
        Ok(cli) => cli,
        // `--help` and `--version` are printed as clap writes them; a
        // usage error is a diagnostic like every other error.
        Err(err) if !err.use_stderr() => {
            return match err.print() {
                Ok(()) => 0,
                Err(error) => stdout_failed(&Printer::new(), error),
            };
        }
        Err(err) => {
            Printer::new().print(&arguments_error(&err), None, &[]);
            return USAGE;
        }
    };
    let printer = Printer::new();
    match &cli.command {
        Some(Command::Check { files }) => check(&printer, files),
        Some(Command::Fmt { check, files }) => fmt(&printer, files, *check),
        Some(Command::Graph { file }) => graph(&printer, file),
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "pipe", &mut out);
            write_stdout(&printer, &out)
        }
        Some(Command::Man) => write_stdout(&printer, &man_page()),
        Some(Command::Run { .. }) | None => run(&cli, &printer),
    }
}

/// The manual page, in roff. clap_mangen lists each subcommand as a page
/// of its own, `pipe-run(1)`, but no such page exists: `pipe man` prints
/// this one page, so a subcommand is named as it is typed, `pipe run`.
fn man_page() -> Vec<u8> {
    let mut command = Cli::command();
    // Built as the page is, so that clap's own `help` subcommand is there.
    command.build();
    let mut out = Vec::new();
    let _ = clap_mangen::Man::new(command.clone()).render(&mut out);
    let mut page = String::from_utf8_lossy(&out).into_owned();
    for name in command.get_subcommands().map(clap::Command::get_name) {
        page = page.replace(
            &format!("\npipe\\-{name}(1)\n"),
            &format!("\npipe {name}\n"),
        );
    }
    page.into_bytes()
}

impl Cli {
    /// Parses the command line. `pipe FILE [ARGS]`, the shebang's form,
    /// is read directly: its meaning needs no parser (everything after the
    /// file is the script's), and building clap's command for it would cost
    /// a tenth of an empty script's run. Anything else goes to clap, with a
    /// `--` after `-c TEXT`: as with `bash -c`, every argument after the
    /// text is the script's, even one that looks like an option, and clap
    /// alone would read `pipe -c TEXT -x` as asking for a trace.
    fn from_args(mut args: Vec<OsString>) -> Result<Cli, clap::Error> {
        match args.get(1) {
            Some(first) if is_script_path(first) => Ok(Cli {
                command: None,
                text: None,
                trace: false,
                timeline: None,
                script: args[1..].to_vec(),
            }),
            _ => {
                let mut command = Cli::command();
                subcommand_first(&mut args);
                if let Some(end) = after_dash_c_text(&command, &args) {
                    args.insert(end, "--".into());
                }
                let mut matches = command.try_get_matches_from_mut(args)?;
                Cli::from_arg_matches_mut(&mut matches).map_err(|err| err.format(&mut command))
            }
        }
    }
}

/// Where the arguments after `-c TEXT` begin, when `-c` is one of `pipe`'s
/// own options (before any script path, subcommand or `--`) and TEXT is
/// there. The options are read as clap reads them, from clap's own
/// description of them: `--long VALUE`, `--long=VALUE`, and clusters of
/// short ones (`-xc TEXT`, `-cTEXT`), where the first that takes a value
/// takes the rest of the cluster or else the next argument. Unknown options
/// are stepped over: clap rejects them.
fn after_dash_c_text(command: &clap::Command, args: &[OsString]) -> Option<usize> {
    let takes_value = |arg: &clap::Arg| arg.get_action().takes_values();
    let long_takes_value = |name: &[u8]| {
        command.get_arguments().any(|arg| {
            arg.get_long().is_some_and(|long| long.as_bytes() == name) && takes_value(arg)
        })
    };
    let short_takes_value = |short: u8| {
        command
            .get_arguments()
            .any(|arg| arg.get_short() == Some(char::from(short)) && takes_value(arg))
    };
    let mut index = 1;
    'options: while let Some(arg) = args.get(index) {
        let bytes = arg.as_encoded_bytes();
        if bytes == b"-" || bytes == b"--" || !bytes.starts_with(b"-") {
            return None;
        }
        if let Some(long) = bytes.strip_prefix(b"--") {
            let with_value = !long.contains(&b'=') && long_takes_value(long);
            index += if with_value { 2 } else { 1 };
            continue;
        }
        for (at, &short) in bytes.iter().enumerate().skip(1) {
            if short_takes_value(short) {
                let end = if at + 1 < bytes.len() {
                    index + 1
                } else {
                    index + 2
                };
                if short == b'c' {
                    return (end <= args.len()).then_some(end);
                }
                index = end;
                continue 'options;
            }
        }
        index += 1;
    }
    None
}

/// Moves a subcommand's name before `pipe`'s own options written ahead
/// of it (`pipe -x run FILE` is `pipe run -x FILE`): they are global, but
/// clap reads no subcommand once an option has been given, and would take
/// `run` for the script.
fn subcommand_first(args: &mut Vec<OsString>) {
    let mut index = 1;
    while let Some(arg) = args.get(index) {
        match arg.as_encoded_bytes() {
            b"-x" | b"--trace" => index += 1,
            b"--timeline" => index += 2,
            bytes if bytes.starts_with(b"--timeline=") => index += 1,
            _ => break,
        }
    }
    if index > 1
        && let Some(arg) = args.get(index)
        && SUBCOMMANDS.iter().any(|name| arg == name)
    {
        let name = args.remove(index);
        args.insert(1, name);
    }
}

/// The names clap reads as a subcommand when they come first (a unit test
/// keeps this in step with `Command`).
const SUBCOMMANDS: [&str; 7] = ["run", "check", "fmt", "graph", "completions", "man", "help"];

/// Whether clap would take `arg`, as the first argument, for the script
/// (neither an option nor a subcommand's name).
fn is_script_path(arg: &OsString) -> bool {
    !arg.as_encoded_bytes().starts_with(b"-") && !SUBCOMMANDS.iter().any(|name| arg == name)
}

fn run(cli: &Cli, printer: &Printer) -> u8 {
    let script = match load(cli) {
        Ok(script) => script,
        Err(err) => {
            printer.print(&err, None, &[]);
            return USAGE;
        }
    };
    let Some(Parsed {
        source,
        script: parsed,
        ..
    }) = parse(printer, &script.name, &script.text)
    else {
        return USAGE;
    };
    // The timeline is written when the script ends; a path that cannot be
    // written is found out now, before anything runs. One that names a
    // script (`pipe --timeline deploy.pipe`, its value forgotten, reads the
    // script from standard input, and would write JSON over `deploy.pipe`)
    // is refused, the file intact.
    if let Some(path) = &cli.timeline
        && over_script(path, &script)
    {
        let path = path.display().to_string();
        printer.print(&UsageError::TimelineOverScript { path }, None, &[]);
        return USAGE;
    }
    let timeline = match &cli.timeline {
        Some(path) => match create_timeline(path) {
            Ok(file) => Some((path, file)),
            Err(error) => {
                let path = path.display().to_string();
                printer.print(&UsageError::Timeline { path, error }, None, &[]);
                return USAGE;
            }
        },
        None => None,
    };
    let mut positional = vec![script.arg0];
    positional.extend(script.args);
    let observer = Observer::new(cli.trace, timeline.is_some());
    let config = exec::Config {
        positional,
        observe: observer.active(),
    };
    // A secret written out in the script is hidden in every diagnostic's
    // excerpt of it, before its `secret` runs too (an error on the line
    // above shows it), as `pipe check` hides it.
    let literal = check::literal_secrets(&parsed);
    let reporter = CliReporter {
        printer,
        source: &source,
        observer: &observer,
        script: &parsed,
        literal: &literal,
    };
    let outcome = exec::run(&parsed, config, &reporter);
    // A variable set in a block that ended: the error shows where.
    let ended = match &outcome {
        Outcome::Failed(failure) => failure
            .error
            .as_deref()
            .and_then(|error| check::EndedUse::of(error, &parsed)),
        _ => None,
    };
    // The tree is not freed: `pipe` is about to exit, and freeing a long
    // script's tree, node by node, costs more than all of its expansion
    // (1000 lines: a million instructions).
    std::mem::forget(parsed);
    let mut lost = false;
    if let Some((path, mut file)) = timeline
        && let Some(json) = observer.timeline_json(&script.name)
        && let Err(error) = file.write_all(json.as_bytes())
        // A closed standard output ends `pipe` quietly, the timeline's too.
        && !(path.as_os_str() == "-" && error.kind() == std::io::ErrorKind::BrokenPipe)
    {
        printer.print(
            &UsageError::Write {
                path: path.display().to_string(),
                error,
                help: None,
            },
            None,
            &[],
        );
        lost = true;
    }
    // A script that succeeded, but whose timeline was asked for and lost,
    // does not end with 0 after an error message: it is a usage error.
    match exit_code(outcome, ended, printer, &source, &literal) {
        0 if lost => USAGE,
        code => code,
    }
}

/// The file a timeline is written to: `path` created, or for `-`, as
/// for a script, standard output (written once the script has ended, after
/// all it printed there).
fn create_timeline(path: &Path) -> std::io::Result<std::fs::File> {
    if path.as_os_str() == "-" {
        use std::os::fd::AsFd;
        return Ok(std::io::stdout().as_fd().try_clone_to_owned()?.into());
    }
    std::fs::File::create(path)
}

/// Whether a timeline written to `path` would go over a script: one
/// named `*.pipe`, or the very file `script` was read from, given by its
/// name or as standard input.
fn over_script(path: &Path, script: &Script) -> bool {
    use std::os::unix::fs::MetadataExt;
    if path
        .extension()
        .is_some_and(|extension| extension == "pipe")
    {
        return true;
    }
    // Only a regular file holds a script (`/dev/null` may be both).
    let Ok(timeline) = std::fs::metadata(path) else {
        return false;
    };
    if !timeline.is_file() {
        return false;
    }
    let read = match script.origin {
        Origin::File => std::fs::metadata(&script.arg0).map(|meta| (meta.dev(), meta.ino())),
        Origin::Stdin => nix::sys::stat::fstat(std::io::stdin())
            .map(|stat| (stat.st_dev, stat.st_ino))
            .map_err(std::io::Error::from),
        Origin::Text => return false,
    };
    read.is_ok_and(|read| read == (timeline.dev(), timeline.ino()))
}

/// A script decoded and parsed.
struct Parsed<'a> {
    /// The UTF-8 byte order mark the script started with, or nothing.
    bom: &'a str,
    /// The text after it, which the script's spans index.
    text: &'a str,
    source: Source,
    script: syntax::ast::Script,
}

/// The UTF-8 byte order mark, which some editors put at a file's start.
const BOM: char = '\u{feff}';

/// Decodes and parses a script, printing the error if it fails. A byte
/// order mark at the very start is skipped: it is no part of the script,
/// and an editor hides it. Spans and the text shown in diagnostics both
/// start after it, so a diagnostic's line and column are the ones the
/// editor shows; invalid UTF-8 is reported before, at its offset in the
/// file, mark included.
fn parse<'a>(printer: &Printer, name: &str, bytes: &'a [u8]) -> Option<Parsed<'a>> {
    let decoded = match syntax::decode(bytes) {
        Ok(text) => text,
        Err(err) => {
            // Shown in the text as an editor shows it, the bad bytes as
            // one U+FFFD: the valid text before them keeps its offsets.
            let lossy = String::from_utf8_lossy(bytes);
            let err = match err {
                syntax::ParseError::InvalidUtf8 { offset, .. } => syntax::ParseError::InvalidUtf8 {
                    offset,
                    span: (offset, char::REPLACEMENT_CHARACTER.len_utf8()).into(),
                },
                other => other,
            };
            let (secrets, written) = unparsed_secrets(&lossy);
            printer.print(
                &err,
                Some(&Source::hiding(name, &lossy, &written)),
                &secrets,
            );
            return None;
        }
    };
    let text = decoded.strip_prefix(BOM).unwrap_or(decoded);
    let bom = &decoded[..decoded.len() - text.len()];
    match syntax::parse(text) {
        Ok(script) => Some(Parsed {
            bom,
            text,
            source: Source::hiding(name, text, &check::secret_spans(&script)),
            script,
        }),
        Err(err) => {
            let (secrets, written) = unparsed_secrets(text);
            printer.print(&err, Some(&Source::hiding(name, text, &written)), &secrets);
            None
        }
    }
}

/// Whether `statement` starts `secret NAME =`, the one shape worth
/// parsing for its value.
fn names_a_value(statement: &str) -> bool {
    let Some(rest) = statement.strip_prefix("secret") else {
        return false;
    };
    let name = rest.trim_start_matches([' ', '\t']);
    if name.len() == rest.len() || !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
    {
        return false;
    }
    let after = name.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    after.trim_start_matches([' ', '\t']).starts_with('=')
}

/// The values of the `secret`s written out in a script that did not
/// parse, to hide in its parse error's excerpt as in any other
/// diagnostic: each `secret` statement that parses on its own, to its
/// line's end or to the `;` or `}` after it, a quoted value running over
/// several lines included; with where the script writes them (see
/// [`check::secret_spans`]). A few, short ones: a script's secrets, not
/// everything a file named `secret` may hold.
fn unparsed_secrets(text: &str) -> (Vec<Vec<u8>>, Vec<syntax::ast::Span>) {
    const MAX_TRIES: usize = 256;
    const MAX_LEN: usize = 4096;
    let mut found = Vec::new();
    let mut written = Vec::new();
    let mut tries = 0;
    // How much text may be parsed in all, as for MAX_TRIES statements
    // of MAX_LEN bytes tried to their line's end and to their `;`.
    let mut budget = 2 * MAX_TRIES * MAX_LEN;
    let mut from = 0;
    while let Some(at) = text[from..].find("secret") {
        let start = from + at;
        from = start + "secret".len();
        let at_word_start = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || ";{|&".contains(c) || c == BOM);
        let rest = &text[start..];
        if !at_word_start || !names_a_value(rest) {
            continue;
        }
        tries += 1;
        if tries > MAX_TRIES {
            break;
        }
        let (line_end, statement_end) = statement_ends(rest, MAX_LEN);
        if line_end > MAX_LEN {
            continue;
        }
        if let Some((values, spans)) = [line_end, statement_end]
            .into_iter()
            .find_map(|end| statement_secrets(&rest[..end], start, &mut budget))
        {
            // Each is looked for in the whole text: a few, each once.
            for value in values {
                if found.len() < MAX_TRIES && !found.contains(&value) {
                    found.push(value);
                }
            }
            written.extend(spans);
        }
    }
    (found, written)
}

/// The values of the `secret` statement `statement`, at `start` in the
/// script, and where it writes them, if it parses; one with more words
/// than one value (`pipe::parse::value_not_one_word`) as what it meant:
/// bash's `secret A=1 B=2` as `secret A=1` and `secret B=2`, and `secret
/// A = two words` as a secret of each word.
fn statement_secrets(
    statement: &str,
    start: usize,
    budget: &mut usize,
) -> Option<(Vec<Vec<u8>>, Vec<syntax::ast::Span>)> {
    let (mut values, mut spans) = (Vec::new(), Vec::new());
    let mut rest = statement;
    let mut at = start;
    // What is written before `rest` to make a statement of it, after the
    // first. Each word is parsed again with all after it, as long as the
    // budget of text to parse lasts.
    let mut keyword = "";
    loop {
        let source = format!("{keyword}{rest}");
        let Some(left) = budget.checked_sub(source.len()) else {
            break;
        };
        *budget = left;
        let added = keyword.len();
        let (script, cut) = match syntax::parse(&source) {
            Ok(script) => (script, None),
            Err(syntax::ParseError::ValueNotOneWord {
                keyword: "secret",
                span,
                ..
            }) if span.offset() > added => match syntax::parse(&source[..span.offset()]) {
                Ok(script) => (script, Some(span.offset() - added)),
                Err(_) => break,
            },
            Err(_) => break,
        };
        values.extend(check::literal_secrets(&script));
        spans.extend(check::secret_spans(&script).into_iter().map(|span| {
            let shown = |offset: usize| (at + offset).saturating_sub(added);
            syntax::ast::Span::new(shown(span.start), shown(span.end))
        }));
        let Some(cut) = cut else {
            return Some((values, spans));
        };
        rest = &rest[cut..];
        at += cut;
        let assigns = rest.split_once('=').is_some_and(|(name, _)| {
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        keyword = if assigns { "secret " } else { "secret _ = " };
    }
    (!spans.is_empty() || !values.is_empty()).then_some((values, spans))
}

/// Where the statement at the start of `rest` may end, looking no further
/// than `limit` bytes: at the end of its line (past the newlines inside
/// quotes or after a `\`), and at the first `;` or `}` outside quotes
/// before that.
fn statement_ends(rest: &str, limit: usize) -> (usize, usize) {
    let bytes = rest.as_bytes();
    let end = bytes.len().min(limit + 1);
    let mut quote = None;
    let mut stop = None;
    let mut at = 0;
    while at < end {
        let byte = bytes[at];
        match quote {
            Some(open) if byte == open => quote = None,
            Some(b'"') if byte == b'\\' => at += 1,
            Some(_) => {}
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'\\' => at += 1,
                b'\n' => break,
                b';' | b'}' => {
                    stop.get_or_insert(at);
                }
                // A comment runs to the line's end, whatever quotes it holds.
                b'#' if at == 0 || bytes[at - 1].is_ascii_whitespace() => {
                    at += bytes[at..end]
                        .iter()
                        .position(|&b| b == b'\n')
                        .unwrap_or(end - at);
                    break;
                }
                _ => {}
            },
        }
        at += 1;
    }
    let line_end = at.min(end);
    (line_end, stop.unwrap_or(line_end))
}

/// Whether a subcommand's file is `-`, standard input, as for `pipe -`.
fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// A script's name for diagnostics and its bytes, from a file or, for `-`,
/// from standard input (named `stdin`, as when `pipe -` runs it); prints
/// the error if it cannot be read.
fn read(printer: &Printer, path: &Path) -> Option<(String, Vec<u8>)> {
    let read = if is_stdin(path) {
        read_stdin(Vec::new()).map(|script| (script.name, script.text))
    } else {
        let name = path.display().to_string();
        read_file(path, &name).map(|bytes| (name, bytes))
    };
    read.map_err(|err| printer.print(&err, None, &[])).ok()
}

/// Reads and parses each file, then hands it to `work`, which returns its
/// status for that file (1 for a problem found). Every file is looked at;
/// the result is the worst status: 2 if any file could not be read or did
/// not parse, as for running a script.
fn each_file(
    printer: &Printer,
    files: &[PathBuf],
    mut work: impl FnMut(&Path, &str, &Parsed<'_>) -> u8,
) -> u8 {
    if files.iter().filter(|path| is_stdin(path)).count() > 1 {
        printer.print(&UsageError::StdinTwice, None, &[]);
        return USAGE;
    }
    let mut status = 0;
    for path in files {
        let file_status = match read(printer, path) {
            Some((name, bytes)) => match parse(printer, &name, &bytes) {
                Some(parsed) => work(path, &name, &parsed),
                None => USAGE,
            },
            None => USAGE,
        };
        status = status.max(file_status);
    }
    status
}

/// `pipe check`: every problem of every file; 1 if any is an error.
fn check(printer: &Printer, files: &[PathBuf]) -> u8 {
    each_file(printer, files, |_, _, parsed| {
        let mut secrets = crate::check::literal_secrets(&parsed.script);
        let (problems, known) = crate::check::check_hiding(&parsed.script);
        secrets.extend(known);
        let mut failed = false;
        for problem in problems {
            failed |= !problem.is_warning();
            printer.print(&problem, Some(&parsed.source), &secrets);
        }
        u8::from(failed)
    })
}

/// `pipe fmt [--check]`: rewrites each file that is not formatted, or with
/// `--check` only reports it (status 1); `-` is formatted to stdout. A byte
/// order mark is kept: the formatter changes layout only.
fn fmt(printer: &Printer, files: &[PathBuf], check_only: bool) -> u8 {
    each_file(printer, files, |path, name, parsed| {
        let formatted = match crate::fmt::format(parsed.text) {
            Ok(formatted) => formatted,
            Err(err) => {
                // The script parsed: this is a formatter bug, reported as a
                // problem with the file, not as a parse error.
                printer.print(&err, Some(&parsed.source), &[]);
                return 1;
            }
        };
        let unchanged = formatted == parsed.text;
        let formatted = format!("{}{formatted}", parsed.bom);
        if is_stdin(path) && !check_only {
            return write_stdout(printer, formatted.as_bytes());
        }
        if unchanged {
            return 0;
        }
        if check_only {
            let unformatted = UsageError::Unformatted {
                name: name.to_owned(),
                arg: path.display().to_string(),
            };
            printer.print(&unformatted, None, &[]);
            return 1;
        }
        let original = format!("{}{}", parsed.bom, parsed.text);
        match rewrite(path, formatted.as_bytes(), original.as_bytes()) {
            Ok(()) => 0,
            Err((error, help)) => {
                let path = name.to_owned();
                let help = Some(help);
                printer.print(&UsageError::Write { path, error, help }, None, &[]);
                1
            }
        }
    })
}

/// Writes `text` over the file at `path`, which holds `original`, in
/// place (its links, owner and mode stay), without emptying it first: a
/// write that fails (a full disk, `ulimit -f`) leaves the file as it was
/// if it wrote nothing, and otherwise is undone, `original` written back
/// where it was. The error comes with what became of the file.
fn rewrite(
    path: &Path,
    text: &[u8],
    original: &[u8],
) -> Result<(), (std::io::Error, &'static str)> {
    let kept = "the file was left as it was";
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|error| (error, kept))?;
    let mut written = 0;
    while written < text.len() {
        match file.write(&text[written..]) {
            Ok(0) => {
                return Err(undo(
                    &mut file,
                    original,
                    written,
                    std::io::ErrorKind::WriteZero.into(),
                ));
            }
            Ok(n) => written += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(undo(&mut file, original, written, error)),
        }
    }
    file.set_len(text.len() as u64)
        .map_err(|error| undo(&mut file, original, written, error))
}

/// After `written` bytes of a rewrite, `error`: `original` put back.
fn undo(
    file: &mut std::fs::File,
    original: &[u8],
    written: usize,
    error: std::io::Error,
) -> (std::io::Error, &'static str) {
    use std::io::Seek;
    if written == 0 {
        return (error, "the file was left as it was");
    }
    let restored = file
        .rewind()
        .and_then(|()| file.write_all(original))
        .and_then(|()| file.set_len(original.len() as u64));
    match restored {
        Ok(()) => (error, "the file was left as it was"),
        Err(_) => (
            error,
            "nor could its own text be written back: the file may be cut short; make room, \
             then restore it from a copy",
        ),
    }
}

/// `pipe graph FILE`: the DOT on stdout.
fn graph(printer: &Printer, path: &Path) -> u8 {
    let Some((name, bytes)) = read(printer, path) else {
        return USAGE;
    };
    let Some(parsed) = parse(printer, &name, &bytes) else {
        return USAGE;
    };
    write_stdout(
        printer,
        crate::graph::graph(&parsed.script, parsed.text, &name).as_bytes(),
    )
}

/// Writes to stdout; a closed stdout ends quietly, as it would a shell.
fn write_stdout(printer: &Printer, bytes: &[u8]) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => 0,
        Err(error) => stdout_failed(printer, error),
    }
}

/// The status of a tool whose output could not be written: 141, quietly,
/// for a reader that went away; 1 and a diagnostic for anything else (a
/// full disk), never output lost without a word.
fn stdout_failed(printer: &Printer, error: std::io::Error) -> u8 {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return 141;
    }
    printer.print(&UsageError::Stdout { error }, None, &[]);
    1
}

/// `pipe`'s exit status, decided here and only here:
/// 1. a script that ran to its end or to `exit N`: that status;
/// 2. a failed statement: its status (the child's code, 128+N for signal N,
///    124 for a timeout, 126 cannot run, 127 not found), after its
///    diagnostic, or quietly when the script's stdout was closed;
/// 3. `pipe` received SIGINT, SIGTERM or SIGHUP (or SIGQUIT, SIGUSR1,
///    SIGUSR2, SIGALRM): once its children are
///    gone, it ends by that same signal (so a shell shows 130 or 143), or
///    exits with 128+N if the signal does not end it;
/// 4. parse and usage errors (decided before anything runs): 2;
/// 5. `check` and `fmt --check`: 1 when they found a problem; 2 when a
///    file could not be read or did not parse, the other files still
///    looked at (`each_file`: the worst status wins).
fn exit_code(
    outcome: Outcome,
    ended: Option<check::EndedUse>,
    printer: &Printer,
    source: &Source,
    literal: &[Vec<u8>],
) -> u8 {
    match outcome {
        Outcome::Exited(status) => status as u8,
        Outcome::Failed(failure) => {
            let secrets = with_literal(&failure.secrets, literal);
            // The failure's error, or what shows it better.
            if let Some(ended) = &ended {
                printer.print(ended, Some(source), &secrets);
            } else if let Some(error) = &failure.error {
                printer.print(error.as_ref(), Some(source), &secrets);
            }
            failure.status.clamp(0, 255) as u8
        }
        Outcome::Interrupted(signal) => {
            exec::die_by(signal);
            (128 + signal).clamp(0, 255) as u8
        }
    }
}

fn load(cli: &Cli) -> Result<Script, UsageError> {
    if let Some(text) = &cli.text {
        return Ok(Script {
            name: "-c".to_owned(),
            arg0: "pipe".into(),
            text: text.clone().into_vec(),
            args: cli.script.clone(),
            origin: Origin::Text,
        });
    }
    let args = match &cli.command {
        Some(Command::Run { script }) => script,
        _ => &cli.script,
    };
    match args.split_first() {
        Some((file, rest)) if file != "-" => {
            let name = file.to_string_lossy().into_owned();
            let text = read_file(Path::new(file), &name)?;
            Ok(Script {
                name,
                arg0: file.clone(),
                text,
                args: rest.to_vec(),
                origin: Origin::File,
            })
        }
        Some((_, rest)) => read_stdin(rest.to_vec()),
        None if !std::io::stdin().is_terminal() => read_stdin(Vec::new()),
        None => Err(UsageError::NoScript),
    }
}

/// Standard input, as an error reading it names it.
const STDIN_NAME: &str = "standard input";

fn read_stdin(args: Vec<OsString>) -> Result<Script, UsageError> {
    let text = read_limited(WaitingStdin(std::io::stdin().lock()), STDIN_NAME)?;
    Ok(Script {
        name: "stdin".to_owned(),
        arg0: "pipe".into(),
        text,
        args,
        origin: Origin::Stdin,
    })
}

/// Standard input read as a blocking file is, even when the parent left
/// it non-blocking (a Node.js or CI runner's pipe, say): where a read
/// would block, it waits for input, as bash does for its script, rather
/// than fail with "resource temporarily unavailable".
struct WaitingStdin<R>(R);

impl<R: Read> Read for WaitingStdin<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                    let mut ready = libc::pollfd {
                        fd: libc::STDIN_FILENO,
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: one pollfd, which poll fills in.
                    if unsafe { libc::poll(&mut ready, 1, -1) } < 0 {
                        let err = std::io::Error::last_os_error();
                        if err.kind() != std::io::ErrorKind::Interrupted {
                            return Err(err);
                        }
                    }
                }
                result => return result,
            }
        }
    }
}

/// The most a script may hold, in bytes. Parsed, a script takes some
/// hundred times its size in memory (a line of `true` about 1 KiB), and it
/// is all parsed before it runs; past this, it is refused, read no further,
/// rather than let take the machine's memory (a 50 MB script would take
/// gigabytes).
const MAX_SCRIPT: u64 = 4 << 20;
/// [`MAX_SCRIPT`] as the message shows it.
const MAX_SCRIPT_TEXT: &str = "4 MiB";

/// A script file's bytes, at most [`MAX_SCRIPT`] of them: `pipe /dev/zero`
/// is refused at once, as is a script of 50 MB.
fn read_file(path: &Path, name: &str) -> Result<Vec<u8>, UsageError> {
    let file = std::fs::File::open(path).map_err(|error| UsageError::read(name, error))?;
    read_limited(file, name)
}

/// Reads all of `from`, up to [`MAX_SCRIPT`] bytes: more is an error, and
/// is not read.
fn read_limited(from: impl Read, name: &str) -> Result<Vec<u8>, UsageError> {
    let mut text = Vec::new();
    from.take(MAX_SCRIPT + 1)
        .read_to_end(&mut text)
        .map_err(|error| UsageError::read(name, error))?;
    if text.len() as u64 > MAX_SCRIPT {
        return Err(UsageError::TooLarge {
            path: name.to_owned(),
        });
    }
    Ok(text)
}

/// Shows what the executor reports while it runs.
struct CliReporter<'a> {
    printer: &'a Printer,
    source: &'a Source,
    observer: &'a Observer,
    /// The script, to say where an undefined variable was set before.
    script: &'a syntax::ast::Script,
    /// The values of the `secret`s written out in the script.
    literal: &'a [Vec<u8>],
}

/// The secrets known so far in the run and those written out in the
/// script, each once.
fn with_literal(secrets: &[Vec<u8>], literal: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut all = secrets.to_vec();
    for value in literal {
        if !all.contains(value) {
            all.push(value.clone());
        }
    }
    all
}

impl exec::Reporter for CliReporter<'_> {
    fn error(&self, error: RunError, secrets: &[Vec<u8>]) {
        let secrets = &with_literal(secrets, self.literal);
        match check::EndedUse::of(&error, self.script) {
            Some(ended) => self.printer.print(&ended, Some(self.source), secrets),
            None => self.printer.print(&error, Some(self.source), secrets),
        }
    }

    fn error_to(&self, error: &RunError, secrets: &[Vec<u8>], to: std::os::fd::BorrowedFd<'_>) {
        let secrets = &with_literal(secrets, self.literal);
        let text = Printer::plain().render(error, Some(self.source), secrets);
        // Where the command's stderr went: a write that fails (a closed
        // pipe) loses no more than the command's own message would have.
        if let Ok(fd) = to.try_clone_to_owned() {
            let _ = std::fs::File::from(fd).write_all(text.as_bytes());
        }
    }

    fn starting(&self, at: std::time::Duration, line: &str) {
        self.observer.starting(at, line);
    }

    fn started(&self, event: &exec::Started<'_>) {
        self.observer.started(event);
    }

    fn ended(&self, event: &exec::Ended<'_>) {
        self.observer.ended(event);
    }

    fn note(&self, at: std::time::Duration, what: &str) {
        self.observer.note(at, what);
    }

    fn secret(&self, value: &[u8]) {
        self.observer.secret(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subcommand_names_are_clap_s() {
        let mut names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|sub| sub.get_name().to_owned())
            .collect();
        names.push("help".to_owned());
        assert_eq!(names, SUBCOMMANDS);
    }

    /// `--` goes after `-c TEXT` however `pipe`'s options are written, and
    /// nowhere else.
    #[test]
    fn dash_c_text_ends_pipe_s_options() {
        let cases: [(&[&str], Option<usize>); 13] = [
            (&["pipe", "-c", "t", "-x"], Some(3)),
            (&["pipe", "-c", "t"], Some(3)),
            (&["pipe", "-c"], None),
            (&["pipe", "-xc", "t", "a"], Some(3)),
            (&["pipe", "-ct", "-x"], Some(2)),
            (&["pipe", "-xc=t"], Some(2)),
            (&["pipe", "--timeline", "-c", "-c", "t"], Some(5)),
            (&["pipe", "--timeline=t.json", "-c", "t"], Some(4)),
            (&["pipe", "--trace", "-x", "-c", "t", "--"], Some(5)),
            (&["pipe", "-", "-c", "t"], None),
            (&["pipe", "--", "-c", "t"], None),
            (&["pipe", "run", "-c", "t"], None),
            (&["pipe", "-x", "x.pipe", "-c", "t"], None),
        ];
        let command = Cli::command();
        for (line, end) in cases {
            let args: Vec<OsString> = line.iter().map(OsString::from).collect();
            assert_eq!(after_dash_c_text(&command, &args), end, "{line:?}");
        }
        let args = ["pipe", "-x", "-c", "t", "-x", "--", "run", "--help"];
        let cli = Cli::from_args(args.iter().map(OsString::from).collect()).unwrap();
        assert!(cli.trace && cli.command.is_none());
        assert_eq!(cli.text, Some("t".into()));
        assert_eq!(cli.script, ["-x", "--", "run", "--help"]);
    }

    /// The direct reading of `pipe FILE [ARGS]` gives what clap gives.
    #[test]
    fn script_path_reads_as_clap_reads_it() {
        let lines: [&[&str]; 6] = [
            &["pipe", "x.pipe"],
            &["pipe", "x.pipe", "a", "b c"],
            &[
                "pipe",
                "x.pipe",
                "-x",
                "--timeline",
                "t.json",
                "-c",
                "--help",
            ],
            &["pipe", "x.pipe", "--", "run"],
            &["pipe", "", "check"],
            &["pipe", "dir/run", "fmt"],
        ];
        for line in lines {
            let args: Vec<OsString> = line.iter().map(OsString::from).collect();
            assert!(is_script_path(&args[1]), "{line:?}");
            let direct = Cli::from_args(args.clone()).unwrap();
            let clap = Cli::try_parse_from(args).unwrap();
            assert_eq!(format!("{direct:?}"), format!("{clap:?}"), "{line:?}");
        }
        for first in ["-x", "-", "--", "run", "check", "help", "man"] {
            assert!(!is_script_path(&first.into()), "{first}");
        }
    }
}
