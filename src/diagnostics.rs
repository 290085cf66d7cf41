//! The only place that attaches source text to errors and renders them.
//!
//! Errors from every phase hold spans; here they meet the script's text
//! and become miette reports. Output is plain (no colour, no links) when
//! stderr is not a terminal, `NO_COLOR` is set or `TERM` is `dumb`; off a
//! terminal it is 80 columns wide, so that what tests snapshot is what a
//! log file gets, and on one it wraps at the terminal's width.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, OnceLock};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};

/// A source line longer than this (in bytes) is shown only around what the
/// diagnostic points at: a script with a megabyte on one line (a generated
/// one, a value pasted in) gets a diagnostic of a few lines, not of the
/// megabyte.
const WIDE_LINE: usize = 400;
/// How much of such a line is shown on each side of what is pointed at.
const MARGIN: usize = 60;

/// A script's name and text, shared by every diagnostic about it.
#[derive(Clone)]
pub struct Source {
    named: Arc<NamedSource<String>>,
    /// The text as diagnostics show it, made at the first one.
    shown: Arc<OnceLock<Shown>>,
}

impl Source {
    pub fn new(name: &str, text: &str) -> Source {
        // The name heads every diagnostic about the script: a control
        // character in it (a file named with a newline or an escape
        // sequence) is written as an escape, as in the rest of the text.
        let name = escape_controls(name, true);
        Source {
            named: Arc::new(NamedSource::new(name, text.to_owned())),
            shown: Arc::default(),
        }
    }

    /// The source of a script whose text shows each of `hidden` masked,
    /// where it writes a secret's value out (see [`mask`]): every
    /// diagnostic about it then hides it, whatever it points at.
    pub fn hiding(name: &str, text: &str, hidden: &[crate::syntax::ast::Span]) -> Source {
        if hidden.is_empty() {
            return Source::new(name, text);
        }
        let mut bytes = text.as_bytes().to_vec();
        for span in hidden {
            if let Some(written) = bytes.get_mut(span.start..span.end) {
                for byte in written {
                    *byte = mask(*byte);
                }
            }
        }
        // A span starts and ends at a character's boundary, and every byte
        // of the characters between is masked: the text is still UTF-8.
        Source::new(name, &String::from_utf8_lossy(&bytes))
    }

    fn shown(&self) -> &Shown {
        self.shown
            .get_or_init(|| Shown::of(self.named.name(), self.named.inner(), false))
    }
}

/// A script's text as diagnostics show it: each control character but
/// newline, tab and the CR of a CRLF made a space (byte for byte, so that
/// every span still points at the same place), since written to the
/// terminal it would move the cursor, colour the text or clear the screen,
/// and a lone CR would end the line for miette's line count, which a
/// script does not; and where each line starts.
struct Shown {
    /// None when nothing needed replacing: the text is the source's own.
    text: Option<NamedSource<String>>,
    lines: Vec<usize>,
}

impl Shown {
    /// `own` keeps a copy of `text` even when nothing needed replacing.
    fn of(name: &str, text: &str, own: bool) -> Shown {
        let replaced = replace_controls(text);
        let lines = line_starts(replaced.as_deref().unwrap_or(text));
        let text = match replaced {
            Some(replaced) => Some(replaced),
            None if own => Some(text.to_owned()),
            None => None,
        };
        Shown {
            text: text.map(|text| NamedSource::new(name, text)),
            lines,
        }
    }
}

