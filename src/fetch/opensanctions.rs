//! Fetching an OpenSanctions dataset through its index: one request when the version is the
//! stored one, the delta files since the stored version when it is inside the delta window,
//! else the full export, checked against the index's checksum. What the index files mean is
//! [`crate::sources::opensanctions_index`]'s.

use super::{FetchError, FetchOutcome, Fetcher, Validators};
use crate::config::SourceConfig;
use crate::sources::opensanctions_index::{self as index, Update, DELTA_PREFIX, FULL_EXPORT};
use crate::sources::{Body, ParseError};

/// Fetches what brings a store at `stored_version` to the dataset's current version. The
/// outcome's `version` is the version the store is at once it is applied.
pub async fn fetch_dataset(
    fetcher: &Fetcher,
    source: &SourceConfig,
    previous: &Validators,
    stored_version: Option<&str>,
) -> Result<FetchOutcome, FetchError> {
    let (index_body, validators) = match fetcher.fetch(source, &[], previous).await? {
        FetchOutcome::NotModified => return Ok(FetchOutcome::NotModified),
        FetchOutcome::Fetched {
            mut bodies,
            validators,
            ..
        } => (bodies.remove(0), validators),
    };
    let dataset = index::read_index(&index_body).map_err(unusable)?;
    if stored_version == Some(dataset.version.as_str()) {
        return Ok(FetchOutcome::NotModified);
    }
    let delta_index = match (&dataset.delta_url, stored_version) {
        (Some(url), Some(_)) => match fetch_document(fetcher, source, url).await {
            Ok(body) => match index::read_delta_index(&body) {
                Ok(versions) => Some(versions),
                Err(e) => {
                    tracing::warn!(source = %source.name, error = %e, "delta index unreadable, loading the full export");
                    None
                }
            },
            Err(e) => {
                tracing::warn!(source = %source.name, error = %e, "delta index not fetched, loading the full export");
                None
            }
        },
        _ => None,
    };
    if let Update::Deltas { deltas, version } =
        index::update_from(stored_version, &dataset.version, delta_index.as_ref())
    {
        match fetch_deltas(fetcher, source, &deltas).await {
            Ok(bodies) => {
                return Ok(FetchOutcome::Fetched {
                    bodies,
                    validators,
                    version: Some(version),
                })
            }
            Err(e) => {
                tracing::warn!(source = %source.name, error = %e, "a delta file failed, loading the full export");
            }
        }
    }
    let mut full = fetch_document(fetcher, source, &dataset.entities_url).await?;
    if let Some(checksum) = &dataset.checksum {
        checksum
            .verify(&full.bytes)
            .map_err(|message| FetchError::Publisher {
                url: dataset.entities_url.clone(),
                message,
            })?;
    }
    full.resource = FULL_EXPORT.to_string();
    Ok(FetchOutcome::Fetched {
        bodies: vec![full],
        validators,
        version: Some(dataset.version),
    })
}

/// The delta files, in order, each checked to be a delta file: a delta that cannot be read
/// must send the cycle to the full export, not fail it.
async fn fetch_deltas(
    fetcher: &Fetcher,
    source: &SourceConfig,
    deltas: &[(String, String)],
) -> Result<Vec<Body>, FetchError> {
    let mut bodies = Vec::with_capacity(deltas.len());
    for (version, url) in deltas {
        let mut body = fetch_document(fetcher, source, url).await?;
        body.resource = format!("{DELTA_PREFIX}{version}");
        // An empty delta changes nothing (and the guard would refuse an empty document).
        if body.bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        crate::sources::opensanctions_ftm::parse_delta(&body).map_err(unusable)?;
        bodies.push(body);
    }
    Ok(bodies)
}

/// One document the index points at, fetched with the source's limits and redirect rules.
async fn fetch_document(
    fetcher: &Fetcher,
    source: &SourceConfig,
    url: &str,
) -> Result<Body, FetchError> {
    let at = SourceConfig {
        url: url.to_string(),
        ..source.clone()
    };
    match fetcher.fetch(&at, &[], &Validators::new()).await? {
        FetchOutcome::Fetched { mut bodies, .. } => Ok(bodies.remove(0)),
        FetchOutcome::NotModified => Err(FetchError::Http {
            url: url.to_string(),
            message: "answered 304 Not Modified to an unconditional request".into(),
        }),
    }
}

fn unusable(e: ParseError) -> FetchError {
    match e {
        ParseError::WrongFormat { url, reason } => FetchError::Publisher {
            url,
            message: reason,
        },
        ParseError::Malformed {
            url,
            location,
            message,
        } => FetchError::Publisher {
            url,
            message: format!("{location}: {message}"),
        },
        ParseError::MissingResource { url, resource } => FetchError::Publisher {
            url,
            message: format!("{resource} missing"),
        },
    }
}
