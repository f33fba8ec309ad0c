//! One installation replaying the daily OFAC SDN snapshots of tests/fixtures/replay (built by
//! scripts/make-replay-fixtures.py): a config with a `file:` source, the watchlist below, the
//! served folder and a database, in a temporary folder.

use std::path::{Path, PathBuf};

/// The days of tests/fixtures/replay, in order.
pub const DAYS: [&str; 6] = ["day1", "day2", "day3", "day4", "day5", "day6"];

pub const WATCHLIST: &str = r#"
# Watched under its former name, by IMO: the July 2021 rename to ARTAVIL keeps the number.
[[vessel]]
name = "Alpha"
imo = "IMO 9187629"

# A made-up name: only the IMO number of HAPPINESS I finds it.
[[vessel]]
id = "persian-gulf-star"
name = "Persian Gulf Star"
imo = "9212905"

[[person]]
name = "Alexander Lukashenko"

[[person]]
name = "Nicolás Maduro"
"#;

pub struct Installation {
    pub dir: tempfile::TempDir,
}

impl Installation {
    /// An installation mailing with the `[email]` table `email` (its keys, without the header).
    pub fn new(email: &str) -> Installation {
        let dir = tempfile::tempdir().unwrap();
        let cfg = format!(
            r#"
[daemon]
database = "state/watchkeeper.db"
watchlist = "watchlist.toml"

[[source]]
name = "ofac-sdn"
kind = "ofac_sdn_csv"
url = "file:served/"
schedule = "0 0 7 * * *"

[email]
{email}"#
        );
        std::fs::write(dir.path().join("watchkeeper.toml"), cfg).unwrap();
        std::fs::write(dir.path().join("watchlist.toml"), WATCHLIST).unwrap();
        std::fs::create_dir_all(dir.path().join("served")).unwrap();
        Installation { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.path().join("watchkeeper.toml")
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("state/watchkeeper.db")
    }

    /// Publishes day `d`'s files where the source reads them.
    pub fn publish(&self, d: &str) {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay");
        for f in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
            let to = self.path().join("served").join(f);
            // Written beside and renamed: a reader never sees a half-copied file.
            let tmp = to.with_extension("tmp");
            std::fs::copy(fixtures.join(d).join(f), &tmp).unwrap();
            std::fs::rename(&tmp, &to).unwrap();
        }
    }
}
