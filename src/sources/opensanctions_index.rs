//! OpenSanctions datasets by their index (`kind = "opensanctions"`), the way yente, the
//! OpenSanctions API, keeps up with them.
//!
//! `https://data.opensanctions.org/datasets/latest/DATASET/index.json` names the dataset's
//! current `version`, its `resources` (the full export `entities.ftm.json`, with a checksum)
//! and a `delta_url`: a file mapping each recent version to the URL of its
//! `entities.delta.json`. A store at an older version applies the deltas after it, in version
//! order; one older than the oldest delta listed has fallen out of the window and reloads the
//! full export. Versions are timestamps first (`20240528134729-3iv`), so they order as text.
//!
//! This file reads those documents and decides; the fetching is `fetch::opensanctions`'s, and
//! the entities are read by [`super::opensanctions_ftm`].

use std::collections::BTreeMap;

use serde::Deserialize;
use sha2::Digest;

use super::opensanctions_ftm::{self, OpenSanctionsFtm};
use super::{Body, ParseError, Parsed, SourceFormat};
use crate::domain::digest::{hex, StoredDigest};

/// The index URL of an OpenSanctions dataset (`sanctions`, `default`, `peps`…).
pub fn index_url(dataset: &str) -> String {
    format!("https://data.opensanctions.org/datasets/latest/{dataset}/index.json")
}

/// The resource name a full export is handed over under.
pub const FULL_EXPORT: &str = "entities.ftm.json";

/// The resource name prefix of a delta file (`delta:20240528134729-3iv`).
pub const DELTA_PREFIX: &str = "delta:";

/// What a dataset's index says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetIndex {
    pub version: String,
    pub delta_url: Option<String>,
    /// The full export.
    pub entities_url: String,
    pub checksum: Option<Checksum>,
}

/// A resource's checksum as the index gives it: SHA-1 (40 hex digits, OpenSanctions' own) or
/// SHA-256 (64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checksum {
    Sha1(String),
    Sha256(String),
}

impl Checksum {
    fn parse(hex: &str) -> Option<Checksum> {
        let hex = hex.trim().to_ascii_lowercase();
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        match hex.len() {
            40 => Some(Checksum::Sha1(hex)),
            64 => Some(Checksum::Sha256(hex)),
            _ => None,
        }
    }

    /// `Err` with both digests when `bytes` are not what the index describes.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), String> {
        let (name, want, got) = match self {
            Checksum::Sha1(want) => ("SHA-1", want, hex(&sha1::Sha1::digest(bytes))),
            Checksum::Sha256(want) => ("SHA-256", want, hex(&sha2::Sha256::digest(bytes))),
        };
        if &got == want {
            Ok(())
        } else {
            Err(format!(
                "checksum mismatch: the index gives {name} {want}, the download has {got}"
            ))
        }
    }
}

#[derive(Deserialize)]
struct RawIndex {
    version: Option<String>,
    delta_url: Option<String>,
    #[serde(default)]
    resources: Vec<RawResource>,
}

#[derive(Deserialize)]
struct RawResource {
    name: String,
    url: String,
    checksum: Option<String>,
    sha1: Option<String>,
    sha256: Option<String>,
}

fn wrong(body: &Body, reason: impl Into<String>) -> ParseError {
    ParseError::WrongFormat {
        url: body.url.clone(),
        reason: reason.into(),
    }
}

/// Reads a dataset's `index.json`.
pub fn read_index(body: &Body) -> Result<DatasetIndex, ParseError> {
    let raw: RawIndex = serde_json::from_slice(&body.bytes)
        .map_err(|e| wrong(body, format!("not an OpenSanctions dataset index: {e}")))?;
    let version = raw
        .version
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| wrong(body, "the dataset index gives no \"version\""))?;
    let entities = raw
        .resources
        .iter()
        .find(|r| r.name == FULL_EXPORT)
        .ok_or_else(|| {
            wrong(
                body,
                format!("the dataset index lists no {FULL_EXPORT} among its resources"),
            )
        })?;
    let checksum = [&entities.sha256, &entities.checksum, &entities.sha1]
        .into_iter()
        .flatten()
        .find_map(|c| Checksum::parse(c));
    Ok(DatasetIndex {
        version: version.trim().to_string(),
        delta_url: raw.delta_url.filter(|u| !u.trim().is_empty()),
        entities_url: entities.url.clone(),
        checksum,
    })
}

#[derive(Deserialize)]
struct RawDeltaIndex {
    versions: BTreeMap<String, String>,
}

/// Reads the delta index (`{"versions": {"VERSION": "URL of its entities.delta.json", …}}`).
pub fn read_delta_index(body: &Body) -> Result<BTreeMap<String, String>, ParseError> {
    let raw: RawDeltaIndex = serde_json::from_slice(&body.bytes)
        .map_err(|e| wrong(body, format!("not an OpenSanctions delta index: {e}")))?;
    Ok(raw.versions)
}

/// How to bring a store at `stored` to the index's `target` version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// Apply these deltas, in this order, and record `version`.
    Deltas {
        deltas: Vec<(String, String)>,
        version: String,
    },
    /// Load the full export.
    Full,
}

