//! `watchkeeper check` as a user runs it: the example config passes; a typo, a bad IMO check
//! digit and a bad cron expression each fail with `file:line:col: message`.

use std::path::Path;
use std::process::Command;

fn check(config: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(["check", "--config"])
        .arg(config)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

const CONFIG: &str = r#"[daemon]
database = "state.db"
watchlist = "watchlist.toml"

[[source]]
name = "ofac-sdn"
kind = "ofac_sdn_csv"
url = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
schedule = "0 15 */2 * * *"

[email]
transport = "stdout"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
"#;

fn setup(config: &str, watchlist: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("watchkeeper.toml"), config).unwrap();
    std::fs::write(dir.path().join("watchlist.toml"), watchlist).unwrap();
    dir
}

#[test]
fn the_example_config_checks_out() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/watchkeeper.toml");
    let (ok, stdout, stderr) = check(&example);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("ofac-sdn (ofac_sdn_csv)"), "{stdout}");
    assert!(stdout.trim_end().ends_with("ok"), "{stdout}");
}

/// As the package installs them: the config and the example watchlist side by side in
/// /usr/share/doc/watchkeeper/ (.ci/run checks the installed package itself too).
#[test]
fn the_packaged_example_config_checks_out_beside_the_example_watchlist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("config/packaged/watchkeeper.toml", "watchkeeper.toml"),
        ("config/watchlist.toml", "watchlist.toml"),
    ] {
        std::fs::copy(root.join(from), dir.path().join(to)).unwrap();
    }
    let (ok, stdout, stderr) = check(&dir.path().join("watchkeeper.toml"));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("/var/lib/watchkeeper/watchkeeper.db"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("ok"), "{stdout}");
}

#[test]
fn errors_name_file_line_and_column() {
    let cases = [
        (
            CONFIG.to_string(),
            "[[vessel]]\nname = \"Artavil\"\nnmae = \"Alpha\"\n",
            "watchlist.toml:3:1:",
            "nmae",
        ),
        (
            CONFIG.to_string(),
            "[[vessel]]\nname = \"Artavil\"\nimo = \"IMO 9187628\"\n",
            "watchlist.toml:3:7:",
            "check digit",
        ),
        (
            CONFIG.replace("0 15 */2 * * *", "0 15 */2 * *"),
            "",
            "watchkeeper.toml:9:12:",
            "cron",
        ),
    ];
    for (config, watchlist, place, word) in cases {
        let dir = setup(&config, watchlist);
        let (ok, _, stderr) = check(&dir.path().join("watchkeeper.toml"));
        assert!(!ok, "accepted: {watchlist}{config}");
        let expected = format!("{}/{place}", dir.path().display());
        assert!(
            stderr.contains(&expected) && stderr.contains(word),
            "expected {expected} … {word} in: {stderr}"
        );
    }
}

#[test]
fn a_missing_config_file_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = check(&dir.path().join("absent.toml"));
    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("watchkeeper: "), "{stderr}");
    assert!(stderr.contains("absent.toml: "), "{stderr}");
    // the OS's text ("No such file or directory (os error 2)") once, not once per error layer
    let os = stderr.trim_end().rsplit("absent.toml: ").next().unwrap();
    assert!(!os.contains(": "), "cause repeated: {stderr}");
}

#[test]
fn a_config_named_without_a_folder_resolves_file_urls_against_the_current_one() {
    let config = CONFIG.replace(
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/",
        "file:lists/",
    );
    let dir = setup(&config, "[[person]]\nname = \"Alexander Lukashenko\"\n");
    let out = Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(["check", "--config", "watchkeeper.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lists = std::fs::canonicalize(dir.path()).unwrap().join("lists");
    assert!(stdout.contains(&lists.display().to_string()), "{stdout}");
}
