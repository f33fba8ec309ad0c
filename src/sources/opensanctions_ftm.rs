//! FollowTheMoney entities as NDJSON (OpenSanctions `entities.ftm.json`), and OpenSanctions
//! delta files (`entities.delta.json`, one `{"op": "ADD"|"MOD"|"DEL", "entity": {…}}` a line).
//!
//! Only things a watch item can be (Person, Organization, Company, LegalEntity, PublicBody,
//! Vessel, Airplane, …) become entries. The helper entities a full export carries beside them —
//! Address, Sanction, Identification, Passport — are folded into the entries that refer to them
//! (addresses, programs and listing dates, document numbers); relationship schemata (Ownership,
//! Family, …) are left out. The entry id is the FtM entity id.
//!
//! [`SourceFormat::parse`] takes a full export. A delta cannot be a snapshot (it says nothing of
//! the entities it leaves alone, and deletes others), so it is refused there and read with
//! [`parse_delta`], for the pipeline to apply to the stored snapshot.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::json_skim;
use super::{push_unique, single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::digest::StoredDigest;
use crate::domain::entry::{Alias, EntityKind, Entry, Identifier, ListSnapshot, VesselInfo};
use crate::domain::ident;
use crate::domain::{IdMap, IdSet};

pub struct OpenSanctionsFtm;

impl SourceFormat for OpenSanctionsFtm {
    fn kind(&self) -> &'static str {
        "opensanctions_ftm"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        self.parse_known(bodies, &|_, _| false)
    }

    fn digests_records(&self) -> bool {
        true
    }

    fn parse_known(
        &self,
        bodies: &[Body],
        stored: &dyn Fn(&str, &StoredDigest) -> bool,
    ) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        let mut lines = lines(body)?.peekable();
        if let Some((_, first)) = lines.peek() {
            let first: Option<Value> = serde_json::from_str(first).ok();
            if first.is_some_and(|v| v.get("op").is_some() && v.get("entity").is_some()) {
                // A delta file: the pipeline applies it to the stored snapshot.
                return Ok(Parsed::Delta(parse_delta(body)?));
            }
        }
        let records = Records::skim(body, lines)?;
        records.snapshot(stored)
    }
}

/// The lines of a full export as skimmed: each entity's id, its role, and the ids it refers
/// to, but not its properties. An entry is made of its own line and of the helper lines
/// folded into it, so a listable entity's record digest covers those lines too; only the
/// entities whose digest is not the stored one are parsed.
struct Records<'a> {
    body: &'a Body,
    lines: Vec<Skimmed<'a>>,
    /// Sanction, Identification and Passport lines by the id of the entity they concern.
    folded: IdMap<String, Vec<usize>>,
    /// Address lines by their id.
    addresses: IdMap<String, Vec<usize>>,
}

/// One line of a full export, skimmed.
struct Skimmed<'a> {
    number: usize,
    text: &'a str,
    id: Cow<'a, str>,
    role: Role,
    /// What a helper is folded into (Sanction `entity`, document `holder`), or the addresses
    /// a listable entity gives by id (`addressEntity`).
    refers_to: Vec<Cow<'a, str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Listable,
    Address,
    /// A Sanction, Identification or Passport: folded into the entities it names.
    Folded,
    /// Relationships and the like: not read.
    Other,
}

/// The fields of an entity that skimming reads, for a line [`json_skim`] leaves to serde.
#[derive(Deserialize)]
struct Skim<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    schema: Option<Cow<'a, str>>,
    #[serde(default)]
    properties: SkimProperties,
}

#[derive(Default, Deserialize)]
struct SkimProperties {
    #[serde(default)]
    entity: Vec<Value>,
    #[serde(default)]
    holder: Vec<Value>,
    #[serde(default, rename = "addressEntity")]
    address_entity: Vec<Value>,
}

/// Written into every record digest: a build that reads entities differently (a new
/// watchkeeper version, or a change here: bump the number) parses every record once again.
const RECORD_DIGEST_SEED: &str = concat!(
    "watchkeeper ",
    env!("CARGO_PKG_VERSION"),
    " opensanctions_ftm record 2\n"
);

