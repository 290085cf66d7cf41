//! Checking the values of block headers: durations, signals, `max N`, and
//! range integers. The grammar reads them as loose words so that these
//! checks can say exactly what is wrong.

use std::time::Duration;

use super::ast::{IntBound, Setting, Span, Spanned, Word, WordPart};
use super::error::ParseError;
use super::lower::{Pair, span_of};

/// The longest duration accepted: 100 years of 365.25 days.
const MAX_DURATION_NANOS: u128 = 100 * 36_525 * 864 * 1_000_000_000;

/// The text of a word made only of literals, if it is UTF-8.
fn literal_text(word: &Word) -> Option<String> {
    let mut bytes = Vec::new();
    for part in &word.parts {
        match part {
            WordPart::Literal { bytes: b, .. } => bytes.extend_from_slice(b),
            WordPart::Var(_) | WordPart::Args { .. } | WordPart::Subst { .. } => return None,
        }
    }
    String::from_utf8(bytes).ok()
}

/// Why a duration's text is not one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DurationError {
    Invalid(&'static str),
    NoUnit,
    TooLarge,
}

impl DurationError {
    /// What is wrong, as a label says it.
    pub fn reason(self) -> &'static str {
        match self {
            DurationError::Invalid(reason) => reason,
            DurationError::NoUnit => "it needs a unit: us, ms, s, m, h or d",
            DurationError::TooLarge => "it is more than 100 years",
        }
    }
}

/// Whether a header's word has an expansion in it, to be expanded when
/// the block starts rather than checked now.
fn is_expanded(word: &Word) -> bool {
    word.parts
        .iter()
        .any(|part| !matches!(part, WordPart::Literal { .. }))
}

/// `timeout signal KILL 5s { ... }`, `timeout grace 1s { ... }`: the
/// header's option where its duration belongs (the grammar reads any word
/// there), as the error that says the duration comes first.
pub(super) fn option_before_duration(word: &str, span: Span) -> Option<ParseError> {
    matches!(word, "signal" | "grace").then(|| ParseError::MissingHeaderValue {
        keyword: "timeout",
        what: "a duration",
        help: "the duration comes first, right after `timeout`, then the options: \
               `timeout 5s signal KILL grace 1s { ... }`",
        span: span.into(),
    })
}

/// A `timeout`'s own duration: as [`duration`], but an option's name
/// there (`timeout signal KILL { ... }`) is the duration left out.
pub(super) fn timeout_duration(word: Word) -> Result<Setting<Duration>, ParseError> {
    if let Some(error) =
        literal_text(&word).and_then(|text| option_before_duration(&text, word.span))
    {
        return Err(error);
    }
    duration(word)
}

/// A duration such as `500us`, `150ms`, `2s`, `1.5s`, `5m` or `1h`, or a
/// word that expands to one when the block starts.
pub(super) fn duration(word: Word) -> Result<Setting<Duration>, ParseError> {
    let span = word.span;
    if is_expanded(&word) {
        return Ok(Setting::Expanded(word));
    }
    let text = literal_text(&word).ok_or(ParseError::InvalidDuration {
        reason: "not a number",
        span: span.into(),
    })?;
    match parse_duration(&text) {
        Ok(value) => Ok(Setting::Fixed(Spanned { value, span })),
        Err(DurationError::Invalid(reason)) => Err(ParseError::InvalidDuration {
            reason,
            span: span.into(),
        }),
        Err(DurationError::NoUnit) => Err(ParseError::DurationWithoutUnit {
            number: text,
            span: span.into(),
        }),
        Err(DurationError::TooLarge) => Err(ParseError::DurationTooLarge { span: span.into() }),
    }
}

/// Whether what follows a duration's number is a unit, then another
/// number: the `m30s` of `1m30s`.
fn is_compound(unit: &str) -> bool {
    let letters = unit
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(unit.len());
    matches!(&unit[..letters], "us" | "ms" | "s" | "m" | "h" | "d")
        && unit[letters..].starts_with(|c: char| c.is_ascii_digit())
}

/// The unit that `unit` was likely meant as, written out (`sec`, `min`,
/// `hours`) or in the wrong case (`5S`, `10M`); `""` for a unit smaller
/// than pipe's smallest (`ns`).
fn meant_unit(unit: &str) -> Option<&'static str> {
    let lower = unit.to_ascii_lowercase();
    // One `s` of a plural: `secs`, `hours`; `ms` and `us` are units.
    let singular = match lower.as_str() {
        "ms" | "us" | "µs" | "μs" | "ns" => &lower,
        _ => lower.strip_suffix('s').unwrap_or(&lower),
    };
    Some(match singular {
        "" | "sec" | "second" => "s",
        "m" | "min" | "minute" => "m",
        "h" | "hr" | "hour" => "h",
        "d" | "day" => "d",
        "ms" | "msec" | "milli" | "millisecond" => "ms",
        "us" | "µs" | "μs" | "usec" | "micro" | "microsecond" => "us",
        "ns" | "nsec" | "nano" | "nanosecond" => "",
        _ => return None,
    })
}