/// Decides between the deltas after `stored` and the full export. `deltas` is the delta index
/// (`None` when the dataset publishes none or it could not be read).
pub fn update_from(
    stored: Option<&str>,
    target: &str,
    deltas: Option<&BTreeMap<String, String>>,
) -> Update {
    let (Some(stored), Some(deltas)) = (stored, deltas) else {
        return Update::Full;
    };
    let (Some(oldest), Some(newest)) = (deltas.keys().next(), deltas.keys().next_back()) else {
        return Update::Full;
    };
    // A stored version older than the window may miss changes published in between; one newer
    // than the index means the store came from elsewhere. Either way, reload.
    if stored < oldest.as_str() || stored > target {
        return Update::Full;
    }
    let list: Vec<(String, String)> = deltas
        .range::<str, _>((
            std::ops::Bound::Excluded(stored),
            std::ops::Bound::Included(target),
        ))
        .map(|(v, u)| (v.clone(), u.clone()))
        .collect();
    // A version without a delta changed nothing; but when the delta index lags behind the
    // dataset index, record only as far as the deltas go, so the rest is fetched later.
    let version = if newest.as_str() >= target {
        target.to_string()
    } else {
        list.last()
            .map(|(v, _)| v.clone())
            .unwrap_or_else(|| stored.to_string())
    };
    Update::Deltas {
        deltas: list,
        version,
    }
}

/// The format: a full export, or the delta files of an update, in order.
pub struct OpenSanctionsIndex;

impl SourceFormat for OpenSanctionsIndex {
    fn kind(&self) -> &'static str {
        "opensanctions"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        self.parse_known(bodies, &|_, _| false)
    }

    fn digests_records(&self) -> bool {
        true
    }

    fn parse_known(
        &self,
        bodies: &[Body],
        stored: &dyn Fn(&str, &StoredDigest) -> bool,
    ) -> Result<Parsed, ParseError> {
        if let [full] = bodies {
            if full.resource == FULL_EXPORT {
                return OpenSanctionsFtm.parse_known(bodies, stored);
            }
        }
        let mut ops = Vec::new();
        for body in bodies {
            ops.extend(opensanctions_ftm::parse_delta(body)?);
        }
        Ok(Parsed::Delta(ops))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deltas(versions: &[&str]) -> BTreeMap<String, String> {
        versions
            .iter()
            .map(|v| {
                (
                    v.to_string(),
                    format!("https://example.org/{v}/entities.delta.json"),
                )
            })
            .collect()
    }

    const WINDOW: [&str; 5] = [
        "20240527134702-zbn",
        "20240527194702-wnk",
        "20240528014702-pfh",
        "20240528074703-npf",
        "20240528134729-3iv",
    ];

    fn versions(update: &Update) -> (Vec<&str>, &str) {
        match update {
            Update::Deltas { deltas, version } => {
                (deltas.iter().map(|(v, _)| v.as_str()).collect(), version)
            }
            Update::Full => panic!("full"),
        }
    }

    #[test]
    fn the_deltas_after_the_stored_version_up_to_the_target_in_order() {
        let index = deltas(&WINDOW);
        let update = update_from(Some(WINDOW[1]), WINDOW[4], Some(&index));
        assert_eq!(versions(&update), (WINDOW[2..].to_vec(), WINDOW[4]));
        let update = update_from(Some(WINDOW[0]), WINDOW[2], Some(&index));
        assert_eq!(versions(&update), (WINDOW[1..3].to_vec(), WINDOW[2]));
    }

    #[test]
    fn out_of_the_window_or_without_a_store_or_deltas_the_full_export() {
        let index = deltas(&WINDOW[2..]);
        assert_eq!(
            update_from(Some(WINDOW[0]), WINDOW[4], Some(&index)),
            Update::Full
        );
        assert_eq!(update_from(None, WINDOW[4], Some(&index)), Update::Full);
        assert_eq!(update_from(Some(WINDOW[3]), WINDOW[4], None), Update::Full);
        assert_eq!(
            update_from(Some(WINDOW[3]), WINDOW[4], Some(&BTreeMap::new())),
            Update::Full
        );
        // A store newer than the index did not come from this dataset's history.
        assert_eq!(
            update_from(Some("20250101000000-new"), WINDOW[4], Some(&index)),
            Update::Full
        );
    }

    #[test]
    fn a_delta_index_behind_the_dataset_index_records_only_what_it_applied() {
        let index = deltas(&WINDOW[..4]);
        let update = update_from(Some(WINDOW[1]), WINDOW[4], Some(&index));
        assert_eq!(versions(&update), (WINDOW[2..4].to_vec(), WINDOW[3]));
    }

    #[test]
    fn checksums_are_verified_as_sha1_or_sha256() {
        let sha1 = Checksum::parse("A9993E364706816ABA3E25717850C26C9CD0D89D").unwrap();
        assert!(sha1.verify(b"abc").is_ok());
        let err = sha1.verify(b"abd").unwrap_err();
        assert!(
            err.starts_with("checksum mismatch: the index gives SHA-1 a9993e"),
            "{err}"
        );
        let sha256 =
            Checksum::parse("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                .unwrap();
        assert!(sha256.verify(b"abc").is_ok());
        assert_eq!(Checksum::parse("abc"), None);
    }
}