impl<'a> Records<'a> {
    fn skim(
        body: &'a Body,
        lines: impl Iterator<Item = (usize, &'a str)>,
    ) -> Result<Records<'a>, ParseError> {
        let mut records = Records {
            body,
            lines: Vec::new(),
            folded: IdMap::default(),
            addresses: IdMap::default(),
        };
        for (n, (number, text)) in lines.enumerate() {
            let (id, role, refers_to) = match json_skim::skim_entity(text) {
                Some(s) => {
                    let (role, by) = role(s.schema.unwrap_or_default());
                    let refs = match by {
                        RefersBy::Entity => &s.entity,
                        RefersBy::Holder => &s.holder,
                        RefersBy::AddressEntity => &s.address_entity,
                    };
                    let refs = wanted_refs(role, refs.iter().map(|&r| Cow::Borrowed(r)));
                    (Cow::Borrowed(s.id), role, refs)
                }
                None => {
                    let skim: Skim = serde_json::from_str(text).map_err(|e| {
                        if n == 0 && !text.trim_start().starts_with('{') {
                            not_ndjson(body)
                        } else {
                            malformed(body, number, e.to_string())
                        }
                    })?;
                    let (role, by) = role(skim.schema.as_deref().unwrap_or_default());
                    let p = &skim.properties;
                    let refs = match by {
                        RefersBy::Entity => &p.entity,
                        RefersBy::Holder => &p.holder,
                        RefersBy::AddressEntity => &p.address_entity,
                    };
                    let refs = wanted_refs(role, texts(refs).map(|r| Cow::Owned(r.to_string())));
                    (skim.id, role, refs)
                }
            };
            if id.trim().is_empty() {
                return Err(malformed(body, number, "entity without an id".into()));
            }
            records.lines.push(Skimmed {
                number,
                text,
                id,
                role,
                refers_to,
            });
        }
        for (i, line) in records.lines.iter().enumerate() {
            match line.role {
                Role::Address => records
                    .addresses
                    .entry(line.id.to_string())
                    .or_default()
                    .push(i),
                Role::Folded => {
                    for target in &line.refers_to {
                        records
                            .folded
                            .entry(target.to_string())
                            .or_default()
                            .push(i);
                    }
                }
                Role::Listable | Role::Other => {}
            }
        }
        Ok(records)
    }

    /// The helper lines folded into the listable entity on line `i`, in file order.
    fn helpers_of(&self, i: usize) -> Vec<usize> {
        let line = &self.lines[i];
        let mut helpers: Vec<usize> = self
            .folded
            .get(line.id.as_ref())
            .into_iter()
            .flatten()
            .chain(
                line.refers_to
                    .iter()
                    .filter_map(|a| self.addresses.get(a.as_ref()))
                    .flatten(),
            )
            .copied()
            .collect();
        helpers.sort_unstable();
        helpers.dedup();
        helpers
    }

    /// The digest of the listable entity on line `i`: its line and its `helpers`' lines.
    fn digest(&self, i: usize, helpers: &[usize]) -> StoredDigest {
        let mut h = Xxh3::new();
        h.update(RECORD_DIGEST_SEED.as_bytes());
        h.update(self.lines[i].text.as_bytes());
        for &helper in helpers {
            h.update(b"\n");
            h.update(self.lines[helper].text.as_bytes());
        }
        StoredDigest::hex(&h.digest128().to_be_bytes())
    }

    fn raw(&self, i: usize) -> Result<RawEntity, ParseError> {
        let line = &self.lines[i];
        let entity: RawEntity = serde_json::from_str(line.text)
            .map_err(|e| malformed(self.body, line.number, e.to_string()))?;
        with_id(self.body, line.number, entity)
    }

