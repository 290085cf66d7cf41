//! The command line: arguments to a validated request, the request run,
//! its outcome mapped to `pipe`'s exit status.

use std::ffi::OsString;
use std::io::{IsTerminal, Read};
use std::os::unix::ffi::OsStringExt;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::{Printer, Source};
use crate::exec::{self, Outcome, RunError};
use crate::syntax;

/// Run `.pipe` scripts: pipes, parallel groups and timeouts, with pipefail
/// and errexit always on, no word splitting and no orphans.
#[derive(Debug, Parser)]
#[command(name = "pipe", version, args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Exit status: the status of the statement that ended the script (0 on \
success); 2 for a parse or usage error; 124 for a timeout; 126 not executable; 127 command not \
found; 128+N for a child killed by signal N."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Run TEXT as the script; the arguments after it become $1, $2, ...
    #[arg(short = 'c', value_name = "TEXT")]
    text: Option<OsString>,

    /// Print each command on stderr before it starts (secrets hidden)
    #[arg(short = 'x', long = "trace", global = true)]
    trace: bool,

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
}

/// Problems with the command line or the script file, before any parsing.
#[derive(Debug, Error, Diagnostic)]
enum UsageError {
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(pipe::usage::read))]
    Read {
        path: String,
        source: std::io::Error,
    },

    #[error("no script given")]
    #[diagnostic(
        code(pipe::usage::no_script),
        help(
            "run `pipe FILE`, `pipe -c 'TEXT'`, or pipe a script into `pipe -`; see `pipe --help`"
        )
    )]
    NoScript,
}

/// A script to run: its name for diagnostics, `$0`, its text as bytes.
struct Script {
    name: String,
    arg0: OsString,
    text: Vec<u8>,
    args: Vec<OsString>,
}

/// Exit status for a parse or usage error.
const USAGE: u8 = 2;

pub fn main() -> ExitCode {
    exec::prepare_process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { USAGE } else { 0 });
        }
    };
    let printer = Printer::new();
    let script = match load(&cli) {
        Ok(script) => script,
        Err(err) => {
            printer.print(&err, None, &[]);
            return ExitCode::from(USAGE);
        }
    };
    let text = match syntax::decode(&script.text) {
        Ok(text) => text,
        Err(err) => {
            printer.print(&err, None, &[]);
            return ExitCode::from(USAGE);
        }
    };
    let source = Source::new(&script.name, text);
    let parsed = match syntax::parse(text) {
        Ok(parsed) => parsed,
        Err(err) => {
            printer.print(&err, Some(&source), &[]);
            return ExitCode::from(USAGE);
        }
    };
    let mut positional = vec![script.arg0];
    positional.extend(script.args);
    let config = exec::Config {
        positional,
        trace: cli.trace,
    };
    let reporter = StderrReporter {
        printer: &printer,
        source: &source,
    };
    let outcome = exec::run(&parsed, config, &reporter);
    exit_code(outcome, &printer, &source)
}

/// `pipe`'s exit status, decided here and only here:
/// 1. a script that ran to its end or to `exit N`: that status;
/// 2. a failed statement: its status (the child's code, 128+N for signal N,
///    124 for a timeout, 126 cannot run, 127 not found), after its
///    diagnostic, or quietly when the script's stdout was closed;
/// 3. `pipe` received SIGINT, SIGTERM or SIGHUP: once its children are
///    gone, it ends by that same signal (so a shell shows 130 or 143), or
///    exits with 128+N if the signal does not end it;
/// 4. parse and usage errors (decided before anything runs): 2.
fn exit_code(outcome: Outcome, printer: &Printer, source: &Source) -> ExitCode {
    match outcome {
        Outcome::Exited(status) => ExitCode::from(status as u8),
        Outcome::Failed(failure) => {
            if let Some(error) = &failure.error {
                printer.print(error.as_ref(), Some(source), &failure.secrets);
            }
            ExitCode::from(failure.status.clamp(0, 255) as u8)
        }
        Outcome::Interrupted(signal) => {
            exec::die_by(signal);
            ExitCode::from((128 + signal).clamp(0, 255) as u8)
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
        });
    }
    let args = match &cli.command {
        Some(Command::Run { script }) => script,
        None => &cli.script,
    };
    match args.split_first() {
        Some((file, rest)) if file != "-" => {
            let text = std::fs::read(file).map_err(|source| UsageError::Read {
                path: file.to_string_lossy().into_owned(),
                source,
            })?;
            Ok(Script {
                name: file.to_string_lossy().into_owned(),
                arg0: file.clone(),
                text,
                args: rest.to_vec(),
            })
        }
        Some((_, rest)) => read_stdin(rest.to_vec()),
        None if !std::io::stdin().is_terminal() => read_stdin(Vec::new()),
        None => Err(UsageError::NoScript),
    }
}

fn read_stdin(args: Vec<OsString>) -> Result<Script, UsageError> {
    let mut text = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut text)
        .map_err(|source| UsageError::Read {
            path: "standard input".to_owned(),
            source,
        })?;
    Ok(Script {
        name: "stdin".to_owned(),
        arg0: "pipe".into(),
        text,
        args,
    })
}

/// Shows what the executor reports while it runs.
struct StderrReporter<'a> {
    printer: &'a Printer,
    source: &'a Source,
}

impl exec::Reporter for StderrReporter<'_> {
    fn error(&self, error: RunError, secrets: &[Vec<u8>]) {
        self.printer.print(&error, Some(self.source), secrets);
    }

    fn trace(&self, line: &str) {
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}
