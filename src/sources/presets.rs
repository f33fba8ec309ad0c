//! Presets: the official lists as their publishers serve them, so that a `[[source]]` can be
//! `preset = "ofac-sdn"` instead of a kind, URL, file names and schedule copied from the README.
//! Any key a preset fills can still be set beside it.

/// One publisher's list as served today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// What `preset = "…"` names, and the source's name unless `name` is set.
    pub name: &'static str,
    pub kind: &'static str,
    pub url: &'static str,
    /// For `ofac_sdn_csv`: the files by role (primary, alt, add, comments).
    pub files: Option<&'static [&'static str]>,
    /// Cron, seconds first, UTC: about as often as the publisher updates, off the full hour.
    pub schedule: &'static str,
    pub title: &'static str,
}

/// OFAC's Sanctions List Service: each file is answered with a redirect to a signed URL.
const OFAC_EXPORTS: &str =
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/";

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "ofac-sdn",
        kind: "ofac_sdn_csv",
        url: OFAC_EXPORTS,
        // The Sanctions List Service names its files in upper case (its object store's keys
        // are case-sensitive: `sdn.csv` there is a NoSuchKey).
        files: Some(&["SDN.CSV", "ALT.CSV", "ADD.CSV", "SDN_COMMENTS.CSV"]),
        schedule: "0 15 */2 * * *",
        title: "OFAC SDN list (CSV)",
    },
    Preset {
        name: "ofac-consolidated",
        kind: "ofac_sdn_csv",
        url: OFAC_EXPORTS,
        files: Some(&[
            "CONS_PRIM.CSV",
            "CONS_ALT.CSV",
            "CONS_ADD.CSV",
            "CONS_COMMENTS.CSV",
        ]),
        schedule: "0 20 */2 * * *",
        title: "OFAC consolidated (non-SDN) lists (CSV)",
    },
    Preset {
        name: "ofac-sdn-xml",
        kind: "ofac_xml",
        url: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",
        files: None,
        schedule: "0 15 */2 * * *",
        title: "OFAC SDN list (classic XML)",
    },
    Preset {
        name: "ofac-consolidated-xml",
        kind: "ofac_xml",
        url: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",
        files: None,
        schedule: "0 20 */2 * * *",
        title: "OFAC consolidated (non-SDN) lists (classic XML)",
    },
    Preset {
        name: "ofac-sdn-enhanced",
        kind: "ofac_enhanced_xml",
        url: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ENHANCED.XML",
        files: None,
        schedule: "0 15 */2 * * *",
        title: "OFAC SDN list (enhanced XML)",
    },
    Preset {
        name: "ofac-consolidated-enhanced",
        kind: "ofac_enhanced_xml",
        url: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_ENHANCED.XML",
        files: None,
        schedule: "0 20 */2 * * *",
        title: "OFAC consolidated (non-SDN) lists (enhanced XML)",
    },
    Preset {
        name: "un-sc",
        kind: "un_sc_xml",
        url: "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        files: None,
        schedule: "0 25 */3 * * *",
        title: "UN Security Council consolidated list",
    },
    Preset {
        name: "eu-fsf",
        kind: "eu_fsf_xml",
        // The public token, the one OpenSanctions and others use; a personal token from a
        // free registration works the same way.
        url: "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
        files: None,
        schedule: "0 30 */3 * * *",
        title: "EU Financial Sanctions Files (XML 1.1)",
    },
    Preset {
        name: "uk",
        kind: "uk_sanctions_xml",
        url: "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
        files: None,
        schedule: "0 35 */3 * * *",
        title: "UK Sanctions List",
    },
    Preset {
        name: "ca-sema",
        kind: "ca_sema_xml",
        url: "https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-relations_internationales/sanctions/sema-lmes.xml",
        files: None,
        schedule: "0 40 */6 * * *",
        title: "Canadian autonomous sanctions list (SEMA)",
    },
    Preset {
        name: "us-csl",
        kind: "us_csl_csv",
        url: "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
        files: None,
        schedule: "0 45 */6 * * *",
        title: "US Consolidated Screening List",
    },
    Preset {
        name: "opensanctions-sanctions",
        kind: "opensanctions",
        url: "https://data.opensanctions.org/datasets/latest/sanctions/index.json",
        files: None,
        schedule: "0 50 */2 * * *",
        title: "OpenSanctions consolidated sanctions (index, deltas)",
    },
];

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_names_a_known_kind_and_a_valid_schedule() {
        for p in PRESETS {
            assert!(super::super::KINDS.contains(&p.kind), "{}", p.name);
            assert!(
                p.schedule.parse::<cron::Schedule>().is_ok(),
                "{}: {}",
                p.name,
                p.schedule
            );
            assert!(p.url.starts_with("https://"), "{}", p.name);
            assert_eq!(p.files.is_some(), p.kind == "ofac_sdn_csv", "{}", p.name);
        }
    }
}
