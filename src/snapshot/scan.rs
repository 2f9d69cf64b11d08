//! Reading the three mapped fields (record id, author, created-at) out of one source
//! line, and deciding whether the line is well-formed at all.
//!
//! JSON lines are checked completely (RFC 8259: structure, strings, escapes, numbers,
//! UTF-8), not just searched for the fields, because a truncated or corrupt line must be
//! rejected even when the fields we need happen to be readable. The scanner borrows from
//! the line and allocates only for strings with escapes.

use std::borrow::Cow;

use chrono::DateTime;

/// A mapped field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// A string, unescaped (borrowed from the line when it had no escapes).
    Str(Cow<'a, str>),
    /// A JSON number, as written.
    Num(&'a str),
    /// Any other JSON value; the name of its type.
    Other(&'static str),
}

/// The three mapped fields of one record, `None` where absent.
pub type Mapped<'a> = [Option<Value<'a>>; 3];

const MAX_DEPTH: usize = 128;

/// Scans one JSON object line (without its line end), returning the values of the
/// top-level keys `names`. Any syntax error, or a mapped key given twice, is an error.
pub fn json<'a>(line: &'a [u8], names: &[&str; 3]) -> Result<Mapped<'a>, String> {
    json_text(utf8(line)?, has_controls(line), names)
}

/// [`json`] of a line already known to be text, and whether it has any byte below 0x20
/// (see [`clean`]).
pub fn json_text<'a>(
    text: &'a str,
    controls: bool,
    names: &[&str; 3],
) -> Result<Mapped<'a>, String> {
    let line = text.as_bytes();
    let mut p = Parser {
        controls,
        s: text,
        b: line,
        i: 0,
    };
    let mut out: Mapped<'a> = [None, None, None];
    p.ws();
    p.expect(b'{', "a JSON object")?;
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            p.ws();
            p.expect(b'"', "a key")?;
            let key = p.key()?;
            p.ws();
            p.expect(b':', "':'")?;
            p.ws();
            match names.iter().position(|n| *n == key) {
                Some(k) => {
                    let value = p.scalar()?;
                    if out[k].is_some() {
                        return Err(format!("key '{key}' appears twice"));
                    }
                    out[k] = Some(value);
                }
                None => p.skip(1)?,
            }
            p.ws();
            match p.next() {
                Some(b',') => continue,
                Some(b'}') => break,
                Some(c) => return Err(p.unexpected(c, "',' or '}'")),
                None => return Err("truncated: the object is not closed".to_string()),
            }
        }
    }
    p.ws();
    if p.i != line.len() {
        return Err(format!("unexpected text after the object at byte {}", p.i));
    }
    Ok(out)
}

/// Where the first '"' or '\\' of `rest` is. Most strings of a line (keys, ids, names)
/// end within a few bytes, where a plain loop is cheaper than starting `memchr2`.
#[inline]
fn quote_or_backslash(rest: &[u8]) -> Option<usize> {
    const HEAD: usize = 16;
    let head = &rest[..rest.len().min(HEAD)];
    if let Some(k) = head.iter().position(|&c| c == b'"' || c == b'\\') {
        return Some(k);
    }
    let tail = rest.get(HEAD..).filter(|tail| !tail.is_empty())?;
    memchr::memchr2(b'"', b'\\', tail).map(|k| HEAD + k)
}

/// A chunk of whole lines as text when it is valid UTF-8 and has no byte below 0x20 but
/// line feeds: then each of its lines is text without control characters, and needs
/// neither check again (one pass over the chunk instead of two per line). `None` when
/// either check fails somewhere: each line is then checked on its own, and the failing
/// one says where.
pub fn clean(chunk: &[u8]) -> Option<&str> {
    let controls = chunk.chunks(32).any(|block| {
        block
            .iter()
            .fold(false, |seen, &b| seen | ((b < 0x20) & (b != b'\n')))
    });
    if controls {
        return None;
    }
    simdutf8::basic::from_utf8(chunk).ok()
}

