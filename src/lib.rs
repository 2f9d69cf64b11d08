//! Consentry's core: everything the CLI and the desktop app do, with no knowledge of
//! either. The layers point one way (ARCHITECTURE.md, "Layers"):
//!
//! 1. [`model`]: types and pure rules, no I/O: consent rules, lifecycle, validation,
//!    dates, the audit entry hash, content digests.
//! 2. [`store`]: SQL only; it imports the model and the error type, never an operation.
//! 3. Operations, one module per domain ([`partner`], [`deal`], [`audit`], [`imports`],
//!    [`policy`], [`overview`], [`snapshot`]): each public function is
//!    `fn(&Store, Request) -> Result<Response>`; it opens the transaction, decides with
//!    the model, writes through `store` and appends the audit entry. Each re-exports its
//!    model types, so `consentry::deal::Deal` is the deal type wherever it is defined.
//!
//!    [`delivery`] moves a sealed snapshot's package to a partner's bucket; [`backup`]
//!    copies the whole store and restores a verified copy; [`demo`] fills an empty store
//!    with a demo workspace through the other operations.
//! 4. The CLI (`src/main.rs`) and the desktop shell (`src-tauri`) on top.

#![warn(missing_docs)]

pub mod model;
pub mod store;

pub mod audit;
pub mod backup;
pub(crate) mod compression;
pub mod dashboard;
pub mod deal;
pub mod delivery;
pub mod demo;
pub mod finance;
pub mod imports;
pub(crate) mod integrity;
pub mod keys;
pub mod overview;
pub mod partner;
pub mod policy;
pub mod snapshot;
pub mod withdrawal;

pub mod bindings;
pub mod error;

pub use error::{Error, ErrorBody, ErrorCode, FieldError, Result};
pub use model::{calendar, consent, country, purpose, text};
pub use store::Store;
