//! Fetching a source's documents over `https://`, `http://` or `file://`, with conditional GET
//! so that an unchanged list costs one request and no parse.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub mod error_document;
pub mod opensanctions;

use crate::config::SourceConfig;
use crate::sources::Body;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("{url}: server answered {status}{}", said.as_ref().map(|s| format!(": {s}")).unwrap_or_default())]
    Status {
        url: String,
        status: u16,
        /// What the error document the server sent says, if it is one (an object store's
        /// `NoSuchKey`, an HTML page's title).
        said: Option<String>,
    },
    #[error("{url}: larger than the {limit}-byte limit for this source (max_bytes)")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: {source}")]
    File {
        url: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{url}: redirect to {to} refused: {why} (allow_redirect_hosts)")]
    Redirect {
        url: String,
        to: String,
        why: String,
    },
    /// A publisher's index that cannot be used: unreadable, or a download it describes does
    /// not match it.
    #[error("{url}: {message}")]
    Publisher { url: String, message: String },
    #[error("{url}: unsupported URL (expected https://, http:// or file://)")]
    BadUrl { url: String },
}

/// What a server said about a document last time, to ask "changed since?" next time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validator {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// Validators per document URL.
pub type Validators = BTreeMap<String, Validator>;

#[derive(Debug)]
pub enum FetchOutcome {
    /// Every document is as it was last time.
    NotModified,
    Fetched {
        bodies: Vec<Body>,
        validators: Validators,
        /// The publisher's version of what was fetched, when the fetch learned it on the way
        /// (an OpenSanctions dataset index); recorded as the list's publication.
        version: Option<String>,
    },
}

/// One HTTP client for the whole daemon (connection reuse, one TLS setup).
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
}

impl Default for Fetcher {
    fn default() -> Self {
        Self::new()
    }
}

enum One {
    NotModified,
    Body(Body, Validator),
}

/// watchkeeper's User-Agent: its name and version, and the operator's contact when the config
/// gives one (`[daemon] contact`).
pub fn user_agent(contact: Option<&str>) -> String {
    let base = concat!("watchkeeper/", env!("CARGO_PKG_VERSION"));
    match contact {
        Some(c) => format!("{base} (sanctions list monitor; contact: {c})"),
        None => format!("{base} (sanctions list monitor)"),
    }
}

impl Fetcher {
    pub fn new() -> Fetcher {
        Fetcher::with_contact(None)
    }

    /// A fetcher whose User-Agent names the operator's contact.
    pub fn with_contact(contact: Option<&str>) -> Fetcher {
        let client = reqwest::Client::builder()
            .user_agent(user_agent(contact))
            .connect_timeout(Duration::from_secs(30))
            .gzip(true)
            // Redirects are followed in `fetch_one`, where the source's rule is known.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the TLS backend initialises");
        Fetcher { client }
    }

    /// Fetches every document of a source. `resources` are names relative to the source URL
    /// (empty: the URL itself); `previous` the validators stored after the last success.
    pub async fn fetch(
        &self,
        source: &SourceConfig,
        resources: &[String],
        previous: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let urls = document_urls(&source.url, resources);
        let mut results = Vec::with_capacity(urls.len());
        for (resource, url) in &urls {
            results.push(
                self.fetch_one(source, resource, url, previous.get(url))
                    .await?,
            );
        }
        if results.iter().all(|r| matches!(r, One::NotModified)) {
            return Ok(FetchOutcome::NotModified);
        }
        // A multi-file list changed in part: the unchanged parts are needed too, so fetch them
        // again without conditions.
        let mut bodies = Vec::with_capacity(urls.len());
        let mut validators = Validators::new();
        for ((resource, url), result) in urls.iter().zip(results) {
            let (body, validator) = match result {
                One::Body(b, v) => (b, v),
                One::NotModified => match self.fetch_one(source, resource, url, None).await? {
                    One::Body(b, v) => (b, v),
                    One::NotModified => {
                        return Err(FetchError::Http {
                            url: url.clone(),
                            message: "answered 304 Not Modified to an unconditional request".into(),
                        })
                    }
                },
            };
            validators.insert(url.clone(), validator);
            bodies.push(body);
        }
        Ok(FetchOutcome::Fetched {
            bodies,
            validators,
            version: None,
        })
    }

