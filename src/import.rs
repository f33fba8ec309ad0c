//! `watchkeeper import`: watch items from a spreadsheet (CSV with a header row) appended to the
//! watchlist.
//!
//! Columns are mapped by their header name (`kind`, `name`, `imo`, `former_names`, `notify`,
//! `id`…, in any case, spaces or hyphens for `_`); a cell of a list key holds values separated
//! by `;`. Each row becomes one TOML table, checked by the watchlist loader itself, so an
//! imported item is exactly what the same lines typed by hand would be; an error in the table
//! is traced back to the row and column it came from. Every row is checked before anything is
//! written, and nothing is written if any row is wrong. The watchlist is edited with
//! `toml_edit`, so its comments and layout stay as they are; the new tables go at its end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table};

use crate::config::ConfigError;
use crate::domain::watch::{WatchItem, WatchKind};
use crate::watchlist;

/// The columns an import understands: the watchlist's keys.
const COLUMNS: &[&str] = &[
    "kind",
    "name",
    "phrase",
    "imo",
    "mmsi",
    "aliases",
    "former_names",
    "date_of_birth",
    "nationality",
    "notify",
    "id",
    "threshold",
    "sources",
    "exclude",
];

/// Keys whose cell is a `;`-separated list.
const LISTS: &[&str] = &[
    "aliases",
    "former_names",
    "nationality",
    "notify",
    "sources",
    "exclude",
];

/// One bad cell (or row) of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line of the file (the header is row 1).
    pub row: u64,
    /// 1-based column, and its header.
    pub column: usize,
    pub header: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Csv { path: PathBuf, message: String },
    /// Every bad row, one line each: `file:row:column: header: message`.
    #[error("{}", rows.iter().map(|e| format!("{}:{}:{}: {}: {}", path.display(), e.row, e.column, e.header, e.message)).collect::<Vec<_>>().join("\n"))]
    Rows { path: PathBuf, rows: Vec<RowError> },
    #[error(transparent)]
    Watchlist(#[from] ConfigError),
    #[error("{}: {message}", path.display())]
    Edit { path: PathBuf, message: String },
}

/// What an import added (or, for a dry run, would add).
#[derive(Debug, Default)]
pub struct ImportReport {
    pub items: Vec<WatchItem>,
    /// The watchlist as it is (or would be) after the import.
    pub text: String,
}

impl ImportReport {
    pub fn count(&self, kind: WatchKind) -> usize {
        self.items.iter().filter(|i| i.kind == kind).count()
    }
}

/// Reads `file` and appends its rows to the watchlist at `watchlist_path` (unless `dry_run`);
/// `sources` are the config's source names, which `sources` and `exclude` cells must use, and
/// `default_kind` is the kind of rows without a `kind` cell.
pub fn import(
    file: &Path,
    watchlist_path: &Path,
    sources: &[String],
    default_kind: WatchKind,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Io { path, source }
    };
    let bytes = std::fs::read(file).map_err(io(file))?;
    let text = String::from_utf8(bytes).map_err(|e| ImportError::Csv {
        path: file.to_path_buf(),
        message: format!(
            "not UTF-8 at byte {} (save the spreadsheet as \"CSV UTF-8\")",
            e.utf8_error().valid_up_to()
        ),
    })?;
    let rows = read_rows(file, text.trim_start_matches('\u{feff}'))?;
    let current = std::fs::read_to_string(watchlist_path).map_err(io(watchlist_path))?;
    let existing = watchlist::parse(&current, watchlist_path)?;

    let mut errors = Vec::new();
    let mut built: Vec<(WatchKind, Table, WatchItem)> = Vec::new();
    let mut ids: HashMap<String, String> = existing
        .items
        .iter()
        .zip(existing.positions.iter())
        .map(|(i, p)| (i.id.clone(), format!("line {} of the watchlist", p.name.0)))
        .collect();
    for row in &rows {
        match check_row(file, row, sources, default_kind) {
            Ok(Some((kind, table, item))) => {
                if let Some(first) = ids.get(&item.id) {
                    let (column, header) = row.id_column();
                    errors.push(RowError {
                        row: row.line,
                        column,
                        header,
                        message: format!(
                            "duplicate id `{}` ({first} has it too); set an `id` column",
                            item.id
                        ),
                    });
                    continue;
                }
                ids.insert(item.id.clone(), format!("row {}", row.line));
                built.push((kind, table, item));
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows {
            path: file.to_path_buf(),
            rows: errors,
        });
    }

    let text = append(watchlist_path, &current, file, &built)?;
    // The whole file once more, as the daemon will read it.
    let after = watchlist::parse(&text, watchlist_path)?;
    watchlist::validate_sources(&after, sources)?;
    if !dry_run && !built.is_empty() {
        write_atomically(watchlist_path, &text).map_err(io(watchlist_path))?;
    }
    Ok(ImportReport {
        items: built.into_iter().map(|(_, _, i)| i).collect(),
        text,
    })
}

