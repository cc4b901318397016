//! charte: the document-workflow engine of a Belgian social-coordination
//! network (a CPAS's "coordination sociale", art. 62 of the organic law of
//! 8 July 1976, or a Walloon "relais social").
//!
//! The data flows through the modules in this order:
//!
//! ```text
//! roster (CSV) ─► render (Typst) ─► seal (sha256 + ed25519) ─► mail
//!        │                                                    │
//!        └──► journal (hash-chained events, SQLite) ◄── collect (signed returns)
//!                     │
//!                     └──► governance, report, flags, workflow
//! ```
//!
//! [`journal`] is the spine: every change is an event appended to a
//! hash-chained log in the same transaction as the tables derived from it.
//! [`app`] holds one function per action a user can take; [`cli`] (the
//! only module that prints) and the workflow runner are front ends over it.
//! [`pdf`] is the one hand-written PDF reader (byte search, trailer and
//! cross-reference table) under [`seal`] and [`collect`].

pub mod accounts;
pub mod actions;
pub mod adherence;
pub mod app;
pub mod backup;
pub mod charter;
pub mod cli;
pub mod collect;
pub mod config;
pub mod delivery;
pub mod documents;
pub mod error;
pub mod flags;
pub mod governance;
pub mod journal;
pub mod links;
pub mod mail;
pub mod pdf;
pub mod reason;
pub mod render;
pub mod report;
pub mod roster;
pub mod seal;
pub mod tabular;
pub mod time;
pub mod verify_page;
pub mod web;
pub mod workflow;
pub mod workspace;

pub use error::{Error, Result};
