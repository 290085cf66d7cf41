//! "Did you mean": the names a misspelt one is most likely a typo of,
//! by one rule wherever `pipe` suggests one (variables, commands on PATH,
//! subcommands, a block header's words).

/// The candidate `name` is most likely a typo of, for a "did you mean":
/// the run and `pipe check` suggest alike.
pub fn closest_name(name: &str, candidates: impl IntoIterator<Item = String>) -> Option<String> {
    let limit = typo_limit(name);
    let length = name.chars().count();
    candidates
        .into_iter()
        // `$_` is the shell's last argument, never what was meant.
        .filter(|candidate| candidate != "_")
        .filter_map(|candidate| Some((typo_distance(name, length, &candidate, limit)?, candidate)))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// How many edits a typo of `name` may be: one in a name of up to three
/// characters, two in a longer one. Characters, as the edits are counted:
/// in bytes, `éyé` (three characters, five bytes) could be two edits from
/// anything of three letters.
pub fn typo_limit(name: &str) -> usize {
    if name.chars().nth(3).is_none() { 1 } else { 2 }
}

/// The edit distance from `name` (of `length` characters) to `candidate`,
/// if it is at most `limit`. Names whose lengths differ by more are not
/// compared at all: a name of a megabyte costs nothing to find no match for.
/// A name that differs only in case (`LS`, `$home`, `Grep`) is the
/// closest of all, however many letters differ: Caps Lock, or a habit
/// from a system whose names ignore case, is the likeliest typo there is.
pub fn typo_distance(name: &str, length: usize, candidate: &str, limit: usize) -> Option<usize> {
    if candidate.chars().count().abs_diff(length) > limit {
        return None;
    }
    if candidate.to_lowercase() == name.to_lowercase() {
        return Some(0);
    }
    let distance = strsim::damerau_levenshtein(name, candidate);
    (distance <= limit).then_some(distance)
}