/// A row of the file: its line and its (header, column number, cell) triples, non-empty only.
struct Row {
    line: u64,
    cells: Vec<(String, usize, String)>,
    /// The first column, to blame when no better one is known.
    first: (usize, String),
}

impl Row {
    fn cell(&self, key: &str) -> Option<&(String, usize, String)> {
        self.cells.iter().find(|c| c.0 == key)
    }

    /// The column that makes the item's id: `id`, else `name`, else `imo`.
    fn id_column(&self) -> (usize, String) {
        ["id", "name", "phrase", "imo"]
            .iter()
            .find_map(|k| self.cell(k))
            .map_or(self.first.clone(), |c| (c.1, c.0.clone()))
    }
}

fn read_rows(file: &Path, text: &str) -> Result<Vec<Row>, ImportError> {
    let csv_err = |e: csv::Error| ImportError::Csv {
        path: file.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(csv_err)?.clone();
    let mut keys = Vec::new();
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let key = header_key(h);
        if !COLUMNS.contains(&key.as_str()) {
            errors.push(RowError {
                row: 1,
                column: i + 1,
                header: h.to_string(),
                message: format!("unknown column, expected one of {}", COLUMNS.join(", ")),
            });
        } else if keys.contains(&key) {
            errors.push(RowError {
                row: 1,
                column: i + 1,
                header: h.to_string(),
                message: "a second column for the same key".to_string(),
            });
        }
        keys.push(key);
    }
    if keys.is_empty() {
        errors.push(RowError {
            row: 1,
            column: 1,
            header: String::new(),
            message: "no header row".to_string(),
        });
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows {
            path: file.to_path_buf(),
            rows: errors,
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_err)?;
        let line = record.position().map_or(0, |p| p.line());
        let mut cells = Vec::new();
        for (i, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match keys.get(i) {
                Some(k) => cells.push((k.clone(), i + 1, cell.to_string())),
                None => {
                    return Err(ImportError::Rows {
                        path: file.to_path_buf(),
                        rows: vec![RowError {
                            row: line,
                            column: i + 1,
                            header: String::new(),
                            message: format!(
                                "a value ({cell:?}) beyond the {} columns of the header",
                                keys.len()
                            ),
                        }],
                    })
                }
            }
        }
        rows.push(Row {
            line,
            cells,
            first: (1, headers.get(0).unwrap_or_default().to_string()),
        });
    }
    Ok(rows)
}

/// `IMO Number` → `imo`, `Former names` → `former_names`.
fn header_key(header: &str) -> String {
    let key: String = header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    match key.as_str() {
        "imo_number" | "imo_no" => "imo".to_string(),
        "former_name" => "former_names".to_string(),
        "alias" => "aliases".to_string(),
        "dob" => "date_of_birth".to_string(),
        _ => key,
    }
}

