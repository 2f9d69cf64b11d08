//! Everything the CLI prints, and how: JSON for scripts with `--json`, text for people
//! otherwise, refusals on stderr naming the flag. Every byte from a person or a file goes
//! through `text::printable_lines`, so no control character reaches the terminal; and no
//! write fails the command when the reader has gone away.

use std::process::ExitCode;

use serde::Serialize;

use consentry::text::printable_lines;
use consentry::Error;

/// Where a command's result goes: JSON or text, chosen once by `--json`.
pub(super) struct Output {
    pub(super) json: bool,
}

impl Output {
    pub(super) fn value<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        self.written(
            |out| serde_json::to_writer_pretty(out, value).map_err(std::io::Error::from),
            human,
        );
    }

    /// [`Output::value`] with the JSON written by `json`: a report's own writer of the
    /// bytes serde_json would write (`finance::revenue_json`).
    pub(super) fn written(
        &self,
        json: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
        human: impl FnOnce() -> String,
    ) {
        if self.json {
            // Streamed: a report of tens of thousands of rows is never built as a string.
            use std::io::Write;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let _ = json(&mut out)
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush());
        } else {
            // Names, ids and paths come from people and files: no control character of
            // theirs reaches the terminal.
            emit(&printable_lines(&human()));
        }
    }

    /// What every `add` prints: `{"id": N}` for scripts, a sentence for people.
    pub(super) fn created(&self, id: i64, human: &str) {
        self.value(&serde_json::json!({ "id": id }), || format!("{human}\n"));
    }

    /// A refused or failed command: `{"error": {...}}` on stdout for scripts (with
    /// `--json`), and always `error: <flag>: <message>` on stderr for people.
    pub(super) fn refusal(&self, e: &Error) {
        if self.json {
            emit(&format!("{}\n", serde_json::json!({ "error": e.body() })));
        }
        warn(&format!("error: {}", describe(e)));
    }
}

/// The exit status of a check (`audit verify`, `snapshot verify`): 1 when it found a
/// problem, so that a script stops.
pub(super) fn verdict(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Writes to stdout. A reader that went away (`consentry ... | head`, or `| true`) is
/// not a failure: the command's work is done (a write is committed), and reporting an
/// error would make a script that retries on failure do it twice.
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// A line on stderr, with control characters escaped; never panics.
pub(super) fn warn(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", printable_lines(text));
}

/// The message for people: field errors name the command-line flag, not the field.
fn describe(e: &Error) -> String {
    let fields = e.fields();
    if fields.is_empty() {
        return e.to_string();
    }
    fields
        .iter()
        .map(|f| format!("{}: {}", flag_of(&f.field), f.message))
        .collect::<Vec<_>>()
        .join("\nerror: ")
}

/// The command-line flag of a request field. Every field a command can refuse is here;
/// the test `every_refusal_names_its_flag` (tests/integration/trust.rs) keeps it so.
fn flag_of(field: &str) -> &str {
    match field {
        "name" => "--name",
        "kind" => "--kind",
        "country" => "--country",
        "contact" => "--contact",
        "notes" => "--notes",
        "partner_id" => "--partner",
        "title" => "--title",
        "purposes" => "--purposes",
        "start_date" => "--start",
        "end_date" => "--end",
        "territory" => "--territory",
        "retention_days" => "--retention-days",
        "withdrawal_days" => "--withdrawal-days",
        "status" => "--status",
        "to" => "--to",
        "deal_id" => "--deal",
        "source" => "--source",
        "format" => "--format",
        "id_field" => "--id-field",
        "user_field" => "--user-field",
        "time_field" => "--time-field",
        "as_of" => "--as-of",
        "window_from" => "--window-from",
        "window_to" => "--window-to",
        "shard_bytes" => "--shard-bytes",
        "out" => "--out",
        "max_rejected_pct" => "--max-rejected-pct",
        "opt_in" => "--opt-in",
        "opt_out_available_from" => "--opt-out-available-from",
        "notice_days" => "--notice-days",
        "file" => "FILE",
        "snapshot_id" => "--snapshot",
        "public_key" => "--public-key",
        "platform" => "--platform",
        "currency" => "--currency",
        "annual_fee" => "--annual-fee",
        "escalator_pct" => "--escalator-pct",
        "billing" => "--billing",
        "terms_days" => "--terms-days",
        "recognition" => "--recognition",
        "per_delivery" => "--per-delivery",
        "per_1k_records" => "--per-1k-records",
        "minimum" => "--minimum",
        "invoice_id" => "--invoice",
        "amount" => "--amount",
        "date" => "--date",
        "reason" => "--reason",
        "reference" => "--reference",
        "through" => "--through",
        "user_id" => "--user",
        "from" => "--from",
        "rate" => "--rate",
        "group" => "--group",
        "base" => "--base",
        "at" => "--at",
        "keep" => "--keep",
        "users" => "--users",
        "posts" => "--posts",
        "dir" => "--dir",
        other => other,
    }
}

/// `key  value` lines for one entity, leaving out the keys without a value.
pub(super) fn lines(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k:<15}{v}\n"))
        .collect()
}

/// Left-aligned columns under `headers`, or `(none)` for no rows.
pub(super) fn table(headers: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows.collect();
    if rows.is_empty() {
        return "(none)\n".to_string();
    }
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([h.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render = |cells: Vec<&str>| {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        line.join("  ").trim_end().to_string() + "\n"
    };
    let mut text = render(headers.to_vec());
    for row in &rows {
        text.push_str(&render(row.iter().map(String::as_str).collect()));
    }
    text
}
