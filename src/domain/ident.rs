//! Identifiers that name one vessel, company or person across lists, and the one place their
//! spellings are checked and compared: IMO numbers (a ship's or a company's), MMSI, and the
//! document numbers (passport, national id, …) the lists print.
//!
//! # IMO numbers
//!
//! A ship's and a company's (registered owner's) IMO number are both seven digits, and lists
//! write both as "IMO 1234567", so the seventh digit, a check digit computed by a different rule
//! for each numbering ([`ImoKind`]), is the only way to tell them apart.
//!
//! ## The tie rule
//!
//! About one number in ten fits both rules (OCEAN MARITIME MANAGEMENT's company number 1790183
//! does, and so does the tanker HASNA's ship number 9212917). Such a number is taken as:
//!
//! 1. the kind its context calls for, where there is one: a vessel's (watch item or list entry)
//!    is a ship number, an organisation's a company number ([`ImoKind::of_entry`],
//!    `WatchKind::imo_kind` in [`crate::domain::watch`]); the matcher, comparing an entry whose
//!    kind says nothing (an OFAC or EU entry of unknown kind) with a watch item, takes the watch
//!    item's kind;
//! 2. otherwise (a person, an aircraft, an entry of unknown kind, a query without `--kind`) a
//!    ship number, [`DEFAULT_KIND`]: lists give far more ship numbers than company numbers.
//!
//! Every caller resolves ties through [`parse_in`], [`kind_of`] or [`Imo::in_context`] (list
//! parsers, the matcher, `screen`), so the rule holds everywhere. [`parse_as`] is stricter: the number must fit the one kind asked
//! for (the watchlist loader refuses a vessel's number that only fits the company rule).
//!
//! # MMSI
//!
//! Nine digits ([`parse_mmsi`]), with no check digit.
//!
//! # Comparing identifiers across lists
//!
//! [`comparable`] is the form two lists' values of one identifier kind are compared in (the
//! store's cross-list index, `screen`'s "same as", the matcher's IMO and MMSI equality).
//! [`imo_value`] is the form a list parser stores a published IMO number in.

use std::fmt;
use std::str::FromStr;

use crate::domain::entry::EntityKind;

/// Which numbering an IMO number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImoKind {
    /// A ship: check digit = Σ dᵢ·(7−i) over the first six digits, mod 10.
    Ship,
    /// A company or registered owner: weights 8,6,4,2,9,7; check = (11 − s mod 11) mod 10.
    Company,
}

/// The kind a number fitting both check digit rules is taken as when nothing says otherwise.
pub const DEFAULT_KIND: ImoKind = ImoKind::Ship;

impl ImoKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImoKind::Ship => "ship",
            ImoKind::Company => "company",
        }
    }

    /// The numbering a list entry of this kind carries, if its kind says: a vessel's is a ship
    /// number, an organisation's a company number.
    pub fn of_entry(kind: EntityKind) -> Option<ImoKind> {
        match kind {
            EntityKind::Vessel => Some(ImoKind::Ship),
            EntityKind::Organization => Some(ImoKind::Company),
            EntityKind::Person | EntityKind::Aircraft | EntityKind::Unknown => None,
        }
    }
}

/// A validated IMO number: seven digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Imo {
    pub number: String,
    pub kind: ImoKind,
}

impl Imo {
    /// Whether the number fits both check digit rules, so that its kind came from the tie rule.
    pub fn fits_both(&self) -> bool {
        check(&self.number).is_ok_and(|c| c.ship == c.actual && c.company == c.actual)
    }

    /// The same number with a tie resolved for `context` (see the module doc); a number that
    /// fits one rule only keeps its kind.
    pub fn in_context(mut self, context: Option<ImoKind>) -> Imo {
        if self.fits_both() {
            self.kind = context.unwrap_or(DEFAULT_KIND);
        }
        self
    }
}

impl fmt::Display for Imo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IMO {}", self.number)
    }
}