/// The row as a watchlist table, checked by the watchlist loader; `None` for an empty row.
fn check_row(
    file: &Path,
    row: &Row,
    sources: &[String],
    default_kind: WatchKind,
) -> Result<Option<(WatchKind, Table, WatchItem)>, RowError> {
    if row.cells.is_empty() {
        return Ok(None);
    }
    let blame = |column: usize, header: &str, message: String| RowError {
        row: row.line,
        column,
        header: header.to_string(),
        message,
    };
    let kind = match row.cell("kind") {
        Some((h, col, k)) => parse_kind(k).ok_or_else(|| {
            blame(
                *col,
                h,
                format!("expected vessel, person, organization or keyword, found {k:?}"),
            )
        })?,
        None => default_kind,
    };
    let mut table = Table::new();
    // The column each line of the table came from, to trace the loader's errors back.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (key, col, cell) in &row.cells {
        let key = match (key.as_str(), kind) {
            ("kind", _) => continue,
            // A keyword's text is its phrase, whichever of the two columns holds it.
            ("name", WatchKind::Keyword) => "phrase",
            (k, _) => k,
        };
        let value = if LISTS.contains(&key) {
            let mut a = Array::new();
            for v in cell.split(';').map(str::trim).filter(|v| !v.is_empty()) {
                a.push(v);
            }
            toml_edit::value(a)
        } else if key == "threshold" {
            let x: f64 = cell.parse().map_err(|_| {
                blame(
                    *col,
                    key,
                    format!("expected a number from 0 to 1, found {cell:?}"),
                )
            })?;
            toml_edit::value(x)
        } else {
            toml_edit::value(cell.as_str())
        };
        if table.contains_key(key) {
            return Err(blame(*col, key, format!("`{key}` is given twice")));
        }
        table.insert(key, value);
        lines.push((*col, key.to_string()));
    }
    let header = format!("[[{}]]\n", kind.as_str());
    let snippet = format!("{header}{table}");
    let to_row = |e: ConfigError| match e {
        ConfigError::At { line, message, .. } => {
            let (col, key) = line
                .checked_sub(2)
                .and_then(|i| lines.get(i).cloned())
                .unwrap_or_else(|| row.first.clone());
            blame(col, &key, strip_key(&message, &key))
        }
        other => blame(row.first.0, &row.first.1, other.to_string()),
    };
    let parsed = watchlist::parse(&snippet, file).map_err(to_row)?;
    watchlist::validate_sources(&parsed, sources).map_err(to_row)?;
    let item = parsed.items.into_iter().next().ok_or_else(|| {
        blame(
            row.first.0,
            &row.first.1,
            "no watch item in the row".to_string(),
        )
    })?;
    Ok(Some((kind, table, item)))
}

/// The loader's messages start with the key (`imo: check digit…`), which the import names
/// already.
fn strip_key(message: &str, key: &str) -> String {
    message
        .strip_prefix(&format!("{key}: "))
        .unwrap_or(message)
        .to_string()
}

fn parse_kind(text: &str) -> Option<WatchKind> {
    match text.trim().to_lowercase().as_str() {
        "vessel" | "ship" => Some(WatchKind::Vessel),
        "person" | "individual" => Some(WatchKind::Person),
        "organization" | "organisation" | "company" | "entity" => Some(WatchKind::Organization),
        "keyword" => Some(WatchKind::Keyword),
        _ => None,
    }
}

/// The watchlist text with the tables appended, the first one under a comment saying where
/// they came from.
fn append(
    watchlist_path: &Path,
    current: &str,
    file: &Path,
    built: &[(WatchKind, Table, WatchItem)],
) -> Result<String, ImportError> {
    let mut doc: DocumentMut =
        current
            .parse()
            .map_err(|e: toml_edit::TomlError| ImportError::Edit {
                path: watchlist_path.to_path_buf(),
                message: e.to_string(),
            })?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let today = chrono::Utc::now().format("%Y-%m-%d");
    // Tables are written in the order of their positions; without one, a new table would
    // join the last table of its kind, wherever that is. The new ones go at the end.
    let after = last_position(doc.as_table()) + 1;
    for (i, (kind, table, _)) in built.iter().enumerate() {
        let mut table = table.clone();
        table.set_position(after + i);
        let prefix = if i == 0 {
            format!(
                "\n# {} watch items imported from {name} on {today} (watchkeeper import)\n",
                built.len()
            )
        } else {
            "\n".to_string()
        };
        table.decor_mut().set_prefix(prefix);
        let slot = doc
            .entry(kind.as_str())
            .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
        let Some(tables) = slot.as_array_of_tables_mut() else {
            return Err(ImportError::Edit {
                path: watchlist_path.to_path_buf(),
                message: format!(
                    "`{}` is not an array of tables ([[{}]])",
                    kind.as_str(),
                    kind.as_str()
                ),
            });
        };
        tables.push(table);
    }
    Ok(doc.to_string())
}

/// The highest position of a table in `table`, or 0.
fn last_position(table: &Table) -> usize {
    let mut last = table.position().unwrap_or(0);
    for (_, item) in table.iter() {
        match item {
            Item::Table(t) => last = last.max(last_position(t)),
            Item::ArrayOfTables(a) => {
                for t in a.iter() {
                    last = last.max(last_position(t));
                }
            }
            _ => {}
        }
    }
    last
}

/// Writes beside the file and renames over it, keeping its permissions: the daemon, which
/// reloads the watchlist when it changes, never reads half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("toml.import-tmp");
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(&tmp, meta.permissions())?;
    }
    std::fs::rename(&tmp, path)
}
