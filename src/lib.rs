//! Consentry's core: everything the CLI and the desktop app do, with no knowledge of
//! either. Each public operation is a function `fn(&Store, Request) -> Result<Response>`
//! in the module of its domain concept; the shells only parse input and print output.

pub mod audit;
pub mod bindings;
pub mod calendar;
pub mod consent;
pub mod country;
pub mod deal;
pub mod error;
pub(crate) mod integrity;
pub mod ledger;
pub mod partner;
pub mod purpose;
pub mod snapshot;
pub mod store;
pub mod text;

pub use error::{Error, ErrorBody, ErrorCode, FieldError, Result};
pub use store::Store;
