//! Source formats: every list and feed format is one file here, behind [`SourceFormat`].
//!
//! Adding a list is adding a file that implements the trait and one line in [`format_for`].

use std::path::Path;

use crate::domain::digest::StoredDigest;
use crate::domain::entry::{FeedSnapshot, ListSnapshot};

pub mod ca_sema_xml;
pub mod eu_fsf_xml;
pub mod feed;
mod json_skim;
pub mod ofac_csv;
pub mod ofac_enhanced_xml;
pub mod ofac_xml;
pub mod opensanctions_ftm;
pub mod opensanctions_index;
pub mod presets;
pub mod uk_xml;
pub mod un_xml;
pub mod us_csl_csv;
mod xml_walk;

/// One downloaded document, as the fetch stage hands it over.
#[derive(Debug, Clone)]
pub struct Body {
    /// The resource name the format asked for (`sdn.csv`), or `""` for the source URL itself.
    pub resource: String,
    /// The URL it came from, for error messages and for resolving relative links.
    pub url: String,
    pub bytes: Vec<u8>,
    /// The HTTP Content-Type, if there was one (a `file://` source has none).
    pub content_type: Option<String>,
}

impl Body {
    /// A file on local disk as a document, for tools and tests that parse files without
    /// fetching them; its path stands for the URL.
    pub fn from_file(resource: &str, path: &Path) -> std::io::Result<Body> {
        let bytes = std::fs::read(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(Body {
            resource: resource.to_string(),
            url: path.display().to_string(),
            bytes,
            content_type: None,
        })
    }
}

/// The documents `format` reads, from local disk: `path` is the file itself when the format
/// asks for no resources, else the folder holding them.
pub fn local_bodies(format: &dyn SourceFormat, path: &Path) -> std::io::Result<Vec<Body>> {
    let resources = format.resources();
    if resources.is_empty() {
        return Ok(vec![Body::from_file("", path)?]);
    }
    resources
        .iter()
        .map(|r| Body::from_file(r, &path.join(r)))
        .collect()
}

/// What a source's documents parse into.
#[derive(Debug, Clone)]
pub enum Parsed {
    List(ListSnapshot),
    Feed(FeedSnapshot),
    /// Changes to apply to the stored snapshot (OpenSanctions delta files).
    Delta(Vec<DeltaOp>),
}

pub use opensanctions_ftm::DeltaOp;

/// Why a document could not be parsed. Names the document and, where known, the place in it.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{url}: not the expected format: {reason}")]
    WrongFormat { url: String, reason: String },
    #[error("{url}: {location}: {message}")]
    Malformed {
        url: String,
        /// `line 12`, `byte 4096`, `row 7`…
        location: String,
        message: String,
    },
    #[error("{url}: resource {resource:?} missing from the download")]
    MissingResource { url: String, resource: String },
}

/// The one document a single-document format downloads.
pub(crate) fn single_body(bodies: &[Body]) -> Result<&Body, ParseError> {
    bodies.first().ok_or_else(|| ParseError::MissingResource {
        url: String::new(),
        resource: String::new(),
    })
}

/// Adds a trimmed, non-blank value to a list unless it is there already.
pub(crate) fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// A list or feed format.
pub trait SourceFormat: Send + Sync {
    /// The `kind` of the config that selects this format.
    fn kind(&self) -> &'static str;

    /// The documents to fetch, as names relative to the source URL (which is then a folder);
    /// empty when the source URL is the one document.
    fn resources(&self) -> Vec<String> {
        Vec::new()
    }

    /// Parses the fetched documents, one [`Body`] per resource (or one for the URL itself).
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError>;

    /// Whether [`parse_known`](Self::parse_known) can leave records unparsed: the format
    /// digests each record's bytes one by one, so the pipeline hands it the stored digests.
    fn digests_records(&self) -> bool {
        false
    }

