//! hfaudit: find Hugging Face tokens in a tree, git history or the Hub, and judge them against
//! the Hub's advice.
//!
//! One pipeline: **sources** enumerate blobs, each with an [`origin::Origin`] (a file, a git
//! version, a Hub file, discussion or variable, an archive member inside any of these); the
//! **inspector** turns a blob into occurrences and facts (archives are opened in front of it,
//! and hand their members back as blobs); the **fold** records each blob's inspection; then the
//! **pipeline** verifies, judges, applies the baseline, revokes and counts, and the **CLI**
//! prints through the one text exit (`output`). `docs/architecture.md` tells the story.
//!
//! The layers, bottom first: a module uses only modules listed before it (the test
//! `tests/all/layers.rs` holds it, so import circles cannot come back).
//!
//! 1. Plain data and the one text exit: `secret`, `repo` (Hub repository names), `output`
//!    (redaction before any escaping), `files` (safe file reading), `scratch` (temporary
//!    folders removed on every exit path, signals included), `allow`, `access` (what
//!    whoami-v2 says a token reaches), `rules`, `config`.
//! 2. Pure functions over bytes: `context` (platform, usage, calls), `detect` (the detector and
//!    one file per decoder), `practice` (the habits of HF013–HF015).
//! 3. What flows between stages: `model`, `origin`, `state` (plain records without tokens:
//!    what `--state` keeps between Hub audits, and the JSON report's `tokens`).
//! 4. One blob: `snippet`, `archive` (the one decompression budget), `inspect`.
//! 5. The Hub's answers: `http` (the one HTTP client: endpoint rule, deadlines, retries, caps),
//!    `verify` (whoami-v2).
//! 6. Judging: `judge`, `engine` (a run's compiled parts), `plan` (the token each platform
//!    needs).
//! 7. The fold and what consumes findings: `fold`, `whoami`, `report`, `suppress`, `revoke`.
//! 8. Sources: `git` (and the one way to run git, `git::process`), `hub`, `source` (the tree,
//!    the second look).
//! 9. The edge: `pipeline`, `merge` (several JSON reports as one), `dist`, `cli`; and `fuzzing`,
//!    the fuzz targets' way in (not a stable API).

pub mod access;
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
#[doc(hidden)]
pub mod fuzzing;
pub mod git;
pub mod http;
pub mod hub;
pub mod inspect;
pub mod judge;
pub mod merge;
pub mod model;
pub mod origin;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod practice;
pub mod repo;
pub mod report;
pub mod revoke;
pub mod rules;
pub mod scratch;
pub mod secret;
pub mod snippet;
pub mod source;
pub mod state;
pub mod suppress;
pub mod verify;
pub mod whoami;
