//! The daemon config (`watchkeeper.toml`).
//!
//! Loading is two steps: serde reads the file into raw structs that keep each value's byte span
//! (`toml::Spanned`), then validation turns them into [`Config`]. The spans let every error,
//! syntactic or semantic, be reported as `file:line:col: message`, which is what
//! `watchkeeper check` prints.
//!
//! Relative paths in the file (database, watchlist, email path, password_file, ca_file) are
//! resolved against the folder of the config file, and so is a source `url` written as
//! `file:` followed by a relative path (`file:../fixtures/sdn/`), which becomes an absolute
//! `file://` URL.

use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use toml::Spanned;

use crate::domain::watch::{WatchKind, Watchlist};

/// Why a config or watchlist could not be loaded. Its text names the file, and for anything
/// inside the file the line and column (1-based, columns in characters).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    At {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A problem of the file as a whole, with no better place to point at.
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

impl ConfigError {
    /// An error at byte `span.start` of `text`, the content of `path`.
    pub fn at(path: &Path, text: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, span.start);
        ConfigError::At {
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    /// toml's own errors (syntax, unknown keys, wrong types) carry a span and a message.
    pub fn from_toml(path: &Path, text: &str, err: &toml::de::Error) -> Self {
        let message = one_line(err.message());
        match err.span() {
            Some(span) => ConfigError::at(path, text, span, message),
            None => ConfigError::File {
                path: path.to_path_buf(),
                message,
            },
        }
    }
}

/// Joins a multi-line library message into one line, so `file:line:col: message` stays one
/// line in a log or terminal.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// A loaded and validated daemon config.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from; relative paths in it are resolved against its folder.
    pub path: PathBuf,
    pub database: PathBuf,
    pub watchlist: PathBuf,
    pub sources: Vec<SourceConfig>,
    pub email: EmailConfig,
    /// `[[webhook]]`: endpoints that receive the alerts too, each through the outbox.
    pub webhooks: Vec<WebhookConfig>,
    /// Default match threshold for watch items that set none (0–1).
    pub threshold: f64,
    /// Who runs this installation (an email address or URL), named in the User-Agent so that a
    /// publisher can reach the operator instead of blocking the address.
    pub contact: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub name: String,
    pub kind: String,
    /// `https://`, `http://` or `file://`; for multi-file kinds the folder holding the files.
    pub url: String,
    /// Cron expression, seconds field first, validated.
    pub schedule: String,
    /// A snapshot that removes more than this share of entries is refused (default 0.25).
    pub max_removed_share: f64,
    /// After failing this long, one `source-stale` notice (default 48 h).
    pub stale_after: Duration,
    /// For `ofac_sdn_csv`: other file names (primary, alt, add, comments).
    pub files: Option<Vec<String>>,
    /// Whole-request timeout (default 120 s).
    pub timeout: Duration,
    /// Largest body accepted, after decompression (default 256 MiB).
    pub max_bytes: u64,
    /// Hosts a redirect may lead to besides the source's own host and its parent domains
    /// (default none).
    pub allow_redirect_hosts: Vec<String>,
    /// The User-Agent sent for this source instead of watchkeeper's own.
    pub user_agent: Option<String>,
    /// Extra request headers (an API key, `Accept`), sent to the source's own host only.
    pub headers: Vec<(String, String)>,
}

impl SourceConfig {
    /// A source with every optional setting at its default and an hourly schedule, for
    /// configs built in code (tests, benchmarks); files are read with [`load`].
    pub fn new(name: &str, kind: &str, url: &str) -> SourceConfig {
        SourceConfig {
            name: name.to_string(),
            kind: kind.to_string(),
            url: url.to_string(),
            schedule: "0 0 * * * *".to_string(),
            max_removed_share: DEFAULT_MAX_REMOVED_SHARE,
            stale_after: DEFAULT_STALE_AFTER,
            files: None,
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
            allow_redirect_hosts: Vec::new(),
            user_agent: None,
            headers: Vec::new(),
        }
    }

    /// The parsed schedule (validated at load time; a config built in code may still be wrong).
    pub fn cron_schedule(&self) -> Result<cron::Schedule, cron::error::Error> {
        cron::Schedule::from_str(&self.schedule)
    }

    /// The first scheduled run strictly after `after`. Schedules are read in UTC.
    pub fn next_run(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron_schedule().ok()?.after(&after).next()
    }
}

pub const DEFAULT_MAX_REMOVED_SHARE: f64 = 0.25;
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(48 * 3600);
/// How long a message may keep failing before it is given up.
pub const DEFAULT_GIVE_UP_AFTER: Duration = Duration::from_secs(4 * 24 * 3600);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    Smtp,
    File,
    Stdout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    Starttls,
    Tls,
    None,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Starttls => "starttls",
            TlsMode::Tls => "tls",
            TlsMode::None => "none",
        }
    }

    /// The usual port for this mode: submission with STARTTLS, implicit TLS, or plain SMTP.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailMode {
    /// One email per cycle per recipient.
    Digest,
    /// One email per alert.
    Each,
}