    /// [`parse`](Self::parse), except that a format that digests its records leaves out of
    /// the snapshot's entries each record for which `stored(entry id, digest)` holds (the
    /// store has that entry as parsed from the very same bytes), and names it in
    /// [`ListSnapshot::unparsed`] instead. A record's digest covers the bytes its id is read
    /// from, so that the pipeline may answer `stored` by the digest alone, looking for each in
    /// the order the records come ([`crate::plan::StoredRecords`]).
    fn parse_known(
        &self,
        bodies: &[Body],
        stored: &dyn Fn(&str, &StoredDigest) -> bool,
    ) -> Result<Parsed, ParseError> {
        let _ = stored;
        self.parse(bodies)
    }
}

/// Every kind the config accepts.
pub const KINDS: &[&str] = &[
    "ofac_sdn_csv",
    "ofac_xml",
    "ofac_enhanced_xml",
    "un_sc_xml",
    "eu_fsf_xml",
    "uk_sanctions_xml",
    "ca_sema_xml",
    "us_csl_csv",
    "opensanctions_ftm",
    "opensanctions",
    "feed",
];

/// Options of a `[[source]]` that a format may need beyond its kind.
#[derive(Debug, Clone, Default)]
pub struct FormatOptions {
    /// For `ofac_sdn_csv`: other file names (primary, alt, add, comments), e.g. OFAC's
    /// consolidated `cons_prim.csv`, `cons_alt.csv`, `cons_add.csv`, `cons_comments.csv`.
    pub files: Option<Vec<String>>,
}

/// The format for a config `kind`, or `None` if the kind is unknown.
pub fn format_for(kind: &str, options: &FormatOptions) -> Option<Box<dyn SourceFormat>> {
    match kind {
        "ofac_sdn_csv" => Some(Box::new(ofac_csv::OfacCsv::new(options.files.clone()))),
        "ofac_xml" => Some(Box::new(ofac_xml::OfacXml)),
        "ofac_enhanced_xml" => Some(Box::new(ofac_enhanced_xml::OfacEnhancedXml)),
        "un_sc_xml" => Some(Box::new(un_xml::UnScXml)),
        "eu_fsf_xml" => Some(Box::new(eu_fsf_xml::EuFsfXml)),
        "uk_sanctions_xml" => Some(Box::new(uk_xml::UkSanctionsXml)),
        "ca_sema_xml" => Some(Box::new(ca_sema_xml::CaSemaXml)),
        "us_csl_csv" => Some(Box::new(us_csl_csv::UsCslCsv)),
        "opensanctions_ftm" => Some(Box::new(opensanctions_ftm::OpenSanctionsFtm)),
        "opensanctions" => Some(Box::new(opensanctions_index::OpenSanctionsIndex)),
        "feed" => Some(Box::new(feed::Feed)),
        _ => None,
    }
}

/// Who publishes a source of `kind` and what its list is called, for alerts and the audit
/// trail. `files` tells OFAC's consolidated (non-SDN) CSV files from the SDN ones.
pub fn describe(
    kind: &str,
    files: Option<&[String]>,
) -> (Option<&'static str>, Option<&'static str>) {
    let consolidated =
        files.is_some_and(|f| f.iter().any(|n| n.to_ascii_lowercase().starts_with("cons")));
    let (publisher, title) = match kind {
        "ofac_sdn_csv" if consolidated => ("US Treasury, OFAC", "OFAC consolidated (non-SDN) list"),
        "ofac_sdn_csv" => ("US Treasury, OFAC", "OFAC SDN list"),
        "ofac_xml" | "ofac_enhanced_xml" => ("US Treasury, OFAC", "OFAC sanctions list"),
        "un_sc_xml" => (
            "UN Security Council",
            "UN Security Council consolidated list",
        ),
        "eu_fsf_xml" => ("European Commission", "EU financial sanctions list"),
        "uk_sanctions_xml" => ("UK FCDO", "UK Sanctions List"),
        "ca_sema_xml" => (
            "Global Affairs Canada",
            "Canadian autonomous sanctions list",
        ),
        "us_csl_csv" => (
            "US International Trade Administration",
            "US Consolidated Screening List",
        ),
        "opensanctions_ftm" | "opensanctions" => ("OpenSanctions", "OpenSanctions"),
        _ => return (None, None),
    };
    (Some(publisher), Some(title))
}
