//! What packagers ship beside the binary: shell completions and man pages, generated from the
//! clap definitions so they can never disagree with `--help`. Returns bytes; the CLI prints them
//! (so a closed pipe is an ordinary write error, never a panic inside a generator).

use clap_complete::Shell;

/// `hfaudit man NAME` named no command.
#[derive(Debug, thiserror::Error)]
#[error("no command {0:?}; `hfaudit --help` lists them")]
pub struct UnknownCommand(pub String);

/// The completion script for `shell`, of the command line `cmd` (the CLI's own definition:
/// passed in, so this module needs nothing above it).
pub fn completions(mut cmd: clap::Command, shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "hfaudit", &mut out);
    out
}

/// The roff man page of `hfaudit` (section 1), or of one of its commands (`hfaudit-scan(1)`).
pub fn man_page(cmd: clap::Command, command: Option<&str>) -> Result<Vec<u8>, UnknownCommand> {
    let mut cmd = cmd.disable_help_subcommand(true);
    // Building gives each command its display name (`hfaudit-scan`), which titles its page.
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => cmd
            .get_subcommands()
            .find(|c| c.get_name() == name && !c.is_hide_set())
            .cloned()
            .ok_or_else(|| UnknownCommand(name.to_owned()))?,
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .source(concat!("hfaudit ", env!("CARGO_PKG_VERSION")))
        .manual("User Commands")
        .render(&mut out)
        .expect("writing to a Vec cannot fail");
    Ok(out)
}
