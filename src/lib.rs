//! hfaudit: find Hugging Face tokens in a tree and judge them against the Hub's advice.
//!
//! The pipeline is a module per stage: walk → read → scan (detect) → context (classify) →
//! verify → judge → suppress → report. Each stage is a plain function over plain data.

pub mod context;
pub mod secret;
