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
//!   o/a final vowel aside): a looser rule would make "Madera" a mention of Maduro. It scores
//!   below a full name and the reason says the full name is missing.
//! - A family name is not a person: when the item gives it a given name or patronymic that is
//!   not the watch name's ("Александр Лукашенко" for "Viktar Lukashenka", "Николаса Мадуро" for
//!   "Cilia Flores de Maduro"), the item is about that other person, bare mentions included;
//!   a capitalised word before the surname is a given name unless it is a title or a common
//!   sentence opener ([`NOT_GIVEN_NAMES`]) or punctuation stands between them. And when another
//!   watch item's full name covers the family name's words, it is that item's mention
//!   ([`super::Matcher::match_feed_item`]).
//! - Cyrillic words lose Russian, Ukrainian and Belarusian case endings, keywords as names
//!   ("санкции" ~ "санкциями"); Arabic-script words are compared with Latin parts by how they
//!   can be spelt, as list names are.
//! - A one-word organisation or vessel name must be capitalised in the text ("Artavil"), so
//!   that a vessel called "Huge" is not found in every sentence with the adjective.
//! - A keyword matches as a phrase of whole words in order, case- and diacritic-insensitive;
//!   a hyphen is a word boundary, so "shadow fleet" is found in "Shadow-fleet tankers", and
//!   not in "shadowfleetly". English plurals are not folded: add "shadow fleets" if wanted.
//! - Only the watch items that share a key with some word of the text are looked for
//!   ([`NewsIndex`]), as list entries go through the candidate index; and a watch name is
//!   looked for only where its parts are: each text is indexed once by the forms of its words
//!   ([`Place`]), so a long article costs a few lookups per candidate, not a slide over every
//!   word.

use std::collections::{HashMap, HashSet};

use super::normalize::{self, normalize, split_words, NameKind, NormName, Script, Token};
use super::translit::{self, final_vowel_folded, ru_stems};

/// Score of a full name found with every part equal after folding.
const FULL_EXACT: f64 = 1.0;
/// Score of a full name found with some part a transliteration variant.
const FULL_VARIANT: f64 = 0.95;
/// Score of a distinctive family name found alone.
const SURNAME_ALONE: f64 = 0.88;

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

/// Words that are capitalised before a name without being a given name: titles, and the
/// commonest words that open a sentence, in the languages of the feeds we read (folded).
const NOT_GIVEN_NAMES: &[&str] = &[
    // titles and roles
    "president",
    "presidente",
    "prezident",
    "prasident",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sr",
    "sra",
    "don",
    "dona",
    "herr",
    "frau",
    "monsieur",
    "madame",
    "mme",
    "senor",
    "senora",
    "minister",
    "ministre",
    "ministro",
    "premier",
    "leader",
    "general",
    "gen",
    "colonel",
    "col",
    "judge",
    "sir",
    "lord",
    "king",
    "queen",
    "prince",
    "sheikh",
    "shaikh",
    "emir",
    "ayatollah",
    "imam",
    "comrade",
    "tovarishch",
    "gospodin",
    "gospozha",
    "glava",
    "lider",
    "premer",
    "ministr",
    "general",
    "marshal",
    "chancellor",
    "kanzler",
    "kanzlerin",
    "senator",
    "governor",
    "gubernator",
    "mayor",
    "mer",
    "ambassador",
    "posol",
    "director",
    "direktor",
    "ceo",
    "chief",
    "chairman",
    "spokesman",
    "secretary",
    "sekretar",
    "envoy",
    "dictator",
    "diktator",
    "strongman",
    "regime",
    "rezhim",
    "family",
    "semya",
    "clan",
    "klan",
    "vice",
    // sentence openers and function words
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "by",
    "with",
    "from",
    "for",
    "and",
    "but",
    "or",
    "when",
    "after",
    "before",
    "while",
    "as",
    "if",
    "so",
    "then",
    "yesterday",
    "today",
    "tomorrow",
    "says",
    "said",
    "his",
    "her",
    "their",
    "its",
    "our",
    "this",
    "that",
    "these",
    "those",
    "now",
    "also",
    "meanwhile",
    "under",
    "against",
    "about",
    "between",
    "of",
    "to",
    "not",
    "only",
    "even",
    "both",
    "why",
    "how",
    "what",
    "who",
    "where",
    "says",
    "told",
    "met",
    "meets",
    "v",
    "vo",
    "na",
    "s",
    "so",
    "i",
    "no",
    "a",
    "kak",
    "chto",
    "eto",
    "po",
    "k",
    "ot",
    "u",
    "za",
    "pri",
    "dlia",
    "dlya",
    "vchera",
    "segodnia",
    "segodnya",
    "zavtra",
    "odnako",
    "poka",
    "esli",
    "kogda",
    "tozhe",
    "takzhe",
    "zdes",
    "tam",
    "vot",
    "uzhe",
    "eshche",
    "tolko",
    "der",
    "die",
    "das",
    "ein",
    "eine",
    "und",
    "mit",
    "von",
    "fur",
    "auf",
    "bei",
    "nach",
    "heute",
    "gestern",
    "le",
    "la",
    "les",
    "un",
    "une",
    "et",
    "avec",
    "pour",
    "par",
    "sur",
    "el",
    "los",
    "las",
    "y",
    "con",
    "por",
    "para",
    "en",
    "hoy",
    "ayer",
    "il",
    "lo",
    "gli",
];