impl FromStr for Imo {
    type Err = ImoError;

    fn from_str(s: &str) -> Result<Imo, ImoError> {
        parse(s)
    }
}

/// Why a text is not an IMO number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImoError {
    #[error("{input:?} is not an IMO number: expected 7 digits, optionally after \"IMO\"")]
    Format { input: String },
    #[error(
        "IMO {number}: check digit should be {ship} (ship) or {company} (company), not {actual}"
    )]
    CheckDigit {
        number: String,
        actual: u8,
        ship: u8,
        company: u8,
    },
    #[error(
        "IMO {number}: check digit should be {expected} for a {} number, not {actual} \
         (it fits the {} rule instead)",
        wanted.as_str(),
        other(*wanted).as_str()
    )]
    WrongKind {
        number: String,
        wanted: ImoKind,
        actual: u8,
        expected: u8,
    },
}

fn other(kind: ImoKind) -> ImoKind {
    match kind {
        ImoKind::Ship => ImoKind::Company,
        ImoKind::Company => ImoKind::Ship,
    }
}

/// The ship check digit of the first six digits.
pub fn ship_check_digit(d: &[u8; 6]) -> u8 {
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * (7 - i as u32))
        .sum();
    (sum % 10) as u8
}

/// The company (registered owner) check digit of the first six digits.
pub fn company_check_digit(d: &[u8; 6]) -> u8 {
    const WEIGHTS: [u32; 6] = [8, 6, 4, 2, 9, 7];
    let sum: u32 = d.iter().zip(WEIGHTS).map(|(&x, w)| u32::from(x) * w).sum();
    ((11 - sum % 11) % 10) as u8
}

/// Splits "IMO 9187629", "IMO9187629", "imo: 9187629" or " 9187629 " into its seven digits.
fn digits(input: &str) -> Result<[u8; 7], ImoError> {
    let format_error = || ImoError::Format {
        input: input.to_string(),
    };
    let rest = strip_word(input.trim(), "IMO");
    if rest.len() != 7 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format_error());
    }
    let mut out = [0u8; 7];
    for (o, b) in out.iter_mut().zip(rest.bytes()) {
        *o = b - b'0';
    }
    Ok(out)
}

struct Checked {
    number: String,
    actual: u8,
    ship: u8,
    company: u8,
}

fn check(input: &str) -> Result<Checked, ImoError> {
    let d = digits(input)?;
    let head: [u8; 6] = d[..6].try_into().expect("seven digits");
    Ok(Checked {
        number: d.iter().map(|x| char::from(b'0' + x)).collect(),
        actual: d[6],
        ship: ship_check_digit(&head),
        company: company_check_digit(&head),
    })
}

/// Parses an IMO number of either kind, "IMO 9187629" or "9187629"; a number fitting both
/// rules is a [`DEFAULT_KIND`] one. Same as `parse_in(s, None)`.
pub fn parse(s: &str) -> Result<Imo, ImoError> {
    parse_in(s, None)
}

/// Parses an IMO number of either kind; a number fitting both rules is taken as `context`'s
/// kind, or as [`DEFAULT_KIND`] without one (the tie rule of the module doc).
pub fn parse_in(s: &str, context: Option<ImoKind>) -> Result<Imo, ImoError> {
    let c = check(s)?;
    let kind = match (c.actual == c.ship, c.actual == c.company) {
        (true, true) => context.unwrap_or(DEFAULT_KIND),
        (true, false) => ImoKind::Ship,
        (false, true) => ImoKind::Company,
        (false, false) => {
            return Err(ImoError::CheckDigit {
                number: c.number,
                actual: c.actual,
                ship: c.ship,
                company: c.company,
            })
        }
    };
    Ok(Imo {
        number: c.number,
        kind,
    })
}

/// The kind of a published IMO number under the tie rule, `None` when it is not seven digits
/// (after an optional "IMO") or fits neither check digit rule.
pub fn kind_of(number: &str, context: Option<ImoKind>) -> Option<ImoKind> {
    parse_in(number, context).ok().map(|imo| imo.kind)
}

