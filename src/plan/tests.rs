//! The planning rules, on entries built in code from real OFAC fields: no database, no files.

use super::*;
use crate::domain::entry::{Alias, EntityKind, Identifier, VesselInfo};
use crate::domain::ident;
use crate::domain::watch::WatchKind;
use crate::matching::DEFAULT_THRESHOLD;

/// OFAC SDN ent_num 15036 as published in July 2021, reduced to the fields that matter here.
fn artavil() -> Entry {
    Entry {
        id: "15036".into(),
        kind: EntityKind::Vessel,
        name: "ARTAVIL".into(),
        aliases: vec![Alias {
            name: "ALPHA".into(),
            kind: "fka".into(),
        }],
        programs: vec!["IRAN".into()],
        identifiers: vec![
            Identifier {
                kind: "imo".into(),
                value: "9187629".into(),
                note: None,
            },
            Identifier {
                kind: "mmsi".into(),
                value: "572469210".into(),
                note: None,
            },
        ],
        vessel: Some(Box::new(VesselInfo {
            call_sign: Some("T2EU4".into()),
            vessel_type: Some("Crude/Oil Products Tanker".into()),
            flag: Some("Iran".into()),
            ..VesselInfo::default()
        })),
        linked_to: vec!["NATIONAL IRANIAN TANKER COMPANY".into()],
        ..Entry::default()
    }
}

/// OFAC SDN ent_num 9760.
fn lukashenka() -> Entry {
    Entry {
        id: "9760".into(),
        kind: EntityKind::Person,
        name: "LUKASHENKA, Alyaksandr Hryhoryavich".into(),
        aliases: vec![Alias {
            name: "LUKASHENKO, Alexander Grigoryevich".into(),
            kind: "aka".into(),
        }],
        programs: vec!["BELARUS".into()],
        dates_of_birth: vec!["30 Aug 1954".into()],
        ..Entry::default()
    }
}

/// An entry nobody watches, to keep the guard's removal share low.
fn filler(i: usize) -> Entry {
    Entry {
        id: format!("f{i}"),
        kind: EntityKind::Organization,
        name: format!("FILLER TRADING {i} LLC"),
        ..Entry::default()
    }
}

fn vessel_by_imo() -> WatchItem {
    // Watched by IMO under a name no list uses: only the number connects them.
    let mut item = WatchItem::query(WatchKind::Vessel, "Nord Star");
    item.id = "vessel:9187629".into();
    item.imo = Some(ident::parse("IMO 9187629").unwrap());
    item
}

fn president() -> WatchItem {
    let mut item = WatchItem::query(WatchKind::Person, "Alexander Lukashenko");
    item.id = "person:lukashenko".into();
    item
}

fn matcher(items: Vec<WatchItem>) -> Matcher {
    Matcher::new(items, DEFAULT_THRESHOLD)
}

fn ctx() -> PlanContext {
    PlanContext {
        list: ListRef {
            source: "ofac-sdn".into(),
            publisher: Some("US Treasury, OFAC".into()),
            list_title: Some("OFAC SDN list".into()),
            published: Some("07/09/2021".into()),
        },
        now: "2021-07-10T07:00:00Z".into(),
        max_removed_share: 0.25,
    }
}

fn snapshot(entries: Vec<Entry>) -> ListSnapshot {
    ListSnapshot {
        entries,
        ..ListSnapshot::default()
    }
}

fn with_fillers(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.extend((0..20).map(filler));
    entries
}

