//! Partners: the companies a platform licenses data to (AI labs, search engines,
//! research institutions). A partner's name is unique, ignoring letter case.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::audit::Action;
use crate::country;
use crate::error::{Error, FieldError, Problems, Result};
use crate::store::{self, Store};
use crate::text::{self, non_blank};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum PartnerKind {
    AiLab,
    SearchEngine,
    Research,
    Other,
}

impl PartnerKind {
    pub const ALL: [PartnerKind; 4] = [
        PartnerKind::AiLab,
        PartnerKind::SearchEngine,
        PartnerKind::Research,
        PartnerKind::Other,
    ];

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    pub kind: PartnerKind,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    pub contact: Option<String>,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What a user enters to create or edit a partner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartnerInput {
    pub name: String,
    /// One of ai-lab, search-engine, research, other.
    pub kind: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A validated [`PartnerInput`], ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFields {
    pub name: String,
    pub kind: PartnerKind,
    pub country: Option<String>,
    pub contact: Option<String>,
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

pub fn create(store: &Store, input: PartnerInput) -> Result<Partner> {
    let fields = input.validate()?;
    store.write(|tx| {
        refuse_duplicate_name(tx, &fields.name, None)?;
        let id = store::partners::insert(tx, &fields)?;
        let partner = store::partners::get(tx.conn(), id)?;
        tx.audit(
            Action::PartnerCreated,
            "partner",
            id.0,
            None,
            Some(&partner),
        )?;
        Ok(partner)
    })
}

pub fn update(store: &Store, id: PartnerId, input: PartnerInput) -> Result<Partner> {
    let fields = input.validate()?;
    store.write(|tx| update_in(tx, id, |_| Ok(fields)))
}

/// Changes some of a partner's fields: `change` edits the partner as it is inside the
/// write transaction, so concurrent edits of different fields never undo each other.
pub fn edit(
    store: &Store,
    id: PartnerId,
    change: impl FnOnce(&mut PartnerInput) -> Result<()>,
) -> Result<Partner> {
    store.write(|tx| {
        update_in(tx, id, |current| {
            let mut input = PartnerInput::from(current);
            change(&mut input)?;
            input.validate()
        })
    })
}

fn update_in(
    tx: &store::Tx<'_>,
    id: PartnerId,
    fields: impl FnOnce(&Partner) -> Result<PartnerFields>,
) -> Result<Partner> {
    let before = store::partners::get(tx.conn(), id)?;
    let fields = fields(&before)?;
    refuse_duplicate_name(tx, &fields.name, Some(id))?;
    store::partners::update(tx, id, &fields)?;
    let after = store::partners::get(tx.conn(), id)?;
    tx.audit(
        Action::PartnerUpdated,
        "partner",
        id.0,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn refuse_duplicate_name(tx: &store::Tx<'_>, name: &str, except: Option<PartnerId>) -> Result<()> {
    match store::partners::find_by_name(tx.conn(), name)? {
        Some(existing) if Some(existing.id) != except => Err(Error::conflict(
            "name",
            format!(
                "a partner named '{}' already exists (id {})",
                existing.name, existing.id
            ),
        )),
        _ => Ok(()),
    }
}

pub fn get(store: &Store, id: PartnerId) -> Result<Partner> {
    store.read(|conn| store::partners::get(conn, id))
}

/// All partners, by name.
pub fn list(store: &Store) -> Result<Vec<Partner>> {
    store.read(store::partners::list)
}

#[cfg(test)]
mod tests {
    use super::*;

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
