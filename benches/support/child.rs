//! Running the CLI binary in a fresh child process and reading its own CPU time and peak
//! resident memory, as the kernel accounts them (`wait4`), for the benchmarks that compare
//! whole processes.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Run {
    pub stdout: String,
    pub cpu: Duration,
    pub max_rss_kib: i64,
    pub wall: Duration,
}

impl Run {
    pub fn peak_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

/// Runs `bin args... --config dir/watchkeeper.toml` in a fresh child; its own rusage via wait4.
pub fn run(bin: &Path, dir: &Path, args: &[&str]) -> Run {
    let config = dir.join("watchkeeper.toml");
    let mut all: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    all.push("--config".as_ref());
    all.push(config.as_os_str());
    run_args(bin, dir, &all)
}

/// Runs `bin args...` in `dir`'s context (stderr to `dir/stderr.log`); panics on failure.
// The child is reaped by wait4 (which std's `Child::wait` would not report the rusage of).
#[allow(clippy::zombie_processes)]
pub fn run_args(bin: &Path, dir: &Path, args: &[&std::ffi::OsStr]) -> Run {
    let stderr = std::fs::File::create(dir.join("stderr.log")).expect("stderr log");
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .env_remove("WATCHKEEPER_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut stdout)
        .expect("read stdout");
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 reaps the child we spawned (std's Child is not waited).
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut ru) };
    let wall = start.elapsed();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let err = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
        panic!(
            "{} {args:?} failed ({status}):\n{stdout}\n{err}",
            bin.display()
        );
    }
    Run {
        stdout,
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        max_rss_kib: ru.ru_maxrss,
        wall,
    }
}
