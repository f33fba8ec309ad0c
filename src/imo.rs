//! IMO numbers: a ship's and a company's (registered owner's), told apart by their check digit.

/// Which numbering an IMO number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImoKind {
    /// A ship: check digit = Σ dᵢ·(7−i) over the first six digits, mod 10.
    Ship,
    /// A company or registered owner: weights 8,6,4,2,9,7; check = (11 − s mod 11) mod 10.
    Company,
}

/// A validated IMO number: seven digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Imo {
    pub number: String,
    pub kind: ImoKind,
}

/// (Placeholder until the config branch lands.)
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ImoError(pub String);

pub fn parse(s: &str) -> Result<Imo, ImoError> {
    Err(ImoError(s.to_string()))
}
