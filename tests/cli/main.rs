//! One integration-test crate: every test drives the real `charte` binary on
//! a temporary workspace. One module per area; helpers in `harness`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod backup;
mod collect;
mod concurrency;
mod concurrency_documents;
mod convoke;
mod demo;
mod desk;
mod desk_documents;
mod desk_roster;
mod documents;
mod election;
mod erase;
mod files;
mod flags;
mod funder;
mod glance;
mod ground;
mod harness;
mod history;
mod imap;
mod init;
mod input;
mod keys;
mod links;
mod mail;
mod meetings;
mod members;
mod outbox;
mod pages;
mod proofs;
mod report;
mod returns;
mod rotate;
mod serve;
mod since;
mod smtp;
mod verify;
mod verify_page;
mod vote;
mod web_sign;
mod workflow;
