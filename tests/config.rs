//! Loading and validating the daemon config and the watchlist, as `watchkeeper check` does.

use std::path::{Path, PathBuf};

use watchkeeper::config::{self, ConfigError, TlsMode, TransportKind};
use watchkeeper::domain::ident::ImoKind;
use watchkeeper::domain::watch::WatchKind;
use watchkeeper::watchlist;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(name)
}

/// A minimal valid config around the given `[[source]]` and `[email]` text.
fn config_text(sources: &str, email: &str) -> String {
    format!(
        "[daemon]\ndatabase = \"state.db\"\nwatchlist = \"watchlist.toml\"\n\n{sources}\n{email}"
    )
}

const FILE_EMAIL: &str = "[email]\ntransport = \"stdout\"\n";

fn parse_config(text: &str) -> Result<config::Config, ConfigError> {
    config::parse(text, Path::new("/etc/watchkeeper/watchkeeper.toml"))
}

fn parse_watchlist(text: &str) -> Result<watchkeeper::domain::watch::Watchlist, ConfigError> {
    watchlist::parse(text, Path::new("/etc/watchkeeper/watchlist.toml"))
}

fn position(err: &ConfigError) -> (usize, usize) {
    match err {
        ConfigError::At { line, column, .. } => (*line, *column),
        other => panic!("expected an error with a position, got: {other}"),
    }
}

#[test]
fn example_config_loads_and_resolves_relative_paths() {
    let path = example("watchkeeper.toml");
    let cfg = config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(cfg.database, repo.join("var/watchkeeper.db"));
    assert_eq!(cfg.watchlist, repo.join("config/watchlist.toml"));
    assert_eq!(cfg.email.transport, TransportKind::File);
    assert_eq!(
        cfg.email.path.as_deref(),
        Some(repo.join("var/outbox").as_path())
    );

    let names: Vec<&str> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ofac-sdn", "un-sc", "reform-news"]);
    let ofac = &cfg.sources[0];
    let expected = url::Url::from_directory_path(repo.join("tests/fixtures/ofac-sdn-csv")).unwrap();
    assert_eq!(ofac.url, expected.as_str());
    assert!(ofac.url.starts_with("file:///") && ofac.url.ends_with('/'));
    assert!(!ofac.url.contains(".."), "{}", ofac.url);
    let feed = &cfg.sources[2];
    let expected =
        url::Url::from_file_path(repo.join("tests/fixtures/feeds/ru-windows-1251.xml")).unwrap();
    assert_eq!(feed.url, expected.as_str());
    assert_eq!(cfg.sources[1].stale_after.as_secs(), 72 * 3600);
    assert_eq!(feed.timeout.as_secs(), 30);
}

#[test]
fn example_watchlist_loads_every_kind() {
    let wl = watchlist::load(&example("watchlist.toml")).unwrap_or_else(|e| panic!("{e}"));
    let count = |k| wl.items.iter().filter(|i| i.kind == k).count();
    assert!(count(WatchKind::Vessel) >= 2);
    assert!(count(WatchKind::Person) >= 3);
    assert!(count(WatchKind::Organization) >= 2);
    assert!(count(WatchKind::Keyword) >= 2);

    let artavil = &wl.items[0];
    assert_eq!(artavil.name, "Artavil", "items keep file order");
    assert_eq!(artavil.id, "vessel:artavil:9187629");
    assert_eq!(artavil.imo.as_ref().unwrap().number, "9187629");
    assert_eq!(artavil.imo.as_ref().unwrap().kind, ImoKind::Ship);
    assert_eq!(artavil.former_names, ["Alpha"]);
    assert_eq!(artavil.mmsi.as_deref(), Some("572469210"));

    let company = wl
        .items
        .iter()
        .find(|i| i.name == "Chongchongang Shipping Company")
        .unwrap();
    assert_eq!(company.imo.as_ref().unwrap().kind, ImoKind::Company);

    let maduro = wl
        .items
        .iter()
        .find(|i| i.name == "Nicolás Maduro Moros")
        .unwrap();
    assert_eq!(maduro.id, "person:nicolas-maduro-moros");
    assert!(maduro.aliases.iter().any(|a| a == "Николас Мадуро"));
    assert_eq!(maduro.dates_of_birth, ["1962-11-23"]);
}