    /// The ids on more than one of the `listable` lines. Found by sorting the lines by a hash
    /// of their id rather than by counting them in a map: at 10⁶ lines the map's random
    /// accesses cost more than all the rest of skimming.
    fn repeated_ids(&self, listable: &[usize]) -> IdSet<&str> {
        let mut by_hash: Vec<(u64, usize)> = listable
            .iter()
            .map(|&i| (xxh3_64(self.lines[i].id.as_bytes()), i))
            .collect();
        by_hash.sort_unstable();
        let mut repeated = IdSet::default();
        for run in by_hash
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
        {
            // ids of one hash: the same id, or (rarely) different ids that collide
            for (n, &(_, i)) in run.iter().enumerate() {
                let id = self.lines[i].id.as_ref();
                if run[n + 1..].iter().any(|&(_, j)| self.lines[j].id == id) {
                    repeated.insert(id);
                }
            }
        }
        repeated
    }

    /// The snapshot: every listable entity whose digest `stored` does not know is parsed
    /// (with the helpers folded into it), the others are named as unparsed. An id on more than
    /// one line is always parsed, as the whole file would be.
    fn snapshot(&self, stored: &dyn Fn(&str, &StoredDigest) -> bool) -> Result<Parsed, ParseError> {
        let listable: Vec<usize> = (0..self.lines.len())
            .filter(|&i| self.lines[i].role == Role::Listable)
            .collect();
        if listable.is_empty() {
            return Err(ParseError::WrongFormat {
                url: self.body.url.clone(),
                reason: "no Person, Organization, Vessel or other listable entity".into(),
            });
        }
        let repeated = self.repeated_ids(&listable);
        let mut snapshot = ListSnapshot::default();
        let mut wanted = Vec::new();
        let mut helper_lines = Vec::new();
        for &i in &listable {
            let id = self.lines[i].id.as_ref();
            let helpers = self.helpers_of(i);
            let digest = self.digest(i, &helpers);
            if !repeated.contains(id) && stored(id, &digest) {
                snapshot.unparsed.push(id);
            } else {
                // An id on two lines keeps the digest of its last line, as its last line wins.
                snapshot
                    .record_digests
                    .insert(id.to_string(), digest.to_string());
                wanted.push(i);
                helper_lines.extend(helpers);
            }
        }
        helper_lines.sort_unstable();
        helper_lines.dedup();
        let helpers = helper_lines
            .into_iter()
            .map(|i| self.raw(i))
            .collect::<Result<Vec<_>, _>>()?;
        let resolver = Resolver::new(&helpers);
        for i in wanted {
            let raw = self.raw(i)?;
            snapshot.entries.extend(resolver.entry(&raw));
        }
        Ok(Parsed::List(snapshot))
    }
}

/// The property of a line that names what it is folded into or refers to.
#[derive(Clone, Copy)]
enum RefersBy {
    /// A Sanction's `entity`.
    Entity,
    /// An Identification's or Passport's `holder`.
    Holder,
    /// The `addressEntity` of any other.
    AddressEntity,
}

/// A line's role by its schema, and the property it refers by.
fn role(schema: &str) -> (Role, RefersBy) {
    match schema {
        s if entity_kind(s).is_some() => (Role::Listable, RefersBy::AddressEntity),
        "Address" => (Role::Address, RefersBy::AddressEntity),
        "Sanction" => (Role::Folded, RefersBy::Entity),
        "Identification" | "Passport" => (Role::Folded, RefersBy::Holder),
        _ => (Role::Other, RefersBy::AddressEntity),
    }
}

/// The references a line of `role` keeps: none for an address or a relationship.
fn wanted_refs<'a>(role: Role, refs: impl Iterator<Item = Cow<'a, str>>) -> Vec<Cow<'a, str>> {
    match role {
        Role::Listable | Role::Folded => refs.collect(),
        Role::Address | Role::Other => Vec::new(),
    }
}

/// One change of a delta file, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaOp {
    /// A new entity.
    Add(Entry),
    /// A changed entity: the entry replaces the stored one of the same id.
    Mod(Entry),
    /// An entity (of any schema: a delta's DEL carries only the id) no longer published.
    Del(String),
}

