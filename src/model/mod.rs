//! Types and pure rules: what Consentry's data is and the rules it obeys, with no I/O
//! (no SQL, no files, no clock unless passed in). Everything here can be tested with
//! plain values; `store` may import it, and nothing here imports `store` or an
//! operation module.

pub mod audit;
pub mod backup;
pub mod calendar;
pub mod consent;
pub mod country;
pub mod dashboard;
pub mod deal;
pub mod delivery;
pub mod demo;
pub mod digest;
pub mod fees;
pub mod file_format;
pub mod finance;
pub mod imports;
pub mod manifest;
pub mod money;
pub mod overview;
pub mod partner;
pub mod policy;
pub mod purpose;
pub mod reports;
pub mod signature;
pub mod snapshot;
pub mod spreadsheet;
pub mod text;
