//! The daemon config (`watchkeeper.toml`).

use std::path::PathBuf;
use std::time::Duration;

/// A loaded and validated daemon config.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from; relative paths in it are resolved against its folder.
    pub path: PathBuf,
    pub database: PathBuf,
    pub watchlist: PathBuf,
    pub sources: Vec<SourceConfig>,
    pub email: EmailConfig,
    /// Default match threshold for watch items that set none (0–1).
    pub threshold: f64,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Smtp,
    File,
    Stdout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Starttls,
    Tls,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// (Placeholder until the config branch lands.)
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

pub fn load(path: &std::path::Path) -> Result<Config, ConfigError> {
    Err(ConfigError(format!("{}: not yet", path.display())))
}

pub fn summary(_c: &Config, _w: &crate::watchlist::Watchlist) -> String {
    String::new()
}