#[test]
fn examples_agree_on_source_names_and_summary_lists_them() {
    let cfg = config::load(&example("watchkeeper.toml")).unwrap();
    let wl = watchlist::load(&cfg.watchlist).unwrap();
    let names: Vec<String> = cfg.sources.iter().map(|s| s.name.clone()).collect();
    watchlist::validate_sources(&wl, &names).unwrap_or_else(|e| panic!("{e}"));

    let text = config::summary(&cfg, &wl);
    for s in &cfg.sources {
        assert!(text.contains(&s.name) && text.contains(&s.url), "{text}");
    }
    assert!(text.contains("next run 20"), "{text}");
    let vessels = wl
        .items
        .iter()
        .filter(|i| i.kind == WatchKind::Vessel)
        .count();
    assert!(text.contains(&format!("{vessels} vessel(s)")), "{text}");
    assert!(text.contains("outbox"), "{text}");
}

#[test]
fn typoed_watchlist_key_points_at_the_key() {
    let text = "[[vessel]]\nname = \"Artavil\"\n\n[[person]]\n  nmae = \"Nicolás Maduro Moros\"\n";
    let err = parse_watchlist(text).unwrap_err();
    assert_eq!(position(&err), (5, 3));
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "/etc/watchkeeper/watchlist.toml:5:3: unknown field `nmae`, expected one of `name`"
        ),
        "{msg}"
    );
}

#[test]
fn bad_imo_check_digit_points_at_the_value() {
    let text = "[[vessel]]\nname = \"Artavil\"\nimo  =  \"IMO 9187628\"\n";
    let err = parse_watchlist(text).unwrap_err();
    assert_eq!(position(&err), (3, 9));
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "/etc/watchkeeper/watchlist.toml:3:9: imo: IMO 9187628: check digit should be 9 (ship)"
        ),
        "{msg}"
    );
}

#[test]
fn vessel_with_a_company_imo_is_refused() {
    let text = "[[vessel]]\nname = \"Chongchongang\"\nimo = 5342883\n";
    let err = parse_watchlist(text).unwrap_err();
    assert_eq!(position(&err), (3, 7));
    assert!(err.to_string().contains("company"), "{err}");
}

#[test]
fn bad_exclude_and_duplicate_ids_fail() {
    let err = parse_watchlist("[[person]]\nname = \"X\"\nexclude = [\"15036\"]\n").unwrap_err();
    assert_eq!(position(&err), (3, 11));
    assert!(err.to_string().contains("SOURCE:ENTRY_ID"), "{err}");

    let err = parse_watchlist("[[person]]\nname = \"Ann Lee\"\n[[person]]\nname = \"ANN  LEE\"\n")
        .unwrap_err();
    assert_eq!(position(&err), (4, 8));
    assert!(
        err.to_string().contains("duplicate id `person:ann-lee`"),
        "{err}"
    );
}

#[test]
fn typoed_source_in_watchlist_is_flagged() {
    let text = "[[keyword]]\nphrase = \"shadow fleet\"\nsources = [\"ofac-sdm\"]\n";
    let wl = parse_watchlist(text).unwrap();
    let err = watchlist::validate_sources(&wl, &["ofac-sdn".to_string()]).unwrap_err();
    assert_eq!(position(&err), (3, 11));
    assert!(
        err.to_string().contains("unknown source `ofac-sdm`"),
        "{err}"
    );
}

#[test]
fn bad_cron_expression_points_at_the_schedule() {
    let sources = "[[source]]\nname = \"ofac-sdn\"\nkind = \"ofac_sdn_csv\"\nurl = \"https://www.treasury.gov/ofac/downloads/\"\nschedule = \"0 7 * * *\"\n";
    let err = parse_config(&config_text(sources, FILE_EMAIL)).unwrap_err();
    assert_eq!(position(&err), (9, 12));
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "/etc/watchkeeper/watchkeeper.toml:9:12: schedule: invalid cron expression"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("expected 6 or 7 fields, seconds first"),
        "{msg}"
    );

    // Right field count, impossible value: the cron crate's own complaint, same position.
    let sources = sources.replace("0 7 * * *", "0 0 25 * * *");
    let err = parse_config(&config_text(&sources, FILE_EMAIL)).unwrap_err();
    assert_eq!(position(&err), (9, 12));
    let msg = err.to_string();
    assert!(!msg.contains('\n') && msg.contains("'25'"), "{msg}");
}

#[test]
fn toml_syntax_error_is_one_line_with_position() {
    let err = parse_watchlist("[[vessel]]\nname = \"Artavil\"\nimo = \"9187629\n").unwrap_err();
    assert_eq!(position(&err).0, 3);
    assert!(!err.to_string().contains('\n'), "{err}");
}