/// The stored state after a plan was applied, as the store would hold it.
fn apply(state: &SourceState, plan: &CyclePlan) -> SourceState {
    let mut next = state.clone();
    next.first_snapshot = false;
    for w in &plan.writes {
        next.past.remove(&w.entry.id);
        next.current.insert(
            &w.entry.id,
            StoredHead {
                hash: StoredDigest::new(&w.hash),
                episode: w.episode,
                version: w.version,
                record: w.record.map(StoredDigest::new),
            },
        );
        next.contents.insert(w.entry.id.clone(), w.entry.clone());
    }
    for (id, digest) in &plan.record_digests {
        next.current.get_mut(id).unwrap().record = Some(StoredDigest::new(digest));
    }
    for d in &plan.delistings {
        let s = next.current.remove(&d.entry_id).unwrap();
        next.contents.remove(&d.entry_id);
        next.past.insert(
            d.entry_id.clone(),
            PastListing {
                episode: s.episode,
                version: s.version,
                hash: s.hash.to_string(),
            },
        );
    }
    next
}

fn events<'p>(plan: &'p CyclePlan<'_>) -> Vec<(Event, &'p str, &'p str)> {
    let mut out: Vec<_> = plan
        .alerts
        .iter()
        .map(|a| {
            (
                a.alert.event,
                a.alert.watch_item_id.as_str(),
                a.alert.entry_id.as_str(),
            )
        })
        .collect();
    out.sort();
    out
}

fn first_state() -> SourceState {
    SourceState {
        first_snapshot: true,
        ..SourceState::default()
    }
}

#[test]
fn the_first_snapshot_is_already_listed_not_news() {
    let m = matcher(vec![vessel_by_imo(), president()]);
    let entries = with_fillers(vec![artavil(), lukashenka()]);
    let listed = snapshot(entries);
    let plan = plan_list(&first_state(), &listed, &m, &ctx()).unwrap();
    assert_eq!(
        events(&plan),
        [
            (Event::AlreadyListed, "person:lukashenko", "9760"),
            (Event::AlreadyListed, "vessel:9187629", "15036"),
        ]
    );
    assert_eq!(plan.counts.added, 22);
    assert!(plan.writes.iter().all(|w| w.new_episode && w.new_version));
    let a = &plan.alerts[0].alert;
    assert_eq!(a.publisher.as_deref(), Some("US Treasury, OFAC"));
    assert_eq!(a.source_published.as_deref(), Some("07/09/2021"));
}

#[test]
fn listed_delisted_and_listed_again_are_three_alerts_with_three_keys() {
    let m = matcher(vec![vessel_by_imo()]);
    let day1_list = snapshot(with_fillers(vec![]));
    let day1 = plan_list(&first_state(), &day1_list, &m, &ctx()).unwrap();
    let s1 = apply(&first_state(), &day1);

    let day2_list = snapshot(with_fillers(vec![artavil()]));

    let day2 = plan_list(&s1, &day2_list, &m, &ctx()).unwrap();
    assert_eq!(events(&day2), [(Event::Listed, "vessel:9187629", "15036")]);
    let s2 = apply(&s1, &day2);

    let day3_list = snapshot(with_fillers(vec![]));

    let day3 = plan_list(&s2, &day3_list, &m, &ctx()).unwrap();
    assert_eq!(
        events(&day3),
        [(Event::Delisted, "vessel:9187629", "15036")]
    );
    assert_eq!(
        day3.delistings,
        [Delisting {
            entry_id: "15036".into(),
            episode: 1
        }]
    );
    let s3 = apply(&s2, &day3);

    // Republished unchanged: the content hash is the one alerted on day 2, and still the
    // user must hear that it is listed again.
    let day4_list = snapshot(with_fillers(vec![artavil()]));
    let day4 = plan_list(&s3, &day4_list, &m, &ctx()).unwrap();
    assert_eq!(events(&day4), [(Event::Listed, "vessel:9187629", "15036")]);
    assert_eq!(day4.counts.relisted, 1);
    assert_eq!(day4.alerts[0].alert.episode, Some(2));
    assert_eq!(day3.alerts[0].alert.episode, Some(1));
    let w = &day4.writes[0];
    assert_eq!((w.episode, w.version, w.new_version), (2, 1, false));
    let keys: HashSet<&AlertKey> = [&day2, &day3, &day4]
        .iter()
        .map(|p| &p.alerts[0].key)
        .collect();
    assert_eq!(keys.len(), 3, "each transition has its own key");
    assert_eq!(
        day4.alerts[0].alert.entry_version,
        day2.alerts[0].alert.entry_version
    );

    // The same snapshot again changes nothing and alerts nothing.
    let s4 = apply(&s3, &day4);
    let day5_list = snapshot(with_fillers(vec![artavil()]));
    let day5 = plan_list(&s4, &day5_list, &m, &ctx()).unwrap();
    assert!(day5.alerts.is_empty() && day5.writes.is_empty() && day5.delistings.is_empty());
}