/// `text` with its control characters made spaces (see [`Shown`]), if it
/// has any.
fn replace_controls(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let shown = |at: usize, c: char| {
        !c.is_control()
            || c == '\n'
            || c == '\t'
            || (c == '\r' && bytes.get(at + 1) == Some(&b'\n'))
    };
    if text.char_indices().all(|(at, c)| shown(at, c)) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        if shown(at, c) {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
    Some(out)
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
        // `TERM=dumb` (an editor's shell buffer, a serial console) shows
        // escapes as they are, as `ls --color=auto` and git take it.
        if !stderr.is_terminal() {
            return Printer::plain();
        }
        // On a terminal, plain or not, lines wrap at its width.
        let width = terminal_width().unwrap_or(80);
        let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
            || std::env::var_os("TERM").is_some_and(|term| term == "dumb");
        let handler = if plain {
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_links(false)
        } else {
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode())
        };
        Printer {
            handler: handler.with_width(width),
        }
    }

    /// Plain text, 80 columns wide: for stderr off a terminal, and for a
    /// file or pipe a command's stderr was sent to.
    pub fn plain() -> Printer {
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_links(false)
            .with_width(80);
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
        // The script's text is shown with each secret masked by as many `*`
        // as it has bytes, but for the line ends a value written over
        // several lines holds: every span still points at the same text,
        // on the same line, and underlines stay under it.
        let masked = source.filter(|_| !secrets.is_empty()).and_then(|source| {
            let text = source.named.inner();
            let masked = crate::exec::mask_secrets(secrets, text.clone(), |secret| {
                secret.bytes().map(|byte| char::from(mask(byte))).collect()
            });
            (masked != *text).then(|| Shown::of(source.named.name(), &masked, true))
        });
        let source = source.map(|source| {
            let shown = masked.as_ref().unwrap_or_else(|| source.shown());
            Clipped {
                source: shown.text.as_ref().unwrap_or(&source.named),
                lines: &shown.lines,
            }
        });
        let shown = WithSource::new(error, secrets, source);
        // Only what the diagnostic says is redacted, not the report's
        // frame: a short secret (`1`) would hide the line numbers and the
        // location, which are never one, and give it away where they are.
        let result = self.handler.render_report(&mut out, &shown);
        if result.is_err() {
            out = crate::exec::redact(secrets, format!("error: {error}\n"));
        }
        out
    }

    /// Prints the report on stderr; a closed stderr is ignored.
    pub fn print(&self, error: &dyn Diagnostic, source: Option<&Source>, secrets: &[Vec<u8>]) {
        let text = self.render(error, source, secrets);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// What a byte of a secret is shown as in a script's text: a `*`, but for
/// the line ends a value written over several lines holds, so that every
/// line keeps its number.
fn mask(byte: u8) -> u8 {
    match byte {
        b'\n' | b'\r' => byte,
        _ => b'*',
    }
}

/// The width of the terminal on stderr: `$COLUMNS` if it is set (shells
/// seldom export it), else the terminal's own, as `ls` takes it; at least
/// 40 columns, under which a report has no room for its source.
fn terminal_width() -> Option<usize> {
    let columns = match std::env::var("COLUMNS").ok().and_then(|v| v.parse().ok()) {
        Some(columns) => columns,
        None => {
            // SAFETY: TIOCGWINSZ fills the winsize it is given, or fails.
            let mut size: libc::winsize = unsafe { std::mem::zeroed() };
            let got = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) };
            if got != 0 {
                return None;
            }
            usize::from(size.ws_col)
        }
    };
    (columns > 0).then_some(columns.max(40))
}

/// A diagnostic as it is shown: the inner one, with the script's source
/// attached, and no word of its message longer than [`WIDE_LINE`].
struct WithSource<'a> {
    inner: &'a dyn Diagnostic,
    /// Hidden before a word is cut, so that no part of one is shown.
    secrets: &'a [Vec<u8>],
    source: Option<Clipped<'a>>,
    /// The inner one's related diagnostics and cause, shown the same way.
    related: Vec<WithSource<'a>>,
    cause: Option<Box<WithSource<'a>>>,
}

impl<'a> WithSource<'a> {
    fn new(
        inner: &'a dyn Diagnostic,
        secrets: &'a [Vec<u8>],
        source: Option<Clipped<'a>>,
    ) -> WithSource<'a> {
        // One with a source of its own keeps it; the others are shown with
        // the script's, as miette shows them with their parent's.
        let wrap = |diagnostic: &'a dyn Diagnostic| {
            let source = source.filter(|_| diagnostic.source_code().is_none());
            WithSource::new(diagnostic, secrets, source)
        };
        WithSource {
            inner,
            secrets,
            source,
            related: inner.related().into_iter().flatten().map(wrap).collect(),
            cause: inner.diagnostic_source().map(|cause| Box::new(wrap(cause))),
        }
    }

    /// Text of the diagnostic as it is shown: secrets hidden, then control
    /// characters written as escapes (a directory name out of a `$(...)`
    /// must not drive the terminal), then every word cut at
    /// [`WIDE_LINE`].
    fn shown(&self, text: &str) -> String {
        let hidden = crate::exec::redact(self.secrets, text.to_owned());
        clip_words(&escape_controls(&hidden, false))
    }

    /// [`WithSource::shown`] for a message or a label, which are one line
    /// each: a newline in them is a name's (`cannot open `a\nb``), written
    /// as `\n` too, so that it does not pass for the line's wrapping.
    fn shown_line(&self, text: &str) -> String {
        let hidden = crate::exec::redact(self.secrets, text.to_owned());
        clip_words(&escape_controls(&hidden, true))
    }
}

