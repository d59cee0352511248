//! The one integration-test binary (one link step: faster on two cores). Each module covers a
//! part of what a user sees; `common` builds fixture trees and fake tokens;
//! `mock` is the loopback HTTP server that stands in for the Hub.

mod archives;
mod common;
mod contract;
mod daily;
mod decode;
mod dist;
mod docs;
mod fuzzed;
mod git;
mod git_habits;
mod hub;
mod layers;
mod mock;
mod org;
mod plan;
mod practice;
mod revoke;
mod rules;
mod scan;
mod shapes;
mod trust;
mod verify;
