//! Finding watch names and keyword phrases in news text.
//!
//! Text is cut into whole words first, so nothing ever matches inside a longer word. Words
//! are folded like names (any script to Latin, diacritics and case dropped); a word written
//! in Cyrillic may carry a Russian case ending ("Николаса Мадуро", "Александра Лукашенко").
//!
//! Decisions:
//! - A full name matches when all its parts appear as adjacent words, in any order
//!   ("Maduro, Nicolás"); particles in the text ("bin", "de los") are transparent, and for a
//!   person one extra word may sit inside the name (a patronymic or middle name).
//! - Within a full name, a word may be a transliteration variant of the part (same skeleton,
//!   within two letters in length: "Alyaksandr" for "Alexander").
//! - A person's family name alone counts ("Лукашенко", "Maduro") when it is distinctive: not
//!   the first part of the name, at least six letters, and not one of the commonest family or
//!   given names. Alone it must equal the name's part after folding (Russian endings and the
//!   o/a final vowel aside): a looser rule would make "Madera" a mention of Maduro.
//! - A one-word organisation or vessel name must be capitalised in the text ("Artavil"), so
//!   that a vessel called "Huge" is not found in every sentence with the adjective.
//! - A keyword matches as a phrase of whole words in order, case- and diacritic-insensitive;
//!   a hyphen is a word boundary, so "shadow fleet" is found in "Shadow-fleet tankers", and
//!   not in "shadowfleetly". English plurals are not folded: add "shadow fleets" if wanted.

use super::normalize::{self, normalize, split_words, NameKind, NormName, Script, Token};
use super::translit::{final_vowel_folded, ru_stems};

/// Score of a full name found with every part equal after folding.
const FULL_EXACT: f64 = 1.0;
/// Score of a full name found with some part a transliteration variant.
const FULL_VARIANT: f64 = 0.95;
/// Score of a distinctive family name found alone.
const SURNAME_ALONE: f64 = 0.9;

/// Family and given names too common to mean one person when found alone.
const COMMON_NAMES: &[&str] = &[
    "hassan",
    "hussein",
    "husain",
    "hussain",
    "mohammed",
    "muhammad",
    "mohamed",
    "mohammad",
    "abdullah",
    "abdallah",
    "ibrahim",
    "rahman",
    "mahmoud",
    "ismail",
    "khalil",
    "hamid",
    "ahmadi",
    "rezaei",
    "hosseini",
    "mousavi",
    "johnson",
    "williams",
    "garcia",
    "martinez",
    "rodriguez",
    "hernandez",
    "gonzalez",
    "sanchez",
    "ramirez",
    "torres",
    "flores",
    "rivera",
    "morales",
    "castro",
    "romero",
    "alvarez",
    "moreno",
    "gutierrez",
    "vargas",
    "mendoza",
    "herrera",
    "jimenez",
    "medina",
    "aguilar",
    "chavez",
    "suarez",
    "ivanov",
    "petrov",
    "smirnov",
    "kuznetsov",
    "sokolov",
    "morozov",
    "volkov",
    "novikov",
    "fedorov",
    "nguyen",
    "miller",
    "wilson",
    "taylor",
    "thomas",
    "martin",
    "robinson",
    "walker",
    "wright",
    "wagner",
    "schmidt",
    "schneider",
    "fischer",
    "becker",
    "hoffmann",
    "richter",
    "jackson",
    "harris",
    "thompson",
    "anderson",
    "sullivan",
];

/// One word of the text, with the original spelling for messages.
#[derive(Debug, Clone)]
pub struct Word {
    pub original: String,
    pub token: Token,
    /// The folded word and, if written in Cyrillic, its stems without case endings.
    pub stems: Vec<String>,
    pub capitalised: bool,
    pub particle: bool,
}

/// Cuts text into words.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for raw in text.split_whitespace() {
        let (tokens, _) = split_words(raw, true);
        let original = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let capitalised = original.chars().next().is_some_and(char::is_uppercase);
        for token in tokens {
            let stems = if token.script == Script::Cyrillic {
                ru_stems(&token.text)
            } else {
                vec![token.text.clone()]
            };
            let particle = normalize::is_particle(&token.text);
            out.push(Word {
                original: original.to_string(),
                token,
                stems,
                capitalised,
                particle,
            });
        }
    }
    out
}

/// What a watch item looks for in text.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// "name", "alias", "former name", "keyword".
    pub label: &'static str,
    pub name: NormName,
    pub keyword: bool,
    pub person: bool,
    /// Parts that count alone (distinctive family names).
    pub alone: Vec<usize>,
}