#[test]
fn a_rename_under_the_same_imo_is_a_change_found_by_the_number() {
    let m = matcher(vec![vessel_by_imo()]);
    let mut before = artavil();
    before.name = "ALPHA".into();
    before.aliases.clear();
    let s0 = first_state();
    let day1_list = snapshot(with_fillers(vec![before]));
    let day1 = plan_list(&s0, &day1_list, &m, &ctx()).unwrap();
    let s1 = apply(&s0, &day1);
    let day2_list = snapshot(with_fillers(vec![artavil()]));
    let day2 = plan_list(&s1, &day2_list, &m, &ctx()).unwrap();
    assert_eq!(events(&day2), [(Event::Changed, "vessel:9187629", "15036")]);
    let alert = &day2.alerts[0].alert;
    assert!(alert.why.contains("9187629"), "{}", alert.why);
    let fields: Vec<&str> = alert.changes.iter().map(|c| c.field.as_str()).collect();
    assert!(fields.contains(&"name"), "{fields:?}");
    assert_eq!(day2.writes[0].version, 2);
    assert!(day2.writes[0].new_version);
    assert_eq!(
        day2.alerts[0].key.as_str().rsplit('\u{1f}').next(),
        Some("v2")
    );
}

#[test]
fn a_flag_change_alerts_as_changed_once() {
    let m = matcher(vec![vessel_by_imo()]);
    let mut panama = artavil();
    panama.vessel.as_mut().unwrap().flag = Some("Panama".into());
    let day1_list = snapshot(with_fillers(vec![panama]));
    let day1 = plan_list(&first_state(), &day1_list, &m, &ctx());
    let s1 = apply(&first_state(), &day1.unwrap());
    let day2_list = snapshot(with_fillers(vec![artavil()]));
    let day2 = plan_list(&s1, &day2_list, &m, &ctx()).unwrap();
    assert_eq!(events(&day2), [(Event::Changed, "vessel:9187629", "15036")]);
    assert!(day2.alerts[0]
        .alert
        .changes
        .iter()
        .any(|c| c.field.starts_with("vessel")));
}

#[test]
fn the_name_counts_change_with_names_only() {
    let m = matcher(vec![vessel_by_imo()]);
    let s1 = apply(
        &first_state(),
        &plan_list(
            &first_state(),
            &snapshot(with_fillers(vec![artavil()])),
            &m,
            &ctx(),
        )
        .unwrap(),
    );
    let mut remarked = artavil();
    remarked.remarks = Some("Amended.".into());
    let mut renamed = artavil();
    renamed.name = "SKIPPER".into();
    let [remark, rename] = [remarked, renamed].map(|e| {
        plan_list(&s1, &snapshot(with_fillers(vec![e])), &m, &ctx())
            .unwrap()
            .name_stats
    });
    // no key counted at all for a remark: none read or written for it either
    assert!(remark.counts.is_empty(), "{:?}", remark.counts);
    assert_eq!(rename.counts.get("skpr"), Some(&1), "{:?}", rename.counts);
    assert_eq!(rename.counts.get("artvl"), Some(&-1), "{:?}", rename.counts);
}