/// Why `unit` is not one: the unit it was likely meant as.
fn unit_help(unit: &str) -> &'static str {
    match meant_unit(unit) {
        Some("s") => "unknown unit; seconds are `s`",
        Some("m") => "unknown unit; minutes are `m`",
        Some("h") => "unknown unit; hours are `h`",
        Some("d") => "unknown unit; days are `d`",
        Some("ms") => "unknown unit; milliseconds are `ms`",
        Some("us") => "unknown unit; microseconds are `us`",
        Some(_) => "unknown unit; the smallest is `us`",
        None => "unknown unit",
    }
}

/// What is wrong with a number, a space, then `unit` (`timeout 5 s`,
/// `timeout 30 seconds`), if `unit` is one or was meant as one.
pub(super) fn spaced_unit_reason(unit: &str) -> Option<&'static str> {
    if matches!(unit, "us" | "ms" | "s" | "m" | "h" | "d") {
        return Some("a space between the number and its unit");
    }
    Some(match meant_unit(unit)? {
        "s" => "a space between the number and its unit, and seconds are `s`",
        "m" => "a space between the number and its unit, and minutes are `m`",
        "h" => "a space between the number and its unit, and hours are `h`",
        "d" => "a space between the number and its unit, and days are `d`",
        "ms" => "a space between the number and its unit, and milliseconds are `ms`",
        "us" => "a space between the number and its unit, and microseconds are `us`",
        _ => "a space between the number and its unit, and the smallest is `us`",
    })
}

/// The text of a duration: a number and a unit, spaces around it aside
/// (as a range's bound takes them: `timeout "$(cat limit)"` with ` 5s `).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    let invalid = DurationError::Invalid;
    if text.starts_with('-') {
        return Err(invalid("it is negative"));
    }
    let number_len = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_len);
    // `1e-3s`: the exponent would read as a unit, `e-3s`.
    if unit.starts_with(['e', 'E'])
        && unit[1..].starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
    {
        return Err(invalid("it has an exponent"));
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    // `5`, `1.5` and `.5` (as coreutils' timeout takes it); not `5.`,
    // `.` or `1.2.3`.
    let well_formed = (!whole.is_empty() || !fraction.is_empty())
        && (fraction.is_empty() != number.contains('.'))
        && !fraction.contains('.');
    if !well_formed {
        return Err(invalid("not a number"));
    }
    let unit_nanos: u128 = match unit {
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        // coreutils' timeout takes days too.
        "d" => 86_400_000_000_000,
        "" => return Err(DurationError::NoUnit),
        // `1m30s`, as systemd and Go write it: two numbers and units.
        _ if is_compound(unit) => {
            return Err(invalid("it has two units; write one (`90s`, not `1m30s`)"));
        }
        // `1_000ms`, `0x10s`: the number stopped short, not the unit.
        _ if unit.bytes().any(|b| b.is_ascii_digit()) => return Err(invalid("not a number")),
        _ => return Err(invalid(unit_help(unit))),
    };
    let too_large = DurationError::TooLarge;
    let whole: u128 = match whole {
        "" => 0,
        digits => digits.parse().map_err(|_| too_large)?,
    };
    // Digits past the 18th cannot matter at nanosecond precision.
    let fraction = &fraction[..fraction.len().min(18)];
    let fraction_nanos = if fraction.is_empty() {
        0
    } else {
        let digits: u128 = fraction.parse().map_err(|_| invalid("not a number"))?;
        digits * unit_nanos / 10u128.pow(fraction.len() as u32)
    };
    let nanos = whole
        .checked_mul(unit_nanos)
        .and_then(|n| n.checked_add(fraction_nanos))
        .filter(|&n| n <= MAX_DURATION_NANOS)
        .ok_or(too_large)?;
    let nanos = u64::try_from(nanos).map_err(|_| too_large)?;
    Ok(Duration::from_nanos(nanos))
}

/// Signal names and their Linux numbers, with the aliases coreutils'
/// `timeout -s` and bash's `kill` take (`IOT`, `CLD`, `POLL`).
const SIGNALS: [(&str, i32); 34] = [
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
];