impl Pattern {
    pub fn keyword(phrase: &str) -> Pattern {
        let (tokens, _) = split_words(phrase, true);
        Pattern {
            label: "keyword",
            name: NormName {
                original: phrase.to_string(),
                family: vec![false; tokens.len()],
                tokens,
            },
            keyword: true,
            person: false,
            alone: Vec::new(),
        }
    }

    pub fn name(label: &'static str, name: &str, kind: NameKind) -> Pattern {
        let name = normalize(name, kind);
        let person = kind == NameKind::Person;
        let alone = if person {
            distinctive(&name)
        } else {
            Vec::new()
        };
        Pattern {
            label,
            name,
            keyword: false,
            person,
            alone,
        }
    }
}

/// The parts of a person's name that are distinctive enough to count alone.
fn distinctive(name: &NormName) -> Vec<usize> {
    let has_family = name.family.iter().any(|f| *f);
    (0..name.tokens.len())
        .filter(|&i| {
            let family_part = if has_family {
                name.family[i]
            } else {
                i > 0 || name.tokens.len() == 1
            };
            let t = &name.tokens[i].text;
            family_part && t.len() >= 6 && !COMMON_NAMES.contains(&t.as_str())
        })
        .collect()
}

/// A pattern found in text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub score: f64,
    /// The words of the text, as written.
    pub text: String,
    /// Per matched part: `word=part` or `word≈part`.
    pub parts: Vec<String>,
    pub alone: bool,
}

/// How a text word relates to a part: equal after folding (and Russian endings), or a
/// transliteration variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordVia {
    Equal,
    Variant,
}

fn word_matches(word: &Word, part: &Token, allow_variant: bool) -> Option<WordVia> {
    if word.stems.contains(&part.text) {
        return Some(WordVia::Equal);
    }
    if word.token.script == Script::Cyrillic && part.script == Script::Cyrillic {
        let part_stems = ru_stems(&part.text);
        if word.stems.iter().any(|s| part_stems.contains(s)) {
            return Some(WordVia::Equal);
        }
    }
    if !allow_variant {
        return None;
    }
    let folded = final_vowel_folded(&part.text);
    let variant = word.stems.iter().any(|s| {
        let skeleton = super::translit::skeleton(s);
        final_vowel_folded(s) == folded
            || (skeleton == part.key
                && skeleton.len() >= 3
                && s.len().abs_diff(part.text.len()) <= 2)
    });
    variant.then_some(WordVia::Variant)
}

/// Finds a pattern in the words of a text; the best finding.
pub fn find(pattern: &Pattern, words: &[Word]) -> Option<Found> {
    if pattern.name.tokens.is_empty() {
        return None;
    }
    if pattern.keyword {
        return find_phrase(pattern, words);
    }
    find_name(pattern, words).or_else(|| find_alone(pattern, words))
}

fn find_phrase(pattern: &Pattern, words: &[Word]) -> Option<Found> {
    let n = pattern.name.tokens.len();
    (0..words.len().saturating_sub(n - 1)).find_map(|start| {
        let window = &words[start..start + n];
        let all = window
            .iter()
            .zip(&pattern.name.tokens)
            .all(|(w, t)| word_matches(w, t, false).is_some());
        all.then(|| Found {
            score: FULL_EXACT,
            text: originals(window.iter()),
            parts: Vec::new(),
            alone: false,
        })
    })
}

/// A full name: its parts as adjacent words in any order, particles skipped, for a person one
/// extra word inside.
fn find_name(pattern: &Pattern, words: &[Word]) -> Option<Found> {
    let parts = &pattern.name.tokens;
    let content: Vec<&Word> = words.iter().filter(|w| !w.particle).collect();
    let n = parts.len();
    let single_word_entity = n == 1 && !pattern.person;
    let mut best: Option<Found> = None;
    for size in [n, n + 1] {
        if size == n + 1 && (!pattern.person || n < 2) {
            break;
        }
        for start in 0..content.len().saturating_sub(size - 1) {
            let window = &content[start..start + size];
            if single_word_entity && !window[0].capitalised {
                continue;
            }
            if let Some(found) = match_window(parts, window) {
                if best.as_ref().is_none_or(|b| found.score > b.score) {
                    best = Some(found);
                }
            }
        }
        if best.is_some() {
            break;
        }
    }
    best
}

/// Every part matched to a distinct word of the window; an extra word only inside.
fn match_window(parts: &[Token], window: &[&Word]) -> Option<Found> {
    let mut used = vec![false; window.len()];
    let mut described = Vec::new();
    let mut variant = false;
    for part in parts {
        let (j, via) = window.iter().enumerate().find_map(|(j, w)| {
            if used[j] {
                return None;
            }
            word_matches(w, part, true).map(|via| (j, via))
        })?;
        used[j] = true;
        variant |= via == WordVia::Variant;
        described.push(describe(window[j], part, via));
    }
    if window.len() > parts.len() && (!used[0] || !used[window.len() - 1]) {
        return None;
    }
    Some(Found {
        score: if variant { FULL_VARIANT } else { FULL_EXACT },
        text: originals(window.iter().copied()),
        parts: described,
        alone: false,
    })
}

