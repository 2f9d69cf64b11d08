//! Partners as data: ids, kinds, what a user enters and its validation. Pure: the
//! operations that store them are `crate::partner`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{FieldError, Problems, Result};
use crate::model::country;
use crate::model::text::{self, non_blank};

/// A partner's id: its SQLite rowid, a plain number in JSON and on the command line.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS,
)]
#[serde(transparent)]
pub struct PartnerId(pub i64);

impl fmt::Display for PartnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What kind of company a partner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum PartnerKind {
    /// `ai-lab`: a company that trains or runs AI models.
    AiLab,
    /// `search-engine`: a search engine.
    SearchEngine,
    /// `research`: a research institution.
    Research,
    /// `other`: anything else.
    Other,
}

impl PartnerKind {
    /// Every kind, in the order they are listed when a kind is unknown.
    pub const ALL: [PartnerKind; 4] = [
        PartnerKind::AiLab,
        PartnerKind::SearchEngine,
        PartnerKind::Research,
        PartnerKind::Other,
    ];

    /// The kind's token, e.g. `search-engine`: what flags, JSON and the store use.
    pub fn token(self) -> &'static str {
        match self {
            PartnerKind::AiLab => "ai-lab",
            PartnerKind::SearchEngine => "search-engine",
            PartnerKind::Research => "research",
            PartnerKind::Other => "other",
        }
    }
}

impl fmt::Display for PartnerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

impl FromStr for PartnerKind {
    type Err = FieldError;

    fn from_str(s: &str) -> std::result::Result<Self, FieldError> {
        PartnerKind::ALL
            .into_iter()
            .find(|k| k.token() == s)
            .ok_or_else(|| {
                FieldError::new(
                    "kind",
                    format!("unknown partner kind '{s}' (known: ai-lab, search-engine, research, other)"),
                )
            })
    }
}

/// A company the platform licenses data to, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Partner {
    /// Assigned by the store when the partner is added; what other commands name it by.
    pub id: PartnerId,
    /// Unique among partners ignoring letter case; one line, at most 200 characters.
    pub name: String,
    /// What kind of company it is.
    pub kind: PartnerKind,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    /// Who to reach at the partner (a name, an e-mail address), one line; `None` if not given.
    pub contact: Option<String>,
    /// Free text; may hold line breaks and tabs; empty if none.
    pub notes: String,
    /// When the partner was added, RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// When the partner last changed, RFC 3339 UTC with milliseconds.
    pub updated_at: String,
}

/// What a user enters to create or edit a partner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartnerInput {
    /// Required, at most 200 characters, one line; trimmed. Must not match another
    /// partner's name, ignoring letter case.
    pub name: String,
    /// One of ai-lab, search-engine, research, other.
    pub kind: String,
    /// Where the partner is based: an ISO 3166-1 alpha-2 code in any letter case; blank or
    /// `None`: not given.
    #[serde(default)]
    pub country: Option<String>,
    /// Who to reach at the partner, one line; blank or `None`: not given.
    #[serde(default)]
    pub contact: Option<String>,
    /// Free text; line breaks and tabs allowed, no other control characters.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A validated [`PartnerInput`], ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFields {
    /// Trimmed, one line, at most 200 characters.
    pub name: String,
    /// What kind of company it is.
    pub kind: PartnerKind,
    /// ISO 3166-1 alpha-2, upper case; `None`: not given.
    pub country: Option<String>,
    /// Trimmed, one line; `None`: not given.
    pub contact: Option<String>,
    /// Trimmed free text; empty if none.
    pub notes: String,
}

impl PartnerInput {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<PartnerFields> {
        let mut problems = Problems::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            problems.add("name", "name is required");
        } else if name.chars().count() > 200 {
            problems.add("name", "name is longer than 200 characters");
        } else {
            problems.take(text::single_line("name", &name));
        }
        let kind = problems.take(self.kind.trim().parse::<PartnerKind>());
        let country = match non_blank(&self.country) {
            Some(text) => problems.take(country::parse("country", text)),
            None => None,
        };
        let contact = non_blank(&self.contact).map(str::to_string);
        if let Some(contact) = &contact {
            problems.take(text::single_line("contact", contact));
        }
        let notes = self.notes.as_deref().unwrap_or("").trim().to_string();
        problems.take(text::multi_line("notes", &notes));
        problems.into_result()?;
        Ok(PartnerFields {
            name,
            kind: kind.expect("checked above"),
            country,
            contact,
            notes,
        })
    }
}

impl From<&Partner> for PartnerInput {
    /// The partner as it is, as a starting point for an edit.
    fn from(p: &Partner) -> Self {
        PartnerInput {
            name: p.name.clone(),
            kind: p.kind.token().to_string(),
            country: p.country.clone(),
            contact: p.contact.clone(),
            notes: Some(p.notes.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn input(name: &str, kind: &str) -> PartnerInput {
        PartnerInput {
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn validation_reports_every_bad_field() {
        let mut bad = input("  ", "broker");
        bad.country = Some("XX".into());
        let Err(Error::Invalid(errors)) = bad.validate() else {
            panic!("expected invalid")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "country"]);
    }

    #[test]
    fn blank_optional_fields_are_absent_and_country_is_upper_case() {
        let mut ok = input(" Example Lab ", "ai-lab");
        ok.country = Some("us".into());
        ok.contact = Some("   ".into());
        let fields = ok.validate().unwrap();
        assert_eq!(fields.name, "Example Lab");
        assert_eq!(fields.country.as_deref(), Some("US"));
        assert_eq!(fields.contact, None);
    }
}