impl std::fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, f)
    }
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown_line(&self.inner.to_string()))
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
        let help = self.inner.help()?;
        Some(Box::new(self.shown(&help.to_string())))
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match &self.source {
            Some(source) => Some(source),
            None => self.inner.source_code(),
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?;
        Some(Box::new(labels.map(|label| {
            let text = label.label().map(|text| self.shown_line(text));
            let span = match &self.source {
                Some(source) => source.clip_span(label.inner()),
                None => *label.inner(),
            };
            if label.primary() {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related
                .iter()
                .map(|related| related as &dyn Diagnostic),
        ))
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.cause.as_deref().map(|cause| cause as &dyn Diagnostic)
    }
}

/// The script's text as diagnostics read it: where a line is wider than
/// [`WIDE_LINE`], only the part of it around the span asked for, and no
/// lines around it.
#[derive(Clone, Copy)]
struct Clipped<'a> {
    source: &'a NamedSource<String>,
    /// Where each of its lines starts (see [`line_starts`]).
    lines: &'a [usize],
}

impl Clipped<'_> {
    fn text(&self) -> &str {
        self.source.inner()
    }

    /// What miette's own `read_span` returns, without reading the text
    /// from its start each time (a `pipe check` of 20,000 problems read
    /// the script 60,000 times): it reads from the first line asked for,
    /// and the line numbers are counted on from there. The column, which
    /// miette counts in bytes, is counted in characters, as editors and
    /// rustc count it, so that `script.pipe:1:10` after an `ü` is where an
    /// editor's "go to" puts the cursor.
    fn read_lines(
        &self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<MietteSpanContents<'_>, MietteError> {
        let text = self.text();
        let offset = span.offset().min(text.len());
        let line = self.lines.partition_point(|&start| start <= offset) - 1;
        let first = line.saturating_sub(context_lines_before);
        let base = self.lines[first];
        let rest = &text[base..];
        let contents = rest.read_span(
            &SourceSpan::from((offset - base, span.len())),
            context_lines_before,
            context_lines_after,
        )?;
        let column = match contents.column() {
            0 => 0,
            bytes => text
                .get(offset - bytes..offset)
                .map_or(bytes, |before| before.chars().count()),
        };
        Ok(MietteSpanContents::new_named(
            self.source.name().to_owned(),
            contents.data(),
            SourceSpan::from((contents.span().offset() + base, contents.span().len())),
            contents.line() + first,
            column,
            contents.line_count() + first,
        ))
    }

    /// A label within one wide line underlines at most [`WIDE_LINE`] bytes
    /// of it (a command name of a megabyte is shown by its start). A label
    /// over several lines, a block's, is left whole.
    fn clip_span(&self, span: &SourceSpan) -> SourceSpan {
        let text = self.text();
        let (start, len) = (span.offset(), span.len());
        match text.get(start..start + len) {
            Some(word) if len > WIDE_LINE && !word.contains('\n') => {
                let end = floor_boundary(text, start + WIDE_LINE);
                SourceSpan::from((start, end - start))
            }
            _ => *span,
        }
    }
}

impl SourceCode for Clipped<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.read_lines(span, context_lines_before, context_lines_after)?;
        let wide = contents
            .data()
            .split(|&b| b == b'\n')
            .any(|line| line.len() > WIDE_LINE);
        if !wide {
            return Ok(Box::new(contents));
        }
        let text = self.text();
        let bytes = text.as_bytes();
        let start = span.offset().min(bytes.len());
        let end = (start + span.len()).min(bytes.len());
        let line_start = bytes[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1);
        let line_end = bytes[end..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |at| end + at);
        let from = ceil_boundary(text, line_start.max(start.saturating_sub(MARGIN)));
        let to = floor_boundary(text, line_end.min(end + MARGIN)).max(end);
        // Where `from` is, as the unclipped source counts lines and columns.
        let at = self.read_lines(&SourceSpan::from((from, 0)), 0, 0)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.source.name().to_owned(),
            &bytes[from..to],
            SourceSpan::from((from, to - from)),
            at.line(),
            at.column(),
            at.line_count(),
        )))
    }
}

/// The offset at which each line of `text` starts, lines ending as miette
/// ends them when it reads a span: at `\n`, `\r\n` or a lone `\r`.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut at = 0;
    while let Some(found) = bytes[at..].iter().position(|&b| b == b'\n' || b == b'\r') {
        at += found + 1;
        if bytes[at - 1] == b'\r' && bytes.get(at) == Some(&b'\n') {
            at += 1;
        }
        starts.push(at);
    }
    starts
}

/// Bytes as a diagnostic names them (a file, a command, a loop's item):
/// their text as it is, and each byte that is not UTF-8 as `\xNN`, so
/// that names that differ only there are told apart, where U+FFFD would
/// make `\xff` and `\xfe` alike. Secrets are hidden before (see
/// `exec::redact`, which hides a value shown so too).
pub fn shown_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// `text` with each control character but tab, and newline unless
/// `newlines`, written as an escape (`\r`, `\n`, `\x1b`, `\u{9b}`), as `-x`
/// writes them.
fn escape_controls(text: &str, newlines: bool) -> Cow<'_, str> {
    let control = |c: char| c.is_control() && (c != '\n' || newlines) && c != '\t';
    if !text.contains(control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' if newlines => out.push_str("\\n"),
            c if control(c) && (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` with every word (a run without white space) longer than
/// [`WIDE_LINE`] cut there, and `…` to show it was.
fn clip_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * WIDE_LINE));
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        if word.len() > WIDE_LINE {
            out.push_str(&word[..floor_boundary(word, WIDE_LINE)]);
            out.push('…');
        } else {
            out.push_str(word);
        }
        let space = after.len() - after.trim_start().len();
        out.push_str(&after[..space]);
        rest = &after[space..];
    }
    out
}

/// The nearest character boundary of `text` at or before `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The nearest character boundary of `text` at or after `at`.
fn ceil_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}
