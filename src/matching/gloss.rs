//! The words of an organisation's name in Arabic script that the lists translate rather than
//! romanise: "الجماعة الاسلامية المقاتلة الليبية" is listed as LIBYAN ISLAMIC FIGHTING GROUP,
//! "شبكة حقاني" as HAQQANI NETWORK, "مكتب حنيفة للصرافة" as HANIFA EXCHANGE OFFICE. An
//! organisation watched by such a name is also matched by its English gloss: the words of
//! [`GLOSSES`] in English, the others (names: Haqqani, Hanifa) as written. Only the common
//! words of organisations' names are here; a name is never translated.

/// Arabic-script words of organisations' names (without the article), written as [`folded`]
/// writes them, and the English word the lists write for them.
const GLOSSES: &[(&str, &str)] = &[
    // what the organisation is
    ("جماعة", "group"),
    ("جبهة", "front"),
    ("حركة", "movement"),
    // Persian and Urdu write it with a final t
    ("حركت", "movement"),
    ("جيش", "army"),
    ("كتائب", "brigades"),
    ("كتيبة", "battalion"),
    ("لواء", "brigade"),
    ("تنظيم", "organization"),
    ("منظمة", "organization"),
    ("دولة", "state"),
    ("شبكة", "network"),
    ("مكتب", "office"),
    ("شركة", "company"),
    ("شركت", "company"),
    ("كمپني", "company"),
    ("لمتد", "ltd"),
    ("ليمتد", "limited"),
    ("مؤسسة", "foundation"),
    ("جمعية", "society"),
    ("مجلس", "council"),
    ("اتحاد", "union"),
    ("حزب", "party"),
    ("صرافة", "exchange"),
    ("صرافي", "exchange"),
    ("بنك", "bank"),
    ("مصرف", "bank"),
    // what it calls itself
    ("اسلامية", "islamic"),
    ("اسلامي", "islamic"),
    ("مقاتلة", "fighting|combatant"),
    ("مسلحة", "armed"),
    // where
    ("عراق", "iraq"),
    ("شام", "levant"),
    ("ليبيا", "libya"),
    ("ليبية", "libyan"),
    ("مصري", "egyptian"),
    ("مصرية", "egyptian"),
    ("تونسية", "tunisian"),
    ("مغربية", "moroccan"),
    ("مغرب", "maghreb"),
    ("يمن", "yemen"),
    ("سوريا", "syria"),
    ("باكستان", "pakistan"),
    ("افغانستان", "afghanistan"),
    // joining words
    ("في", "in"),
    ("و", "and"),
    // Pashto
    ("او", "and"),
];

/// The name with every word of [`GLOSSES`] in English, when it has any: once with each
/// word's first English word and, where some word has another ("fighting|combatant"), once
/// more with those.
pub fn english_glosses(name: &str) -> Vec<String> {
    let words: Vec<(&str, Option<&'static str>)> = name
        .split_whitespace()
        .map(|word| (word, gloss_of(word)))
        .collect();
    if words.iter().all(|(_, g)| g.is_none()) {
        return Vec::new();
    }
    // a word without that many English words takes its first
    let with = |alternative: usize| -> String {
        let english = words.iter().map(|(word, gloss)| match gloss {
            Some(g) => g.split('|').nth(alternative).unwrap_or_else(|| first(g)),
            None => word,
        });
        english.collect::<Vec<_>>().join(" ")
    };
    let mut out = vec![with(0)];
    if words
        .iter()
        .any(|(_, g)| g.is_some_and(|g| g.contains('|')))
    {
        out.push(with(1));
    }
    out
}

fn first(gloss: &str) -> &str {
    gloss.split('|').next().unwrap_or(gloss)
}

/// The gloss of one word, with its article ("ال"), a preposition joined to the article
/// ("لل", "بال") or a joined "و" (and) taken off.
fn gloss_of(word: &str) -> Option<&'static str> {
    let word = folded(word);
    let without_and = word.strip_prefix('و').filter(|r| r.chars().count() >= 2);
    for w in std::iter::once(word.as_str()).chain(without_and) {
        for prefix in ["", "ال", "لل", "بال", "وال"] {
            let Some(core) = w.strip_prefix(prefix) else {
                continue;
            };
            if !prefix.is_empty() && core.chars().count() < 2 {
                continue;
            }
            if let Some((_, en)) = GLOSSES.iter().find(|(ar, _)| *ar == core) {
                return Some(en);
            }
        }
    }
    None
}

/// One spelling for the letters Arabic, Persian and Urdu write differently: alefs with hamza
/// or madda as alef, Persian kaf and yeh as Arabic ones, alef maksura as yeh, a final he as ta
/// marbuta; tatweel dropped.
fn folded(word: &str) -> String {
    let mut out: String = word
        .chars()
        .filter(|c| *c != 'ـ')
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ک' => 'ك',
            'ی' | 'ى' => 'ي',
            c => c,
        })
        .collect();
    if out.ends_with('ه') {
        out.pop();
        out.push('ة');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_written_folded() {
        for (ar, _) in GLOSSES {
            assert_eq!(folded(ar), *ar);
        }
    }

    #[test]
    fn common_words_of_organisations_are_glossed_and_names_kept() {
        assert_eq!(
            english_glosses("الجماعة الاسلامية المقاتلة الليبية"),
            [
                "group islamic fighting libyan",
                "group islamic combatant libyan"
            ]
        );
        assert_eq!(english_glosses("شبكة حقاني"), ["network حقاني"]);
        assert_eq!(
            english_glosses("مكتب حنيفة للصرافة"),
            ["office حنيفة exchange"]
        );
        assert_eq!(
            english_glosses("الدولة الإسلامية في العراق والشام"),
            ["state islamic in iraq levant"]
        );
        assert!(english_glosses("حقاني").is_empty());
        assert!(english_glosses("Haqqani Network").is_empty());
    }
}