/// Parses an IMO number that must be of `kind` (a vessel's or a company's), so that a number
/// valid only under the other rule is refused as the likely typo it is. A number fitting both
/// rules is of `kind`, as the tie rule gives it with `kind` for context.
pub fn parse_as(s: &str, kind: ImoKind) -> Result<Imo, ImoError> {
    let c = check(s)?;
    let expected = match kind {
        ImoKind::Ship => c.ship,
        ImoKind::Company => c.company,
    };
    if c.actual == expected {
        return Ok(Imo {
            number: c.number,
            kind,
        });
    }
    // Not valid for the wanted kind: report it as the general error unless the other rule holds.
    let any = parse(s)?;
    Err(ImoError::WrongKind {
        number: any.number,
        wanted: kind,
        actual: c.actual,
        expected,
    })
}

/// The value a list parser stores for a published IMO number: "IMO 9187629", "IMO9187629" →
/// "9187629"; a text that does not hold exactly seven digits is kept as published (trimmed),
/// so that the entry still shows what the list said.
pub fn imo_value(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 7 {
        digits
    } else {
        raw.trim().to_string()
    }
}

/// Why a text is not an MMSI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MmsiError {
    #[error("expected 9 digits, found {input:?}")]
    Format { input: String },
}

/// Parses an MMSI (Maritime Mobile Service Identity): nine digits, optionally after "MMSI".
pub fn parse_mmsi(s: &str) -> Result<String, MmsiError> {
    let rest = strip_word(s.trim(), "MMSI");
    if rest.len() == 9 && rest.bytes().all(|b| b.is_ascii_digit()) {
        Ok(rest.to_string())
    } else {
        Err(MmsiError::Format {
            input: s.to_string(),
        })
    }
}

/// The form in which two lists' values of one identifier kind (`imo`, `mmsi`, `passport`,
/// `national-id`, …; see [`crate::domain::entry::Identifier`]) are compared:
///
/// - `imo`: the seven digits when the value holds exactly seven ("IMO 9187629" →
///   "9187629"), else its [`document_number`] without a leading "IMO";
/// - `mmsi`: the nine digits when the value holds exactly nine, else its
///   [`document_number`] without a leading "MMSI";
/// - any other kind: its [`document_number`].
pub fn comparable(kind: &str, value: &str) -> String {
    let (prefix, len) = match kind {
        "imo" => ("IMO", 7),
        "mmsi" => ("MMSI", 9),
        _ => return document_number(value),
    };
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == len {
        return digits;
    }
    let v = document_number(value);
    v.strip_prefix(prefix).map(str::to_string).unwrap_or(v)
}