#[derive(Debug, Clone)]
pub struct EmailConfig {
    pub transport: TransportKind,
    /// For `file`: the folder that receives one `.eml` per message.
    pub path: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub username: Option<String>,
    /// Resolved at send time from `password_file`, `password_env`, or
    /// `$CREDENTIALS_DIRECTORY/smtp-password`; never stored here as text read from the config.
    pub password_file: Option<PathBuf>,
    pub password_env: Option<String>,
    /// Extra PEM root certificate to trust (a private mail relay, or tests).
    pub ca_file: Option<PathBuf>,
    pub from: String,
    pub to: Vec<String>,
    pub mode: MailMode,
    /// A message that has failed to send for this long is given up (state `failed`, until
    /// `watchkeeper retry`); default 4 days.
    pub give_up_after: Duration,
    /// A message claimed for sending (`sending`) longer ago than this is taken as abandoned by
    /// a sender that was killed, and resent under the same Message-ID; default
    /// [`crate::outbox::CLAIM_TIMEOUT`] (10 minutes). Shorter than the SMTP timeout (30 s), a
    /// live sender's claim may be taken over and its message sent twice (same Message-ID).
    pub claim_timeout: Duration,
    /// A digest of more alerts than this lists only this many, the most important first, and
    /// attaches every alert as `alerts.csv`; default
    /// [`DEFAULT_DIGEST_LIMIT`](crate::email::render::DEFAULT_DIGEST_LIMIT) (200).
    pub digest_limit: usize,
}

impl EmailConfig {
    /// `transport` from `from` to `to` with every other setting at its default (no host,
    /// folder or credentials, STARTTLS, digest mode), for configs built in code (tests,
    /// benchmarks), as [`WebhookConfig::new`].
    pub fn new(transport: TransportKind, from: &str, to: Vec<String>) -> EmailConfig {
        EmailConfig {
            transport,
            path: None,
            host: None,
            port: None,
            tls: TlsMode::Starttls,
            username: None,
            password_file: None,
            password_env: None,
            ca_file: None,
            from: from.to_string(),
            to,
            mode: MailMode::Digest,
            give_up_after: DEFAULT_GIVE_UP_AFTER,
            claim_timeout: crate::outbox::CLAIM_TIMEOUT,
            digest_limit: crate::email::render::DEFAULT_DIGEST_LIMIT,
        }
    }
}

/// Used as sender by the `file` and `stdout` transports when the config names none.
pub const DEFAULT_FROM: &str = "watchkeeper <watchkeeper@localhost>";
/// The fallback environment variable for the SMTP password.
pub const PASSWORD_ENV: &str = "WATCHKEEPER_SMTP_PASSWORD";
/// The systemd credential (`LoadCredential=smtp-password:...`) read as a last resort.
pub const PASSWORD_CREDENTIAL: &str = "smtp-password";

