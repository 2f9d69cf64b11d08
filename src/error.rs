//! The one error type of the core, and the `{ code, message, fields }` shape in which
//! errors leave it — printed by the CLI with `--json` and sent over IPC by the shell.
//!
//! Every refusal names what is wrong and where: validation errors carry the field
//! they are about, so forms can show them inline and scripts can branch on them
//! without matching message text.

use serde::Serialize;
use ts_rs::TS;

/// The core's result: every operation fails with [`Error`] unless it says otherwise.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem with one input field. `field` is the name of the field in the request
/// structs (`title`, `end_date`, ...), which is also what the UI's forms use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldError {
    /// The request struct's field name, e.g. `end_date`.
    pub field: String,
    /// What is wrong with it, for a person to read.
    pub message: String,
}

impl FieldError {
    /// The problem `message` with the field named `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// One bad line of an input file (1-based line number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct LineError {
    /// 1-based line number in the file.
    pub line: u64,
    /// What is wrong with that line, for a person to read.
    pub message: String,
}

/// The small set of codes a caller may branch on. It grows only when a caller needs
/// to tell two failures apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request itself is wrong; `fields` says where.
    Invalid,
    /// The request names something that does not exist.
    NotFound,
    /// The request clashes with what is stored (a duplicate name, frozen terms).
    Conflict,
    /// A lifecycle move that the deal's current state does not allow.
    IllegalTransition,
    /// The store was written by a newer Consentry.
    SchemaTooNew,
    /// The store could not be read or written.
    Store,
    /// A file could not be read or written.
    Io,
    /// The user stopped a long operation: a build keeps nothing; a push keeps what it
    /// finished (the message says which).
    Cancelled,
    /// A delivery destination did not answer (refused connections, timeouts, server
    /// errors) after retries; what was delivered before is kept, and a re-run resumes.
    Unreachable,
}

