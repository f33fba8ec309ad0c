//! Where the full-size real data is: `$WATCHKEEPER_DATA`, else `../shared/data` beside the
//! crate. A fresh clone has neither, and tests that need the full files skip with a message.

use std::path::PathBuf;

/// The real-data folder joined with `rel`, or `None` (after saying so) when it is absent.
pub fn real_path(rel: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("WATCHKEEPER_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")));
    let path = dir.join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} not found", path.display());
        None
    }
}

/// The bytes of a real-data file, or `None` when the folder is absent.
#[allow(dead_code)]
pub fn real_file(rel: &str) -> Option<Vec<u8>> {
    real_path(rel).map(|p| std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
}
