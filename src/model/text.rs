//! Text that people type or import: names, titles, ids, notes.
//!
//! A control character in a partner's name or a user id is never meaningful, and printed
//! to a terminal it is an attack: an ANSI escape sequence can recolour, hide or rewrite
//! what the reader sees. So single-line text with any control character is refused at
//! the door ([`single_line`]), multi-line notes may hold line breaks and tabs only
//! ([`multi_line`]), and whatever is shown to a person goes through [`printable`] anyway
//! (file paths and lines of imported files are not ours to refuse).

use std::borrow::Cow;

use crate::error::FieldError;

/// Text safe to show in a terminal or a message: control characters are written as
/// `\u{..}` escapes.
pub fn printable(text: &str) -> Cow<'_, str> {
    printable_except(text, &[])
}

/// [`printable`], keeping line breaks and tabs: for multi-line text shown as such.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    printable_except(text, &['\n', '\t'])
}

fn printable_except<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    let unsafe_char = |c: char| c.is_control() && !keep.contains(&c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Refuses a name, title or id holding a control character (tabs and line breaks
/// included), naming the field and the character's position.
pub fn single_line(field: &str, text: &str) -> Result<(), FieldError> {
    refuse_controls(field, text, &[])
}

/// Refuses notes holding a control character other than a line break or a tab.
pub fn multi_line(field: &str, text: &str) -> Result<(), FieldError> {
    refuse_controls(field, text, &['\n', '\t', '\r'])
}

fn refuse_controls(field: &str, text: &str, allowed: &[char]) -> Result<(), FieldError> {
    // Printable ASCII (most ids and sources) holds no control character: told by bytes,
    // without decoding characters (an import checks millions of fields).
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Ok(());
    }
    match text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !allowed.contains(c))
    {
        None => Ok(()),
        Some((i, c)) => Err(FieldError::new(
            field,
            format!(
                "contains the control character {} at position {}: remove it (only \
                 printable text is accepted)",
                c.escape_unicode(),
                i + 1
            ),
        )),
    }
}

/// The trimmed text when it is not blank.
pub fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The one of `all` whose `token` is `text` (trimmed), or an error on `field` naming
/// `what` and the tokens known: how the small token enums (billing, recognition,
/// grouping) are parsed.
pub fn one_of<T: Copy>(
    field: &str,
    what: &str,
    all: &[T],
    token: fn(T) -> &'static str,
    text: &str,
) -> Result<T, FieldError> {
    all.iter()
        .copied()
        .find(|t| token(*t) == text.trim())
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|t| token(*t)).collect();
            FieldError::new(
                field,
                format!(
                    "unknown {what} '{}' (known: {})",
                    printable(text),
                    known.join(", ")
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_when_shown() {
        assert_eq!(printable("plain é"), "plain é");
        assert_eq!(printable("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(printable("x\ry"), "x\\u{d}y");
        assert_eq!(printable_lines("a\nb\u{7}"), "a\nb\\u{7}");
    }

    #[test]
    fn names_refuse_every_control_character_and_notes_keep_line_breaks() {
        assert!(single_line("name", "Example AI").is_ok());
        let e = single_line("name", "Evil\u{1b}[2J").unwrap_err();
        assert_eq!(e.field, "name");
        assert!(e.message.contains("position 5"), "{}", e.message);
        assert!(single_line("name", "a\tb").is_err());
        assert!(multi_line("notes", "line one\nline two\twith a tab").is_ok());
        assert!(multi_line("notes", "bell\u{7}").is_err());
        assert!(multi_line("notes", "\u{9b}31m").is_err(), "C1 CSI");
    }
}