// ---------------------------------------------------------------------------------------------
// Raw file structure

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    daemon: RawDaemon,
    #[serde(default, rename = "source")]
    sources: Vec<RawSource>,
    email: RawEmail,
    #[serde(default, rename = "webhook")]
    webhooks: Vec<RawWebhook>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDaemon {
    database: Spanned<String>,
    watchlist: Spanned<String>,
    threshold: Option<Spanned<f64>>,
    contact: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    preset: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    /// For `kind = "opensanctions"`: the dataset whose index is read (`sanctions`, `default`…).
    dataset: Option<Spanned<String>>,
    schedule: Option<Spanned<String>>,
    max_removed_share: Option<Spanned<f64>>,
    stale_after: Option<Spanned<String>>,
    files: Option<Spanned<RawFiles>>,
    timeout: Option<Spanned<String>>,
    max_bytes: Option<Spanned<u64>>,
    allow_redirect_hosts: Option<Spanned<Vec<String>>>,
    user_agent: Option<Spanned<String>>,
    headers: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

/// `files` of an `ofac_sdn_csv` source: by position (primary, alt, add, comments; roles past
/// the end are not fetched), or by role, where an optional role left out takes OFAC's name of
/// that file beside the primary (`cons_prim.csv` → `cons_alt.csv`) and `""` is not fetched.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawFiles {
    Positional(Vec<String>),
    Roles(RawFileRoles),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFileRoles {
    primary: Option<String>,
    alt: Option<String>,
    add: Option<String>,
    comments: Option<String>,
}

/// OFAC's name for the file of `role` (1 alt, 2 add, 3 comments) published beside `primary`:
/// `sdn.csv` → `alt.csv`, `add.csv`, `sdn_comments.csv`; `CONS_PRIM.CSV` → `CONS_ALT.CSV`…
fn companion_file(primary: &str, role: usize) -> String {
    let lower = primary.to_ascii_lowercase();
    let name = if lower.starts_with("cons") {
        [
            "cons_prim.csv",
            "cons_alt.csv",
            "cons_add.csv",
            "cons_comments.csv",
        ][role]
    } else {
        crate::sources::ofac_csv::SDN_FILES[role]
    };
    if primary.chars().any(|c| c.is_ascii_uppercase())
        && !primary.chars().any(|c| c.is_ascii_lowercase())
    {
        name.to_ascii_uppercase()
    } else {
        name.to_string()
    }
}

impl RawFiles {
    /// The file names by role, `""` for a role not fetched; an error message if unusable.
    fn by_role(&self) -> Result<Vec<String>, String> {
        let names = match self {
            RawFiles::Positional(list) => {
                if list.is_empty() || list.len() > 4 {
                    return Err("files: expected 1 to 4 file names: primary, then alt, add and comments, e.g. [\"sdn.csv\"] or [\"cons_prim.csv\", \"cons_alt.csv\", \"cons_add.csv\", \"cons_comments.csv\"]".into());
                }
                list.clone()
            }
            RawFiles::Roles(roles) => {
                let Some(primary) = roles.primary.clone().filter(|p| !p.trim().is_empty()) else {
                    return Err("files: the primary file is missing, e.g. files = { primary = \"sdn.csv\" }".into());
                };
                let role = |given: &Option<String>, i| {
                    given.clone().unwrap_or_else(|| companion_file(&primary, i))
                };
                vec![
                    primary.clone(),
                    role(&roles.alt, 1),
                    role(&roles.add, 2),
                    role(&roles.comments, 3),
                ]
            }
        };
        if names[0].trim().is_empty() {
            return Err("files: the primary file (the first) is missing".into());
        }
        if names.iter().any(|f| f.contains('/') || f.contains('\\')) {
            return Err("files: expected file names (no folders) inside the source URL".into());
        }
        Ok(names)
    }
}

/// A `[[source]]` with its preset applied.
struct Resolved {
    name: Spanned<String>,
    kind: Spanned<String>,
    url: Spanned<String>,
    schedule: Spanned<String>,
    preset_files: Option<Vec<String>>,
}

/// A value the config and the watchlist let the user write as one string or a list.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    transport: Spanned<TransportKind>,
    path: Option<Spanned<String>>,
    host: Option<Spanned<String>>,
    port: Option<Spanned<u16>>,
    tls: Option<Spanned<TlsMode>>,
    username: Option<String>,
    /// Only here to refuse it with a helpful message: secrets stay out of the config.
    password: Option<Spanned<toml::Value>>,
    password_file: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    ca_file: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<OneOrMany>>,
    mode: Option<Spanned<MailMode>>,
    give_up_after: Option<Spanned<String>>,
    claim_timeout: Option<Spanned<String>>,
    digest_limit: Option<Spanned<i64>>,
}

// ---------------------------------------------------------------------------------------------
// Loading

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    parse(&read_text(path)?, path)
}

/// The text of a config or watchlist file.
pub(crate) fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Validates config `text`, read from `path` (used for messages and to resolve relative paths).
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let raw: RawConfig =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
    let cx = Cx::new(path, text);
    let threshold = match &raw.daemon.threshold {
        Some(t) => cx.share(t, "threshold")?,
        None => crate::matching::DEFAULT_THRESHOLD,
    };
    let mut sources: Vec<SourceConfig> = Vec::with_capacity(raw.sources.len());
    for (i, s) in raw.sources.iter().enumerate() {
        let source = cx.source(s, i + 1)?;
        if sources.iter().any(|o| o.name == source.name) {
            let at = s
                .name
                .as_ref()
                .or(s.preset.as_ref())
                .expect("a source has a name or a preset");
            return Err(cx.err(
                at,
                format!(
                    "duplicate source name `{}` (set `name` to tell them apart)",
                    source.name
                ),
            ));
        }
        sources.push(source);
    }
    Ok(Config {
        path: path.to_path_buf(),
        database: cx.path(raw.daemon.database.get_ref()),
        watchlist: cx.path(raw.daemon.watchlist.get_ref()),
        sources,
        email: cx.email(&raw.email)?,
        webhooks: cx.webhooks(&raw.webhooks)?,
        threshold,
        contact: match &raw.daemon.contact {
            Some(c) => Some(cx.header_value(c, "contact")?),
            None => None,
        },
    })
}

/// What validation needs to know: the file, its text (for positions), and its folder.
struct Cx<'a> {
    path: &'a Path,
    text: &'a str,
    dir: PathBuf,
}

impl<'a> Cx<'a> {
    fn new(path: &'a Path, text: &'a str) -> Self {
        let dir = match path.parent() {
            // `--config watchkeeper.toml`: the folder is the current one.
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        Cx { path, text, dir }
    }

    fn err<T>(&self, at: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.path, self.text, at.span(), message)
    }

