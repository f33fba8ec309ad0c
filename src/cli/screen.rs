//! `watchkeeper screen`: ranks the stored list entries against a name (and IMO number), or
//! against every name of a file (`--file`), with the reason for each score; the ranking
//! itself is [`watchkeeper::screen`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use watchkeeper::domain::ident;
use watchkeeper::screen::{self, Query, ScreenResult};
use watchkeeper::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// The name to screen.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub name: Option<String>,
    /// Screen every name of a CSV file instead: the column headed `name` (with optional
    /// `kind` and `imo` columns), or the first column of a file without such a header. One
    /// CSV row per result on standard output, or with --json one JSON document per line
    /// and name.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// An IMO number (ship or company).
    #[arg(long)]
    pub imo: Option<String>,
    /// vessel, person or organization.
    #[arg(long)]
    pub kind: Option<String>,
    /// At most this many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Lowest score shown.
    #[arg(long, default_value_t = 0.5)]
    pub min_score: f64,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    // a number fitting both check digit rules is resolved per query kind by screen::screen
    let imo = args
        .imo
        .as_deref()
        .map(ident::parse)
        .transpose()
        .context("--imo")?;
    let kind = args.kind.as_deref().map(kind_arg).transpose()?;
    let mut store = Store::open_existing(&cfg.database)?;
    if let Some(file) = &args.file {
        let queries = read_queries(file, kind)?;
        let (rows, _) = screen::screen_store(&mut store, &queries, args.min_score, args.limit)?;
        return write_batch(&queries, &rows, args.json);
    }
    let name = args.name.unwrap_or_default();
    let query = Query {
        name: name.clone(),
        imo,
        kind,
    };
    let (mut rows, scored) = screen::screen_store(
        &mut store,
        std::slice::from_ref(&query),
        args.min_score,
        args.limit,
    )?;
    let results = rows.pop().unwrap_or_default();
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "query": name, "results": results })
        );
    } else if results.is_empty() {
        println!(
            "no stored entry scores {} or more against {name:?} ({scored} candidate entries scored)",
            args.min_score
        );
    } else {
        for r in &results {
            println!(
                "{:.3}  {}:{}  {} \"{}\"\n       why: {}{}",
                r.score,
                r.source,
                r.entry_id,
                r.kind,
                r.name,
                r.why,
                if r.same_as.is_empty() {
                    String::new()
                } else {
                    format!("\n       same as: {}", r.same_as.join(", "))
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn kind_arg(k: &str) -> Result<watchkeeper::domain::watch::WatchKind> {
    screen::parse_kind(k)
        .with_context(|| format!("--kind {k:?}: expected vessel, person or organization"))
}

/// The names of a CSV file, with their kind and IMO number where the file has those columns.
fn read_queries(
    path: &Path,
    default_kind: Option<watchkeeper::domain::watch::WatchKind>,
) -> Result<Vec<Query>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("{}", path.display()))?;
    let mut rows = reader.records();
    let Some(first) = rows.next() else {
        return Ok(Vec::new());
    };
    let first = first.with_context(|| format!("{}:1", path.display()))?;
    let column = |name: &str| {
        first
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (name_col, kind_col, imo_col, header) = match column("name") {
        Some(n) => (n, column("kind"), column("imo"), true),
        None => (0, None, None, false),
    };
    let mut queries = Vec::new();
    let records = (!header).then_some(Ok(first)).into_iter().chain(rows);
    for (i, record) in records.enumerate() {
        let line = i + 1 + usize::from(header);
        let record = record.with_context(|| format!("{}:{line}", path.display()))?;
        let name = record.get(name_col).unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        let field = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::trim);
        let kind = match field(kind_col).filter(|k| !k.is_empty()) {
            Some(k) => Some(kind_arg(k).with_context(|| format!("{}:{line}", path.display()))?),
            None => default_kind,
        };
        let imo = match field(imo_col).filter(|v| !v.is_empty()) {
            Some(v) => {
                Some(ident::parse(v).with_context(|| format!("{}:{line}: imo", path.display()))?)
            }
            None => None,
        };
        queries.push(Query {
            name: name.to_string(),
            imo,
            kind,
        });
    }
    if queries.is_empty() && header {
        bail!("{}: no names under the `name` column", path.display());
    }
    Ok(queries)
}

fn write_batch(queries: &[Query], rows: &[Vec<ScreenResult>], json: bool) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        for (q, results) in queries.iter().zip(rows) {
            let doc = serde_json::json!({ "query": q.name, "results": results });
            writeln!(out, "{doc}")?;
        }
    } else {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "query", "rank", "score", "source", "entry_id", "kind", "name", "same_as", "why",
        ])?;
        for (q, results) in queries.iter().zip(rows) {
            for (rank, r) in results.iter().enumerate() {
                w.write_record([
                    q.name.as_str(),
                    &(rank + 1).to_string(),
                    &format!("{:.3}", r.score),
                    &r.source,
                    &r.entry_id,
                    &r.kind,
                    &r.name,
                    &r.same_as.join(" "),
                    &r.why,
                ])?;
            }
        }
        w.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
