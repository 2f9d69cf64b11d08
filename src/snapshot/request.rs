//! Request checking: a `BuildRequest` as the user gave it becomes a `Plan` the build can
//! trust (a readable source of a known format and compression, three field names, `T`, the window as
//! microsecond bounds, limits in range, an output folder that is absent or empty), or
//! every problem found, each naming its field. Nothing is written before this passes.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::folders;
use super::{BuildRequest, PlanText, DEFAULT_SHARD_BYTES};
use crate::calendar::{self, parse_instant};
use crate::error::{Error, FieldError, Problems, Result};
use crate::model::file_format::{Compression, FileFormat};

/// A checked request.
pub(super) struct Plan {
    pub source: PathBuf,
    pub format: FileFormat,
    /// What the source's first bytes said when it was checked.
    pub compression: Compression,
    pub fields: [String; 3],
    pub as_of: DateTime<Utc>,
    pub window: Option<(i64, i64)>,
    pub shard_bytes: u64,
    pub max_rejected_pct: f64,
    /// `--out`, absolute and checked to be absent or an empty folder.
    pub out: Option<PathBuf>,
}

pub(super) fn check(req: &BuildRequest) -> Result<Plan> {
    let mut problems = Problems::default();
    let source = PathBuf::from(req.source.trim());
    if req.source.trim().is_empty() {
        problems.add(
            "source",
            "a source file is required: give the path of the posts file",
        );
    } else if let Err(why) = super::source_file(&source) {
        problems.add("source", why);
    }
    // A compression not read, or a compressed name over plain bytes, is refused here,
    // before anything is written.
    let compression = match source.is_file() {
        true => problems
            .take(crate::compression::sniff(&source).map_err(|why| FieldError::new("source", why))),
        false => Some(Compression::None),
    };
    let format = match req
        .format
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        Some(f) => problems.take(FileFormat::parse("format", f).map_err(first_field)),
        None => {
            let f = FileFormat::of_path(&source);
            // A folder or a missing file is said once, under the source.
            if f.is_none() && source.is_file() {
                problems.add(
                    "format",
                    "cannot tell the format from the file name (it ends neither in .jsonl nor \
                     in .csv, before any .gz or .zst): give jsonl or csv",
                );
            }
            f
        }
    };
    let mut fields = Vec::new();
    for (name, value) in [
        ("id_field", &req.id_field),
        ("user_field", &req.user_field),
        ("time_field", &req.time_field),
    ] {
        if value.trim().is_empty() {
            problems.add(name, "a field name is required");
        } else {
            problems.take(crate::text::single_line(name, value.trim()));
        }
        fields.push(value.trim().to_string());
    }
    let as_of = problems.take(parse_instant("as_of", &req.as_of));
    let day =
        |field: &str, v: &Option<String>| -> Option<std::result::Result<NaiveDate, FieldError>> {
            let text = v.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
            Some(calendar::parse_term_date(field, text))
        };
    let from = day("window_from", &req.window_from).and_then(|r| problems.take(r));
    let to = day("window_to", &req.window_to).and_then(|r| problems.take(r));
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            problems.add(
                "window_to",
                format!("window end {t} is before window start {f}"),
            );
        }
    }
    // Term dates lie in 1970..=2199, so the day bounds exist.
    let window = (from.is_some() || to.is_some()).then(|| {
        let start = from.map_or(i64::MIN, calendar::start_of_day_micros);
        let end = to.and_then(calendar::end_of_day_micros).unwrap_or(i64::MAX);
        (start, end)
    });
    let shard_bytes = req.shard_bytes.unwrap_or(DEFAULT_SHARD_BYTES);
    if shard_bytes < 1024 {
        problems.add("shard_bytes", "shards must be at least 1024 bytes");
    }
    let max_rejected_pct = req.max_rejected_pct.unwrap_or(1.0);
    if !(0.0..=100.0).contains(&max_rejected_pct) {
        problems.add("max_rejected_pct", "must be between 0 and 100");
    }
    let out = req
        .out
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| folders::absolute(Path::new(o)));
    if let Some(out) = &out {
        problems.take(folders::check_out(out));
    }
    problems.into_result()?;
    Ok(Plan {
        out,
        source,
        format: format.expect("checked"),
        compression: compression.expect("checked"),
        fields: [fields[0].clone(), fields[1].clone(), fields[2].clone()],
        as_of: as_of.expect("checked"),
        window,
        shard_bytes,
        max_rejected_pct,
    })
}

fn first_field(e: Error) -> FieldError {
    e.fields()
        .into_iter()
        .next()
        .unwrap_or_else(|| FieldError::new("format", e.to_string()))
}

/// The plan as the `building` row records it.
pub(super) fn plan_text(plan: &Plan) -> PlanText {
    let source = std::fs::canonicalize(&plan.source).unwrap_or_else(|_| plan.source.clone());
    PlanText {
        source: source.display().to_string(),
        format: plan.format.token(),
        compression: plan.compression,
        fields: plan.fields.clone(),
        as_of: plan
            .as_of
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    }
}