fn find_alone(pattern: &Pattern, words: &[Word]) -> Option<Found> {
    pattern.alone.iter().find_map(|&i| {
        let part = &pattern.name.tokens[i];
        words.iter().find_map(|w| {
            let strict = word_matches(w, part, false).is_some()
                || w.stems
                    .iter()
                    .any(|s| final_vowel_folded(s) == final_vowel_folded(&part.text));
            strict.then(|| Found {
                score: SURNAME_ALONE,
                text: w.original.clone(),
                parts: vec![describe(w, part, WordVia::Equal)],
                alone: true,
            })
        })
    })
}

fn describe(word: &Word, part: &Token, via: WordVia) -> String {
    let shown = normalize::fold(&word.original);
    let op = match via {
        WordVia::Equal => "=",
        WordVia::Variant => "≈",
    };
    if shown == word.token.text && word.token.text == part.text {
        format!("{}={}", word.token.text, part.text)
    } else {
        format!("{}{op}{}", word.original.to_lowercase(), part.text)
    }
}

fn originals<'a>(words: impl Iterator<Item = &'a Word>) -> String {
    let mut out: Vec<&str> = Vec::new();
    for w in words {
        if out.last() != Some(&w.original.as_str()) {
            out.push(&w.original);
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, text: &str) -> Option<Found> {
        find(&Pattern::name("name", name, NameKind::Person), &words(text))
    }

    #[test]
    fn russian_inflected_full_names() {
        let f = person("Alexander Lukashenko", "Александр Лукашенко ждёт визита").unwrap();
        assert_eq!(f.text, "Александр Лукашенко");
        let f = person("Alexander Lukashenko", "встреча с Александра Лукашенко").unwrap();
        assert_eq!(f.text, "Александра Лукашенко");
        let f = person("Nicolas Maduro", "ждёт визита Николаса Мадуро.").unwrap();
        assert_eq!(f.text, "Николаса Мадуро");
        assert!(!f.alone);
    }

    #[test]
    fn distinctive_surname_alone() {
        let f = person("Alexander Lukashenko", "Джон Коул жмет руку Лукашенко").unwrap();
        assert!(f.alone);
        assert_eq!(f.text, "Лукашенко");
        let f = person("Nicolás Maduro Moros", "Talks with Maduro stall").unwrap();
        assert_eq!(f.text, "Maduro");
        // Belarusian spelling of the surname alone
        assert!(person("Alexander Lukashenko", "Lukashenka said").is_some());
        // a similar word is not the surname
        assert!(person("Nicolás Maduro Moros", "una mesa de madera").is_none());
        // "Moros" is too short to stand alone; a given name never does
        assert!(person("Nicolás Maduro Moros", "los moros").is_none());
        assert!(person("Nicolás Maduro Moros", "Nicolas Sarkozy").is_none());
        // common family names do not count alone
        assert!(person("Ali Hassan", "Hassan Rouhani").is_none());
    }

    #[test]
    fn never_inside_longer_words() {
        assert!(person("Alexander Lukashenko", "лукашенковский режим").is_none());
        assert!(person("Nicolas Maduro", "madurismo").is_none());
    }

    #[test]
    fn names_with_particles_and_patronymics() {
        assert!(person("Alexander Lukashenko", "Александр Григорьевич Лукашенко").is_some());
        let org = Pattern::name("name", "Cartel de los Soles", NameKind::Organization);
        assert!(find(&org, &words("лица, связанные с (Cártel de los Soles)")).is_some());
    }

    #[test]
    fn single_word_vessel_needs_capital() {
        let v = Pattern::name("name", "Huge", NameKind::Vessel);
        assert!(find(&v, &words("a huge fire")).is_none());
        assert!(find(&v, &words("tanker Huge seized")).is_some());
    }

    #[test]
    fn keyword_phrases() {
        let k = Pattern::keyword("shadow fleet");
        assert!(find(&k, &words("Shadow-fleet tankers detained")).is_some());
        assert!(find(&k, &words("the SHADOW FLEET grows")).is_some());
        assert!(find(&k, &words("shadowfleetly")).is_none());
        assert!(find(&k, &words("fleet in the shadow")).is_none());
        let k = Pattern::keyword("теневой флот");
        assert!(find(&k, &words("танкеры теневого флота")).is_some());
    }
}