    /// A path from the file, relative ones taken from the config file's folder.
    fn path(&self, p: &str) -> PathBuf {
        normalize(&self.dir.join(p))
    }

    fn share(&self, v: &Spanned<f64>, key: &str) -> Result<f64, ConfigError> {
        let x = *v.get_ref();
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            Err(self.err(
                v,
                format!("{key}: expected a number from 0 to 1, found {x}"),
            ))
        }
    }

    fn duration(
        &self,
        v: &Option<Spanned<String>>,
        key: &str,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        let Some(v) = v else { return Ok(default) };
        humantime::parse_duration(v.get_ref()).map_err(|e| {
            self.err(
                v,
                format!(
                    "{key}: expected a duration such as \"48h\" or \"90s\", found {:?}: {e}",
                    v.get_ref()
                ),
            )
        })
    }

    /// A `[[source]]` table's name, kind, URL, schedule and files, each as written or as its
    /// preset gives it (with the preset's position, for messages about it).
    fn resolve(&self, s: &RawSource, number: usize) -> Result<Resolved, ConfigError> {
        let preset = match &s.preset {
            Some(p) => Some(crate::sources::presets::find(p.get_ref()).ok_or_else(|| {
                let names: Vec<&str> = crate::sources::presets::PRESETS
                    .iter()
                    .map(|p| p.name)
                    .collect();
                self.err(
                    p,
                    format!(
                        "unknown preset `{}`, expected one of {}",
                        p.get_ref(),
                        backticked(&names)
                    ),
                )
            })?),
            None => None,
        };
        let preset_span = s.preset.as_ref().map(|p| p.span());
        let missing = |key: &str| ConfigError::File {
            path: self.path.to_path_buf(),
            message: format!("[[source]] number {number}: missing `{key}` (or a `preset`)"),
        };
        let take = |given: &Option<Spanned<String>>,
                    from_preset: Option<&str>,
                    key: &str|
         -> Result<Spanned<String>, ConfigError> {
            match (given, from_preset, &preset_span) {
                (Some(v), _, _) => Ok(v.clone()),
                (None, Some(v), Some(span)) => Ok(Spanned::new(span.clone(), v.to_string())),
                _ => Err(missing(key)),
            }
        };
        let kind = take(&s.kind, preset.map(|p| p.kind), "kind")?;
        let url = match (&s.url, &s.dataset) {
            (Some(_), Some(d)) => {
                return Err(self.err(d, "dataset: give either `dataset` or `url`, not both"))
            }
            (None, Some(d)) => {
                if kind.get_ref() != "opensanctions" {
                    return Err(self.err(d, "dataset: only for kind = \"opensanctions\""));
                }
                let name = d.get_ref().trim();
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(self.err(
                        d,
                        "dataset: expected a dataset name such as `sanctions` or `default`",
                    ));
                }
                Spanned::new(
                    d.span(),
                    crate::sources::opensanctions_index::index_url(name),
                )
            }
            _ => take(&s.url, preset.map(|p| p.url), "url")?,
        };
        Ok(Resolved {
            name: take(&s.name, preset.map(|p| p.name), "name")?,
            kind,
            url,
            schedule: take(&s.schedule, preset.map(|p| p.schedule), "schedule")?,
            preset_files: preset
                .and_then(|p| p.files)
                .map(|f| f.iter().map(|n| n.to_string()).collect()),
        })
    }

    fn source(&self, s: &RawSource, number: usize) -> Result<SourceConfig, ConfigError> {
        let r = self.resolve(s, number)?;
        let name = r.name.get_ref().trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(self.err(
                &r.name,
                format!("name: expected letters, digits, `-`, `_` or `.` (it is used in `exclude = [\"SOURCE:ID\"]`), found {:?}", r.name.get_ref()),
            ));
        }
        let kind = r.kind.get_ref().as_str();
        if !crate::sources::KINDS.contains(&kind) {
            return Err(self.err(
                &r.kind,
                format!(
                    "unknown source kind `{kind}`, expected one of {}",
                    backticked(crate::sources::KINDS)
                ),
            ));
        }
        let files = match &s.files {
            Some(files) if kind != "ofac_sdn_csv" => {
                return Err(self.err(files, "files: only for kind = \"ofac_sdn_csv\""))
            }
            Some(files) => Some(files.get_ref().by_role().map_err(|m| self.err(files, m))?),
            None => r.preset_files.clone(),
        };
        validate_schedule(r.schedule.get_ref()).map_err(|m| self.err(&r.schedule, m))?;
        let max_removed_share = match &s.max_removed_share {
            Some(v) => self.share(v, "max_removed_share")?,
            None => DEFAULT_MAX_REMOVED_SHARE,
        };
        let max_bytes = match &s.max_bytes {
            Some(v) if *v.get_ref() == 0 => {
                return Err(self.err(v, "max_bytes: expected more than 0"))
            }
            Some(v) => *v.get_ref(),
            None => DEFAULT_MAX_BYTES,
        };
        let allow_redirect_hosts = match &s.allow_redirect_hosts {
            Some(v) => {
                let hosts: Vec<String> = v
                    .get_ref()
                    .iter()
                    .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
                    .collect();
                if hosts.iter().any(|h| {
                    h.is_empty() || h.contains(|c: char| c == '/' || c == ':' || c.is_whitespace())
                }) {
                    return Err(self.err(
                        v,
                        "allow_redirect_hosts: expected host names, e.g. [\"cdn.example.org\"] (no scheme, port or path)",
                    ));
                }
                hosts
            }
            None => Vec::new(),
        };
        Ok(SourceConfig {
            name: name.to_string(),
            kind: kind.to_string(),
            url: self.url(&r.url, kind == "ofac_sdn_csv")?,
            schedule: r.schedule.get_ref().trim().to_string(),
            max_removed_share,
            stale_after: self.duration(&s.stale_after, "stale_after", DEFAULT_STALE_AFTER)?,
            files,
            timeout: self.duration(&s.timeout, "timeout", DEFAULT_TIMEOUT)?,
            max_bytes,
            allow_redirect_hosts,
            user_agent: match &s.user_agent {
                Some(ua) => Some(self.header_value(ua, "user_agent")?),
                None => None,
            },
            headers: match &s.headers {
                Some(h) => self.headers(h)?,
                None => Vec::new(),
            },
        })
    }

    /// A value that can go into an HTTP header: visible ASCII and spaces, not blank.
    fn header_value(&self, v: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        let value = v.get_ref().trim();
        if value.is_empty()
            || reqwest::header::HeaderValue::from_str(value).is_err()
            || !value.is_ascii()
        {
            return Err(self.err(v, format!("{key}: expected printable ASCII on one line")));
        }
        Ok(value.to_string())
    }

    fn headers(
        &self,
        h: &Spanned<std::collections::BTreeMap<String, String>>,
    ) -> Result<Vec<(String, String)>, ConfigError> {
        // These watchkeeper sets itself: conditional requests and the User-Agent.
        const OWN: &[&str] = &[
            "host",
            "if-none-match",
            "if-modified-since",
            "user-agent",
            "content-length",
            "accept-encoding",
        ];
        let mut out = Vec::new();
        for (name, value) in h.get_ref() {
            let lower = name.to_ascii_lowercase();
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(self.err(h, format!("headers: {name:?} is not a header name")));
            }
            if OWN.contains(&lower.as_str()) {
                return Err(self.err(
                    h,
                    format!(
                        "headers: {name} is set by watchkeeper (use user_agent for the User-Agent)"
                    ),
                ));
            }
            if reqwest::header::HeaderValue::from_str(value).is_err() {
                return Err(self.err(
                    h,
                    format!("headers: the value of {name} is not one line of text"),
                ));
            }
            out.push((name.clone(), value.clone()));
        }
        Ok(out)
    }

    /// Checks the scheme, resolves `file:relative/path` against the config's folder, and for a
    /// folder source (`is_folder`) makes sure the URL ends in `/` so that file names join onto it.
    fn url(&self, raw: &Spanned<String>, is_folder: bool) -> Result<String, ConfigError> {
        let text = raw.get_ref().trim();
        let mut url = if let Some(rel) = text.strip_prefix("file:").filter(|r| !r.starts_with("//"))
        {
            let p = self.path(rel);
            let folder = is_folder || rel.ends_with('/');
            let made = if folder {
                url::Url::from_directory_path(&p)
            } else {
                url::Url::from_file_path(&p)
            };
            made.map_err(|()| {
                self.err(
                    raw,
                    format!("url: cannot make a file URL of {}", p.display()),
                )
            })?
        } else {
            url::Url::parse(text).map_err(|e| {
                self.err(
                    raw,
                    format!(
                        "url: expected an https://, http:// or file:// URL, found {text:?}: {e}"
                    ),
                )
            })?
        };
        match url.scheme() {
            "https" | "http" if url.host_str().is_some_and(|h| !h.is_empty()) => {}
            "file" => {}
            "https" | "http" => return Err(self.err(raw, format!("url: no host in {text:?}"))),
            other => {
                return Err(self.err(
                    raw,
                    format!("url: scheme `{other}` not supported, expected https, http or file"),
                ))
            }
        }
        if is_folder && !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(url.to_string())
    }

    fn email(&self, e: &RawEmail) -> Result<EmailConfig, ConfigError> {
        if let Some(p) = &e.password {
            return Err(self.err(p, "password: not accepted in the config file; use password_file, password_env, the WATCHKEEPER_SMTP_PASSWORD environment variable or a systemd credential named smtp-password"));
        }
        let transport = *e.transport.get_ref();
        let tls = e.tls.as_ref().map_or(TlsMode::Starttls, |t| *t.get_ref());
        let from = match &e.from {
            Some(f) => {
                check_mailbox(f.get_ref()).map_err(|m| self.err(f, format!("from: {m}")))?;
                f.get_ref().trim().to_string()
            }
            None if transport == TransportKind::Smtp => {
                return Err(self.err(&e.transport, "transport = \"smtp\" needs `from`"))
            }
            None => DEFAULT_FROM.to_string(),
        };
        let to = match &e.to {
            Some(t) => {
                let list = t.get_ref().to_vec();
                for a in &list {
                    check_mailbox(a).map_err(|m| self.err(t, format!("to: {m}")))?;
                }
                list.iter().map(|a| a.trim().to_string()).collect()
            }
            None => Vec::new(),
        };
        let host = e.host.as_ref().map(|h| h.get_ref().trim().to_string());
        let mut port = e.port.as_ref().map(|p| *p.get_ref());
        match transport {
            TransportKind::Smtp => {
                let Some(h) = &e.host else {
                    return Err(self.err(&e.transport, "transport = \"smtp\" needs `host`"));
                };
                if to.is_empty() {
                    return Err(self.err(
                        &e.transport,
                        "transport = \"smtp\" needs `to`, the default recipients",
                    ));
                }
                if tls == TlsMode::None && !is_loopback(h.get_ref()) {
                    let at = e.tls.as_ref().expect("tls none was written");
                    return Err(self.err(at, format!("tls = \"none\" sends the password and alerts in clear: only allowed for a loopback host (localhost, 127.0.0.1, ::1), not `{}`", h.get_ref())));
                }
                port.get_or_insert(tls.default_port());
            }
            TransportKind::File if e.path.is_none() => {
                return Err(self.err(
                    &e.transport,
                    "transport = \"file\" needs `path`, the folder that receives the .eml files",
                ));
            }
            _ => {}
        }
        Ok(EmailConfig {
            transport,
            path: e.path.as_ref().map(|p| self.path(p.get_ref())),
            host,
            port,
            tls,
            username: e.username.clone(),
            password_file: e.password_file.as_ref().map(|p| self.path(p.get_ref())),
            password_env: e.password_env.as_ref().map(|v| v.get_ref().clone()),
            ca_file: e.ca_file.as_ref().map(|p| self.path(p.get_ref())),
            from,
            to,
            mode: e.mode.as_ref().map_or(MailMode::Digest, |m| *m.get_ref()),
            give_up_after: self.duration(
                &e.give_up_after,
                "give_up_after",
                DEFAULT_GIVE_UP_AFTER,
            )?,
            claim_timeout: self.duration(
                &e.claim_timeout,
                "claim_timeout",
                crate::outbox::CLAIM_TIMEOUT,
            )?,
            digest_limit: match &e.digest_limit {
                None => crate::email::render::DEFAULT_DIGEST_LIMIT,
                Some(n) => usize::try_from(*n.get_ref())
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| {
                        self.err(
                            n,
                            format!(
                                "digest_limit: expected a whole number of alerts, 1 or more, \
                                 found {}",
                                n.get_ref()
                            ),
                        )
                    })?,
            },
        })
    }
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a cron expression the way the scheduler reads it (the `cron` crate: seconds first).
/// The field count is checked first because the crate's own message for a classic 5-field
/// crontab line does not say what is wrong.
pub fn validate_schedule(expr: &str) -> Result<(), String> {
    let expr = expr.trim();
    let fields = expr.split_whitespace().count();
    let shorthand = expr.starts_with('@');
    if !shorthand && !(6..=7).contains(&fields) {
        return Err(format!(
            "schedule: invalid cron expression {expr:?}: expected 6 or 7 fields, seconds first \
             (sec min hour day-of-month month day-of-week [year]), found {fields}"
        ));
    }
    cron::Schedule::from_str(expr).map(|_| ()).map_err(|e| {
        // The crate repeats the expression and draws a caret under it: keep only the reason.
        let text = e.to_string();
        let reason: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != expr && !l.starts_with('^'))
            .collect();
        format!(
            "schedule: invalid cron expression {expr:?}: {}",
            reason.join("; ")
        )
    })
}