/// The line as text: simdutf8 checks the common (valid) case several times faster than
/// the standard library; on failure the standard library says where.
fn utf8(line: &[u8]) -> Result<&str, String> {
    match simdutf8::basic::from_utf8(line) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(line)
            .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to())),
    }
}

/// Whether the line has any byte below 0x20. Most lines have none, and then strings need
/// no check for raw control characters. Folding 32 bytes at a time lets the compiler
/// vectorize the comparison.
fn has_controls(line: &[u8]) -> bool {
    line.chunks(32)
        .any(|chunk| chunk.iter().fold(false, |seen, &b| seen | (b < 0x20)))
}

struct Parser<'a> {
    /// The line has bytes below 0x20 somewhere (legal only as whitespace).
    controls: bool,
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.peek() {
            self.i += 1;
        }
    }

    fn unexpected(&self, c: u8, wanted: &str) -> String {
        format!(
            "expected {wanted} at byte {}, found '{}'",
            self.i.saturating_sub(1),
            (c as char).escape_default()
        )
    }

    fn expect(&mut self, c: u8, wanted: &str) -> Result<(), String> {
        match self.next() {
            Some(x) if x == c => Ok(()),
            Some(x) => Err(self.unexpected(x, wanted)),
            None => Err(format!("truncated: expected {wanted}")),
        }
    }

    /// A key whose opening quote was just consumed: most have no escape, and are then
    /// the line's own text up to the closing quote.
    fn key(&mut self) -> Result<Cow<'a, str>, String> {
        let rest = &self.b[self.i..];
        if let Some(k) = quote_or_backslash(rest) {
            if rest[k] == b'"' && !(self.controls && rest[..k].iter().any(|&c| c < 0x20)) {
                let key = &self.s[self.i..self.i + k];
                self.i += k + 1;
                return Ok(Cow::Borrowed(key));
            }
        }
        self.string()
    }

    /// The string whose opening quote was just consumed, decoded.
    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        Ok(self.scan_string(true)?.expect("kept"))
    }

    /// Checks a string without building it: most skipped values (titles, bodies) have
    /// escapes, and decoding them would cost an allocation and a copy per line.
    fn skip_string(&mut self) -> Result<(), String> {
        self.scan_string(false).map(drop)
    }

    fn scan_string(&mut self, keep: bool) -> Result<Option<Cow<'a, str>>, String> {
        let start = self.i;
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            let rest = &self.b[self.i..];
            let Some(k) = quote_or_backslash(rest) else {
                return Err("truncated: a string is not closed".to_string());
            };
            if let Some(at) = self
                .controls
                .then(|| rest[..k].iter().position(|&c| c < 0x20))
                .flatten()
            {
                return Err(format!(
                    "control character in a string at byte {}",
                    self.i + at
                ));
            }
            self.i += k;
            if self.b[self.i] == b'"' {
                let end = self.i;
                self.i += 1;
                if !keep {
                    return Ok(None);
                }
                return Ok(Some(match owned {
                    None => Cow::Borrowed(&self.s[start..end]),
                    Some(mut s) => {
                        s.push_str(&self.s[run..end]);
                        Cow::Owned(s)
                    }
                }));
            }
            // A backslash escape.
            if keep {
                owned
                    .get_or_insert_with(String::new)
                    .push_str(&self.s[run..self.i]);
            }
            self.i += 1;
            let c = match self.next() {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    let hi = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&hi) {
                        if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                            return Err("lone surrogate in a \\u escape".to_string());
                        }
                        self.i += 2;
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return Err("bad surrogate pair in a \\u escape".to_string());
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    } else {
                        char::from_u32(hi)
                    };
                    c.ok_or("lone surrogate in a \\u escape")?
                }
                Some(c) => return Err(self.unexpected(c, "a valid escape")),
                None => return Err("truncated: a string is not closed".to_string()),
            };
            if let Some(s) = owned.as_mut() {
                s.push(c);
            }
            run = self.i;
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .b
            .get(self.i..self.i + 4)
            .ok_or("truncated \\u escape")?;
        let text = std::str::from_utf8(digits).map_err(|_| "bad \\u escape")?;
        let v = u32::from_str_radix(text, 16).map_err(|_| format!("bad \\u escape '{text}'"))?;
        self.i += 4;
        Ok(v)
    }

    fn number(&mut self) -> Result<&'a str, String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.next() {
            Some(b'0') => {}
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(format!("bad number at byte {start}")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(format!("bad number at byte {start}"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(format!("bad number at byte {start}"));
            }
            self.digits();
        }
        Ok(&self.s[start..self.i])
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), String> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(())
        } else {
            Err(format!("bad value at byte {}", self.i))
        }
    }

    /// A mapped field's value: strings and numbers are kept; other values are
    /// validated and named.
    fn scalar(&mut self) -> Result<Value<'a>, String> {
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                Ok(Value::Str(self.string()?))
            }
            Some(b'-' | b'0'..=b'9') => Ok(Value::Num(self.number()?)),
            Some(c) => {
                let name = match c {
                    b'{' => "an object",
                    b'[' => "an array",
                    b't' | b'f' => "a boolean",
                    b'n' => "null",
                    _ => "not a value",
                };
                self.skip(1)?;
                Ok(Value::Other(name))
            }
            None => Err("truncated: a value is missing".to_string()),
        }
    }

    /// Validates and skips any value.
    fn skip(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        match self.next() {
            Some(b'"') => self.skip_string(),
            Some(b'-' | b'0'..=b'9') => {
                self.i -= 1;
                self.number().map(drop)
            }
            Some(b't') => {
                self.i -= 1;
                self.literal("true")
            }
            Some(b'f') => {
                self.i -= 1;
                self.literal("false")
            }
            Some(b'n') => {
                self.i -= 1;
                self.literal("null")
            }
            Some(b'[') => {
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.next() {
                        Some(b',') => continue,
                        Some(b']') => return Ok(()),
                        Some(c) => return Err(self.unexpected(c, "',' or ']'")),
                        None => return Err("truncated: an array is not closed".to_string()),
                    }
                }
            }
            Some(b'{') => {
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.expect(b'"', "a key")?;
                    self.skip_string()?;
                    self.ws();
                    self.expect(b':', "':'")?;
                    self.ws();
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.next() {
                        Some(b',') => continue,
                        Some(b'}') => return Ok(()),
                        Some(c) => return Err(self.unexpected(c, "',' or '}'")),
                        None => return Err("truncated: an object is not closed".to_string()),
                    }
                }
            }
            Some(c) => Err(self.unexpected(c, "a value")),
            None => Err("truncated: a value is missing".to_string()),
        }
    }
}

