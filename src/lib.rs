//! hfaudit: find Hugging Face tokens in a tree and judge them against the Hub's advice.
//!
//! The pipeline is a module per stage: walk → read → scan (detect) → context (classify) →
//! verify → judge → suppress → report. Each stage is a plain function over plain data;
//! `engine` assembles them and `cli` is the thin edge that parses arguments and prints.

pub mod allow;
pub mod archive;
pub mod cli;
pub mod config;
pub mod context;
pub mod detect;
pub mod dist;
pub mod engine;
pub mod files;
pub mod fold;
pub mod git;
pub mod http;
pub mod hub;
pub mod inspect;
pub mod judge;
pub mod model;
pub mod origin;
pub mod output;
pub mod pipeline;
pub mod practice;
pub mod report;
pub mod revoke;
pub mod rules;
pub mod secret;
pub mod snippet;
pub mod source;
pub mod suppress;
pub mod verify;
pub mod whoami;