#[test]
fn unknown_source_kind_is_refused() {
    let sources = "[[source]]\nname = \"x\"\nkind = \"ofac_csv\"\nurl = \"https://example.org/\"\nschedule = \"0 0 7 * * *\"\n";
    let err = parse_config(&config_text(sources, FILE_EMAIL)).unwrap_err();
    assert_eq!(position(&err), (7, 8));
    let msg = err.to_string();
    assert!(msg.contains("unknown source kind `ofac_csv`"), "{msg}");
    assert!(msg.contains("`ofac_sdn_csv`"), "{msg}");
}

#[test]
fn duplicate_source_names_are_refused() {
    let one = "[[source]]\nname = \"news\"\nkind = \"feed\"\nurl = \"https://example.org/rss\"\nschedule = \"0 */10 * * * *\"\n";
    let err = parse_config(&config_text(&format!("{one}{one}"), FILE_EMAIL)).unwrap_err();
    assert_eq!(position(&err), (11, 8));
    assert!(
        err.to_string().contains("duplicate source name `news`"),
        "{err}"
    );
}

#[test]
fn unsupported_url_scheme_is_refused() {
    let sources = "[[source]]\nname = \"x\"\nkind = \"feed\"\nurl = \"ftp://example.org/rss\"\nschedule = \"0 0 7 * * *\"\n";
    let err = parse_config(&config_text(sources, FILE_EMAIL)).unwrap_err();
    assert_eq!(position(&err), (8, 7));
}

#[test]
fn clear_text_smtp_only_to_loopback() {
    let smtp = |host: &str| {
        format!("[email]\ntransport = \"smtp\"\nhost = \"{host}\"\ntls = \"none\"\nfrom = \"watchkeeper <alerts@example.org>\"\nto = [\"compliance@example.org\"]\n")
    };
    let err = parse_config(&config_text("", &smtp("smtp.example.org"))).unwrap_err();
    assert_eq!(position(&err), (9, 7));
    assert!(err.to_string().contains("loopback"), "{err}");

    for host in ["localhost", "127.0.0.1", "::1"] {
        let cfg = parse_config(&config_text("", &smtp(host))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.email.tls, TlsMode::None);
        assert_eq!(cfg.email.port, Some(25), "default port for tls = none");
    }
}

#[test]
fn smtp_needs_host_from_and_to_and_gets_a_default_port() {
    let email = "[email]\ntransport = \"smtp\"\nhost = \"smtp.example.org\"\nfrom = \"alerts@example.org\"\n";
    let err = parse_config(&config_text("", email)).unwrap_err();
    assert!(err.to_string().contains("needs `to`"), "{err}");

    let email = format!("{email}to = \"compliance@example.org\"\ntls = \"tls\"\n");
    let cfg = parse_config(&config_text("", &email)).unwrap();
    assert_eq!(cfg.email.port, Some(465));
    assert_eq!(cfg.email.to, ["compliance@example.org"]);

    let err = parse_config(&config_text("", "[email]\ntransport = \"file\"\n")).unwrap_err();
    assert!(err.to_string().contains("needs `path`"), "{err}");
}