    async fn fetch_one(
        &self,
        source: &SourceConfig,
        resource: &str,
        url: &str,
        previous: Option<&Validator>,
    ) -> Result<One, FetchError> {
        if let Some(path) = url.strip_prefix("file://") {
            return read_file(url, resource, path, source, previous).await;
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(FetchError::BadUrl { url: url.into() });
        }
        let http_err = |e: reqwest::Error| FetchError::Http {
            url: url.to_string(),
            message: error_chain(&e),
        };
        let mut current =
            url::Url::parse(url).map_err(|_| FetchError::BadUrl { url: url.into() })?;
        let mut hops = 0;
        let own_host = current.host_str().map(str::to_string);
        let mut resp = loop {
            let mut req = self.client.get(current.clone()).timeout(source.timeout);
            if let Some(ua) = &source.user_agent {
                req = req.header(reqwest::header::USER_AGENT, ua);
            }
            // A source's own headers may carry a key: they go to its own host only, never to
            // where a redirect leads.
            if current.host_str().map(str::to_string) == own_host {
                for (name, value) in &source.headers {
                    req = req.header(name, value);
                }
            }
            if let Some(v) = previous {
                if let Some(etag) = &v.etag {
                    req = req.header(reqwest::header::IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &v.last_modified {
                    req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
                }
            }
            let resp = req.send().await.map_err(http_err)?;
            if !resp.status().is_redirection() || resp.status() == reqwest::StatusCode::NOT_MODIFIED
            {
                break resp;
            }
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| current.join(l).ok());
            let Some(next) = location else {
                break resp;
            };
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(FetchError::Http {
                    url: url.into(),
                    message: format!("more than {MAX_REDIRECTS} redirects"),
                });
            }
            if let Err(why) = redirect_allowed(&current, &next, source) {
                return Err(FetchError::Redirect {
                    url: url.into(),
                    to: next.to_string(),
                    why,
                });
            }
            current = next;
        };
        if resp.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(One::NotModified);
        }
        if !resp.status().is_success() {
            let status = resp.status().as_u16();
            return Err(FetchError::Status {
                url: url.into(),
                status,
                said: error_body(resp).await,
            });
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let validator = Validator {
            etag: header(reqwest::header::ETAG),
            last_modified: header(reqwest::header::LAST_MODIFIED),
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let mut bytes = Vec::new();
        // Counting decompressed bytes as they arrive is what stops a gzip bomb.
        while let Some(chunk) = resp.chunk().await.map_err(http_err)? {
            if (bytes.len() + chunk.len()) as u64 > source.max_bytes {
                return Err(FetchError::TooLarge {
                    url: url.into(),
                    limit: source.max_bytes,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(One::Body(
            Body {
                resource: resource.to_string(),
                url: url.to_string(),
                bytes,
                content_type,
            },
            validator,
        ))
    }
}

async fn read_file(
    url: &str,
    resource: &str,
    path: &str,
    source: &SourceConfig,
    previous: Option<&Validator>,
) -> Result<One, FetchError> {
    let (max_bytes, timeout) = (source.max_bytes, source.timeout);
    let file_err = |source| FetchError::File {
        url: url.to_string(),
        source,
    };
    let path = percent_decode(path);
    let meta = tokio::fs::metadata(&path).await.map_err(file_err)?;
    // A local file has no ETag: its size and modification time play the part.
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let validator = Validator {
        etag: Some(format!("{}-{}", meta.len(), modified)),
        last_modified: None,
    };
    if previous == Some(&validator) {
        return Ok(One::NotModified);
    }
    if meta.len() > max_bytes {
        return Err(FetchError::TooLarge {
            url: url.into(),
            limit: max_bytes,
        });
    }
    // The size reported is no bound: /dev/zero, a FIFO or a file still growing report less
    // than they give, so the reading itself stops one byte past the limit. One blocking read
    // into a buffer of the reported size: `tokio::fs` would read through its own buffer and
    // copy every byte once more (12 % of a cycle over an unchanged 41 MB export).
    let expected = meta.len().min(max_bytes).saturating_add(1);
    let read = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        std::fs::File::open(&path)?
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    let bytes = match tokio::time::timeout(timeout, read).await {
        Ok(Ok(read)) => read.map_err(file_err)?,
        Ok(Err(join)) => return Err(file_err(std::io::Error::other(join))),
        Err(_) => {
            return Err(file_err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("not read within {}s (timeout)", timeout.as_secs()),
            )))
        }
    };
    if bytes.len() as u64 > max_bytes {
        return Err(FetchError::TooLarge {
            url: url.into(),
            limit: max_bytes,
        });
    }
    Ok(One::Body(
        Body {
            resource: resource.to_string(),
            url: url.to_string(),
            bytes,
            content_type: None,
        },
        validator,
    ))
}

/// What the body of an error response says, read up to 64 KiB: an error document is small,
/// and a server that streams a list with an error status is not waited for.
async fn error_body(mut resp: reqwest::Response) -> Option<String> {
    const LIMIT: usize = 64 * 1024;
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() >= LIMIT {
            break;
        }
    }
    error_document::read(&bytes).map(|d| d.to_string())
}

/// The most redirects followed for one document.
const MAX_REDIRECTS: usize = 10;

/// Whether a redirect from `from` may be followed to `to`: only to http(s), never from https
/// down to http, and only to the same host, a parent domain of it (`www.treasury.gov` →
/// `treasury.gov`, not a bare top-level domain), or a host the source lists in
/// `allow_redirect_hosts`. Anything else could point the daemon at internal services (SSRF).
fn redirect_allowed(from: &url::Url, to: &url::Url, source: &SourceConfig) -> Result<(), String> {
    if !matches!(to.scheme(), "http" | "https") {
        return Err(format!("scheme {}: is not http(s)", to.scheme()));
    }
    if from.scheme() == "https" && to.scheme() == "http" {
        return Err("from https down to http".into());
    }
    let host = |u: &url::Url| {
        u.host_str()
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
    };
    let (Some(from_host), Some(to_host)) = (host(from), host(to)) else {
        return Err("no host".into());
    };
    let parent = to_host.contains('.')
        && from.domain().is_some()
        && from_host.ends_with(&format!(".{to_host}"));
    if from_host == to_host || parent || source.allow_redirect_hosts.contains(&to_host) {
        Ok(())
    } else {
        Err(format!(
            "host {to_host} is not {from_host} or a parent domain of it"
        ))
    }
}

/// The URL of each document: the source URL itself, or each resource inside it as a folder.
pub fn document_urls(base: &str, resources: &[String]) -> Vec<(String, String)> {
    if resources.is_empty() {
        return vec![(String::new(), base.to_string())];
    }
    let folder = if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    };
    resources
        .iter()
        .map(|r| (r.clone(), format!("{folder}{r}")))
        .collect()
}

fn percent_decode(path: &str) -> String {
    url::Url::parse(&format!("file://{path}"))
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| path.to_string())
}

/// The error and its causes on one line: reqwest's own message alone hides the reason.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}