/// Splits one CSV line into cells and returns the mapped ones (by column index). A
/// record that does not end on this line (a quoted newline) is an error: shards are
/// cut on line ends, so each record must be one line.
pub fn csv<'a>(line: &'a [u8], columns: &[usize; 3]) -> Result<Mapped<'a>, String> {
    csv_text(utf8(line)?, columns)
}

/// [`csv`] of a line already known to be text.
pub fn csv_text<'a>(text: &'a str, columns: &[usize; 3]) -> Result<Mapped<'a>, String> {
    let mut cells: Vec<Cow<'a, str>> = Vec::new();
    let mut rest = text;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut r = quoted;
            loop {
                match r.find('"') {
                    None => return Err("a quoted cell is not closed on this line".to_string()),
                    Some(k) => {
                        value.push_str(&r[..k]);
                        r = &r[k + 1..];
                        if let Some(after) = r.strip_prefix('"') {
                            value.push('"');
                            r = after;
                        } else {
                            break;
                        }
                    }
                }
            }
            cells.push(Cow::Owned(value));
            match r.chars().next() {
                None => break,
                Some(',') => rest = &r[1..],
                Some(_) => return Err("text after a quoted cell".to_string()),
            }
        } else {
            match rest.find(',') {
                Some(k) => {
                    cells.push(Cow::Borrowed(&rest[..k]));
                    rest = &rest[k + 1..];
                }
                None => {
                    cells.push(Cow::Borrowed(rest));
                    break;
                }
            }
        }
    }
    Ok(columns.map(|c| cells.get(c).map(|v| Value::Str(v.clone()))))
}

