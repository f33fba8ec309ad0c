//! Names the commit in `--version`: `WATCHKEEPER_COMMIT` is the short hash of HEAD, or
//! `unknown` where there is no git (a source tarball). A packager building from a tarball
//! may set `WATCHKEEPER_COMMIT` themselves.
//!
//! `WATCHKEEPER_MATCHING_DIGEST` is a hash of the matcher's sources (`src/matching`): what the
//! store keeps as the matcher prepared it (the screening cache) is built again by a binary
//! whose matcher differs in any way, a commit or not.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// FNV-1a over the files of `dir`, in name order: a change detector, not a checksum anyone
/// verifies.
fn sources_digest(dir: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        let bytes = std::fs::read(&f).unwrap_or_default();
        for b in name.unwrap_or_default().bytes().chain([0]).chain(bytes) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn main() {
    println!("cargo:rerun-if-changed=src/matching");
    println!(
        "cargo:rustc-env=WATCHKEEPER_MATCHING_DIGEST={}",
        sources_digest("src/matching")
    );
    println!("cargo:rerun-if-env-changed=WATCHKEEPER_COMMIT");
    let commit = std::env::var("WATCHKEEPER_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=WATCHKEEPER_COMMIT={commit}");
    // A new commit changes HEAD (detached) or the branch's ref (loose or packed); a worktree
    // has its own HEAD, which `--git-path` finds. Without git, nothing to watch but this file.
    println!("cargo:rerun-if-changed=build.rs");
    // Only files that exist: cargo reruns a build script that names a missing file every
    // time, and that would rebuild the crate on every build.
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    let names = ["HEAD", "packed-refs"].into_iter().chain(branch.as_deref());
    for name in names {
        if let Some(p) = git(&["rev-parse", "--git-path", name]) {
            if std::path::Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
}