/// Reads an OpenSanctions delta file. ADD and MOD of helper entities (Address, Sanction, …) are
/// folded into the entries of the same file that refer to them, and otherwise dropped: a later
/// change to a shared address alone does not reach its entries until the next full export.
pub fn parse_delta(body: &Body) -> Result<Vec<DeltaOp>, ParseError> {
    let mut ops: Vec<(String, RawEntity)> = Vec::new();
    let mut deleted: Vec<(usize, String)> = Vec::new();
    for (line, value) in json_lines(body)? {
        let op = value
            .get("op")
            .and_then(Value::as_str)
            .map(str::to_ascii_uppercase)
            .ok_or_else(|| malformed(body, line, "no \"op\": not a delta line".into()))?;
        let entity = value
            .get("entity")
            .cloned()
            .ok_or_else(|| malformed(body, line, "no \"entity\"".into()))?;
        let entity = raw_entity(body, line, entity)?;
        match op.as_str() {
            "ADD" | "MOD" => ops.push((op, entity)),
            "DEL" => deleted.push((ops.len(), entity.id)),
            other => return Err(malformed(body, line, format!("unknown op {other:?}"))),
        }
    }
    let raw: Vec<RawEntity> = ops.iter().map(|(_, e)| e.clone()).collect();
    let resolver = Resolver::new(&raw);
    let mut result = Vec::new();
    let mut deleted = deleted.into_iter().peekable();
    for (i, (op, entity)) in ops.iter().enumerate() {
        while let Some((_, id)) = deleted.next_if(|(at, _)| *at <= i) {
            result.push(DeltaOp::Del(id));
        }
        if let Some(entry) = resolver.entry(entity) {
            result.push(if op == "ADD" {
                DeltaOp::Add(entry)
            } else {
                DeltaOp::Mod(entry)
            });
        }
    }
    result.extend(deleted.map(|(_, id)| DeltaOp::Del(id)));
    Ok(result)
}

/// Non-empty lines, each with its 1-based line number.
fn lines(body: &Body) -> Result<impl Iterator<Item = (usize, &str)>, ParseError> {
    let text = std::str::from_utf8(&body.bytes).map_err(|e| ParseError::Malformed {
        url: body.url.clone(),
        location: format!("byte {}", e.valid_up_to()),
        message: "not UTF-8".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i + 1, line)))
}

fn not_ndjson(body: &Body) -> ParseError {
    ParseError::WrongFormat {
        url: body.url.clone(),
        reason: "not NDJSON: the first line is not a JSON object".into(),
    }
}

/// Non-empty lines as JSON, each with its 1-based line number.
fn json_lines(body: &Body) -> Result<Vec<(usize, Value)>, ParseError> {
    let mut out = Vec::new();
    for (line, text) in lines(body)? {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            if out.is_empty() && !text.trim_start().starts_with('{') {
                not_ndjson(body)
            } else {
                malformed(body, line, e.to_string())
            }
        })?;
        out.push((line, value));
    }
    Ok(out)
}

fn malformed(body: &Body, line: usize, message: String) -> ParseError {
    ParseError::Malformed {
        url: body.url.clone(),
        location: format!("line {line}"),
        message,
    }
}

#[derive(Debug, Clone, Deserialize)]
struct RawEntity {
    id: String,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    target: Option<bool>,
    #[serde(default)]
    datasets: Vec<String>,
}

impl RawEntity {
    /// A property's string values; nested entities (in "nested" exports) give their caption.
    fn strings(&self, prop: &str) -> Vec<&str> {
        self.properties
            .get(prop)
            .map(|values| texts(values).collect())
            .unwrap_or_default()
    }

    fn first(&self, prop: &str) -> Option<&str> {
        self.strings(prop).into_iter().next()
    }

    fn schema(&self) -> &str {
        self.schema.as_deref().unwrap_or_default()
    }
}

/// A property's string values; nested entities (in "nested" exports) give their caption.
fn texts(values: &[Value]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.trim()),
            Value::Object(o) => o.get("caption").and_then(Value::as_str),
            _ => None,
        })
        .filter(|s| !s.is_empty())
}

fn raw_entity(body: &Body, line: usize, value: Value) -> Result<RawEntity, ParseError> {
    let entity: RawEntity =
        serde_json::from_value(value).map_err(|e| malformed(body, line, e.to_string()))?;
    with_id(body, line, entity)
}

