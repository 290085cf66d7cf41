//! Hiding secrets: every value of a `secret` is replaced by `***` in what
//! `pipe` shows (diagnostics, `-x`, the timeline), matched as bytes, and
//! in the `\xNN` form a name that is not UTF-8 is shown in.

use super::Interp;

impl Interp<'_> {
    /// Text with every secret's value replaced by `***`, matched as
    /// bytes, and then each byte that is not UTF-8 as `\xNN`
    /// ([`crate::diagnostics::shown_bytes`]).
    pub(super) fn redact(&self, bytes: &[u8]) -> String {
        crate::diagnostics::shown_bytes(&redact_bytes(&self.secrets.borrow(), bytes))
    }
}

/// Replaces every secret value in `text` by `***` (see [`mask_secrets`]).
pub fn redact(secrets: &[Vec<u8>], text: String) -> String {
    let text = mask_secrets(secrets, text, |_| "***".to_owned());
    // A value that is not UTF-8 is named with `\xNN` for such bytes
    // (`diagnostics::shown_bytes`): it is looked for so too.
    let escaped: Vec<Vec<u8>> = secrets
        .iter()
        .filter(|secret| std::str::from_utf8(secret).is_err())
        .flat_map(|secret| shown_cores(secret))
        .collect();
    if escaped.is_empty() {
        return text;
    }
    let masked = mask_bytes(&escaped, text.as_bytes(), |_| b"***".to_vec());
    String::from_utf8(masked)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

/// The ways a name holding `secret`, a value that is not UTF-8, shows it
/// with `\xNN` for such bytes: its own form, and, where a character of
/// the name starts before it and ends in its first bytes (continuation
/// bytes, `\xc3` then `\xa9...` is `é...`), or starts in its last bytes (a
/// lead byte that the name's next bytes complete), the form of the bytes
/// between, which alone show as they do in the name. Hiding only the
/// whole form let `\xc3` and a secret `\xa9abcdefgh` show as
/// `éabcdefgh`.
fn shown_cores(secret: &[u8]) -> Vec<Vec<u8>> {
    let continuation = |byte: &u8| (0x80..0xc0).contains(byte);
    let heads = secret.iter().take_while(|b| continuation(b)).count().min(3);
    let tails = (1..=3.min(secret.len())).filter(|&m| {
        let tail = &secret[secret.len() - m..];
        tail[0] >= 0xc0 && tail[1..].iter().all(continuation)
    });
    let tails: Vec<usize> = std::iter::once(0).chain(tails).collect();
    let mut cores = Vec::new();
    for k in 0..=heads {
        for &m in &tails {
            if k + m < secret.len() {
                let core = crate::diagnostics::shown_bytes(&secret[k..secret.len() - m]);
                cores.push(core.into_bytes());
            }
        }
    }
    cores
}

/// Replaces each occurrence of a secret value in `text` by what `mask`
/// makes of it. A value of 4 bytes or more is replaced wherever it occurs,
/// inside a URL or a longer word too. A shorter one is replaced only where
/// it stands alone, between characters that cannot be part of a word:
/// replacing every `e` of the output would garble it and, by the letters
/// it hid, tell the secret.
pub fn mask_secrets(secrets: &[Vec<u8>], text: String, mask: impl Fn(&str) -> String) -> String {
    if secrets.is_empty() {
        return text;
    }
    // Text shows a value that is not UTF-8 as it shows the value's own
    // bytes, with U+FFFD for each that is not: so is it looked for.
    let shown: Vec<Vec<u8>> = secrets
        .iter()
        .map(|secret| String::from_utf8_lossy(secret).into_owned().into_bytes())
        .collect();
    let masked = mask_bytes(&shown, text.as_bytes(), |secret| {
        mask(&String::from_utf8_lossy(secret)).into_bytes()
    });
    // Valid UTF-8 matched against valid UTF-8 starts and ends at a
    // character's boundary, so the result is text again.
    String::from_utf8(masked)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

/// `bytes` with every secret's value replaced by `***`, matched as bytes,
/// so that a value that is not UTF-8 is found whatever surrounds it (see
/// [`mask_secrets`] for which occurrences count).
pub(super) fn redact_bytes(secrets: &[Vec<u8>], bytes: &[u8]) -> Vec<u8> {
    mask_bytes(secrets, bytes, |_| b"***".to_vec())
}

/// Replaces the occurrences of each secret in `bytes` by what `mask` makes
/// of it: every one of a value of 4 bytes or more; one of a shorter value
/// only where no letter, digit or `_` is next to it. Longer secrets go
/// first, so that one holding another (`pw2` and `pw`) is hidden whole
/// rather than as `***2`.
fn mask_bytes(secrets: &[Vec<u8>], bytes: &[u8], mask: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    const SHORT: usize = 4;
    let mut secrets: Vec<&Vec<u8>> = secrets.iter().collect();
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    let wordy = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    // The characters around a match; a byte that is not UTF-8 is none.
    // Read from the 4 bytes next to it, a character's most: decoding all
    // the text before or after each match made a short secret's mask of
    // a long text quadratic (minutes for a diagnostic of a large script).
    let before = |text: &[u8]| {
        let chunk = text[text.len().saturating_sub(4)..].utf8_chunks().last()?;
        if chunk.invalid().is_empty() {
            chunk.valid().chars().next_back()
        } else {
            None
        }
    };
    let after = |text: &[u8]| {
        text[..text.len().min(4)]
            .utf8_chunks()
            .next()?
            .valid()
            .chars()
            .next()
    };
    let mut text = bytes.to_vec();
    for secret in secrets {
        if secret.is_empty() || secret.len() > text.len() {
            continue;
        }
        let mut out = Vec::with_capacity(text.len());
        let mut at = 0;
        while at < text.len() {
            if text[at..].starts_with(secret) {
                let end = at + secret.len();
                let alone = !wordy(before(&text[..at])) && !wordy(after(&text[end..]));
                if secret.len() >= SHORT || alone {
                    out.extend_from_slice(&mask(secret));
                    at = end;
                    continue;
                }
            }
            out.push(text[at]);
            at += 1;
        }
        text = out;
    }
    text
}
