//! Skimming one FollowTheMoney entity line for the few fields a full export's first pass
//! needs (its id, its schema, the ids it refers to), without building the rest.
//!
//! A full export of 10⁶ entities is skimmed on every cycle, changed or not, so this pass is
//! what a cycle costs when little changed. serde, even skipping the fields it is not asked
//! for, reads every value of the line through its tokenizer; here the strings the skim does not
//! want are passed over with `memchr` and nothing is allocated. Only the common shape is taken:
//! a key or a wanted string with an escape in it, a wanted value of another type, a
//! repeated wanted key, or anything that does not close as JSON gives `None`, and the caller
//! reads that line with serde, which decides (and names the error) as it always did. Values the
//! skim passes over are checked only for the nesting of their brackets and strings: a line
//! whose parts are read later (a changed entity, a helper folded into one) is parsed in full
//! with serde then; a relationship line is never read further.

use memchr::memchr2;

/// The fields of one entity line that the first pass of a full export reads, borrowed from it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct SkimmedEntity<'a> {
    pub id: &'a str,
    pub schema: Option<&'a str>,
    /// `properties.entity`: the entities a Sanction concerns.
    pub entity: Vec<&'a str>,
    /// `properties.holder`: whose an Identification or Passport is.
    pub holder: Vec<&'a str>,
    /// `properties.addressEntity`: the addresses an entity gives by id.
    pub address_entity: Vec<&'a str>,
}

/// The line's wanted fields, or `None` when the line is not of the plain shape skimmed here
/// (see the module comment) and must be read with serde.
pub(super) fn skim_entity(line: &str) -> Option<SkimmedEntity<'_>> {
    let mut c = Cursor {
        bytes: line.as_bytes(),
        at: 0,
        text: line,
    };
    let mut out = SkimmedEntity::default();
    let (mut id, mut schema, mut properties) = (false, false, false);
    c.object(|c, key| match key {
        "id" => {
            first(&mut id)?;
            out.id = c.plain_string()?;
            Some(())
        }
        "schema" => {
            first(&mut schema)?;
            if c.peek()? == b'n' {
                c.literal(b"null")
            } else {
                out.schema = Some(c.plain_string()?);
                Some(())
            }
        }
        "properties" => {
            first(&mut properties)?;
            c.properties(&mut out)
        }
        _ => c.skip_value(),
    })?;
    c.skip_whitespace();
    (id && c.at == c.bytes.len()).then_some(out)
}

