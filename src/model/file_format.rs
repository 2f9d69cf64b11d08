//! The two formats of the files Consentry reads: registry and ledger imports, and
//! snapshot sources.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// The format of a file Consentry reads: one record per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// `csv`: comma-separated values, with a header line naming the columns.
    Csv,
    /// `jsonl`: one JSON object per line (JSON Lines).
    Jsonl,
}

impl FileFormat {
    /// The format's token: `csv` or `jsonl`.
    pub fn token(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Jsonl => "jsonl",
        }
    }

    /// From the extension: `.csv` is CSV, `.jsonl`, `.ndjson` and `.json` are JSONL.
    pub fn of_path(path: &Path) -> Option<FileFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(FileFormat::Csv),
            "jsonl" | "ndjson" | "json" => Some(FileFormat::Jsonl),
            _ => None,
        }
    }

    /// The format named `text` (exactly `csv` or `jsonl`); an error naming `field`
    /// otherwise.
    pub fn parse(field: &str, text: &str) -> Result<FileFormat> {
        match text {
            "csv" => Ok(FileFormat::Csv),
            "jsonl" => Ok(FileFormat::Jsonl),
            _ => Err(Error::invalid(
                field,
                format!("unknown format '{text}' (csv or jsonl)"),
            )),
        }
    }
}