/// Whether the SMTP host is this machine, where a clear-text connection never leaves it.
fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An address as lettre will read it when sending: `alerts@example.org` or
/// `Name <alerts@example.org>`.
pub fn check_mailbox(address: &str) -> Result<(), String> {
    address
        .trim()
        .parse::<lettre::message::Mailbox>()
        .map(|_| ())
        .map_err(|e| format!("invalid email address {address:?}: {e}"))
}

/// Removes `.` and `..` lexically, so resolved paths and file URLs read cleanly.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Secrets

/// The SMTP password, from (in order) `password_file`, the variable named by `password_env`,
/// `WATCHKEEPER_SMTP_PASSWORD`, or the systemd credential `$CREDENTIALS_DIRECTORY/smtp-password`;
/// `None` when there is none (an unauthenticated relay). One trailing newline is removed.
pub fn resolve_password(email: &EmailConfig) -> Result<Option<String>, ConfigError> {
    if let Some(path) = &email.password_file {
        return read_secret(path).map(Some);
    }
    if let Some(name) = &email.password_env {
        return std::env::var(name)
            .map(|v| Some(trim_newline(v)))
            .map_err(|e| ConfigError::Env {
                name: name.clone(),
                message: format!("named by password_env: {e}"),
            });
    }
    if let Ok(v) = std::env::var(PASSWORD_ENV) {
        return Ok(Some(trim_newline(v)));
    }
    if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
        let path = Path::new(&dir).join(PASSWORD_CREDENTIAL);
        if path.exists() {
            return read_secret(&path).map(Some);
        }
    }
    Ok(None)
}

