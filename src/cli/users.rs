//! `charte users add EMAIL --role coordinator|committee`, `users list`,
//! `users remove EMAIL`: the accounts of the web application
//! (crate::app::users). The password is read from the terminal without
//! echo (asked twice), or from standard input's first line when it is not
//! a terminal (scripts); it is never printed nor journaled.

use std::io::{BufRead as _, IsTerminal as _};

use serde_json::json;

use super::Ctx;
use crate::accounts::Role;
use crate::error::{Error, Result};

#[derive(Debug, clap::Subcommand)]
#[command(after_help = "\
Accounts sign in at /login on `charte serve`. A coordinator does there what the command line does by \
hand; a committee account reads the flags with their evidence, the letters and the reports, and \
changes nothing. The journal records that an account was added or removed, and by which system user; \
the password is kept only as an argon2id hash, beside the journal.")]
pub enum Command {
    /// Add an account; its password is asked for (at least 12 characters).
    Add {
        /// The address the person signs in with.
        email: String,
        /// coordinator (every action) or committee (reads, changes nothing).
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// The accounts that can sign in.
    List,
    /// Remove an account: it can no longer sign in, its sessions end now.
    Remove {
        /// The account's address.
        email: String,
    },
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("'{s}' is not a role: coordinator or committee"))
}

/// The system user running the command: who added or removed an account.
fn system_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .into_iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "(unknown system user)".to_owned())
}

/// The new password: from the terminal, typed twice without echo; else
/// standard input's first line (its line ending taken off).
fn read_password(email: &str) -> Result<String> {
    let io = |e: std::io::Error| Error::usage(format!("the password could not be read: {e}"));
    if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password(format!("Password for {email} (at least 12 characters): ")).map_err(io)?;
        let again = rpassword::prompt_password("The same password again: ").map_err(io)?;
        if first != again {
            return Err(Error::usage("the two passwords differ: nothing was changed"));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(io)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Add { email, role } => {
            let mut app = ctx.app_writer()?;
            let password = read_password(&email)?;
            let account = app.add_user(&email, role, &password, &system_user())?;
            say!(
                "added: {} can sign in at /login as {} (the journal records it; the password is kept only as a hash)",
                account.email.as_deref().unwrap_or(&email),
                account.role
            );
            Ok(0)
        }
        Command::List => {
            let accounts = ctx.app()?.users()?;
            if ctx.json {
                let out: Vec<_> = accounts
                    .iter()
                    .map(|a| json!({"email": a.email, "role": a.role.code(), "added": a.added}))
                    .collect();
                super::print_json(&out)?;
                return Ok(0);
            }
            if accounts.is_empty() {
                say!("No account yet: add one with `charte users add EMAIL --role coordinator`.");
                return Ok(0);
            }
            for a in &accounts {
                say!(
                    "{:<40} {:<12} added {}",
                    a.email.as_deref().unwrap_or("(address erased)"),
                    a.role.code(),
                    a.added
                );
            }
            Ok(0)
        }
        Command::Remove { email } => {
            let account = ctx.app_writer()?.remove_user(&email, &system_user())?;
            say!(
                "removed: {} ({}) can no longer sign in; its sessions ended",
                account.email.as_deref().unwrap_or(&email),
                account.role
            );
            Ok(0)
        }
    }
}
