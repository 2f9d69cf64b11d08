//! The two formats of the files Consentry reads (registry and ledger imports, and
//! snapshot sources), and the two compressions they may come in.
//!
//! Compression is told by a file's first bytes, its magic number, not by its name: a
//! zstd file named `posts.jsonl` is read as zstd. No CSV or JSON Lines text can start
//! with either magic number (both begin with bytes that are not text in UTF-8), so a
//! plain file is never mistaken for a compressed one. The name still matters twice:
//! the format is read from the name under its compression suffix (`posts.jsonl.zst` is
//! JSON Lines), and a file whose name says compressed but whose bytes are not is
//! refused, since that is a damaged or mislabelled file, not a plain one
//! ([`Compression::check_name`]).

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

    /// From the extension: `.csv` is CSV, `.jsonl`, `.ndjson` and `.json` are JSONL,
    /// under a compression suffix if there is one (`posts.jsonl.zst`, `users.csv.gz`).
    pub fn of_path(path: &Path) -> Option<FileFormat> {
        let path = match Compression::of_path(path) {
            Compression::None => path,
            _ => Path::new(path.file_stem()?),
        };
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

/// How a file Consentry reads is compressed: told by its first bytes
/// ([`Compression::sniff`]), read as a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// `none`: the file is the text itself.
    #[default]
    None,
    /// `gzip` (`.gz`): one or more gzip members, as `gzip`, `pigz` or `bgzip` write.
    Gzip,
    /// `zstd` (`.zst`): one or more Zstandard frames, as the `zstd` tool writes (the
    /// Pushshift Reddit dumps are zstd-compressed JSON Lines).
    Zstd,
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Text, or a compression Consentry reads.
    Readable(Compression),
    /// A compression or archive Consentry does not read, by its usual name.
    Unsupported(&'static str),
}

impl Compression {
    /// How many first bytes [`Compression::sniff`] looks at.
    pub const SNIFF_BYTES: usize = 10;

    /// The compression's token: `none`, `gzip` or `zstd`.
    pub fn token(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// What the first bytes of a file (up to [`Compression::SNIFF_BYTES`], fewer for a
    /// shorter file) say: gzip (`1f 8b`), zstd (a frame, `28 b5 2f fd`, or a skippable
    /// frame, `5? 2a 4d 18`), else plain text. xz, bzip2 and zip are recognized to be
    /// refused by name rather than read as lines of binary (older Reddit dumps
    /// are bzip2 and xz).
    pub fn sniff(first: &[u8]) -> Sniffed {
        let starts = |magic: &[u8]| first.starts_with(magic);
        if starts(&[0x1f, 0x8b]) {
            Sniffed::Readable(Compression::Gzip)
        } else if starts(&[0x28, 0xb5, 0x2f, 0xfd])
            || (first.len() >= 4 && first[0] & 0xf0 == 0x50 && first[1..4] == [0x2a, 0x4d, 0x18])
        {
            Sniffed::Readable(Compression::Zstd)
        } else if starts(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Sniffed::Unsupported("xz")
        } else if first.len() >= 10
            && first.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&first[3])
            && (first[4..10] == *b"1AY&SY" || first[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
        {
            Sniffed::Unsupported("bzip2")
        } else if starts(b"PK\x03\x04") {
            Sniffed::Unsupported("zip")
        } else {
            Sniffed::Readable(Compression::None)
        }
    }

    /// What the file's name says: `.gz` / `.gzip` gzip, `.zst` / `.zstd` zstd, else none.
    pub fn of_path(path: &Path) -> Compression {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("gz" | "gzip") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// Refuses a file whose name says it is compressed (`.zst`, `.gz`) while its bytes
    /// (`self`, as sniffed) are plain: a truncated-to-nothing download, a damaged file,
    /// or a misnamed one. Reading it as text would reject every line of a damaged file
    /// one by one; saying what is wrong is better. The opposite, compressed bytes under
    /// a plain name, is read as what the bytes are.
    pub fn check_name(self, path: &Path) -> std::result::Result<(), String> {
        let named = Compression::of_path(path);
        if self == Compression::None && named != Compression::None {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            return Err(format!(
                "{} is named as {} (.{ext}) but is not {} data (it does not start with \
                 the {} magic number): the file is damaged, truncated or misnamed; if it is \
                 plain text, rename it without .{ext}",
                crate::model::text::printable(&path.display().to_string()),
                named.token(),
                named.token(),
                named.token(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_read_under_a_compression_suffix() {
        for (name, format, compression) in [
            ("posts.jsonl", Some(FileFormat::Jsonl), Compression::None),
            (
                "RS_2023-01.jsonl.zst",
                Some(FileFormat::Jsonl),
                Compression::Zstd,
            ),
            (
                "posts.NDJSON.ZSTD",
                Some(FileFormat::Jsonl),
                Compression::Zstd,
            ),
            ("users.csv.gz", Some(FileFormat::Csv), Compression::Gzip),
            ("users.csv.gzip", Some(FileFormat::Csv), Compression::Gzip),
            ("RS_2023-01.zst", None, Compression::Zstd),
            ("posts.gz.jsonl", Some(FileFormat::Jsonl), Compression::None),
            ("posts.txt.gz", None, Compression::Gzip),
        ] {
            let path = Path::new(name);
            assert_eq!(FileFormat::of_path(path), format, "{name}");
            assert_eq!(Compression::of_path(path), compression, "{name}");
        }
    }

    #[test]
    fn the_first_bytes_tell_the_compression() {
        use Sniffed::{Readable, Unsupported};
        for (first, sniffed) in [
            (&b"\x1f\x8b\x08\x00"[..], Readable(Compression::Gzip)),
            (b"\x28\xb5\x2f\xfd\x04\x58", Readable(Compression::Zstd)),
            (b"\x5e\x2a\x4d\x18\x00\x00", Readable(Compression::Zstd)),
            (b"\xfd7zXZ\x00", Unsupported("xz")),
            (b"BZh91AY&SY", Unsupported("bzip2")),
            (b"PK\x03\x04", Unsupported("zip")),
            (b"{\"id\": 1}", Readable(Compression::None)),
            (b"\xef\xbb\xbfuser_id,country", Readable(Compression::None)),
            (b"BZh91AY&S", Readable(Compression::None)),
            (b"\x1f", Readable(Compression::None)),
            (b"", Readable(Compression::None)),
        ] {
            assert_eq!(Compression::sniff(first), sniffed, "{first:?}");
        }
    }

    #[test]
    fn a_compressed_name_must_have_compressed_bytes_not_the_reverse() {
        assert!(Compression::None.check_name(Path::new("a.jsonl")).is_ok());
        assert!(Compression::Zstd.check_name(Path::new("a.jsonl")).is_ok());
        assert!(Compression::Zstd
            .check_name(Path::new("a.jsonl.zst"))
            .is_ok());
        // gzip bytes under a zstd name: read as gzip, the bytes decide.
        assert!(Compression::Gzip
            .check_name(Path::new("a.jsonl.zst"))
            .is_ok());
        let why = Compression::None
            .check_name(Path::new("a.jsonl.zst"))
            .unwrap_err();
        assert!(
            why.contains("a.jsonl.zst is named as zstd (.zst) but is not zstd data"),
            "{why}"
        );
    }
}