fn read_secret(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map(trim_newline)
        .map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })
}

fn trim_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Summary

/// What `watchkeeper check` prints: the sources with their next run, the watch items by kind,
/// and how mail goes out (never the password itself).
pub fn summary(config: &Config, watchlist: &Watchlist) -> String {
    let now = Utc::now();
    let mut out = format!(
        "config:    {}\ndatabase:  {}\nwatchlist: {}\nthreshold: {}\n",
        config.path.display(),
        config.database.display(),
        config.watchlist.display(),
        config.threshold
    );
    out.push_str(&format!("\nsources ({}):\n", config.sources.len()));
    for s in &config.sources {
        let next = s.next_run(now).map_or_else(
            || "never".to_string(),
            |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        );
        out.push_str(&format!(
            "  {} ({})\n    url:      {}\n    schedule: {}  (next run {next})\n",
            s.name, s.kind, s.url, s.schedule
        ));
    }
    let count = |k: WatchKind| watchlist.items.iter().filter(|i| i.kind == k).count();
    out.push_str(&format!(
        "\nwatch items ({}): {} vessel(s), {} person(s), {} organization(s), {} keyword(s)\n",
        watchlist.items.len(),
        count(WatchKind::Vessel),
        count(WatchKind::Person),
        count(WatchKind::Organization),
        count(WatchKind::Keyword)
    ));
    out.push_str(&format!("\nemail: {}\n", describe_transport(&config.email)));
    if !config.webhooks.is_empty() {
        out.push_str(&format!("\nwebhooks ({}):\n", config.webhooks.len()));
        for w in &config.webhooks {
            out.push_str(&describe_webhook(w));
        }
    }
    out
}

