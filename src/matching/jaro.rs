//! Jaro–Winkler similarity of two name parts, exactly as `strsim::jaro_winkler` computes it,
//! for the parts the matcher compares: folded parts are short lowercase ASCII, so they are
//! read as bytes and the match flags are the bits of one word per side. A pair then costs no
//! allocation and no UTF-8 decoding. It is the innermost step of scoring: strsim's generic
//! version (chars, a vector of flags per call) was 14 % of a batch screen. The arithmetic is
//! strsim's, term for term, so every score stays the same to the last bit; anything else
//! (a part beyond 64 bytes, or not ASCII) goes to strsim.

/// The longest part compared here: one bit per byte of each side.
const MAX_LEN: usize = u64::BITS as usize;

pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > MAX_LEN || y.len() > MAX_LEN || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro(x, y);
    if sim > 0.7 {
        let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Jaro similarity of two byte strings of at most [`MAX_LEN`] bytes each.
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    }
    if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let range = (a_len.max(b_len) / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let window = i.saturating_sub(range)..(i + range + 1).min(b_len);
        if let Some(j) = window
            .into_iter()
            .find(|&j| b[j] == c && b_flags & (1 << j) == 0)
        {
            a_flags |= 1 << i;
            b_flags |= 1 << j;
            matches += 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    // The matched bytes of each side, in order, compared pairwise.
    let mut transpositions = 0usize;
    while a_flags != 0 {
        let (i, j) = (a_flags.trailing_zeros(), b_flags.trailing_zeros());
        transpositions += usize::from(a[i as usize] != b[j as usize]);
        a_flags &= a_flags - 1;
        b_flags &= b_flags - 1;
    }
    let transpositions = transpositions / 2;
    ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::{normalize, NameKind};

    /// Every part of the names of the evaluation's alias set (real list names), folded.
    fn real_parts() -> Vec<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/eval/positives_aliases.tsv"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut parts: Vec<String> = text
            .lines()
            .flat_map(|l| l.split('\t'))
            .flat_map(|field| normalize(field, NameKind::Person).tokens)
            .map(|t| t.text)
            .collect();
        parts.sort();
        parts.dedup();
        parts
    }

    #[test]
    fn real_parts_score_to_the_bit_as_strsim_scores_them() {
        let parts = real_parts();
        assert!(parts.len() > 2_000, "{} parts", parts.len());
        let mut compared = 0;
        // Each part against its neighbours in sorted order (alike, so most pairs match in
        // part) and against parts far away (mostly unalike).
        for (i, a) in parts.iter().enumerate() {
            for b in parts[i..].iter().take(12).chain(parts.iter().step_by(97)) {
                let (ours, theirs) = (jaro_winkler(a, b), strsim::jaro_winkler(a, b));
                assert_eq!(ours.to_bits(), theirs.to_bits(), "{a} / {b}");
                compared += 1;
            }
        }
        assert!(compared > 100_000, "{compared} pairs");
    }

    #[test]
    fn edge_cases_score_as_strsim_scores_them() {
        let long = "a".repeat(64);
        let longer = "ab".repeat(40);
        let cases = [
            ("", ""),
            ("", "a"),
            ("a", "a"),
            ("ab", "ba"),
            ("martha", "marhta"),
            ("dwayne", "duane"),
            ("dixon", "dicksonx"),
            (long.as_str(), "a"),
            (long.as_str(), long.as_str()),
            (longer.as_str(), long.as_str()),
            ("müller", "muller"),
            ("ri", "rhee"),
        ];
        for (a, b) in cases {
            for (x, y) in [(a, b), (b, a)] {
                assert_eq!(
                    jaro_winkler(x, y).to_bits(),
                    strsim::jaro_winkler(x, y).to_bits(),
                    "{x} / {y}"
                );
            }
        }
    }
}