/// One word of the text, with the original spelling and where it stands.
#[derive(Debug, Clone)]
pub struct Word {
    pub original: String,
    pub token: Token,
    /// The folded word and, if written in Cyrillic, its stems without case endings.
    pub stems: Vec<String>,
    pub capitalised: bool,
    pub particle: bool,
    /// Byte range of the word as written in the text (its piece without punctuation).
    pub start: usize,
    pub end: usize,
    /// Punctuation (a full stop, a comma, a bracket…) stands between it and the word before:
    /// the two are not one name.
    pub separated: bool,
    /// Per stem, its final vowel folded and its skeleton: made once per word, as every
    /// candidate watch name compares its parts with them.
    forms: Vec<Forms>,
}

#[derive(Debug, Clone)]
struct Forms {
    folded: String,
    skeleton: String,
}

impl Forms {
    fn of(stem: &str) -> Forms {
        Forms {
            folded: final_vowel_folded(stem),
            skeleton: translit::skeleton(stem),
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}'
    )
}

/// Marks that end a clause: a name does not run across them.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '«'
            | '»'
            | '"'
            | '“'
            | '”'
            | '„'
            | '|'
            | '—'
            | '–'
            | '…'
            | '/'
    )
}

/// Cuts text into words.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let base = text.as_ptr() as usize;
    let mut trailing_separator = false;
    for raw in text.split_whitespace() {
        let trimmed_start = raw.trim_start_matches(|c: char| !c.is_alphanumeric());
        let original = trimmed_start.trim_end_matches(|c: char| !c.is_alphanumeric());
        let leading = &raw[..raw.len() - trimmed_start.len()];
        let trailing = &trimmed_start[original.len()..];
        let mut separated = trailing_separator || leading.chars().any(is_separator);
        trailing_separator = trailing.chars().any(is_separator);
        // An apostrophe ends an English possessive ("Maduro's", "Hunt’s"), which is a word of
        // its own; in romanised Cyrillic it is a soft sign inside the word ("Григорьевич" →
        // grigor'evich), which stays one word.
        let cyrillic = raw.chars().any(normalize::is_cyrillic);
        let pieces: Vec<&str> = if cyrillic {
            vec![original]
        } else {
            original.split(is_apostrophe).collect()
        };
        for piece in pieces {
            let piece_start = piece.as_ptr() as usize - base;
            let (tokens, _) = split_words(piece, false);
            for token in tokens {
                let stems = if token.script == Script::Cyrillic {
                    inflection_stems(&token.text)
                } else {
                    vec![token.text.clone()]
                };
                let particle = normalize::is_particle(&token.text);
                let forms = stems.iter().map(|s| Forms::of(s)).collect();
                out.push(Word {
                    original: piece.to_string(),
                    token,
                    stems,
                    capitalised: piece.chars().next().is_some_and(char::is_uppercase),
                    particle,
                    start: piece_start,
                    end: piece_start + piece.len(),
                    separated,
                    forms,
                });
                separated = false;
            }
        }
    }
    out
}