/// A created-at value as microseconds since the epoch: epoch seconds (a JSON number or
/// a string of digits, optionally with a fraction) or an RFC 3339 instant.
pub fn instant_micros(value: &Value<'_>) -> Result<i64, String> {
    let text = match value {
        Value::Num(n) => *n,
        Value::Str(s) => s.as_ref(),
        Value::Other(kind) => return Err(format!("is {kind}, not a time")),
    };
    if let Some(us) = epoch_seconds_micros(text) {
        return Ok(us);
    }
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp_micros())
        .map_err(|_| format!("'{text}' is neither epoch seconds nor an RFC 3339 instant"))
}

/// `[-]digits[.digits]` as microseconds (fraction beyond 6 digits truncated toward
/// zero); None when the text has another shape or is out of range.
fn epoch_seconds_micros(text: &str) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    if body.contains('.') && frac.is_empty() {
        return None;
    }
    let seconds: i64 = int.parse().ok()?;
    let mut micros: i64 = 0;
    for (k, c) in frac.bytes().take(6).enumerate() {
        micros += i64::from(c - b'0') * 10_i64.pow(5 - k as u32);
    }
    let total = seconds.checked_mul(1_000_000)?.checked_add(micros)?;
    Some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["id", "author", "created_utc"];

    fn ok(line: &str) -> Mapped<'_> {
        json(line.as_bytes(), &NAMES).unwrap()
    }

    fn err(line: &[u8]) -> String {
        json(line, &NAMES).unwrap_err()
    }

    #[test]
    fn reads_the_mapped_fields_and_skips_the_rest() {
        let m = ok(
            r#"{"id":"t3_a","title":"x \"q\" \u00e9","nested":{"a":[1,2.5e3,{"b":null}]},"author":"bob","created_utc":1700000000,"over_18":false}"#,
        );
        assert_eq!(m[0], Some(Value::Str("t3_a".into())));
        assert_eq!(m[1], Some(Value::Str("bob".into())));
        assert_eq!(m[2], Some(Value::Num("1700000000")));
        let m = ok(r#" { "author" : "caf\u00e9\ud83d\ude00" } "#);
        assert_eq!(m[1], Some(Value::Str("café😀".into())));
        assert_eq!(m[0], None);
        let m = ok(r#"{"id":5,"author":null}"#);
        assert_eq!(m[0], Some(Value::Num("5")));
        assert_eq!(m[1], Some(Value::Other("null")));
    }

    #[test]
    fn rejects_every_malformed_line() {
        for bad in [
            &br#"{"id":"a","author":"b""#[..],
            br#"{"id":"a","author":"b"} x"#,
            br#"{"id":"a",}"#,
            br#"{"id":"a" "author":"b"}"#,
            br#"{"id":"a\x"}"#,
            br#"{"id":"a\ud800"}"#,
            br#"{"t":01}"#,
            br#"{"t":1.}"#,
            br#"{"t":tru}"#,
            br#"{"t":[1,2}"#,
            b"{\"id\":\"a\tb\"}",
            b"{\"id\":\"\xff\"}",
            br#"["id"]"#,
            br#"{"id":"a","id":"b"}"#,
            b"",
        ] {
            assert!(
                json(bad, &NAMES).is_err(),
                "accepted {:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(err(b"{\"id\":\"\xff\"}").contains("invalid UTF-8"));
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(err(format!("{{\"x\":{deep}}}").as_bytes()).contains("nested deeper"));
        // A raw control character in a key, at its byte.
        assert_eq!(
            err(b"{\"i\td\":\"a\"}"),
            "control character in a string at byte 3"
        );
    }

    /// The short-string loop finds what memchr2 finds, at every length and position.
    #[test]
    fn quotes_and_backslashes_are_found_wherever_they_are() {
        for len in 0..40 {
            for at in 0..=len {
                for mark in [b'"', b'\\'] {
                    let mut text = vec![b'a'; len];
                    if at < len {
                        text[at] = mark;
                    }
                    let found = quote_or_backslash(&text);
                    assert_eq!(found, memchr::memchr2(b'"', b'\\', &text), "{len} {at}");
                    assert_eq!(found, (at < len).then_some(at));
                }
            }
        }
    }

    /// Keys are matched by their decoded text, escaped or not.
    #[test]
    fn escaped_keys_are_matched_decoded() {
        let m = ok(r#"{"\u0069d":"t3_a","auth\u006fr":"bob","a\"b":1}"#);
        assert_eq!(m[0], Some(Value::Str("t3_a".into())));
        assert_eq!(m[1], Some(Value::Str("bob".into())));
        assert!(err(br#"{"id":"a","\u0069d":"b"}"#).contains("appears twice"));
    }

    /// A chunk is clean text only when all of it is UTF-8 without control bytes but line
    /// feeds; a line of a clean chunk scans as it does alone.
    #[test]
    fn clean_chunks_spare_their_lines_the_checks() {
        let chunk = "{\"id\":\"é\"}\n{\"id\":\"b\"}\n".as_bytes();
        let text = clean(chunk).expect("clean");
        assert_eq!(text.as_bytes(), chunk);
        let line = &text[..text.find('\n').unwrap()];
        assert_eq!(
            json_text(line, false, &NAMES),
            json(line.as_bytes(), &NAMES)
        );
        for dirty in [
            &b"{\"id\":\"a\"}\r\n"[..],
            b"{\"id\":\"a\tb\"}\n",
            b"{\"id\":\"\xff\"}\n",
            b"{\"id\":\"a\x00\"}\n",
        ] {
            assert_eq!(clean(dirty), None, "{:?}", String::from_utf8_lossy(dirty));
        }
        assert_eq!(clean(b""), Some(""));
    }

    #[test]
    fn csv_lines_split_with_quotes() {
        let m = csv(br#"t3_a,"bob ""b"", jr",1700000000,x"#, &[0, 1, 2]).unwrap();
        assert_eq!(m[0], Some(Value::Str("t3_a".into())));
        assert_eq!(m[1], Some(Value::Str("bob \"b\", jr".into())));
        assert_eq!(m[2], Some(Value::Str("1700000000".into())));
        assert!(csv(br#"a,"open"#, &[0, 1, 2]).is_err());
        assert_eq!(csv(b"a,b", &[0, 1, 2]).unwrap()[2], None);
    }

    #[test]
    fn times_are_epoch_seconds_or_rfc3339() {
        let us = |v: Value<'_>| instant_micros(&v);
        assert_eq!(us(Value::Num("1700000000")), Ok(1_700_000_000_000_000));
        assert_eq!(us(Value::Num("1700000000.25")), Ok(1_700_000_000_250_000));
        assert_eq!(
            us(Value::Str("1700000000".into())),
            Ok(1_700_000_000_000_000)
        );
        assert_eq!(
            us(Value::Str("2023-11-14T22:13:20Z".into())),
            Ok(1_700_000_000_000_000)
        );
        assert_eq!(
            us(Value::Str("2023-11-14T23:13:20+01:00".into())),
            Ok(1_700_000_000_000_000)
        );
        assert!(us(Value::Num("1.7e9")).is_err());
        assert!(us(Value::Str("yesterday".into())).is_err());
        assert!(us(Value::Other("null")).is_err());
    }
}
