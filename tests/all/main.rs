//! The one integration-test binary (one link step: faster on two cores). Each module covers a
//! part of what a user sees; `common` builds fixture trees and fake tokens;
//! `mock` is the loopback HTTP server that stands in for the Hub.

mod archives;
mod common;
mod contract;
mod decode;
mod dist;
mod fuzzed;
mod git;
mod hub;
mod layers;
mod mock;
mod practice;
mod revoke;
mod rules;
mod scan;
mod trust;
mod verify;
