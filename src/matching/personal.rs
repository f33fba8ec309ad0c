//! Dates of birth and nationalities as evidence for or against a person match.
//!
//! Lists write dates in many ways ("30 Aug 1954", "1954-08-30", "circa 1963", "1956 to 1958",
//! "between 1956 and 1958", "approximately 1968"); only the year, and the full date where one
//! is given, are compared. An agreeing full date says more than a name part; a conflicting year
//! says the namesake is someone else, but lists are often wrong by a year, so "circa" and
//! "approximately" widen the year by one either way.

use super::normalize::fold;

/// Raised when a full date of birth agrees.
pub const DOB_AGREES: f64 = 0.05;
/// Raised when only the year of birth agrees.
pub const YEAR_AGREES: f64 = 0.02;
/// Lowered when no year of birth of the watch item fits any of the entry's.
pub const DOB_CONFLICTS: f64 = -0.15;
pub const NATIONALITY_AGREES: f64 = 0.02;
/// People hold several nationalities and lists omit some: a weak signal.
pub const NATIONALITY_CONFLICTS: f64 = -0.05;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A date of birth as the years it allows and the full date, if one is given.
#[derive(Debug, Clone, PartialEq)]
struct Born {
    from: u32,
    to: u32,
    date: Option<(u32, u32, u32)>,
}

fn parse(text: &str) -> Option<Born> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let years: Vec<u32> = words
        .iter()
        .flat_map(|w| w.split('-'))
        .filter(|p| p.len() == 4)
        .filter_map(|p| p.parse().ok())
        .filter(|y| (1850..=2100).contains(y))
        .collect();
    let (&first, &last) = (years.first()?, years.last()?);
    let vague = lower.contains("circa") || lower.contains("approx");
    let slack = u32::from(vague);
    Some(Born {
        from: first.min(last) - slack,
        to: first.max(last) + slack,
        date: full_date(&words),
    })
}

fn full_date(words: &[&str]) -> Option<(u32, u32, u32)> {
    for w in words {
        let iso: Vec<&str> = w.split('-').collect();
        if iso.len() == 3 && iso[0].len() == 4 {
            if let (Ok(y), Ok(m), Ok(d)) = (iso[0].parse(), iso[1].parse(), iso[2].parse()) {
                return Some((y, m, d));
            }
        }
    }
    for win in words.windows(3) {
        let month = MONTHS.iter().position(|m| win[1].starts_with(m));
        if let (Ok(d), Some(m), Ok(y)) = (win[0].parse::<u32>(), month, win[2].parse::<u32>()) {
            return Some((y, m as u32 + 1, d));
        }
    }
    None
}

/// How the watch item's dates of birth bear on the entry's: a score change and a reason, or
/// `None` when either side gives none.
pub fn dob_evidence(watched: &[String], listed: &[String]) -> Option<(f64, String)> {
    let w: Vec<Born> = watched.iter().filter_map(|d| parse(d)).collect();
    let l: Vec<Born> = listed.iter().filter_map(|d| parse(d)).collect();
    if w.is_empty() || l.is_empty() {
        return None;
    }
    let listed_text = listed.join(", ");
    for a in &w {
        for b in &l {
            if a.date.is_some() && a.date == b.date {
                let (y, m, d) = a.date.unwrap_or_default();
                return Some((
                    DOB_AGREES,
                    format!("date of birth {y:04}-{m:02}-{d:02} agrees"),
                ));
            }
        }
    }
    let overlaps = w
        .iter()
        .any(|a| l.iter().any(|b| a.from <= b.to && b.from <= a.to));
    if overlaps {
        return Some((
            YEAR_AGREES,
            format!(
                "year of birth agrees ({} / listed {listed_text})",
                watched.join(", ")
            ),
        ));
    }
    Some((
        DOB_CONFLICTS,
        format!(
            "date of birth {} conflicts with listed {listed_text}",
            watched.join(", ")
        ),
    ))
}

fn country(text: &str) -> String {
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

/// How the watch item's nationalities bear on the entry's ("Iran" agrees with "Iran (Islamic
/// Republic of)").
pub fn nationality_evidence(watched: &[String], listed: &[String]) -> Option<(f64, String)> {
    let w: Vec<String> = watched
        .iter()
        .map(|n| country(n))
        .filter(|n| !n.is_empty())
        .collect();
    let l: Vec<String> = listed
        .iter()
        .map(|n| country(n))
        .filter(|n| !n.is_empty())
        .collect();
    if w.is_empty() || l.is_empty() {
        return None;
    }
    let agree = w.iter().any(|a| {
        l.iter()
            .any(|b| a == b || b.starts_with(&format!("{a} ")) || a.starts_with(&format!("{b} ")))
    });
    if agree {
        Some((
            NATIONALITY_AGREES,
            format!("nationality {} agrees", watched.join(", ")),
        ))
    } else {
        Some((
            NATIONALITY_CONFLICTS,
            format!(
                "nationality {} differs from listed {}",
                watched.join(", "),
                listed.join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn list_date_forms_compared() {
        // OFAC "30 Aug 1954" and UN "1954-08-30" are the same day
        let (d, why) = dob_evidence(&v(&["1954-08-30"]), &v(&["30 Aug 1954"])).unwrap();
        assert_eq!(d, DOB_AGREES);
        assert!(why.contains("1954-08-30 agrees"), "{why}");
        let (d, _) = dob_evidence(&v(&["1957"]), &v(&["1956 to 1958"])).unwrap();
        assert_eq!(d, YEAR_AGREES);
        let (d, _) = dob_evidence(&v(&["1964"]), &v(&["circa 1963"])).unwrap();
        assert_eq!(d, YEAR_AGREES);
    }

    #[test]
    fn a_different_year_conflicts() {
        // LUKASHENKA Alyaksandr (1954) is not his son Viktar (1975)
        let (d, why) = dob_evidence(&v(&["30 Aug 1954"]), &v(&["28 Nov 1975"])).unwrap();
        assert_eq!(d, DOB_CONFLICTS);
        assert!(why.contains("conflicts with listed 28 Nov 1975"), "{why}");
        assert!(dob_evidence(&[], &v(&["1975"])).is_none());
        assert!(dob_evidence(&v(&["unknown"]), &v(&["1975"])).is_none());
    }

    #[test]
    fn nationalities_compared_by_folded_name() {
        let (d, _) =
            nationality_evidence(&v(&["Iran"]), &v(&["Iran (Islamic Republic of)"])).unwrap();
        assert_eq!(d, NATIONALITY_AGREES);
        let (d, _) = nationality_evidence(&v(&["Belarus"]), &v(&["Russia"])).unwrap();
        assert_eq!(d, NATIONALITY_CONFLICTS);
    }
}