/// A document number (passport, national id, tax id, …) as lists compare it: letters and
/// digits only, upper case ("c 0123-456 ab" → "C0123456AB").
pub fn document_number(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// `text` without a leading `word` (any case) and the spaces, colons or dots after it.
fn strip_word<'a>(text: &'a str, word: &str) -> &'a str {
    match text.get(..word.len()) {
        Some(head) if head.eq_ignore_ascii_case(word) => text[word.len()..]
            .trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '.')
            .trim(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artavil_is_a_ship_in_every_spelling() {
        for s in [
            "IMO 9187629",
            "IMO9187629",
            "9187629",
            "  imo  9187629 ",
            "IMO: 9187629",
        ] {
            let imo = parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!(imo.number, "9187629");
            assert_eq!(imo.kind, ImoKind::Ship);
        }
        assert_eq!(parse("9187629").unwrap().to_string(), "IMO 9187629");
    }

    #[test]
    fn chongchongang_shipping_is_a_company() {
        let imo = parse("IMO 5342883").unwrap();
        assert_eq!(imo.kind, ImoKind::Company);
        assert_eq!(imo.number, "5342883");
    }

    #[test]
    fn real_ofac_vessel_imos_are_ships() {
        // Vessels of the OFAC SDN list, July 2021 (remarks "Vessel Registration Identification IMO n").
        for n in [
            "9357391", // HELM
            "8517231", // SARDASHT
            "9107655", // ATLANTIC
            "9235127", // SEVASTOPOL
            "9556947", // BICENTENARIO IV
            "9009085", // THAE PYONG SAN
        ] {
            assert_eq!(parse(n).unwrap().kind, ImoKind::Ship, "{n}");
        }
    }

    #[test]
    fn real_ofac_company_imos_are_companies() {
        // Entities of the OFAC SDN list, July 2021 ("Identification Number IMO n").
        for n in ["5647684", "5571322"] {
            assert_eq!(parse(n).unwrap().kind, ImoKind::Company, "{n}");
        }
    }

    #[test]
    fn the_tanker_adisa_is_a_ship_under_either_name() {
        // ADISA, formerly SKIPPER (OFAC SDN list), IMO 9304667: fits the ship rule only, so no
        // context can make it a company's.
        for context in [None, Some(ImoKind::Ship), Some(ImoKind::Company)] {
            assert_eq!(kind_of("IMO 9304667", context), Some(ImoKind::Ship));
        }
        assert!(!parse("9304667").unwrap().fits_both());
        assert!(matches!(
            parse_as("9304667", ImoKind::Company),
            Err(ImoError::WrongKind { .. })
        ));
    }

    #[test]
    fn tie_rule_context_first_then_ship() {
        // Real numbers that fit both check digit rules: OCEAN MARITIME MANAGEMENT COMPANY's
        // company number (UN and OFAC lists), and the tanker HASNA (ex MARINA) and KANG SONG 1,
        // vessels of the OFAC SDN list.
        for n in ["1790183", "9212917", "6908096"] {
            let d: Vec<u8> = n.bytes().map(|b| b - b'0').collect();
            let head: [u8; 6] = d[..6].try_into().unwrap();
            assert_eq!(ship_check_digit(&head), d[6], "{n}");
            assert_eq!(company_check_digit(&head), d[6], "{n}");

            assert!(parse(n).unwrap().fits_both());
            // no context: the default, a ship
            assert_eq!(parse(n).unwrap().kind, DEFAULT_KIND);
            assert_eq!(DEFAULT_KIND, ImoKind::Ship);
            assert_eq!(kind_of(n, None), Some(ImoKind::Ship));
            // context decides
            let org = ImoKind::of_entry(EntityKind::Organization);
            assert_eq!(kind_of(n, org), Some(ImoKind::Company));
            let vessel = ImoKind::of_entry(EntityKind::Vessel);
            assert_eq!(parse_in(n, vessel).unwrap().kind, ImoKind::Ship);
            let person = ImoKind::of_entry(EntityKind::Person);
            assert_eq!(kind_of(n, person), Some(ImoKind::Ship));
            // parse_as takes the kind asked for, as the tie rule does with that context
            assert_eq!(
                parse_as(n, ImoKind::Company).unwrap().kind,
                ImoKind::Company
            );
            assert_eq!(parse_as(n, ImoKind::Ship).unwrap().kind, ImoKind::Ship);
            // and a parsed number can be moved into another context
            let imo = parse(n).unwrap();
            assert_eq!(imo.in_context(org).kind, ImoKind::Company);
        }
        // a number fitting one rule keeps its kind whatever the context
        let chong = parse("5342883").unwrap();
        assert!(!chong.fits_both());
        assert_eq!(chong.in_context(Some(ImoKind::Ship)).kind, ImoKind::Company);
    }

    #[test]
    fn context_of_entry_kinds() {
        assert_eq!(ImoKind::of_entry(EntityKind::Vessel), Some(ImoKind::Ship));
        assert_eq!(
            ImoKind::of_entry(EntityKind::Organization),
            Some(ImoKind::Company)
        );
        assert_eq!(ImoKind::of_entry(EntityKind::Unknown), None);
        assert_eq!(ImoKind::of_entry(EntityKind::Aircraft), None);
    }

    #[test]
    fn bad_check_digit_names_both_expected_digits() {
        let err = parse("IMO 9187628").unwrap_err();
        assert_eq!(
            err,
            ImoError::CheckDigit {
                number: "9187628".into(),
                actual: 8,
                ship: 9,
                company: company_check_digit(&[9, 1, 8, 7, 6, 2]),
            }
        );
        let text = err.to_string();
        assert!(
            text.starts_with("IMO 9187628: check digit should be 9 (ship) or "),
            "{text}"
        );
    }

    #[test]
    fn wrong_kind_is_refused_by_parse_as() {
        let err = parse_as("5342883", ImoKind::Ship).unwrap_err();
        assert!(matches!(err, ImoError::WrongKind { expected, .. } if expected == 1));
        assert!(err.to_string().contains("company rule"), "{err}");
        assert!(matches!(
            parse_as("9187628", ImoKind::Ship),
            Err(ImoError::CheckDigit { .. })
        ));
    }

    #[test]
    fn malformed_inputs() {
        for s in [
            "",
            "IMO",
            "918762",
            "91876290",
            "IMO 91876a9",
            "MMSI 572469210",
            "9187 629",
            "ИМО 9187629",
            "IMOX9187629",
        ] {
            assert!(
                matches!(parse(s), Err(ImoError::Format { .. })),
                "{s:?} accepted"
            );
        }
    }

    #[test]
    fn kind_of_refuses_what_is_no_imo_number() {
        assert_eq!(kind_of("9187628", None), None);
        assert_eq!(kind_of("15411", Some(ImoKind::Ship)), None);
        assert_eq!(kind_of("IMO 5342883", None), Some(ImoKind::Company));
    }

    #[test]
    fn imo_value_keeps_what_is_not_seven_digits() {
        assert_eq!(imo_value("IMO 9187629"), "9187629");
        assert_eq!(imo_value("IMO9187629"), "9187629");
        assert_eq!(imo_value(" 5342883 "), "5342883");
        assert_eq!(imo_value(" IMO 15411 "), "IMO 15411");
        assert_eq!(imo_value("9187629, 9304667"), "9187629, 9304667");
    }

    #[test]
    fn mmsi_is_nine_digits() {
        // ARTAVIL (OFAC SDN list): IMO 9187629, MMSI 572469210.
        for s in [
            "572469210",
            " 572469210 ",
            "MMSI 572469210",
            "mmsi: 572469210",
        ] {
            assert_eq!(parse_mmsi(s).as_deref(), Ok("572469210"), "{s:?}");
        }
        for s in ["57246921", "5724692100", "57246921O", "IMO 9187629", ""] {
            assert!(parse_mmsi(s).is_err(), "{s:?} accepted");
        }
        assert_eq!(
            parse_mmsi("57245021").unwrap_err().to_string(),
            "expected 9 digits, found \"57245021\""
        );
    }

    #[test]
    fn comparable_forms_across_lists() {
        // the spellings lists give for ARTAVIL's numbers compare equal
        for v in ["IMO 9187629", "IMO9187629", "9187629", "imo: 9187629"] {
            assert_eq!(comparable("imo", v), "9187629", "{v:?}");
        }
        for v in ["572469210", "MMSI 572469210", " 572469210"] {
            assert_eq!(comparable("mmsi", v), "572469210", "{v:?}");
        }
        // not an IMO number: letters and digits, without the word
        assert_eq!(comparable("imo", "IMO 15411"), "15411");
        // a document number: letters and digits, upper case; no prefix is stripped
        assert_eq!(comparable("passport", "c 0123-456 ab"), "C0123456AB");
        assert_eq!(comparable("passport", "IMO123"), "IMO123");
        assert_eq!(comparable("national-id", "№ 12 34"), "1234");
        assert_eq!(document_number("аб 12-34"), "АБ1234");
    }
}