#[test]
fn aliases_in_another_order_are_no_change() {
    let m = matcher(vec![president()]);
    let s0 = first_state();
    let day1_list = snapshot(with_fillers(vec![lukashenka()]));
    let day1 = plan_list(&s0, &day1_list, &m, &ctx()).unwrap();
    let s1 = apply(&s0, &day1);
    let mut reordered = lukashenka();
    reordered.aliases.insert(
        0,
        Alias {
            name: "LUKASHENKO, Aleksandr".into(),
            kind: "aka".into(),
        },
    );
    let day2_list = snapshot(with_fillers(vec![reordered.clone()]));
    let day2 = plan_list(&s1, &day2_list, &m, &ctx());
    let s2 = apply(&s1, &day2.unwrap());
    reordered.aliases.swap(0, 1);
    let day3_list = snapshot(with_fillers(vec![reordered]));
    let day3 = plan_list(&s2, &day3_list, &m, &ctx()).unwrap();
    assert!(day3.alerts.is_empty(), "{:?}", events(&day3));
    assert_eq!(day3.counts.changed, 0);
    // The new order is stored (so the next snapshot compares equal) without a new version.
    assert_eq!(day3.writes.len(), 1);
    assert!(!day3.writes[0].new_version);
    assert_eq!(day3.writes[0].version, 2);
}

#[test]
fn a_pinned_exclude_silences_one_version_only() {
    let mut item = vessel_by_imo();
    let mut panama = artavil();
    panama.vessel.as_mut().unwrap().flag = Some("Panama".into());
    item.exclude = vec![crate::domain::alert::exclude_token(
        "ofac-sdn",
        "15036",
        &entry_hash(&panama),
    )];
    let m = matcher(vec![item]);
    let day1_list = snapshot(with_fillers(vec![panama]));
    let day1 = plan_list(&first_state(), &day1_list, &m, &ctx()).unwrap();
    assert!(day1.alerts.is_empty(), "the dismissed version stays silent");
    let s1 = apply(&first_state(), &day1);
    let day2_list = snapshot(with_fillers(vec![artavil()]));
    let day2 = plan_list(&s1, &day2_list, &m, &ctx()).unwrap();
    assert_eq!(events(&day2), [(Event::Changed, "vessel:9187629", "15036")]);
}

#[test]
fn a_plain_exclude_silences_the_version_first_met_until_the_entry_changes() {
    let mut item = vessel_by_imo();
    item.exclude = vec!["ofac-sdn:15036".into()];
    let m = matcher(vec![item]);
    let mut panama = artavil();
    panama.vessel.as_mut().unwrap().flag = Some("Panama".into());
    // Not pinned yet: the first version met is silenced and becomes the pin.
    let day1_list = snapshot(with_fillers(vec![panama.clone()]));
    let day1 = plan_list(&first_state(), &day1_list, &m, &ctx());
    let day1 = day1.unwrap();
    assert!(day1.alerts.is_empty());
    assert_eq!(day1.pins.len(), 1);
    assert_eq!(day1.pins[0].hash, entry_hash(&panama));
    let mut s1 = apply(&first_state(), &day1);
    s1.pins.insert(
        ("vessel:9187629".into(), "15036".into()),
        day1.pins[0].hash.clone(),
    );
    // The reflagging ends the silence.
    let day2_list = snapshot(with_fillers(vec![artavil()]));
    let day2 = plan_list(&s1, &day2_list, &m, &ctx()).unwrap();
    assert_eq!(events(&day2), [(Event::Changed, "vessel:9187629", "15036")]);
    assert!(day2.pins.is_empty());
}

