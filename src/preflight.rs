//! What `watchkeeper check` looks at beyond the config's syntax: the things that would fail,
//! or go quietly wrong, when the daemon runs. Each path is looked at exactly as the daemon
//! resolves it (the config's own resolution, done once at load).
//!
//! Problems found here are [`Finding`]s, each an error (the daemon would fail) or a warning (it
//! would run, but not as meant), and each names the config key it is about, with its place in
//! the file when the key is written there.

use std::path::{Path, PathBuf};

use crate::config::{Config, TransportKind};
use crate::domain::watch::Watchlist;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, ready to print: `file:line:col: error: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// `file:line:col`, or the file alone.
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {word}: {}", self.at, self.message)
    }
}

/// Every problem of the installation `config` and `watchlist` describe.
pub fn check(config: &Config, watchlist: &Watchlist) -> Vec<Finding> {
    let text = std::fs::read_to_string(&config.path).unwrap_or_default();
    let places = Places {
        path: &config.path,
        doc: text.parse::<toml_edit::ImDocument<String>>().ok(),
        text: &text,
    };
    let mut out = Vec::new();
    let mut push = |severity, at: String, message: String| {
        out.push(Finding {
            severity,
            at,
            message,
        })
    };

    // The database: its folder must be writable (the daemon creates it if missing).
    let db_at = places.at(&["daemon", "database"]);
    if let Some(m) = under_etc(&config.database, config) {
        push(Severity::Error, db_at.clone(), format!("database {m}"));
    } else if let Err(m) = writable_folder(&config.database) {
        push(
            Severity::Error,
            db_at,
            format!("database {}: {m}", config.database.display()),
        );
    }

    if watchlist.items.is_empty() {
        push(
            Severity::Warning,
            watchlist.path.display().to_string(),
            "the watchlist has no watch items: nothing will ever be alerted".to_string(),
        );
    }

    for (i, s) in config.sources.iter().enumerate() {
        let Some(path) = file_path(&s.url) else {
            continue;
        };
        let at = places.at_source(i);
        let files: Vec<PathBuf> = if s.kind == "ofac_sdn_csv" {
            let names = s.files.clone().unwrap_or_else(|| {
                ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
                    .map(String::from)
                    .to_vec()
            });
            names.iter().map(|n| path.join(n)).collect()
        } else {
            vec![path]
        };
        for f in files {
            if let Err(e) = std::fs::File::open(&f) {
                push(
                    Severity::Error,
                    at.clone(),
                    format!("source {}: {}: {e}", s.name, f.display()),
                );
            }
        }
    }

    let e = &config.email;
    if e.transport == TransportKind::Smtp {
        if let Some(p) = &e.password_file {
            let at = places.at(&["email", "password_file"]);
            match password_file(p) {
                Ok(None) => {}
                Ok(Some(w)) => push(Severity::Warning, at, w),
                Err(m) => push(Severity::Error, at, m),
            }
        }
    }
    if e.transport == TransportKind::File {
        if let Some(p) = &e.path {
            let at = places.at(&["email", "path"]);
            if let Some(m) = under_etc(&p.join("x.eml"), config) {
                push(Severity::Error, at, format!("path {m}"));
            } else if let Err(m) = writable_folder(&p.join("x.eml")) {
                push(Severity::Error, at, format!("path {}: {m}", p.display()));
            }
        }
    }
    if let Some(p) = &e.ca_file {
        if let Err(err) = std::fs::File::open(p) {
            push(
                Severity::Error,
                places.at(&["email", "ca_file"]),
                format!("ca_file {}: {err}", p.display()),
            );
        }
    }
    out
}

/// Where keys sit in the config file.
struct Places<'a> {
    path: &'a Path,
    doc: Option<toml_edit::ImDocument<String>>,
    text: &'a str,
}

impl Places<'_> {
    fn at(&self, keys: &[&str]) -> String {
        let item = self.doc.as_ref().and_then(|d| {
            let mut item = d.as_item();
            for k in keys {
                item = item.get(k)?;
            }
            Some(item)
        });
        self.place(item.and_then(toml_edit::Item::span))
    }

    fn at_source(&self, i: usize) -> String {
        let span = self.doc.as_ref().and_then(|d| {
            d.get("source")?
                .as_array_of_tables()?
                .get(i)?
                .get("url")?
                .span()
        });
        self.place(span)
    }

    fn place(&self, span: Option<std::ops::Range<usize>>) -> String {
        match span {
            Some(s) => {
                let (line, col) = crate::config::line_col(self.text, s.start);
                format!("{}:{line}:{col}", self.path.display())
            }
            None => self.path.display().to_string(),
        }
    }
}

/// A file `path` under /etc, where no state belongs: the sign of the example config (whose
/// paths are relative to its folder) copied to /etc/watchkeeper as it is.
fn under_etc(path: &Path, config: &Config) -> Option<String> {
    let etc_config = config.path.starts_with("/etc")
        || std::path::absolute(&config.path).is_ok_and(|p| p.starts_with("/etc"));
    if !path.starts_with("/etc") {
        return None;
    }
    Some(format!(
        "resolves to {}, under /etc: state belongs in /var/lib/watchkeeper{}",
        path.display(),
        if etc_config {
            " (relative paths are taken from the config's folder: was the example config copied as it is? set database = \"/var/lib/watchkeeper/watchkeeper.db\")"
        } else {
            ""
        }
    ))
}

/// Whether a file can be created at `path`: its folder, or the nearest folder above it that
/// exists (the daemon creates the missing ones), accepts a new file.
fn writable_folder(path: &Path) -> Result<(), String> {
    let mut dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    while !dir.as_os_str().is_empty() && !dir.exists() {
        match dir.parent() {
            Some(p) => dir = p.to_path_buf(),
            None => break,
        }
    }
    if dir.as_os_str().is_empty() {
        dir = PathBuf::from(".");
    }
    if !dir.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    // Only trying tells: permissions, ACLs, a read-only mount.
    let probe = dir.join(format!(".watchkeeper-check-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(format!("cannot create a file in {}: {e}", dir.display())),
    }
}

/// A readable password file: `Ok(Some(warning))` when anyone may read it.
fn password_file(path: &Path) -> Result<Option<String>, String> {
    use std::os::unix::fs::PermissionsExt;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("password_file {}: {e}", path.display()))?;
    if let Err(e) = std::fs::File::open(path) {
        return Err(format!(
            "password_file {}: {e} (check runs as this user; the daemon must be able to read it too, or pass it with LoadCredential=)",
            path.display()
        ));
    }
    let mode = meta.permissions().mode();
    Ok((mode & 0o004 != 0).then(|| {
        format!(
            "password_file {} is readable by every user (mode {:o}): chmod 600 it, or pass it with LoadCredential=",
            path.display(),
            mode & 0o777
        )
    }))
}

/// The local path of a `file://` URL.
fn file_path(url: &str) -> Option<PathBuf> {
    let u = url::Url::parse(url).ok()?;
    (u.scheme() == "file")
        .then(|| u.to_file_path().ok())
        .flatten()
}