/// A signal: a name (`TERM`, `SIGTERM`, any case) or a number from 1 to 64.
pub(super) fn signal(word: Word) -> Result<Spanned<i32>, ParseError> {
    let span = word.span;
    let reason = if is_expanded(&word) {
        // Unlike `max` and durations, a signal is never expanded.
        "a signal is written out, not expanded".to_owned()
    } else if literal_text(&word).is_some_and(|text| text.len() > 1 && text.starts_with('-')) {
        // `kill -9`'s spelling.
        "written without the `-` of `kill -9`".to_owned()
    } else if let Some(meant) = literal_text(&word).and_then(|text| signal_typo(&text)) {
        format!("not a signal; did you mean `{meant}`?")
    } else {
        "not a signal".to_owned()
    };
    let unknown = || ParseError::UnknownSignal {
        reason: reason.clone(),
        span: span.into(),
    };
    let text = literal_text(&word).ok_or_else(unknown)?;
    let value = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<i32>()
            .ok()
            .filter(|n| (1..=64).contains(n))
            .ok_or_else(unknown)?
    } else {
        let upper = text.to_ascii_uppercase();
        let name = upper.strip_prefix("SIG").unwrap_or(&upper);
        SIGNALS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, number)| number)
            .or_else(|| realtime_signal(name))
            .ok_or_else(unknown)?
    };
    Ok(Spanned { value, span })
}

/// The C library's `SIGRTMIN` and `SIGRTMAX`; None where the libc crate
/// names no real-time signals (the BSDs, macOS).
pub fn realtime_signals() -> Option<(i32, i32)> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return Some((libc::SIGRTMIN(), libc::SIGRTMAX()));
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    None
}

/// The signal a name that is none is likely a typo of (`SIGKIL`, `TREM`):
/// one edit away, in any case, with or without its `SIG`.
fn signal_typo(text: &str) -> Option<&'static str> {
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if name.len() < 3 {
        return None;
    }
    SIGNALS
        .iter()
        .map(|&(known, _)| known)
        .find(|known| strsim::damerau_levenshtein(name, known) == 1)
}

/// A real-time signal as coreutils and bash name them: `RTMIN`, `RTMIN+N`,
/// `RTMAX` or `RTMAX-N`, between the C library's `SIGRTMIN` and `SIGRTMAX`.
fn realtime_signal(name: &str) -> Option<i32> {
    let (min, max) = realtime_signals()?;
    let offset = |rest: &str, sign: char| -> Option<i32> {
        match rest.strip_prefix(sign) {
            None if rest.is_empty() => Some(0),
            Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                digits.parse().ok()
            }
            _ => None,
        }
    };
    let number = if let Some(rest) = name.strip_prefix("RTMIN") {
        min.checked_add(offset(rest, '+')?)?
    } else if let Some(rest) = name.strip_prefix("RTMAX") {
        max.checked_sub(offset(rest, '-')?)?
    } else {
        return None;
    };
    (min..=max).contains(&number).then_some(number)
}

/// Why the text of `max N` is not a number of branches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxError {
    NotANumber,
    TooLarge,
    Zero,
}

impl MaxError {
    /// What is wrong, as a label says it.
    pub fn reason(self) -> &'static str {
        match self {
            MaxError::NotANumber => "not a whole number",
            MaxError::TooLarge => "too large",
            MaxError::Zero => "0 would run nothing",
        }
    }
}

/// The `N` of `parallel max N`: a whole number, at least 1, or a word
/// that expands to one when the block starts.
pub(super) fn max(word: Word) -> Result<Setting<usize>, ParseError> {
    let span = word.span;
    if is_expanded(&word) {
        return Ok(Setting::Expanded(word));
    }
    let text = literal_text(&word).unwrap_or_default();
    match parse_max(&text) {
        Ok(value) => Ok(Setting::Fixed(Spanned { value, span })),
        Err(MaxError::NotANumber) => Err(ParseError::InvalidMax { span: span.into() }),
        Err(MaxError::TooLarge) => Err(ParseError::NumberOutOfRange {
            span: span.into(),
            help: "`max` takes a whole number of branches, e.g. `max 4`",
        }),
        Err(MaxError::Zero) => Err(ParseError::MaxZero { span: span.into() }),
    }
}

/// The text of `max N`: digits, not 0, spaces around them aside (as a
/// range's bound takes them: `max "$(nproc)"` with ` 4 `).
pub fn parse_max(text: &str) -> Result<usize, MaxError> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MaxError::NotANumber);
    }
    let value: usize = text.parse().map_err(|_| MaxError::TooLarge)?;
    if value == 0 {
        return Err(MaxError::Zero);
    }
    Ok(value)
}

/// `int`: an integer end of a range.
pub(super) fn int(pair: &Pair<'_>) -> Result<IntBound, ParseError> {
    let span: Span = span_of(pair);
    let text = pair.as_str();
    let value = text.parse().map_err(|_| ParseError::NumberOutOfRange {
        span: span.into(),
        help: "a range bound is a whole number from -9223372036854775808 to \
                   9223372036854775807",
    })?;
    Ok(IntBound {
        value,
        text: text.to_owned(),
        span,
    })
}