fn describe_transport(e: &EmailConfig) -> String {
    let mode = match e.mode {
        MailMode::Digest => format!(
            "digest (one email per cycle per recipient; above {} alerts, the {} most important \
             are listed and all are attached as alerts.csv)",
            e.digest_limit, e.digest_limit
        ),
        MailMode::Each => "each (one email per alert)".to_string(),
    };
    let how = match e.transport {
        TransportKind::Smtp => {
            let user = e
                .username
                .as_deref()
                .map_or(String::new(), |u| format!(", user {u}"));
            let password = if let Some(p) = &e.password_file {
                format!("password from file {}", p.display())
            } else if let Some(v) = &e.password_env {
                format!("password from ${v}")
            } else {
                format!("password from ${PASSWORD_ENV} or systemd credential {PASSWORD_CREDENTIAL}, if set")
            };
            format!(
                "smtp to {}:{} ({}{user}; {password})",
                e.host.as_deref().unwrap_or("?"),
                e.port.unwrap_or(e.tls.default_port()),
                e.tls.as_str()
            )
        }
        TransportKind::File => format!(
            "file: one .eml per message in {}",
            e.path.as_deref().unwrap_or(Path::new("?")).display()
        ),
        TransportKind::Stdout => "stdout: messages printed on standard output".to_string(),
    };
    format!(
        "{how}\n  from: {}\n  to:   {}\n  mode: {mode}",
        e.from,
        if e.to.is_empty() {
            "(none; only per-item notify)".to_string()
        } else {
            e.to.join(", ")
        }
    )
}

// ---------------------------------------------------------------------------------------------
// Webhooks (`[[webhook]]`): kept apart from the rest of the file's validation.

/// What a webhook's body looks like (the README documents each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// watchkeeper's own JSON: the message id, subject, text and every alert's fields.
    Json,
    /// A Slack incoming webhook: `{"text": ...}` in Slack's mrkdwn.
    Slack,
    /// A Matrix `m.room.message` event, PUT to the room's send URL with the message id as
    /// the transaction id (the homeserver itself then ignores a repeat).
    Matrix,
    /// A Microsoft Teams (Workflows) webhook: a message with one Adaptive Card.
    Teams,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Json => "json",
            WebhookFormat::Slack => "slack",
            WebhookFormat::Matrix => "matrix",
            WebhookFormat::Teams => "teams",
        }
    }
}

