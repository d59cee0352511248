//! hfaudit: find Hugging Face tokens in a tree and judge them against the Hub's advice.
//!
//! The pipeline is a module per stage: walk → read → scan (detect) → context (classify) →
//! verify → judge → suppress → report. Each stage is a plain function over plain data;
//! `engine` assembles them and `cli` is the thin edge that parses arguments and prints.

pub mod access;
pub mod archive;
pub mod cli;
pub mod config;
pub mod context;
pub mod dist;
pub mod engine;
pub mod git;
pub mod hub;
pub mod judge;
pub mod model;
pub mod output;
pub mod plan;
pub mod practice;
pub mod read;
pub mod report;
pub mod revoke;
pub mod rules;
pub mod scan;
pub mod secret;
pub mod source;
pub mod suppress;
pub mod verify;
pub mod walk;
pub mod whoami;
