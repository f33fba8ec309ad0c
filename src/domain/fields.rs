//! An entry's other facts by field name ([`super::entry::Entry::extra`]): a map kept as one
//! sorted Vec. An entry has a handful (an OpenSanctions entity two: datasets and topics), which
//! a BTreeMap holds in a node of eleven slots, 544 bytes: two thirds of the memory of the
//! 10^6 entries of a first load of the whole OpenSanctions corpus. Serialised as a map in name
//! order, as the BTreeMap was, so stored entries and their hashes are unchanged.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Field names to values, in name order, each name once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut String> {
        self.find(name).ok().map(|i| &mut self.0[i].1)
    }

    /// Sets `name` to `value`; returns the value it replaces.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// Sets `name` to `value` unless it has a value already; returns whether it set it.
    pub fn insert_if_absent(&mut self, name: String, value: String) -> bool {
        match self.find(&name) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, (name, value));
                true
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.find(name).ok().map(|i| self.0.remove(i).1)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// (name, value) in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl std::ops::Index<&str> for Fields {
    type Output = String;

    fn index(&self, name: &str) -> &String {
        self.get(name)
            .unwrap_or_else(|| panic!("no field {name:?}"))
    }
}

/// A later value of a name replaces an earlier one, as inserting into a map does.
impl FromIterator<(String, String)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Fields {
        let mut fields = Fields::new();
        for (k, v) in iter {
            fields.insert(k, v);
        }
        fields
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        struct FieldsVisitor;

        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of field names to strings")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Fields, A::Error> {
                let mut fields = Fields::new();
                while let Some((k, v)) = access.next_entry::<String, String>()? {
                    fields.insert(k, v);
                }
                Ok(fields)
            }
        }

        deserializer.deserialize_map(FieldsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn encoded_as_the_map_it_replaces() {
        let pairs = [
            ("topics", "sanction"),
            ("datasets", "us_ofac_sdn, eu_fsf"),
            ("gender", "Male"),
            ("datasets", "un_sc_sanctions"),
        ];
        let owned = pairs.map(|(k, v)| (k.to_string(), v.to_string()));
        let fields: Fields = owned.iter().cloned().collect();
        let map: BTreeMap<String, String> = owned.into_iter().collect();
        let json = serde_json::to_string(&fields).unwrap();
        assert_eq!(json, serde_json::to_string(&map).unwrap());
        assert_eq!(serde_json::from_str::<Fields>(&json).unwrap(), fields);
        assert_eq!(fields["datasets"], "un_sc_sanctions");
        let names: Vec<&String> = fields.keys().collect();
        assert_eq!(names, ["datasets", "gender", "topics"]);
    }

    #[test]
    fn insert_if_absent_keeps_the_first_value() {
        let mut f = Fields::new();
        assert!(f.insert_if_absent("a".into(), "1".into()));
        assert!(!f.insert_if_absent("a".into(), "2".into()));
        assert_eq!(f.get("a").map(String::as_str), Some("1"));
        assert_eq!(f.remove("a").as_deref(), Some("1"));
        assert!(f.is_empty());
    }
}
