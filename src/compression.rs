//! Files read as given: plain, gzip or zstd, decompressed as a stream.
//!
//! Imports and snapshot sources open their file here. What the file is comes from its
//! first bytes (`model::file_format::Compression::sniff`), so a zstd file named `.jsonl`
//! is still read; a name that says compressed over plain bytes, or a compression
//! Consentry does not read (xz, bzip2, zip), is refused before anything else happens.
//!
//! Guarantees:
//! - **Streamed**: nothing is decompressed to disk or held whole; memory is the
//!   decoders' buffers plus, for zstd, the frame's window (what the file's compressor
//!   chose: 8 MiB or less for `zstd -1` to `-19`, up to 2 GiB for the `--long=31` the
//!   Pushshift dumps were written with, which is allowed here for that reason).
//! - **Fail closed**: a truncated file (a frame or member cut short) or a damaged one
//!   (data that does not decode, a checksum that does not match, bytes after the last
//!   frame) is an error naming the file, never an early end: the caller refuses the
//!   whole file. What cannot be seen: a file of several frames or members cut exactly
//!   between two of them, and changed bytes that still decode in a zstd frame without
//!   a content checksum (the `zstd` tool writes one by default; gzip always has one).
//! - **Progress over the file as given**: [`Opened::file_read`] counts the bytes read
//!   from the file itself (compressed bytes when compressed), out of
//!   [`Opened::file_bytes`], its size.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::file_format::{Compression, Sniffed};
use crate::text::printable;

/// The largest zstd window accepted: 2 GiB, what `zstd --long=31` writes.
const ZSTD_WINDOW_LOG_MAX: u32 = 31;

/// A file opened for reading, decompressed if it is compressed.
pub(crate) struct Opened {
    /// The file's content: the text itself, decompressed.
    pub reader: Box<dyn Read + Send>,
    /// What the file's first bytes said.
    pub compression: Compression,
    /// The file's size as given (compressed), 0 when it has none (a pipe).
    pub file_bytes: u64,
    /// Bytes read from the file itself so far (compressed bytes when compressed).
    pub file_read: Arc<AtomicU64>,
}

/// Opens `path`, telling its compression from its first bytes. Refusals (a compression
/// not read, a name that says compressed over plain bytes) name `field`.
pub(crate) fn open(path: &Path, field: &str) -> Result<Opened> {
    let file =
        File::open(path).map_err(|e| Error::io(format!("cannot read {}", shown(path)), e))?;
    let file_bytes = file.metadata().map_or(0, |m| m.len());
    let file_read = Arc::new(AtomicU64::new(0));
    let mut counted = Counted {
        file,
        read: Arc::clone(&file_read),
    };
    let first =
        first_bytes(&mut counted).map_err(|e| read_error(path, Compression::None, e, field))?;
    let compression = identify(path, &first).map_err(|why| Error::invalid(field, why))?;
    let stream = io::Cursor::new(first).chain(counted);
    let reader: Box<dyn Read + Send> = match compression {
        Compression::None => Box::new(stream),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(stream)),
        Compression::Zstd => {
            let mut decoder = zstd::stream::read::Decoder::new(stream)
                .map_err(|e| Error::io("cannot start the zstd decoder", e))?;
            decoder
                .window_log_max(ZSTD_WINDOW_LOG_MAX)
                .map_err(|e| Error::io("cannot start the zstd decoder", e))?;
            Box::new(decoder)
        }
    };
    Ok(Opened {
        reader,
        compression,
        file_bytes,
        file_read,
    })
}

/// A regular file opened for reading in large blocks (a snapshot source).
pub(crate) enum Blocks {
    /// Plain: the file itself, from its start. `std::fs::File` reads into a `Vec`'s
    /// spare capacity without zeroing it first, which no wrapper can do on stable Rust
    /// (`Read::read_buf` is unstable), so the plain path keeps the bare file: the same
    /// reads as before compressed files were read.
    Plain(File),
    /// Compressed: as [`open`] gives it.
    Decoded(Opened),
}

/// [`open`] for a regular file read in large blocks: a plain file comes back bare,
/// rewound to its start after its first bytes were looked at.
pub(crate) fn open_blocks(path: &Path, field: &str) -> Result<Blocks> {
    use std::io::{Seek, SeekFrom};
    let mut file =
        File::open(path).map_err(|e| Error::io(format!("cannot read {}", shown(path)), e))?;
    let first = first_bytes(&mut file)
        .and_then(|first| file.seek(SeekFrom::Start(0)).map(|_| first))
        .map_err(|e| Error::io(format!("cannot read {}", shown(path)), e))?;
    match identify(path, &first).map_err(|why| Error::invalid(field, why))? {
        Compression::None => Ok(Blocks::Plain(file)),
        _ => open(path, field).map(Blocks::Decoded),
    }
}

