//! The words of an organisation's name in Arabic script that the lists translate rather than
//! romanise: "الجماعة الاسلامية المقاتلة الليبية" is listed as LIBYAN ISLAMIC FIGHTING GROUP,
//! "شبكة حقاني" as HAQQANI NETWORK, "مكتب حنيفة للصرافة" as HANIFA EXCHANGE OFFICE. An
//! organisation watched by such a name is also matched by its English gloss: the words of
//! [`GLOSSES`] in English, the others (names: Haqqani, Hanifa) as written. Only the common
//! words of organisations' names are here; a name is never translated.

/// Arabic-script words of organisations' names (without the article) and the English word the
/// lists write for them.
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
    ("مؤسسة", "foundation"),
    ("جمعية", "society"),
    ("مجلس", "council"),
    ("اتحاد", "union"),
    ("حزب", "party"),
    ("صرافة", "exchange"),
    ("صرافی", "exchange"),
    ("بنك", "bank"),
    ("مصرف", "bank"),
    // what it calls itself
    ("اسلامية", "islamic"),
    ("اسلامي", "islamic"),
    ("مقاتلة", "fighting"),
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
];

/// The name with every word of [`GLOSSES`] in English, when it has any; `None` otherwise.
pub fn english_gloss(name: &str) -> Option<String> {
    let mut glossed = false;
    let words: Vec<String> = name
        .split_whitespace()
        .map(|word| match gloss_of(word) {
            Some(english) => {
                glossed = true;
                english.to_string()
            }
            None => word.to_string(),
        })
        .collect();
    glossed.then(|| words.join(" "))
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
            if let Some((_, en)) = GLOSSES.iter().find(|(ar, _)| folded(ar) == core) {
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
    fn common_words_of_organisations_are_glossed_and_names_kept() {
        assert_eq!(
            english_gloss("الجماعة الاسلامية المقاتلة الليبية").as_deref(),
            Some("group islamic fighting libyan")
        );
        assert_eq!(
            english_gloss("شبكة حقاني").as_deref(),
            Some("network حقاني")
        );
        assert_eq!(
            english_gloss("مكتب حنيفة للصرافة").as_deref(),
            Some("office حنيفة exchange")
        );
        assert_eq!(
            english_gloss("الدولة الإسلامية في العراق والشام").as_deref(),
            Some("state islamic in iraq levant")
        );
        assert_eq!(english_gloss("حقاني"), None);
        assert_eq!(english_gloss("Haqqani Network"), None);
    }
}
