//! A list document parsed in a test, and the entries and aliases the assertions look at.

#![allow(dead_code)]

use watchkeeper::domain::entry::{Entry, ListSnapshot};
use watchkeeper::sources::{format_for, Body, FormatOptions, ParseError, Parsed};

/// One document of a list `kind`, as fetched from `url` (which errors name).
pub fn parse(kind: &str, url: &str, bytes: &[u8]) -> Result<ListSnapshot, ParseError> {
    let format = format_for(kind, &FormatOptions::default()).expect("a registered kind");
    let body = Body {
        resource: String::new(),
        url: url.to_string(),
        bytes: bytes.to_vec(),
        content_type: None,
    };
    match format.parse(&[body])? {
        Parsed::List(list) => Ok(list),
        other => panic!("{kind} parsed into something other than a list: {other:?}"),
    }
}

/// The entry with this id; the test fails when there is none.
pub fn entry<'a>(entries: &'a [Entry], id: &str) -> &'a Entry {
    entries
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
}

/// The names of an entry's aliases of one kind ("aka", "fka", "good", "low"…).
pub fn aliases<'a>(entry: &'a Entry, kind: &str) -> Vec<&'a str> {
    entry
        .aliases
        .iter()
        .filter(|a| a.kind == kind)
        .map(|a| a.name.as_str())
        .collect()
}
