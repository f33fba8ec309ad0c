//! FollowTheMoney entities as NDJSON, and OpenSanctions delta files.

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct OpenSanctionsFtm;

impl SourceFormat for OpenSanctionsFtm {
    fn kind(&self) -> &'static str {
        "opensanctions_ftm"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