#[test]
fn exclusions_are_pinned_to_the_version_listed_now() {
    let mut item = vessel_by_imo();
    item.exclude = vec![
        "ofac-sdn:15036".into(),
        "ofac-sdn:15055@0123456789ab".into(),
        "un-sc:999".into(),
    ];
    let items = vec![item];
    let pinned = HashSet::new();
    let pins = pin_exclusions(&items, &pinned, |source, id| {
        (source == "ofac-sdn" && id == "15036").then(|| "abc".to_string())
    });
    // The pinned form needs no pin; an entry not listed now is pinned when first met.
    assert_eq!(
        pins,
        [ExclusionPin {
            item_id: "vessel:9187629".into(),
            source: "ofac-sdn".into(),
            entry_id: "15036".into(),
            hash: "abc".into(),
        }]
    );
    let already: HashSet<_> = [(
        "vessel:9187629".to_string(),
        "ofac-sdn".to_string(),
        "15036".to_string(),
    )]
    .into_iter()
    .collect();
    // A pin once made keeps its version: only the not yet pinned un-sc entry gets one.
    let again = pin_exclusions(&items, &already, |_, _| Some("new".into()));
    let targets: Vec<&str> = again.iter().map(|p| p.entry_id.as_str()).collect();
    assert_eq!(targets, ["999"]);
}

#[test]
fn a_snapshot_that_removes_too_much_is_refused_before_any_plan() {
    let m = matcher(vec![vessel_by_imo()]);
    let s0 = first_state();
    let full = snapshot(with_fillers(vec![artavil()]));
    let day1 = plan_list(&s0, &full, &m, &ctx()).unwrap();
    let s1 = apply(&s0, &day1);
    let cut = snapshot(vec![artavil(), filler(0), filler(1)]);
    let refusal = plan_list(&s1, &cut, &m, &ctx()).unwrap_err();
    assert!(
        matches!(refusal, Refusal::TooManyRemoved { removed: 18, .. }),
        "{refusal}"
    );
}

#[test]
fn a_change_that_takes_the_watched_name_away_still_alerts() {
    let m = matcher(vec![president()]);
    let s0 = first_state();
    let day1_list = snapshot(with_fillers(vec![lukashenka()]));
    let day1 = plan_list(&s0, &day1_list, &m, &ctx()).unwrap();
    let s1 = apply(&s0, &day1);
    let mut renamed = lukashenka();
    renamed.name = "PETROV, Ivan".into();
    renamed.aliases.clear();
    let day2_list = snapshot(with_fillers(vec![renamed]));
    let day2 = plan_list(&s1, &day2_list, &m, &ctx()).unwrap();
    assert_eq!(
        events(&day2),
        [(Event::Changed, "person:lukashenko", "9760")]
    );
}

#[test]
fn feed_items_alert_once_each() {
    let mut keyword = WatchItem::query(WatchKind::Keyword, "shadow fleet");
    keyword.id = "keyword:shadow-fleet".into();
    let m = matcher(vec![keyword]);
    let item = |id: &str| FeedItem {
        id: id.into(),
        title: "EU targets Russia's shadow fleet tankers".into(),
        ..FeedItem::default()
    };
    let feed = FeedSnapshot {
        title: None,
        items: vec![item("a"), item("b"), item("a")],
        ..FeedSnapshot::default()
    };
    let seen: HashSet<String> = ["b".to_string()].into_iter().collect();
    let plan = plan_feed(&seen, feed, &m, &ctx());
    assert_eq!(plan.feed_items.len(), 1);
    assert_eq!(
        events(&plan),
        [(Event::Mentioned, "keyword:shadow-fleet", "a")]
    );
}

#[test]
fn new_watch_items_are_screened_per_listing_episode() {
    let m = matcher(vec![vessel_by_imo()]);
    let mut relisted = StoredEntry::first(artavil());
    relisted.episode = 2;
    let lists = vec![(ctx().list, relisted)];
    let alerts = plan_already_listed(&lists, &m, "2021-07-10T07:00:00Z").alerts;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].alert.event, Event::AlreadyListed);
    assert_eq!(alerts[0].alert.episode, Some(2));
    assert!(alerts[0].key.as_str().ends_with("ep2"));
}