/// `None` when a wanted key was met before (serde refuses a repeated field); marks it met.
fn first(seen: &mut bool) -> Option<()> {
    (!std::mem::replace(seen, true)).then_some(())
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    text: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.skip_whitespace();
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// An object's members, each handed to `member` with the cursor on its value, which
    /// `member` must consume.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.closes(b'}')? {
            return Some(());
        }
        loop {
            let key = self.plain_string()?;
            self.eat(b':')?;
            member(self, key)?;
            if self.next_or_close(b'}')? {
                return Some(());
            }
        }
    }

    /// Whether the next byte is `close` (consumed if so).
    fn closes(&mut self, close: u8) -> Option<bool> {
        let closes = self.peek()? == close;
        self.at += usize::from(closes);
        Some(closes)
    }

    /// After a member or element: a comma (`false`, another follows) or `close` (`true`).
    fn next_or_close(&mut self, close: u8) -> Option<bool> {
        let b = self.peek()?;
        (b == b',' || b == close).then(|| {
            self.at += 1;
            b == close
        })
    }

    /// A string with no escape in it, borrowed; `None` for any other value.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let end = start + memchr2(b'"', b'\\', &self.bytes[start..])?;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // both ends are ASCII quotes, so char boundaries of the line
        Some(&self.text[start..end])
    }

    /// The properties object, keeping the three reference lists the first pass needs.
    fn properties(&mut self, out: &mut SkimmedEntity<'a>) -> Option<()> {
        let mut seen = [false; 3];
        self.object(|c, key| {
            let (slot, list) = match key {
                "entity" => (0, &mut out.entity),
                "holder" => (1, &mut out.holder),
                "addressEntity" => (2, &mut out.address_entity),
                _ => return c.skip_value(),
            };
            first(&mut seen[slot])?;
            c.string_list(list)
        })
    }

    /// An array of plain strings, trimmed, the empty ones left out (as `texts` reads values).
    fn string_list(&mut self, list: &mut Vec<&'a str>) -> Option<()> {
        self.eat(b'[')?;
        if self.closes(b']')? {
            return Some(());
        }
        loop {
            let value = self.plain_string()?.trim();
            if !value.is_empty() {
                list.push(value);
            }
            if self.next_or_close(b']')? {
                return Some(());
            }
        }
    }

    /// Passes over one value of any type: strings by their closing quote, objects and arrays
    /// by their matching bracket.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.at += 1;
                self.skip_string_body()
            }
            b'{' | b'[' => self.skip_nested(),
            _ => self.skip_scalar(),
        }
    }

    /// After an opening quote: up to and past the closing one, escapes passed over.
    fn skip_string_body(&mut self) -> Option<()> {
        loop {
            let i = self.at + memchr2(b'"', b'\\', &self.bytes[self.at..])?;
            if self.bytes[i] == b'"' {
                self.at = i + 1;
                return Some(());
            }
            // a backslash and the character it escapes (a \u escape's digits are plain)
            self.at = i + 2;
        }
    }

    /// An object or array, to its matching bracket. The kinds of the open brackets are kept
    /// as bits, so nesting deeper than 64 is left to serde.
    fn skip_nested(&mut self) -> Option<()> {
        let mut open: u64 = 0;
        let mut depth = 0u32;
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            match b {
                b'"' => self.skip_string_body()?,
                b'{' | b'[' => {
                    if depth == 64 {
                        return None;
                    }
                    open = (open << 1) | u64::from(b == b'{');
                    depth += 1;
                }
                b'}' | b']' => {
                    if depth == 0 || (open & 1 == 1) != (b == b'}') {
                        return None;
                    }
                    open >>= 1;
                    depth -= 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// A number, `true`, `false` or `null`: the run of bytes up to the next delimiter.
    fn skip_scalar(&mut self) -> Option<()> {
        let start = self.at;
        while let Some(&b) = self.bytes.get(self.at) {
            if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.at += 1;
        }
        let token = &self.bytes[start..self.at];
        let number = token
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
        (!token.is_empty() && (number || matches!(token, b"true" | b"false" | b"null")))
            .then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_line_gives_its_id_schema_and_references() {
        // from the OpenSanctions default export: a Sanction and an entity with an address
        let sanction = r#"{"id":"ofac-abc","caption":"Sanction","schema":"Sanction","properties":{"entity":["NK-x1", " "],"program":["SDGT"],"startDate":["2019-01-01"]},"referents":[],"datasets":["us_ofac_sdn"],"first_seen":"2021-09-26T11:19:36","target":false}"#;
        let s = skim_entity(sanction).expect("plain shape");
        assert_eq!(s.id, "ofac-abc");
        assert_eq!(s.schema, Some("Sanction"));
        assert_eq!(s.entity, vec!["NK-x1"]);
        assert!(s.holder.is_empty() && s.address_entity.is_empty());

        let person = r#"{"caption":"Oleg \"Deripaska\"","datasets":["x"],"id":"Q1","properties":{"addressEntity":["addr-1","addr-2"],"notes":["a {b} [c"],"n":[1.5e3,-2,true,null,{"k":[[]]}]},"schema":"Person"}"#;
        let p = skim_entity(person).expect("plain shape");
        assert_eq!((p.id, p.schema), ("Q1", Some("Person")));
        assert_eq!(p.address_entity, vec!["addr-1", "addr-2"]);
    }

    #[test]
    fn a_line_of_another_shape_is_left_to_serde() {
        for line in [
            // an escaped id, a repeated id, no id, a wanted list of objects (nested exports)
            r#"{"id":"a\u0062","schema":"Person"}"#,
            r#"{"id":"a","id":"b"}"#,
            r#"{"schema":"Person"}"#,
            r#"{"id":"a","properties":{"entity":[{"id":"b","caption":"B"}]}}"#,
            // cut off, trailing bytes, brackets that do not match, a bad literal
            r#"{"id":"a","properties":{"name":["x"]"#,
            r#"{"id":"a"} x"#,
            r#"{"id":"a","properties":{"name":["x"}}}"#,
            r#"{"id":"a","target":tru}"#,
            "[1]",
        ] {
            assert_eq!(skim_entity(line), None, "{line}");
        }
    }

    #[test]
    fn the_skim_agrees_with_serde_on_the_real_export_lines() {
        #[derive(serde::Deserialize)]
        struct Full<'a> {
            #[serde(borrow)]
            id: std::borrow::Cow<'a, str>,
            schema: Option<String>,
            #[serde(default)]
            properties: std::collections::BTreeMap<String, serde_json::Value>,
        }
        // the real exports in the fixtures: yente's test dataset and the one made from its deltas
        let text = [
            include_str!("../../tests/fixtures/opensanctions-ftm/entities.ftm.json"),
            include_str!(
                "../../tests/fixtures/opensanctions-index/entities.20240528134729-3iv.ftm.json"
            ),
        ]
        .join("\n");
        let (mut skimmed, mut lines) = (0, 0);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            lines += 1;
            let full: Full = serde_json::from_str(line).expect("the fixture is valid");
            let refs = |key: &str| -> Vec<String> {
                full.properties
                    .get(key)
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::trim))
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            };
            let Some(s) = skim_entity(line) else { continue };
            skimmed += 1;
            assert_eq!(s.id, full.id);
            assert_eq!(s.schema.map(String::from), full.schema);
            assert_eq!(s.entity, refs("entity"));
            assert_eq!(s.holder, refs("holder"));
            assert_eq!(s.address_entity, refs("addressEntity"));
        }
        // an escape in a string the skim passes over does not send a line to serde
        assert_eq!(skimmed, lines, "every real line is of the plain shape");
    }
}