/// Why a core operation refused or failed. Whatever the variant, a refused request
/// wrote nothing to the store; [`Error::body`] is the shape in which it leaves the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is wrong in these fields, all of them listed at once.
    #[error("{}", describe_fields(.0))]
    Invalid(Vec<FieldError>),
    /// The request names an entity that is not in the store.
    #[error("{entity} {id} not found: check the id")]
    NotFound {
        /// What was looked for: `partner`, `deal`, `snapshot`, `snapshot build`.
        entity: &'static str,
        /// The id as the request gave it.
        id: String,
    },
    /// The request clashes with what is stored: a duplicate name, frozen terms, a deal
    /// already renewed.
    #[error("{}", match .field { Some(f) => format!("{f}: {message}"), None => message.clone() })]
    Conflict {
        /// The request field the clash is about; `None`: the request as a whole.
        field: Option<String>,
        /// What clashes, for a person to read.
        message: String,
    },
    /// A lifecycle move the deal's current state does not allow.
    #[error("deal {id} cannot move from {from} to {to}; from {from} it may move to: {allowed}")]
    IllegalTransition {
        /// The deal's id.
        id: i64,
        /// The deal's current state, as its token (`draft`, `signed`, ...).
        from: String,
        /// The state the request asked for.
        to: String,
        /// The states it may move to from `from`, comma-separated, or `nothing (it
        /// is final)`.
        allowed: String,
    },
    /// A file refused for its bad lines (an import, or a snapshot source over its
    /// rejected-lines limit); nothing was written.
    #[error("{}", describe_lines(.file, *.total, *.rows, .lines))]
    BadLines {
        /// The file's path, made printable (for a snapshot, also why it was refused).
        file: String,
        /// How many lines were bad; `lines` holds the first of them.
        total: u64,
        /// How many rows the file has in all, good and bad, when it was read to its end
        /// (an import); `None` when that is not known.
        rows: Option<u64>,
        /// The first bad lines (at most 100), in file order.
        lines: Vec<LineError>,
    },
    /// A file or folder could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. `cannot read the source`.
        context: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The user stopped a long operation (a snapshot build, an import); nothing was
    /// kept.
    #[error("cancelled; nothing was kept")]
    Cancelled,
    /// The user stopped a long operation that keeps what it finished (a push); the
    /// message says what was kept and how to go on.
    #[error("{0}")]
    Stopped(String),
    /// A delivery destination did not answer, even after retries.
    #[error("cannot reach {destination}: {message}")]
    Unreachable {
        /// The destination as the request named it, e.g. `s3://bucket/prefix`.
        destination: String,
        /// What failed, the transport's last error, and what was kept.
        message: String,
    },
    /// The store could not be opened, read or written. The cause is the store's own
    /// error, boxed, so that what is specific to SQLite stays in `store`; `code` is
    /// what callers may branch on (`store` or `schema_too_new`).
    #[error("{source}")]
    Store {
        /// [`ErrorCode::Store`], or [`ErrorCode::SchemaTooNew`] for a store written by a
        /// newer Consentry.
        code: ErrorCode,
        /// The store's own error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// `file: 4 of 6 rows are bad, nothing was written; the first 4: line 3: ...`, with at
/// most 10 lines spelled out (the error's `lines` holds up to 100).
fn describe_lines(file: &str, total: u64, rows: Option<u64>, lines: &[LineError]) -> String {
    let shown: Vec<String> = lines
        .iter()
        .take(10)
        .map(|l| format!("line {}: {}", l.line, l.message))
        .collect();
    let more = match total.checked_sub(shown.len() as u64) {
        Some(more) if more > 0 => format!("; and {more} more"),
        _ => String::new(),
    };
    let head = match rows {
        Some(rows) if rows == total => format!("all {rows} rows are bad"),
        Some(rows) => format!("{total} of {rows} rows are bad"),
        None => format!("{total} bad line(s)"),
    };
    let first = match rows {
        None => ": ".to_string(),
        Some(_) if total > shown.len() as u64 => format!("; the first {}: ", shown.len()),
        Some(_) => ": ".to_string(),
    };
    format!(
        "{file}: {head}, nothing was written{first}{}{more}",
        shown.join("; ")
    )
}

fn describe_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// A request refused for one field: `field` and what is wrong with it.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    /// A clash with what is stored, about the request field `field`.
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Error::Conflict {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// A file error, with what was being done (`context`) in front of the OS's message.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The code a caller branches on; never match on the message instead.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid(_) | Error::BadLines { .. } => ErrorCode::Invalid,
            Error::Io { .. } => ErrorCode::Io,
            Error::Cancelled | Error::Stopped(_) => ErrorCode::Cancelled,
            Error::Unreachable { .. } => ErrorCode::Unreachable,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            Error::Store { code, .. } => *code,
        }
    }

    /// The fields this error is about, for inline display next to form inputs.
    pub fn fields(&self) -> Vec<FieldError> {
        match self {
            Error::Invalid(errors) => errors.clone(),
            Error::Conflict {
                field: Some(field),
                message,
            } => vec![FieldError::new(field, message.clone())],
            _ => Vec::new(),
        }
    }

    /// The error as it leaves the core: code, message, fields and bad lines.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
            fields: self.fields(),
            lines: match self {
                Error::BadLines { lines, .. } => lines.clone(),
                _ => Vec::new(),
            },
            lines_total: match self {
                Error::BadLines { total, .. } => Some(*total),
                _ => None,
            },
            rows_read: match self {
                Error::BadLines { rows, .. } => *rows,
                _ => None,
            },
        }
    }
}

/// How an error leaves the core: over IPC to the UI, and as `{"error": ...}` from the CLI.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ErrorBody {
    /// What a caller may branch on.
    pub code: ErrorCode,
    /// The whole error in one sentence, for a person to read.
    pub message: String,
    /// The request fields it is about, for inline display in forms; empty if none.
    pub fields: Vec<FieldError>,
    /// For a refused file: its bad lines (the first 100).
    pub lines: Vec<LineError>,
    /// For a refused file: how many lines were bad in all (`lines` lists the first
    /// 100). Absent from other errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub lines_total: Option<u64>,
    /// For a refused import: how many rows the file has, good and bad; equal to
    /// `lines_total` when every row is bad. Absent from other errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rows_read: Option<u64>,
}

/// Collects field errors so that a form gets all of them at once, not one per try.
#[derive(Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    /// Records that `field` is wrong, and why.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Keeps the value when it parsed, records the problem when it did not.
    pub fn take<T>(&mut self, result: std::result::Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// `Ok` if nothing was recorded, else [`Error::Invalid`] with every problem.
    pub fn into_result(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}
