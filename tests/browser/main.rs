//! Browser tests: the pages charte writes, opened in a real headless
//! Chromium (Debian's chromium and chromium-driver) as their visitors open
//! them. One browser session shared by every test, one test at a time;
//! the helpers are in `support`, the CLI harness (workspaces, fixtures,
//! running charte) is tests/cli/harness.rs, included as is.
//!
//! `cargo test --test browser` runs them all, `cargo test --test browser
//! NAME` those whose name contains NAME; screenshots of each test's final
//! state land in `<target>/screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod desk;
mod desk_documents;
mod desk_elections;
mod desk_mail;
mod desk_meetings;
mod desk_money;
mod desk_roster;
mod glance;
#[allow(dead_code)]
#[path = "../cli/harness.rs"]
mod harness;
mod signing;
#[path = "../cli/smtp.rs"]
mod smtp;
mod support;
mod verify_page;
mod year;

fn main() -> std::process::ExitCode {
    let mut args = libtest_mimic::Arguments::from_args();
    // One browser, shared: its tests run one after the other.
    args.test_threads = Some(1);
    // One list per page under test.
    let tests = [
        verify_page::tests(),
        signing::tests(),
        desk::tests(),
        desk_roster::tests(),
        desk_documents::tests(),
        desk_elections::tests(),
        desk_meetings::tests(),
        desk_mail::tests(),
        desk_money::tests(),
        glance::tests(),
        year::tests(),
    ]
    .concat();
    let trials = tests
        .into_iter()
        .map(|(name, test)| {
            let run_name = name.clone();
            libtest_mimic::Trial::test(name, move || support::run(&run_name, test))
        })
        .collect();
    let _shutdown = support::Shutdown;
    libtest_mimic::run(&args, trials).exit_code()
}
