//! `watchkeeper generate DIR` (hidden): writes the man pages and the shell completions from
//! the command-line definition itself, so they never drift from it and never sit in git. The
//! package build (`scripts/build-deb`) runs it on the binary it packages.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

#[derive(clap::Args)]
pub struct Args {
    /// The folder that receives `man/*.1` and `completions/{watchkeeper.bash,_watchkeeper,watchkeeper.fish}`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn run(args: Args, _config: &Path) -> Result<ExitCode> {
    let written = write_all(&args.dir)?;
    for path in written {
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes every page and completion file under `dir`; returns their paths.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut cmd = super::Cli::command();
    cmd.build();
    let mut written = Vec::new();
    let man = dir.join("man");
    create_dir(&man)?;
    written.push(write_page(&man, &cmd, "watchkeeper")?);
    // One page per subcommand as well (`man watchkeeper-once`), as git and cargo do; the main
    // page lists them.
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("watchkeeper-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        written.push(write_page(&man, &sub, &name)?);
    }
    let completions = dir.join("completions");
    create_dir(&completions)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path = clap_complete::generate_to(shell, &mut cmd, "watchkeeper", &completions)
            .with_context(|| format!("writing {shell} completions in {}", completions.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

fn write_page(dir: &Path, cmd: &clap::Command, name: &str) -> Result<PathBuf> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .with_context(|| format!("rendering the man page of {name}"))?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}
