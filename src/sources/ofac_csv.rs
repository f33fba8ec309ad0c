//! OFAC's delimited SDN files (sdn.csv, alt.csv, add.csv, sdn_comments.csv) and the
//! consolidated (non-SDN) files of the same layout.

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct OfacCsv {
    files: Vec<String>,
}

impl OfacCsv {
    /// `files`: primary, alt, add, comments; `None` for the SDN names.
    pub fn new(files: Option<Vec<String>>) -> OfacCsv {
        OfacCsv {
            files: files.unwrap_or_else(|| {
                ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
                    .map(String::from)
                    .to_vec()
            }),
        }
    }
}

impl SourceFormat for OfacCsv {
    fn kind(&self) -> &'static str {
        "ofac_sdn_csv"
    }
    fn resources(&self) -> Vec<String> {
        self.files.clone()
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