#[test]
fn a_delisting_is_planned_from_the_stored_content_and_never_without_it() {
    let m = matcher(vec![vessel_by_imo()]);
    let day1_list = snapshot(with_fillers(vec![artavil()]));
    let day1 = plan_list(&first_state(), &day1_list, &m, &ctx()).unwrap();
    let s1 = apply(&first_state(), &day1);
    // the store reads only what the diff names: here the content of the removed entry
    let mut heads_only = s1.clone();
    heads_only.contents.clear();
    let d = diff::diff(&heads_only, &snapshot(with_fillers(vec![])));
    assert_eq!(d.needs_content().collect::<Vec<_>>(), ["15036"]);
    let refused_list = snapshot(with_fillers(vec![]));
    let refused = plan_list(&heads_only, &refused_list, &m, &ctx());
    assert!(matches!(
        refused,
        Err(Refusal::ContentNotRead { entry_id }) if entry_id == "15036"
    ));
    heads_only
        .contents
        .insert("15036".into(), s1.contents["15036"].clone());
    let day2_list = snapshot(with_fillers(vec![]));
    let day2 = plan_list(&heads_only, &day2_list, &m, &ctx()).unwrap();
    assert_eq!(
        events(&day2),
        [(Event::Delisted, "vessel:9187629", "15036")]
    );
}

/// A snapshot whose parser left unchanged records unparsed (FtM: their bytes have the
/// stored digest) plans as the whole snapshot would: the unparsed entries are on the list,
/// so nothing is delisted for them, and an entry left out of both is.
#[test]
fn entries_left_unparsed_as_unchanged_are_on_the_list() {
    let m = matcher(vec![vessel_by_imo()]);
    let mut whole = snapshot(with_fillers(vec![artavil()]));
    for e in &whole.entries {
        whole
            .record_digests
            .insert(e.id.clone(), format!("d-{}", e.id));
    }
    let day1 = plan_list(&first_state(), &whole, &m, &ctx()).unwrap();
    assert!(day1.writes.iter().all(|w| w.record.is_some()));
    let s1 = apply(&first_state(), &day1);
    assert_eq!(
        s1.current["15036"]
            .record
            .as_ref()
            .map(StoredDigest::to_string)
            .as_deref(),
        Some("d-15036")
    );

    // day 2: every record but one filler's has its stored digest; that filler is gone
    let gone = filler(3).id;
    let partial = ListSnapshot {
        unparsed: s1.current.keys().filter(|id| *id != gone).collect(),
        ..ListSnapshot::default()
    };
    let day2 = plan_list(&s1, &partial, &m, &ctx()).unwrap();
    assert_eq!(day2.entries, 20);
    assert_eq!(day2.counts.unchanged, 20);
    assert!(day2.writes.is_empty());
    assert_eq!(day2.delistings.len(), 1);
    assert_eq!(day2.delistings[0].entry_id, gone);

    // an entry parsed again with unchanged content but new bytes keeps the new digest
    let mut redigested = partial.clone();
    redigested.unparsed = partial
        .unparsed
        .iter()
        .filter(|id| *id != "15036")
        .collect();
    redigested.entries.push(artavil());
    redigested
        .record_digests
        .insert("15036".into(), "d-15036-reordered".into());
    let day2b = plan_list(&s1, &redigested, &m, &ctx()).unwrap();
    assert!(day2b.writes.is_empty() && day2b.alerts.is_empty());
    assert_eq!(
        day2b.record_digests,
        [("15036".to_string(), "d-15036-reordered".to_string())]
    );

    // left unparsed but not stored: parsed against another state, never planned
    let mut stale = partial;
    stale.unparsed.push("not-stored");
    assert!(matches!(
        plan_list(&s1, &stale, &m, &ctx()),
        Err(Refusal::UnparsedNotStored { entry_id }) if entry_id == "not-stored"
    ));
}