/// Endings of Ukrainian and Belarusian (and Russian plural) forms that [`ru_stems`] does not
/// strip, as transliterated: "санкціями", "санкциями" (-ями), "Лукашенкові" (-ові), "Мадуро"
/// is indeclinable but "Лукашэнкам" (-ам) is Belarusian.
const MORE_ENDINGS: &[&str] = &[
    "iiami", "iyami", "yami", "iami", "ami", "iakh", "iyakh", "ovi", "evi", "oiu", "oyu", "eiu",
    "eyu", "iu", "oho", "ieho", "ego", "omu", "iv", "ov", "ev", "ii", "iy", "ij", "yi",
];

/// Stems of a Cyrillic word: [`ru_stems`], and the word without each ending of
/// [`MORE_ENDINGS`] (a stem keeps at least four letters).
fn inflection_stems(word: &str) -> Vec<String> {
    let mut stems = ru_stems(word);
    for e in MORE_ENDINGS {
        if let Some(stem) = word.strip_suffix(e) {
            if stem.len() >= 4 && !stems.iter().any(|s| s == stem) {
                stems.push(stem.to_string());
            }
        }
    }
    stems
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
    /// Per part of `name`, the forms every text word is compared with, made once.
    parts: Vec<PartForms>,
}

/// A part's final vowel folded and, for a Cyrillic part, its stems without case endings.
#[derive(Debug, Clone)]
struct PartForms {
    folded: String,
    stems: Vec<String>,
}

impl PartForms {
    fn of(name: &NormName) -> Vec<PartForms> {
        name.tokens
            .iter()
            .map(|t| PartForms {
                folded: final_vowel_folded(&t.text),
                stems: if t.script == Script::Cyrillic {
                    inflection_stems(&t.text)
                } else {
                    Vec::new()
                },
            })
            .collect()
    }
}