/// Where a webhook's URL is read. A Slack or Teams URL is itself the secret (whoever holds it
/// can post), so it may stay out of the config like the SMTP password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookUrl {
    /// `url = "..."`, validated at load.
    Inline(String),
    /// `url_file`: read at send time, one line.
    File(PathBuf),
    /// Neither: the systemd credential `webhook-NAME` (`$CREDENTIALS_DIRECTORY/webhook-NAME`).
    Credential(String),
}

/// One `[[webhook]]`.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Unique; its outbox channel is `webhook:NAME`.
    pub name: String,
    pub format: WebhookFormat,
    pub url: WebhookUrl,
    /// Sent as `Authorization: Bearer ...` (a Matrix access token, say), read at send time.
    pub token_file: Option<PathBuf>,
    /// digest: one post per cycle; each: one post per alert.
    pub mode: MailMode,
    /// Whole-request timeout (default [`DEFAULT_WEBHOOK_TIMEOUT`]); keep it well below
    /// `[email] claim_timeout`, as for SMTP.
    pub timeout: Duration,
}

pub const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(30);

impl WebhookConfig {
    /// A webhook posting `format` to `url` with every other setting at its default, for
    /// configs built in code (tests).
    pub fn new(name: &str, format: WebhookFormat, url: &str) -> WebhookConfig {
        WebhookConfig {
            name: name.to_string(),
            format,
            url: WebhookUrl::Inline(url.to_string()),
            token_file: None,
            mode: MailMode::Digest,
            timeout: DEFAULT_WEBHOOK_TIMEOUT,
        }
    }

    /// The outbox channel of its messages.
    pub fn channel(&self) -> String {
        format!("webhook:{}", self.name)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    name: Spanned<String>,
    format: Spanned<WebhookFormat>,
    url: Option<Spanned<String>>,
    url_file: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    mode: Option<Spanned<MailMode>>,
    timeout: Option<Spanned<String>>,
}

/// A webhook URL as it will be used: http(s), and https unless the host is this machine (a
/// plain-text post would carry the alerts, and often the URL's secret, across the network).
pub fn check_webhook_url(url: &str) -> Result<url::Url, String> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| format!("not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if parsed.host_str().is_some_and(is_loopback) => Ok(parsed),
        "http" => Err(format!(
            "http:// sends the alerts in clear text: only allowed for a loopback host (localhost, 127.0.0.1, ::1), not `{}`; use https://",
            parsed.host_str().unwrap_or("")
        )),
        other => Err(format!("expected an https:// URL, found {other}://")),
    }
}

impl Cx<'_> {
    fn webhooks(&self, raw: &[RawWebhook]) -> Result<Vec<WebhookConfig>, ConfigError> {
        let mut out: Vec<WebhookConfig> = Vec::with_capacity(raw.len());
        for w in raw {
            let hook = self.webhook(w)?;
            if out.iter().any(|o| o.name == hook.name) {
                return Err(self.err(&w.name, format!("duplicate webhook name `{}`", hook.name)));
            }
            out.push(hook);
        }
        Ok(out)
    }

    fn webhook(&self, w: &RawWebhook) -> Result<WebhookConfig, ConfigError> {
        let name = w.name.get_ref().trim().to_string();
        // The name is part of a credential's file name and of the outbox channel.
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(self.err(
                &w.name,
                format!("webhook name {name:?}: use letters, digits, `-` and `_` only"),
            ));
        }
        let url = match (&w.url, &w.url_file) {
            (Some(_), Some(f)) => {
                return Err(self.err(f, "give the webhook either `url` or `url_file`, not both"))
            }
            (Some(u), None) => {
                check_webhook_url(u.get_ref()).map_err(|m| self.err(u, format!("url: {m}")))?;
                WebhookUrl::Inline(u.get_ref().trim().to_string())
            }
            (None, Some(f)) => WebhookUrl::File(self.path(f.get_ref())),
            (None, None) => WebhookUrl::Credential(format!("webhook-{name}")),
        };
        Ok(WebhookConfig {
            name,
            format: *w.format.get_ref(),
            url,
            token_file: w.token_file.as_ref().map(|p| self.path(p.get_ref())),
            mode: w.mode.as_ref().map_or(MailMode::Digest, |m| *m.get_ref()),
            timeout: self.duration(&w.timeout, "timeout", DEFAULT_WEBHOOK_TIMEOUT)?,
        })
    }
}

fn describe_webhook(w: &WebhookConfig) -> String {
    let url = match &w.url {
        // The path of a chat webhook URL is its secret: show the host only.
        WebhookUrl::Inline(u) => url::Url::parse(u).map_or_else(
            |_| "?".to_string(),
            |u| format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or("?")),
        ),
        WebhookUrl::File(p) => format!("URL from file {}", p.display()),
        WebhookUrl::Credential(c) => format!("URL from systemd credential {c}"),
    };
    let mode = match w.mode {
        MailMode::Digest => "digest",
        MailMode::Each => "each",
    };
    format!("  {} ({}, {mode}): {url}\n", w.name, w.format.as_str())
}
