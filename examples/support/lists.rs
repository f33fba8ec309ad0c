//! Loading the real lists under ../shared/data for the evaluation harness and the screening
//! benchmark, through the crate's own parsers: OFAC SDN CSV 2021-07 and a UN Security Council
//! snapshot.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use watchkeeper::domain::entry::Entry;
use watchkeeper::sources::{format_for, local_bodies, FormatOptions, Parsed};

pub const OFAC: &str = "ofac-sdn";
pub const UN: &str = "un-sc";

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// OFAC 2021-07 and UN 2020-03, as (source, entry): the universe every query is screened
/// against.
pub fn universe() -> Vec<(String, Entry)> {
    let data = data_dir();
    let mut all: Vec<(String, Entry)> =
        read_list("ofac_sdn_csv", &data.join("ofac-sdn-csv/2021-07"))
            .into_iter()
            .map(|e| (OFAC.to_string(), e))
            .collect();
    all.extend(
        read_list(
            "un_sc_xml",
            &data.join("un-sc-xml/2020-03/consolidated.xml"),
        )
        .into_iter()
        .map(|e| (UN.to_string(), e)),
    );
    all
}

/// The entries of a real list file (or folder, for a multi-file kind) of the given kind.
pub fn read_list(kind: &str, path: &Path) -> Vec<Entry> {
    let format = format_for(kind, &FormatOptions::default()).expect("a known kind");
    let bodies = local_bodies(format.as_ref(), path).unwrap_or_else(|e| panic!("{e}"));
    match format.parse(&bodies) {
        Ok(Parsed::List(list)) => list.entries,
        Ok(_) => panic!("{kind} is not a list format"),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}