impl Pattern {
    pub fn keyword(phrase: &str) -> Pattern {
        let (tokens, _) = split_words(phrase, true);
        let name = NormName {
            original: phrase.to_string(),
            family: vec![false; tokens.len()],
            tokens,
            joins: Default::default(),
        };
        Pattern {
            label: "keyword",
            parts: PartForms::of(&name),
            name,
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
            parts: PartForms::of(&name),
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
    /// Only a family name was found.
    pub alone: bool,
    /// Byte range in the text from the first matched word to the last.
    pub span: (usize, usize),
    /// For a family name alone: every place (index) and span where it occurs, so that a
    /// fuller name of another watch item covering any of them can claim it.
    pub occurrences: Vec<(usize, (usize, usize))>,
}

/// How a text word relates to a part: equal after folding (and Russian endings), or a
/// transliteration variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordVia {
    Equal,
    Variant,
}

fn word_matches(
    word: &Word,
    part: &Token,
    forms: &PartForms,
    allow_variant: bool,
) -> Option<WordVia> {
    if word.stems.contains(&part.text) {
        return Some(WordVia::Equal);
    }
    if word.token.script == Script::Cyrillic
        && part.script == Script::Cyrillic
        && word.stems.iter().any(|s| forms.stems.contains(s))
    {
        return Some(WordVia::Equal);
    }
    if !allow_variant {
        return None;
    }
    // Arabic script writes no short vowels: "مادورو" is compared with "Maduro" by how it can
    // be spelt, as list names are.
    if (word.token.script == Script::Arabic) != (part.script == Script::Arabic) {
        let (arabic, latin) = if word.token.script == Script::Arabic {
            (&word.token, part)
        } else {
            (part, &word.token)
        };
        let fits = arabic.text.len() >= 3
            && latin.text.len() >= 3
            && translit::spellings_fit(arabic.spelling(), latin.spelling());
        return fits.then_some(WordVia::Variant);
    }
    let variant = word.stems.iter().zip(&word.forms).any(|(s, f)| {
        f.folded == forms.folded
            || (f.skeleton == part.key
                && f.skeleton.len() >= 3
                && s.len().abs_diff(part.text.len()) <= 2)
    });
    variant.then_some(WordVia::Variant)
}

/// The words of one text (a title, a summary, an article), with where each form of each word
/// stands, so that a pattern looks only at the places where its parts could be instead of
/// sliding over every word of a long article.
#[derive(Debug, Clone)]
pub struct Place {
    pub words: Vec<Word>,
    /// Indices of the words that are not particles: a name's parts are adjacent among these.
    content: Vec<u32>,
    /// Each word's position in `content` (particles: the position of the next content word).
    content_at: Vec<u32>,
    /// Word indices by each stem, folded stem and skeleton of the word.
    by_form: HashMap<String, Vec<u32>>,
    /// Words in Arabic script, and words in any other: compared across scripts by spelling,
    /// which no form captures.
    arabic: Vec<u32>,
    not_arabic: Vec<u32>,
}

impl Place {
    pub fn new(words: Vec<Word>) -> Place {
        let mut place = Place {
            content: Vec::new(),
            content_at: Vec::with_capacity(words.len()),
            by_form: HashMap::new(),
            arabic: Vec::new(),
            not_arabic: Vec::new(),
            words: Vec::new(),
        };
        for (k, w) in words.iter().enumerate() {
            let k = k as u32;
            place.content_at.push(place.content.len() as u32);
            if !w.particle {
                place.content.push(k);
            }
            if w.token.script == Script::Arabic {
                place.arabic.push(k);
            } else {
                place.not_arabic.push(k);
            }
            for (s, f) in w.stems.iter().zip(&w.forms) {
                for form in [s, &f.folded, &f.skeleton] {
                    let at = place.by_form.entry(form.clone()).or_default();
                    if at.last() != Some(&k) {
                        at.push(k);
                    }
                }
            }
        }
        place.words = words;
        place
    }

    pub fn of(text: &str) -> Place {
        Place::new(words(text))
    }

    /// Indices (ascending) of the words that may match `part`: a superset, each still to be
    /// checked with [`word_matches`].
    fn maybe(&self, part: &Token, forms: &PartForms, allow_variant: bool) -> Vec<u32> {
        let mut at: Vec<u32> = Vec::new();
        let mut add = |key: &str| {
            if let Some(ks) = self.by_form.get(key) {
                at.extend(ks);
            }
        };
        add(&part.text);
        for s in &forms.stems {
            add(s);
        }
        if allow_variant {
            add(&forms.folded);
            add(&part.key);
            if part.script == Script::Arabic {
                at.extend(&self.not_arabic);
            } else {
                at.extend(&self.arabic);
            }
        }
        at.sort_unstable();
        at.dedup();
        at
    }

