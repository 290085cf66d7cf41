//! The only place that attaches source text to errors and renders them.
//!
//! Errors from every phase hold spans; here they meet the script's text
//! and become miette reports. Output is plain (no colour, no links) when
//! stderr is not a terminal or `NO_COLOR` is set, and 80 columns wide then,
//! so that what tests snapshot is what a log file gets.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource};

/// A script's name and text, shared by every diagnostic about it.
#[derive(Clone)]
pub struct Source {
    named: Arc<NamedSource<String>>,
}

impl Source {
    pub fn new(name: &str, text: &str) -> Source {
        Source {
            named: Arc::new(NamedSource::new(name, text.to_owned())),
        }
    }
}

/// Renders diagnostics to stderr, hiding every secret value.
pub struct Printer {
    handler: GraphicalReportHandler,
}

impl Default for Printer {
    fn default() -> Printer {
        Printer::new()
    }
}

impl Printer {
    pub fn new() -> Printer {
        let stderr = std::io::stderr();
        let plain =
            !stderr.is_terminal() || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let handler = if plain {
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
                .with_links(false)
                .with_width(80)
        } else {
            let width = terminal_width().unwrap_or(80);
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode()).with_width(width)
        };
        Printer { handler }
    }

    /// The report as text, source attached, secrets replaced by `***`.
    pub fn render(
        &self,
        error: &dyn Diagnostic,
        source: Option<&Source>,
        secrets: &[Vec<u8>],
    ) -> String {
        let mut out = String::new();
        let result = match source {
            Some(source) => {
                // The script's text is shown with each secret masked by
                // as many `*` as it has bytes: every span still points at
                // the same text, and underlines stay under it.
                let text = source.named.inner();
                let masked = crate::exec::mask_secrets(secrets, text.clone(), |secret| {
                    "*".repeat(secret.len())
                });
                let masked =
                    (masked != *text).then(|| NamedSource::new(source.named.name(), masked));
                let with_source = WithSource {
                    inner: error,
                    source: masked.as_ref().unwrap_or(&source.named),
                };
                self.handler.render_report(&mut out, &with_source)
            }
            None => self.handler.render_report(&mut out, error),
        };
        if result.is_err() {
            out = format!("error: {error}\n");
        }
        crate::exec::redact(secrets, out)
    }

    /// Prints the report on stderr; a closed stderr is ignored.
    pub fn print(&self, error: &dyn Diagnostic, source: Option<&Source>, secrets: &[Vec<u8>]) {
        let text = self.render(error, source, secrets);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

fn terminal_width() -> Option<usize> {
    let columns: usize = std::env::var("COLUMNS").ok()?.parse().ok()?;
    (columns >= 40).then_some(columns)
}

/// A diagnostic with the script's source attached, rendered as the inner
/// one would be.
struct WithSource<'a> {
    inner: &'a dyn Diagnostic,
    source: &'a NamedSource<String>,
}

impl std::fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, f)
    }
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.inner.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}
