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
    // `check` opens the files the source will read.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ofac-sdn-csv");
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    for f in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
        std::fs::copy(fixtures.join(f), dir.path().join("lists").join(f)).unwrap();
    }
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

/// `check` on a config in `dir`, its stdout, stderr and success.
fn check_in(dir: &Path) -> (bool, String, String) {
    check(&dir.join("watchkeeper.toml"))
}

const SMTP: &str = r#"[email]
transport = "smtp"
host = "smtp.example.org"
username = "alerts@example.org"
password_file = "smtp-password"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
"#;

const WATCHED: &str = "[[person]]\nname = \"Alexander Lukashenko\"\n";

fn with_smtp(config: &str) -> String {
    let at = config.find("[email]").unwrap();
    format!("{}{SMTP}", &config[..at])
}

#[test]
fn check_fails_on_a_missing_password_file_and_warns_on_a_world_readable_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup(&with_smtp(CONFIG), WATCHED);
    let (ok, stdout, stderr) = check_in(dir.path());
    assert!(!ok, "{stdout}");
    let line = |s: &str| format!("{}/watchkeeper.toml:{s}", dir.path().display());
    assert!(
        stderr.contains(&line("15:17: error: password_file "))
            && stderr.contains("smtp-password: No such file or directory"),
        "{stderr}"
    );

    let secret = dir.path().join("smtp-password");
    std::fs::write(&secret, "hunter2\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, stdout, stderr) = check_in(dir.path());
    assert!(ok, "{stderr}");
    assert!(stderr.contains("warning: password_file"), "{stderr}");
    assert!(
        stderr.contains("readable by every user (mode 644)"),
        "{stderr}"
    );
    assert!(
        stdout.trim_end().ends_with("ok, with 1 warning(s)"),
        "{stdout}"
    );

    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (ok, stdout, stderr) = check_in(dir.path());
    assert!(ok && stderr.is_empty(), "{stderr}");
    assert!(stdout.trim_end().ends_with("\nok"), "{stdout}");

    // Unreadable (root reads anything, so only as another user).
    if unsafe { libc::geteuid() } != 0 {
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
        let (ok, _, stderr) = check_in(dir.path());
        assert!(!ok);
        assert!(stderr.contains("Permission denied"), "{stderr}");
    }
}

#[test]
fn check_flags_the_example_config_copied_to_etc_as_it_is() {
    // What `database = "../var/watchkeeper.db"` becomes in /etc/watchkeeper/watchkeeper.toml.
    let config = CONFIG.replace("\"state.db\"", "\"/etc/var/watchkeeper.db\"");
    let dir = setup(&config, WATCHED);
    let (ok, _, stderr) = check_in(dir.path());
    assert!(!ok);
    assert!(
        stderr.contains(":2:12: error: database resolves to /etc/var/watchkeeper.db, under /etc"),
        "{stderr}"
    );
}

#[test]
fn check_fails_on_an_unwritable_database_folder_and_a_missing_file_source() {
    let config = CONFIG
        .replace("\"state.db\"", "\"lists/state.db\"")
        .replace(
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/",
            "file:lists/",
        );
    let dir = setup(&config, WATCHED);
    // `lists` is a file, so nothing can be created under it, and it holds no sdn.csv.
    std::fs::write(dir.path().join("lists"), "").unwrap();
    let (ok, _, stderr) = check_in(dir.path());
    assert!(!ok);
    assert!(stderr.contains(":2:12: error: database "), "{stderr}");
    assert!(stderr.contains("lists is not a folder"), "{stderr}");
    assert!(
        stderr.contains(":8:7: error: source ofac-sdn: ") && stderr.contains("lists/sdn.csv: "),
        "{stderr}"
    );
}

#[test]
fn check_warns_on_an_empty_watchlist() {
    let dir = setup(CONFIG, "# nothing yet\n");
    let (ok, stdout, stderr) = check_in(dir.path());
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("watchlist.toml: warning: the watchlist has no watch items"),
        "{stderr}"
    );
    assert!(
        stdout.trim_end().ends_with("ok, with 1 warning(s)"),
        "{stdout}"
    );
}

#[test]
fn read_only_commands_never_create_a_database() {
    let dir = setup(CONFIG, WATCHED);
    for args in [
        &["status"][..],
        &["alerts"],
        &["history", "9187629"],
        &["audit"],
        &["screen", "Lukashenko"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
            .args(args)
            .arg("--config")
            .arg(dir.path().join("watchkeeper.toml"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains(&format!(
                "database {}/state.db does not exist",
                dir.path().display()
            )),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!dir.path().join("state.db").exists(), "{args:?} created it");
    }
}

#[test]
fn a_closed_output_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = setup(CONFIG, WATCHED);
    let mut child = Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(["check", "--config"])
        .arg(dir.path().join("watchkeeper.toml"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the first line, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
        "{:?}: {stderr}",
        out.status
    );
}
