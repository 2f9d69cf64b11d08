//! The integration tests of the core and the CLI, in one binary with a module per area
//! (as ripgrep's tests are): one link instead of fifteen, and one place to see what is
//! covered. `tests/snapshot_memory.rs` stays a binary of its own, because it measures
//! its own process's peak memory, which other tests running beside it would inflate.
//!
//! Each module drives the public API or the `consentry` binary on real SQLite files in
//! temporary folders (`common`).

mod common;

mod audit;
mod backup;
mod bindings;
mod busy;
mod cli;
mod compressed;
mod consent_rules;
mod crash;
mod croissant;
mod dashboard;
mod deliveries;
mod demo;
mod exactness;
mod finance;
mod imports;
mod layers;
mod lifecycle;
mod money;
mod never_panics;
mod push;
mod reports;
mod snapshot;
mod store;
mod tamper;
mod trust;
