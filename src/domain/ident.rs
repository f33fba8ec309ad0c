//! IMO numbers: a ship's and a company's (registered owner's), told apart by their check digit.
//!
//! Both kinds are seven digits and lists write both as "IMO 1234567", so the check digit is the
//! only way to tell them apart. A few numbers satisfy both rules; those are taken as ships
//! unless the caller knows better ([`parse_as`]).

use std::fmt;
use std::str::FromStr;

/// Which numbering an IMO number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImoKind {
    /// A ship: check digit = Σ dᵢ·(7−i) over the first six digits, mod 10.
    Ship,
    /// A company or registered owner: weights 8,6,4,2,9,7; check = (11 − s mod 11) mod 10.
    Company,
}

impl ImoKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImoKind::Ship => "ship",
            ImoKind::Company => "company",
        }
    }
}

/// A validated IMO number: seven digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Imo {
    pub number: String,
    pub kind: ImoKind,
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
    let mut rest = input.trim();
    if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case("IMO") {
        rest = rest[3..].trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '.');
    }
    let rest = rest.trim();
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

/// Parses an IMO number of either kind. When both check digit rules hold, it is taken as a ship.
pub fn parse(s: &str) -> Result<Imo, ImoError> {
    let c = check(s)?;
    let kind = if c.actual == c.ship {
        ImoKind::Ship
    } else if c.actual == c.company {
        ImoKind::Company
    } else {
        return Err(ImoError::CheckDigit {
            number: c.number,
            actual: c.actual,
            ship: c.ship,
            company: c.company,
        });
    };
    Ok(Imo {
        number: c.number,
        kind,
    })
}

/// Parses an IMO number that must be of `kind` (a vessel's or a company's), so that a number
/// valid only under the other rule is refused as the likely typo it is.
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
    fn both_rules_hold_prefers_ship() {
        // KANG SONG 1 (OFAC vessel) happens to satisfy both rules.
        assert_eq!(parse("6908096").unwrap().kind, ImoKind::Ship);
        assert_eq!(
            parse_as("6908096", ImoKind::Company).unwrap().kind,
            ImoKind::Company
        );
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
        ] {
            assert!(
                matches!(parse(s), Err(ImoError::Format { .. })),
                "{s:?} accepted"
            );
        }
    }
}