/// The compression of the file at `path`, from its first bytes, or why it is refused
/// (in words naming the file); for request checks, before anything is written.
pub(crate) fn sniff(path: &Path) -> std::result::Result<Compression, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    let first = first_bytes(&mut file).map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    identify(path, &first)
}

/// What `first` says the file at `path` is, checked against its name.
fn identify(path: &Path, first: &[u8]) -> std::result::Result<Compression, String> {
    match Compression::sniff(first) {
        Sniffed::Unsupported(name) => Err(format!(
            "{} is {name}-compressed: Consentry reads plain, zstd (.zst) and gzip (.gz) \
             files; decompress it, or recompress it with zstd",
            shown(path)
        )),
        Sniffed::Readable(compression) => {
            compression.check_name(path)?;
            Ok(compression)
        }
    }
}

/// The first [`Compression::SNIFF_BYTES`] bytes of `r`, fewer if it is shorter.
fn first_bytes(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut first = Vec::with_capacity(Compression::SNIFF_BYTES);
    r.take(Compression::SNIFF_BYTES as u64)
        .read_to_end(&mut first)?;
    Ok(first)
}

/// The error for a failed read of a file opened by [`open`]: the file's own read
/// errors as I/O errors; a decoder's as a refusal of the file under `field`, saying
/// whether it is truncated or damaged.
pub(crate) fn read_error(
    path: &Path,
    compression: Compression,
    e: io::Error,
    field: &str,
) -> Error {
    let e = match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<FileError>())
    {
        Some(_) => match e.into_inner().map(|inner| inner.downcast::<FileError>()) {
            Some(Ok(file_error)) => file_error.0,
            _ => unreachable!("checked above"),
        },
        None if compression != Compression::None => {
            return Error::invalid(field, undecodable(path, compression, &e))
        }
        None => e,
    };
    Error::io(format!("cannot read {}", shown(path)), e)
}

/// Why a compressed file cannot be decoded, naming it.
fn undecodable(path: &Path, compression: Compression, e: &io::Error) -> String {
    let name = compression.token();
    if e.kind() == io::ErrorKind::UnexpectedEof {
        format!(
            "{} is truncated: its {name} data ends in the middle of a {} (an interrupted \
             download or copy?); nothing of it was used: get the whole file again",
            shown(path),
            if compression == Compression::Zstd {
                "frame"
            } else {
                "member"
            }
        )
    } else {
        format!(
            "{} is damaged: its {name} data cannot be decoded ({e}); nothing of it was \
             used: get the file again",
            shown(path)
        )
    }
}

fn shown(path: &Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// The file under the decoder: counts what is read, and marks its own errors so that
/// they are not mistaken for the decoder's.
struct Counted {
    file: File,
    read: Arc<AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.file.read(buf) {
            Ok(n) => {
                self.read.fetch_add(n as u64, Ordering::Relaxed);
                Ok(n)
            }
            Err(e) => Err(io::Error::new(e.kind(), FileError(e))),
        }
    }
}