    /// The words that match `part`, ascending.
    fn matching(&self, part: &Token, forms: &PartForms, allow_variant: bool) -> Vec<u32> {
        let mut at = self.maybe(part, forms, allow_variant);
        at.retain(|&k| word_matches(&self.words[k as usize], part, forms, allow_variant).is_some());
        at
    }
}

/// Finds a pattern in the words of one text; the best finding.
pub fn find(pattern: &Pattern, words: &[Word]) -> Option<Found> {
    find_in(pattern, &[Place::new(words.to_vec())]).map(|(_, f)| f)
}

/// Finds a pattern in the several texts of one item (title, summary, content): a keyword in
/// the first that has it, a full name where it scores best (the first on a tie), else a
/// distinctive family name alone, unless the item gives that family name to somebody else
/// (see [`given_to_another`]). Returns the index of the text and the finding.
pub fn find_in(pattern: &Pattern, places: &[Place]) -> Option<(usize, Found)> {
    if pattern.name.tokens.is_empty() {
        return None;
    }
    if pattern.keyword {
        return places
            .iter()
            .enumerate()
            .find_map(|(p, place)| find_phrase(pattern, place).map(|f| (p, f)));
    }
    let mut best: Option<(usize, Found)> = None;
    for (p, place) in places.iter().enumerate() {
        if let Some(found) = find_name(pattern, place) {
            if best.as_ref().is_none_or(|(_, b)| found.score > b.score) {
                best = Some((p, found));
            }
        }
    }
    best.or_else(|| find_alone(pattern, places))
}

fn find_phrase(pattern: &Pattern, place: &Place) -> Option<Found> {
    let words = &place.words;
    let n = pattern.name.tokens.len();
    let first = &pattern.name.tokens[0];
    // a phrase starts where its first word is
    place
        .maybe(first, &pattern.parts[0], false)
        .into_iter()
        .map(|k| k as usize)
        .filter(|&start| start + n <= words.len())
        .find_map(|start| {
            let window = &words[start..start + n];
            if window[1..].iter().any(|w| w.separated) {
                return None;
            }
            let all = window
                .iter()
                .zip(pattern.name.tokens.iter().zip(&pattern.parts))
                .all(|(w, (t, f))| word_matches(w, t, f, false).is_some());
            all.then(|| Found {
                score: FULL_EXACT,
                text: originals(window.iter()),
                parts: Vec::new(),
                alone: false,
                span: (window[0].start, window[n - 1].end),
                occurrences: Vec::new(),
            })
        })
}

/// A full name: its parts as adjacent words in any order, particles skipped, for a person one
/// extra word inside.
fn find_name(pattern: &Pattern, place: &Place) -> Option<Found> {
    let parts = &pattern.name.tokens;
    let n = parts.len();
    // Every part must match some word; the windows worth trying are those around the words
    // of the part that matches fewest (in positions among the content words).
    let mut rarest: Option<Vec<u32>> = None;
    for (part, forms) in parts.iter().zip(&pattern.parts) {
        let at = place.matching(part, forms, true);
        if at.is_empty() {
            return None;
        }
        if rarest.as_ref().is_none_or(|r| at.len() < r.len()) {
            rarest = Some(at);
        }
    }
    let anchors: Vec<usize> = rarest?
        .into_iter()
        .filter(|&k| !place.words[k as usize].particle)
        .map(|k| place.content_at[k as usize] as usize)
        .collect();
    let content: Vec<&Word> = place
        .content
        .iter()
        .map(|&k| &place.words[k as usize])
        .collect();
    let single_word_entity = n == 1 && !pattern.person;
    let mut best: Option<Found> = None;
    for size in [n, n + 1] {
        if size == n + 1 && (!pattern.person || n < 2) {
            break;
        }
        if content.len() < size {
            break;
        }
        let mut starts: Vec<usize> = anchors
            .iter()
            .flat_map(|&a| a.saturating_sub(size - 1)..=a.min(content.len() - size))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for start in starts {
            let window = &content[start..start + size];
            if single_word_entity && !window[0].capitalised {
                continue;
            }
            // "… said Putin. Lukashenko replied" names nobody called "Putin Lukashenko"
            if window[1..].iter().any(|w| w.separated) && n > 1 {
                continue;
            }
            if let Some(found) = match_window(pattern, window) {
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
fn match_window(pattern: &Pattern, window: &[&Word]) -> Option<Found> {
    let parts = &pattern.name.tokens;
    let mut used = vec![false; window.len()];
    let mut described = Vec::new();
    let mut variant = false;
    for (part, forms) in parts.iter().zip(&pattern.parts) {
        let (j, via) = window.iter().enumerate().find_map(|(j, w)| {
            if used[j] {
                return None;
            }
            word_matches(w, part, forms, true).map(|via| (j, via))
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
        span: (window[0].start, window[window.len() - 1].end),
        occurrences: Vec::new(),
    })
}

/// A distinctive family name alone, where the item does not give it to somebody else.
fn find_alone(pattern: &Pattern, places: &[Place]) -> Option<(usize, Found)> {
    pattern.alone.iter().find_map(|&i| {
        let part = &pattern.name.tokens[i];
        let forms = &pattern.parts[i];
        let mut occurrences = Vec::new();
        for (p, place) in places.iter().enumerate() {
            let words = &place.words;
            // the strict rule below needs an equal stem or an equal folded stem
            let mut at = place.maybe(part, forms, false);
            if let Some(ks) = place.by_form.get(&forms.folded) {
                at.extend(ks);
                at.sort_unstable();
                at.dedup();
            }
            for k in at.into_iter().map(|k| k as usize) {
                let w = &words[k];
                let strict = word_matches(w, part, forms, false).is_some()
                    || w.forms.iter().any(|f| f.folded == forms.folded);
                if strict {
                    if given_to_another(pattern, words, k) {
                        return None;
                    }
                    occurrences.push((p, k));
                }
            }
        }
        let &(p, k) = occurrences.first()?;
        let w = &places[p].words[k];
        Some((
            p,
            Found {
                score: SURNAME_ALONE,
                text: w.original.clone(),
                parts: vec![describe(w, part, WordVia::Equal)],
                alone: true,
                span: (w.start, w.end),
                occurrences: occurrences
                    .iter()
                    .map(|&(p, k)| (p, (places[p].words[k].start, places[p].words[k].end)))
                    .collect(),
            },
        ))
    })
}

/// Whether the family name at `words[k]` comes with a given name or patronymic that is not
/// the pattern's ("Александр Лукашенко" for "Viktar Lukashenka", "Cilia Flores de Maduro" for
/// "Nicolás Maduro Guerra"): then the item is about that other person, and a bare "Лукашенко"
/// later in it most likely too, as news names a person in full once and by surname after.
fn given_to_another(pattern: &Pattern, words: &[Word], k: usize) -> bool {
    let own = |w: &Word| {
        pattern
            .name
            .tokens
            .iter()
            .zip(&pattern.parts)
            .any(|(t, f)| word_matches(w, t, f, true).is_some())
    };
    let name_like = |w: &Word| {
        w.capitalised
            && w.token.text.len() >= 2
            && w.token.text.chars().all(|c| c.is_ascii_alphabetic())
            && !(w.original.chars().all(|c| !c.is_lowercase()) && w.original.chars().count() <= 4)
            && !NOT_GIVEN_NAMES.contains(&w.token.text.as_str())
    };
    let is_patronymic = |t: &str| {
        ["vich", "vna", "ichna", "ich"]
            .iter()
            .any(|e| t.ends_with(e))
    };
    let has_patronymic = pattern.name.tokens.iter().any(|t| is_patronymic(&t.text));
    // the nearest word before, across particles ("Flores de Maduro") and, when the watch name
    // gives none, a patronymic ("Александр Григорьевич Лукашенко")
    let mut j = k;
    while j > 0 && !words[j].separated {
        j -= 1;
        let w = &words[j];
        if w.particle || (!has_patronymic && is_patronymic(&w.token.text) && w.capitalised) {
            continue;
        }
        if name_like(w) && !own(w) {
            return true;
        }
        break;
    }
    // the Russian official order: "Лукашенко Александр Григорьевич"
    if let (Some(given), Some(patronymic)) = (words.get(k + 1), words.get(k + 2)) {
        if !given.separated
            && !patronymic.separated
            && given.token.script == Script::Cyrillic
            && name_like(given)
            && !own(given)
            && is_patronymic(&patronymic.token.text)
        {
            return true;
        }
    }
    false
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

/// How far a quote reaches on either side of the match when the sentence is longer.
const QUOTE_REACH: usize = 200;

/// The sentence of `text` around `span`: (before, matched, after), "…" where cut short.
pub fn quote(text: &str, span: (usize, usize)) -> (String, String, String) {
    let (from, to) = (span.0.min(text.len()), span.1.min(text.len()).max(span.0));
    let ends_sentence = |c: char| matches!(c, '.' | '!' | '?' | '…' | '\n');
    // the sentence starts after the last sentence end (followed by a space) before the match
    let mut start = 0;
    let before_text = &text[..from];
    for (i, c) in before_text.char_indices().rev() {
        let next = before_text[i + c.len_utf8()..].chars().next();
        if ends_sentence(c) && (c == '\n' || next.is_some_and(char::is_whitespace)) {
            start = i + c.len_utf8();
            break;
        }
    }
    let mut end = text.len();
    let after_text = &text[to..];
    for (i, c) in after_text.char_indices() {
        let next = after_text[i + c.len_utf8()..].chars().next();
        if ends_sentence(c) && (c == '\n' || next.is_none_or(char::is_whitespace)) {
            end = to + i + if c == '\n' { 0 } else { c.len_utf8() };
            break;
        }
    }
    let mut before = text[start..from].trim_start().to_string();
    if before.chars().count() > QUOTE_REACH {
        let cut: String = before
            .chars()
            .rev()
            .take(QUOTE_REACH)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let cut = cut
            .split_once(' ')
            .map_or(cut.as_str(), |(_, rest)| rest)
            .to_string();
        before = format!("…{cut}");
    }
    let mut after = text[to..end].trim_end().to_string();
    if after.chars().count() > QUOTE_REACH {
        let cut: String = after.chars().take(QUOTE_REACH).collect();
        let cut = cut
            .rsplit_once(' ')
            .map_or(cut.as_str(), |(head, _)| head)
            .to_string();
        after = format!("{cut}…");
    }
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut b = one_line(&before);
    if before.ends_with(char::is_whitespace) && !b.is_empty() {
        b.push(' ');
    }
    let a = one_line(&after);
    let a = if after.starts_with(char::is_whitespace) && !a.is_empty() {
        format!(" {a}")
    } else {
        a
    };
    (b, one_line(&text[from..to]), a)
}

/// Which watch items a text could mention: keys of every part of every pattern (folded form,
/// stems, final vowel folded, skeleton), so that an item is scored only when some word of the
/// text shares a key with one of its parts, as list entries are screened through
/// [`super::index`].
#[derive(Debug, Default)]
pub struct NewsIndex {
    by_key: HashMap<String, Vec<u32>>,
    /// Items with a part not written in Arabic script: a word in Arabic script is compared
    /// with them by spelling, which no key captures, so they are all candidates then.
    latin_named: Vec<u32>,
    /// Items with a part in Arabic script, compared with Latin words by spelling: always
    /// candidates (few watch items carry one).
    arabic_named: Vec<u32>,
}

impl NewsIndex {
    /// `patterns[i]` are the patterns of watch item `i`.
    pub fn build<'a>(patterns: impl IntoIterator<Item = &'a [Pattern]>) -> NewsIndex {
        let mut index = NewsIndex::default();
        for (i, item) in patterns.into_iter().enumerate() {
            let i = i as u32;
            let mut latin = false;
            let mut arabic = false;
            for pattern in item {
                for (part, forms) in pattern.name.tokens.iter().zip(&pattern.parts) {
                    latin |= !pattern.keyword && part.script != Script::Arabic;
                    arabic |= !pattern.keyword && part.script == Script::Arabic;
                    // a Cyrillic part's stems are in its forms; other parts have none
                    let keys = [&part.text, &forms.folded, &part.key]
                        .into_iter()
                        .chain(&forms.stems);
                    for key in keys {
                        let list = index.by_key.entry(key.clone()).or_default();
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                }
            }
            if latin {
                index.latin_named.push(i);
            }
            if arabic {
                index.arabic_named.push(i);
            }
        }
        index
    }

    /// Watch items (by index, ascending) that some word of `places` could match.
    pub fn candidates(&self, places: &[Place]) -> Vec<usize> {
        let mut out: HashSet<u32> = HashSet::new();
        let mut arabic = false;
        for place in places {
            arabic |= !place.arabic.is_empty();
            // every stem, folded stem and skeleton of the text's words, each looked up once
            for key in place.by_form.keys() {
                if let Some(items) = self.by_key.get(key) {
                    out.extend(items);
                }
            }
        }
        if arabic {
            out.extend(&self.latin_named);
        }
        out.extend(&self.arabic_named);
        let mut out: Vec<usize> = out.into_iter().map(|i| i as usize).collect();
        out.sort_unstable();
        out
    }
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

    #[test]
    fn a_surname_given_to_another_person_is_not_ours() {
        let son = "Viktar Lukashenka";
        assert!(person(son, "Александр Лукашенко ждёт визита").is_none());
        assert!(person(son, "Александр Григорьевич Лукашенко ждёт").is_none());
        assert!(person(son, "Лукашенко Александр Григорьевич подписал").is_none());
        // a bare surname later in the same text is the person named in full before
        let places = [
            Place::of("Джон Коул жмет руку Лукашенко"),
            Place::of("Александр Лукашенко ждёт визита"),
        ];
        let p = Pattern::name("name", son, NameKind::Person);
        assert!(find_in(&p, &places).is_none());
        // titles, sentence openers and punctuation give no other given name
        assert!(person(son, "President Lukashenko met").is_some_and(|f| f.alone));
        assert!(person(son, "Вчера Лукашенко заявил").is_some());
        assert!(person(son, "said Putin. Lukashenko replied").is_some());
        assert!(person(son, "Putin, Lukashenko and others").is_some());
    }

    #[test]
    fn quotes_are_the_sentence_around_the_match() {
        let text = "First sentence here. Then the tanker Artavil was seized by the navy! \
                    Another one.";
        let start = text.find("Artavil").unwrap();
        let (before, matched, after) = quote(text, (start, start + "Artavil".len()));
        assert_eq!(before, "Then the tanker ");
        assert_eq!(matched, "Artavil");
        assert_eq!(after, " was seized by the navy!");
        // a long sentence is cut at words, with an ellipsis
        let long = format!("{} Artavil {}", "word ".repeat(100), "more ".repeat(100));
        let start = long.find("Artavil").unwrap();
        let (before, _, after) = quote(&long, (start, start + 7));
        assert!(before.starts_with('…') && before.len() < 220, "{before}");
        assert!(after.ends_with('…') && after.len() < 220, "{after}");
    }

    #[test]
    fn names_deep_in_a_long_article_are_found_where_their_parts_meet() {
        let filler =
            "The ministers met again on Tuesday to discuss the shipping route. ".repeat(60);
        // the parts are far apart: the surname alone, not a full name
        let text = format!("Lukashenko spoke first. {filler} Alexander arrived later.");
        let f = person("Alexander Lukashenko", &text).unwrap();
        assert!(f.alone, "{f:?}");
        // the full name after a long article, in the official order with a patronymic
        let text = format!("{filler} Лукашенко Александр Григорьевич подписал указ.");
        let f = person("Alexander Lukashenko", &text).unwrap();
        assert!(!f.alone);
        assert_eq!(f.text, "Лукашенко Александр");
        assert_eq!(&text[f.span.0..f.span.1], f.text);
    }

    #[test]
    fn ukrainian_and_belarusian_inflections() {
        let k = Pattern::keyword("санкції");
        assert!(find(&k, &words("під санкціями")).is_some());
        let k = Pattern::keyword("санкции");
        assert!(find(&k, &words("под санкциями США")).is_some());
        assert!(find(&k, &words("санкционный список")).is_none());
    }
}