#[test]
fn password_in_the_config_is_refused() {
    let email = "[email]\ntransport = \"stdout\"\npassword = \"hunter2\"\n";
    let err = parse_config(&config_text("", email)).unwrap_err();
    assert_eq!(position(&err), (8, 12));
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

fn smtp_email(extra: &str) -> config::EmailConfig {
    let email = format!("[email]\ntransport = \"smtp\"\nhost = \"smtp.example.org\"\nfrom = \"alerts@example.org\"\nto = [\"c@example.org\"]\n{extra}");
    parse_config(&config_text("", &email)).unwrap().email
}

#[test]
fn give_up_after_is_a_duration_of_four_days_by_default() {
    assert_eq!(
        smtp_email("").give_up_after,
        std::time::Duration::from_secs(4 * 24 * 3600)
    );
    assert_eq!(
        smtp_email("give_up_after = \"36h\"\n").give_up_after,
        std::time::Duration::from_secs(36 * 3600)
    );
    let email = "[email]\ntransport = \"stdout\"\ngive_up_after = \"forever\"\n";
    let err = parse_config(&config_text("", email)).unwrap_err();
    assert_eq!(position(&err).0, 8);
    assert!(err.to_string().contains("give_up_after"), "{err}");
}

#[test]
fn digest_limit_is_200_alerts_by_default_and_at_least_one() {
    assert_eq!(smtp_email("").digest_limit, 200);
    assert_eq!(smtp_email("digest_limit = 25\n").digest_limit, 25);
    for bad in ["0", "-3"] {
        let email = format!("[email]\ntransport = \"stdout\"\ndigest_limit = {bad}\n");
        let err = parse_config(&config_text("", &email)).unwrap_err();
        assert_eq!(position(&err).0, 8, "{err}");
        assert!(
            err.to_string().contains(&format!(
                "digest_limit: expected a whole number of alerts, 1 or more, found {bad}"
            )),
            "{err}"
        );
    }
}

#[test]
fn claim_timeout_is_ten_minutes_by_default() {
    assert_eq!(
        smtp_email("").claim_timeout,
        std::time::Duration::from_secs(600)
    );
    assert_eq!(
        smtp_email("claim_timeout = \"2s\"\n").claim_timeout,
        std::time::Duration::from_secs(2)
    );
    let email = "[email]\ntransport = \"stdout\"\nclaim_timeout = \"soon\"\n";
    let err = parse_config(&config_text("", email)).unwrap_err();
    assert!(err.to_string().contains("claim_timeout"), "{err}");
}

#[test]
fn password_from_a_file_loses_its_trailing_newline() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("smtp-password");
    std::fs::write(&file, "s3cret pass\n").unwrap();
    let email = smtp_email(&format!("password_file = {:?}\n", file.to_str().unwrap()));
    assert_eq!(
        config::resolve_password(&email).unwrap().as_deref(),
        Some("s3cret pass")
    );

    let missing = smtp_email("password_file = \"/nonexistent/watchkeeper-test/pw\"\n");
    let err = config::resolve_password(&missing).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/watchkeeper-test/pw: "),
        "{err}"
    );
}

#[test]
fn password_from_the_named_environment_variable() {
    let name = "WATCHKEEPER_TEST_PASSWORD_ENV_7F3A";
    std::env::set_var(name, "from-env\n");
    let email = smtp_email(&format!("password_env = \"{name}\"\n"));
    assert_eq!(
        config::resolve_password(&email).unwrap().as_deref(),
        Some("from-env")
    );
    std::env::remove_var(name);
    let err = config::resolve_password(&email).unwrap_err();
    assert!(err.to_string().contains(name), "{err}");
}

#[test]
fn summary_never_shows_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "do-not-print-me").unwrap();
    let mut cfg = parse_config(&config_text("", "[email]\ntransport = \"smtp\"\nhost = \"smtp.example.org\"\nfrom = \"a@example.org\"\nto = \"b@example.org\"\n")).unwrap();
    cfg.email.password_file = Some(file);
    let text = config::summary(&cfg, &watchkeeper::domain::watch::Watchlist::default());
    assert!(text.contains("smtp.example.org:587 (starttls"), "{text}");
    assert!(!text.contains("do-not-print-me"), "{text}");
}

#[test]
fn dates_numbers_and_derived_ids() {
    let text = "[[person]]\nname = \"Лукашенко\"\ndates_of_birth = [1954-08-30, \"1954\"]\nnationality = \"Belarus\"\n\n[[vessel]]\nname = \"Helm\"\nimo = 9357391\nmmsi = 572450210\n\n[[person]]\nname = \"???\"\n";
    let wl = parse_watchlist(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wl.items[0].id, "person:lukashenko");
    assert_eq!(wl.items[0].dates_of_birth, ["1954-08-30", "1954"]);
    assert_eq!(wl.items[0].nationalities, ["Belarus"]);
    assert_eq!(wl.items[1].id, "vessel:helm:9357391");
    assert_eq!(wl.items[1].mmsi.as_deref(), Some("572450210"));
    assert!(wl.items[2].id.starts_with("person:h"), "{}", wl.items[2].id);
    let again = parse_watchlist(text).unwrap();
    assert_eq!(again.items[2].id, wl.items[2].id, "derived ids are stable");

    let err =
        parse_watchlist("[[person]]\nname = \"X\"\ndate_of_birth = \"1954-13\"\n").unwrap_err();
    assert_eq!(position(&err), (3, 17));
    let err = parse_watchlist("[[vessel]]\nname = \"X\"\nmmsi = \"57245021\"\n").unwrap_err();
    assert_eq!(position(&err), (3, 8));
    let err = parse_watchlist("[[vessel]]\nname = \"X\"\nthreshold = 1.5\n").unwrap_err();
    assert_eq!(position(&err), (3, 13));
}