fn with_id(body: &Body, line: usize, entity: RawEntity) -> Result<RawEntity, ParseError> {
    if entity.id.trim().is_empty() {
        return Err(malformed(body, line, "entity without an id".into()));
    }
    Ok(entity)
}

/// What a listable schema designates; `None` for helper and relationship schemata.
fn entity_kind(schema: &str) -> Option<EntityKind> {
    Some(match schema {
        "Person" => EntityKind::Person,
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => EntityKind::Organization,
        "Vessel" => EntityKind::Vessel,
        "Airplane" => EntityKind::Aircraft,
        "Vehicle" | "Asset" | "CryptoWallet" | "Security" => EntityKind::Unknown,
        _ => return None,
    })
}

/// The helper entities of one file, by the id that things refer to them with.
struct Resolver<'a> {
    addresses: IdMap<&'a str, String>,
    sanctions: IdMap<&'a str, Vec<&'a RawEntity>>,
    documents: IdMap<&'a str, Vec<&'a RawEntity>>,
}

impl<'a> Resolver<'a> {
    fn new(raw: &'a [RawEntity]) -> Resolver<'a> {
        let mut r = Resolver {
            addresses: IdMap::default(),
            sanctions: IdMap::default(),
            documents: IdMap::default(),
        };
        for e in raw {
            match e.schema() {
                "Address" => {
                    if let Some(full) = address_text(e) {
                        r.addresses.insert(e.id.as_str(), full);
                    }
                }
                "Sanction" => {
                    for target in e.strings("entity") {
                        r.sanctions.entry(target).or_default().push(e);
                    }
                }
                "Identification" | "Passport" => {
                    for holder in e.strings("holder") {
                        r.documents.entry(holder).or_default().push(e);
                    }
                }
                _ => {}
            }
        }
        r
    }

    fn entry(&self, raw: &RawEntity) -> Option<Entry> {
        let kind = entity_kind(raw.schema())?;
        let mut e = Entry {
            id: raw.id.clone(),
            kind,
            ..Entry::default()
        };
        names(raw, &mut e);
        identifiers(raw, &mut e);
        personal(raw, &mut e);
        for a in raw.strings("address") {
            push_unique(&mut e.addresses, a);
        }
        for id in raw.strings("addressEntity") {
            if let Some(a) = self.addresses.get(id) {
                push_unique(&mut e.addresses, a);
            }
        }
        for p in raw
            .strings("program")
            .into_iter()
            .chain(raw.strings("programId"))
        {
            push_unique(&mut e.programs, p);
        }
        let mut listed: Vec<&str> = Vec::new();
        for s in self.sanctions.get(raw.id.as_str()).into_iter().flatten() {
            for p in s
                .strings("program")
                .into_iter()
                .chain(s.strings("programId"))
            {
                push_unique(&mut e.programs, p);
            }
            listed.extend(s.strings("listingDate"));
            listed.extend(s.strings("startDate"));
            if e.url.is_none() {
                e.url = s.first("sourceUrl").map(String::from);
            }
        }
        for d in self.documents.get(raw.id.as_str()).into_iter().flatten() {
            document(d, &mut e);
        }
        listed.sort_unstable();
        e.listed_on = listed
            .first()
            .copied()
            .or_else(|| raw.first("createdAt"))
            .map(String::from);
        e.url = raw.first("sourceUrl").map(String::from).or(e.url);
        if kind == EntityKind::Vessel {
            vessel(raw, &mut e);
        }
        extra(raw, &mut e);
        Some(e)
    }
}

fn names(raw: &RawEntity, e: &mut Entry) {
    let names = raw.strings("name");
    e.name = raw
        .caption
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .or(names.first().copied())
        .unwrap_or_default()
        .to_string();
    for (prop, kind) in [
        ("name", "aka"),
        ("alias", "aka"),
        ("abbreviation", "aka"),
        ("previousName", "fka"),
        ("weakAlias", "weak"),
    ] {
        for n in raw.strings(prop) {
            if n != e.name && !e.aliases.iter().any(|a| a.name == n) {
                e.aliases.push(Alias {
                    name: n.to_string(),
                    kind: kind.into(),
                });
            }
        }
    }
}

fn identifiers(raw: &RawEntity, e: &mut Entry) {
    for (prop, kind) in [
        ("imoNumber", "imo"),
        ("mmsi", "mmsi"),
        ("callSign", "call-sign"),
        ("passportNumber", "passport"),
        ("idNumber", "national-id"),
        ("taxNumber", "tax-id"),
        ("vatCode", "tax-id"),
        ("innCode", "inn"),
        ("ogrnCode", "ogrn"),
        ("registrationNumber", "registration"),
        ("leiCode", "lei"),
        ("swiftBic", "swift"),
        ("isin", "isin"),
        ("serialNumber", "serial-number"),
        ("email", "email"),
        ("website", "website"),
    ] {
        for v in raw.strings(prop) {
            push_identifier(e, kind, v, None);
        }
    }
}

fn push_identifier(e: &mut Entry, kind: &str, value: &str, note: Option<String>) {
    let value = if kind == "imo" {
        ident::imo_value(value)
    } else {
        value.to_string()
    };
    let id = Identifier {
        kind: kind.into(),
        value,
        note,
    };
    if !e
        .identifiers
        .iter()
        .any(|i| i.kind == id.kind && i.value == id.value)
    {
        e.identifiers.push(id);
    }
}

/// An Identification or Passport entity's number, attached to its holder.
fn document(d: &RawEntity, e: &mut Entry) {
    let Some(number) = d.first("number") else {
        return;
    };
    let kind = if d.schema() == "Passport" {
        "passport"
    } else {
        "national-id"
    };
    let note: Vec<&str> = d
        .strings("type")
        .into_iter()
        .chain(d.strings("country"))
        .collect();
    push_identifier(e, kind, number, (!note.is_empty()).then(|| note.join(", ")));
}

fn personal(raw: &RawEntity, e: &mut Entry) {
    for (prop, target) in [
        ("birthDate", &mut e.dates_of_birth),
        ("birthPlace", &mut e.places_of_birth),
        ("nationality", &mut e.nationalities),
    ] {
        for v in raw.strings(prop) {
            push_unique(target, v);
        }
    }
    for v in raw.strings("citizenship") {
        push_unique(&mut e.nationalities, v);
    }
    for v in raw
        .strings("position")
        .into_iter()
        .chain(raw.strings("title"))
    {
        push_unique(&mut e.titles, v);
    }
}

fn vessel(raw: &RawEntity, e: &mut Entry) {
    let joined = |prop: &str| {
        let v = raw.strings(prop);
        (!v.is_empty()).then(|| v.join("; "))
    };
    e.vessel = Some(Box::new(VesselInfo {
        call_sign: joined("callSign"),
        vessel_type: joined("type"),
        tonnage: joined("tonnage"),
        grt: joined("grossRegisteredTonnage"),
        flag: joined("flag"),
        owner: None,
    }));
}

fn extra(raw: &RawEntity, e: &mut Entry) {
    let notes: Vec<&str> = ["notes", "description", "summary"]
        .iter()
        .flat_map(|p| raw.strings(p))
        .collect();
    if !notes.is_empty() {
        e.remarks = Some(notes.join("\n"));
    }
    // first_seen / last_seen / last_change are left out on purpose: they move with every
    // export and would make every entry look changed.
    for (prop, key) in [
        ("topics", "topics"),
        ("country", "country"),
        ("jurisdiction", "jurisdiction"),
        ("gender", "gender"),
        ("pastFlags", "past_flags"),
        ("buildDate", "build_date"),
    ] {
        let v = raw.strings(prop);
        if !v.is_empty() {
            e.extra.insert(key.into(), v.join(", "));
        }
    }
    if !raw.datasets.is_empty() {
        e.extra.insert("datasets".into(), raw.datasets.join(", "));
    }
    if let Some(target) = raw.target {
        e.extra.insert("target".into(), target.to_string());
    }
}

fn address_text(a: &RawEntity) -> Option<String> {
    if let Some(full) = a.first("full") {
        return Some(full.to_string());
    }
    let parts: Vec<&str> = ["street", "city", "postalCode", "region", "country"]
        .iter()
        .filter_map(|p| a.first(p))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}
