//! `watchkeeper history`: an entity's timeline across every list, found by IMO (or another
//! identifier), by `SOURCE:ENTRY_ID`, or by any name it was ever listed under. Exits non-zero
//! when nothing stored matches.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::domain::ident;
use watchkeeper::report;
use watchkeeper::store::history::HistoryQuery;
use watchkeeper::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// An IMO or MMSI number ("9304667", "IMO 9304667"), SOURCE:ENTRY_ID ("ofac-sdn:15036"),
    /// or a name ("Artavil", "Alexander Lukashenko").
    pub what: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let sources: Vec<&str> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
    let query = parse_query(&args.what, &sources);
    let store = Store::open_existing(&cfg.database)?;
    let histories = store.history(&query)?;
    if args.json {
        let v = serde_json::json!({ "query": args.what, "entries": histories });
        println!("{v}");
    } else {
        print!("{}", report::history::text(&args.what, &histories));
    }
    // Nothing known is an answer a script must be able to tell from an empty history.
    Ok(if histories.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What the argument names: an entry of a configured source, an identifier (a number that
/// reads as an IMO or MMSI number, or anything of digits), or else a name.
fn parse_query(what: &str, sources: &[&str]) -> HistoryQuery {
    if let Some((source, id)) = what.split_once(':') {
        if sources.contains(&source) && !id.is_empty() {
            return HistoryQuery::Entry {
                source: source.to_string(),
                entry_id: id.to_string(),
            };
        }
    }
    let digits = what.chars().filter(char::is_ascii_digit).count();
    if ident::parse(what).is_ok() || ident::parse_mmsi(what).is_ok() || digits >= 6 {
        return HistoryQuery::Identifier(what.to_string());
    }
    HistoryQuery::Name(what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_argument_says_what_it_names() {
        let sources = ["ofac-sdn", "un-sc"];
        assert_eq!(
            parse_query("ofac-sdn:15036", &sources),
            HistoryQuery::Entry {
                source: "ofac-sdn".into(),
                entry_id: "15036".into()
            }
        );
        assert_eq!(
            parse_query("IMO 9304667", &sources),
            HistoryQuery::Identifier("IMO 9304667".into())
        );
        assert_eq!(
            parse_query("9304667", &sources),
            HistoryQuery::Identifier("9304667".into())
        );
        assert_eq!(
            parse_query("Artavil", &sources),
            HistoryQuery::Name("Artavil".into())
        );
        // A colon that names no configured source is part of a name.
        assert_eq!(
            parse_query("Re: Adisa", &sources),
            HistoryQuery::Name("Re: Adisa".into())
        );
    }
}