/// An error reading the file itself, not decoding it.
#[derive(Debug)]
struct FileError(io::Error);

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for FileError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn text() -> Vec<u8> {
        (0..5000)
            .map(|i| {
                format!(
                    "{{\"id\":\"t{i}\",\"author\":\"u{}\",\"created_utc\":{}}}\n",
                    i % 97,
                    1_600_000_000 + i
                )
            })
            .collect::<String>()
            .into_bytes()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zstd(data: &[u8]) -> Vec<u8> {
        zstd::encode_all(data, 3).unwrap()
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn read_all(path: &Path) -> Result<(Vec<u8>, Opened)> {
        let mut opened = open(path, "file")?;
        let mut out = Vec::new();
        let read = opened.reader.read_to_end(&mut out);
        read.map_err(|e| read_error(path, opened.compression, e, "file"))?;
        Ok((out, opened))
    }

    fn dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "consentry-compression-{}-{}",
            std::process::id(),
            std::thread::current()
                .name()
                .unwrap_or("t")
                .replace("::", "-")
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn plain_gzip_and_zstd_read_the_same_text_and_count_the_file_bytes() {
        let dir = dir();
        let plain = text();
        // Two gzip members and two zstd frames, as pigz or a concatenation writes them.
        let half = plain.len() / 2;
        let gz = [gzip(&plain[..half]), gzip(&plain[half..])].concat();
        let zst = [zstd(&plain[..half]), zstd(&plain[half..])].concat();
        for (name, bytes, compression) in [
            ("p.jsonl", &plain, Compression::None),
            ("p.jsonl.gz", &gz, Compression::Gzip),
            ("p.jsonl.zst", &zst, Compression::Zstd),
            // Compressed under a plain name: read as what the bytes are.
            ("misnamed.jsonl", &zst, Compression::Zstd),
        ] {
            let path = write(&dir, name, bytes);
            let (out, opened) = read_all(&path).unwrap();
            assert!(out == plain, "{name}");
            assert_eq!(opened.compression, compression, "{name}");
            assert_eq!(opened.file_bytes, bytes.len() as u64, "{name}");
            assert_eq!(
                opened.file_read.load(Ordering::Relaxed),
                bytes.len() as u64,
                "{name}"
            );
        }
    }

    #[test]
    fn a_cut_anywhere_in_a_frame_or_member_is_an_error_naming_the_file() {
        let dir = dir();
        let plain = text();
        for (name, whole) in [
            ("cut.jsonl.zst", zstd(&plain)),
            ("cut.jsonl.gz", gzip(&plain)),
        ] {
            // Every cut point short of the whole file (0 bytes is refused by its name).
            for cut in (1..whole.len())
                .step_by(whole.len() / 300 + 1)
                .chain([whole.len() - 1])
            {
                let path = write(&dir, name, &whole[..cut]);
                let err = match read_all(&path) {
                    Ok(_) => panic!("{name} cut at {cut} of {} was read", whole.len()),
                    Err(e) => e.to_string(),
                };
                assert!(err.contains(&path.display().to_string()), "{err}");
                assert!(
                    err.contains("is truncated") || err.contains("is damaged"),
                    "{name} at {cut}: {err}"
                );
            }
        }
        let path = write(&dir, "cut.jsonl.zst", &zstd(&plain)[..100]);
        let err = read_all(&path).err().unwrap().to_string();
        assert!(
            err.contains("is truncated: its zstd data ends in the middle of a frame"),
            "{err}"
        );
    }

    #[test]
    fn damaged_data_and_bytes_after_the_last_frame_are_refused() {
        let dir = dir();
        // With the content checksum the zstd tool writes by default (the library does
        // not): a changed byte anywhere is caught.
        let mut e = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        e.include_checksum(true).unwrap();
        e.write_all(&text()).unwrap();
        let mut zst = e.finish().unwrap();
        let middle = zst.len() / 2;
        zst[middle] ^= 0xff;
        let path = write(&dir, "bad.jsonl.zst", &zst);
        let err = read_all(&path).err().unwrap().to_string();
        assert!(
            err.contains("is damaged: its zstd data cannot be decoded"),
            "{err}"
        );
        let mut gz = gzip(&text());
        let crc = gz.len() - 8;
        gz[crc] ^= 0xff;
        let path = write(&dir, "bad.jsonl.gz", &gz);
        let err = read_all(&path).err().unwrap().to_string();
        assert!(
            err.contains("is damaged: its gzip data cannot be decoded"),
            "{err}"
        );
        let trailing = [zstd(&text()), b"{\"id\":1}\n".to_vec()].concat();
        let path = write(&dir, "trailing.jsonl.zst", &trailing);
        assert!(read_all(&path).is_err());
    }

    #[test]
    fn a_compressed_name_over_plain_bytes_and_other_compressions_are_refused() {
        let dir = dir();
        for (name, bytes, says) in [
            (
                "plain.jsonl.zst",
                b"{\"id\":1}\n".to_vec(),
                "is named as zstd (.zst) but is not zstd data",
            ),
            (
                "empty.csv.gz",
                Vec::new(),
                "is named as gzip (.gz) but is not gzip data",
            ),
            (
                "old.jsonl",
                b"\xfd7zXZ\x00\x00\x04".to_vec(),
                "is xz-compressed",
            ),
            (
                "old.jsonl.bz2",
                b"BZh91AY&SY\x00\x00".to_vec(),
                "is bzip2-compressed",
            ),
            (
                "posts.zip",
                b"PK\x03\x04\x14\x00".to_vec(),
                "is zip-compressed",
            ),
        ] {
            let path = write(&dir, name, &bytes);
            let err = open(&path, "file").err().unwrap();
            assert!(err.to_string().contains(says), "{name}: {err}");
            assert_eq!(err.fields()[0].field, "file");
            assert_eq!(sniff(&path).unwrap_err(), err.fields()[0].message);
        }
        // Text that merely starts like a magic number's first letters is text.
        let path = write(&dir, "bz.csv", b"BZh,b\n1,2\n");
        assert_eq!(read_all(&path).unwrap().0, b"BZh,b\n1,2\n");
    }
}
