//! Deals as data: ids, the lifecycle (which moves are allowed, when terms are frozen),
//! what a user enters and its validation, and the next term of a renewal. Pure: the
//! operations that store them are `crate::deal`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{FieldError, Problems, Result};
use crate::model::calendar::{parse_term_date, LAST_YEAR};
use crate::model::country;
use crate::model::partner::PartnerId;
use crate::model::purpose::{self, Purpose};
use crate::model::text::{self};

/// A deal's id: its SQLite rowid, a plain number in JSON and on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct DealId(pub i64);

impl fmt::Display for DealId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a deal is in its lifecycle. Moves only go forward, and `terminated` ends any
/// open deal (see [`DealStatus::next`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum DealStatus {
    /// Being drafted; terms may be edited.
    Draft,
    /// Under negotiation with the partner; terms may still be edited.
    Negotiating,
    /// Signed with the partner: terms frozen, snapshots may be built; not yet active.
    Signed,
    /// In force: terms frozen, snapshots may be built.
    Active,
    /// Its term is over. Final, but it may still be renewed.
    Expired,
    /// Ended before its term ran out (a negotiation that fell through, a cancellation).
    /// Final; it cannot be renewed.
    Terminated,
}

impl DealStatus {
    /// Every state, in lifecycle order.
    pub const ALL: [DealStatus; 6] = [
        DealStatus::Draft,
        DealStatus::Negotiating,
        DealStatus::Signed,
        DealStatus::Active,
        DealStatus::Expired,
        DealStatus::Terminated,
    ];

    /// The state's token, e.g. `negotiating`: what flags, JSON and the store use.
    pub fn token(self) -> &'static str {
        match self {
            DealStatus::Draft => "draft",
            DealStatus::Negotiating => "negotiating",
            DealStatus::Signed => "signed",
            DealStatus::Active => "active",
            DealStatus::Expired => "expired",
            DealStatus::Terminated => "terminated",
        }
    }

    /// The states this one may move to, in the order the UI offers them.
    pub fn next(self) -> &'static [DealStatus] {
        use DealStatus::*;
        match self {
            Draft => &[Negotiating, Terminated],
            Negotiating => &[Signed, Terminated],
            Signed => &[Active, Terminated],
            Active => &[Expired, Terminated],
            Expired | Terminated => &[],
        }
    }

    /// Whether the lifecycle allows a move from this state to `to`.
    pub fn can_move_to(self, to: DealStatus) -> bool {
        self.next().contains(&to)
    }

    /// Whether the deal's terms may still be edited.
    pub fn terms_open(self) -> bool {
        matches!(self, DealStatus::Draft | DealStatus::Negotiating)
    }

    /// Whether a renewal may be created from a deal in this state: only deals that were
    /// actually signed.
    pub fn renewable(self) -> bool {
        matches!(
            self,
            DealStatus::Signed | DealStatus::Active | DealStatus::Expired
        )
    }
}

impl fmt::Display for DealStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

impl FromStr for DealStatus {
    type Err = FieldError;

    fn from_str(s: &str) -> std::result::Result<Self, FieldError> {
        DealStatus::ALL
            .into_iter()
            .find(|st| st.token() == s)
            .ok_or_else(|| {
                FieldError::new(
                    "status",
                    format!(
                        "unknown status '{s}' (known: draft, negotiating, signed, active, expired, terminated)"
                    ),
                )
            })
    }
}

/// A licensing deal with a partner, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Deal {
    /// Assigned by the store when the deal is created; what other commands name it by.
    pub id: DealId,
    /// The partner the deal is with.
    pub partner_id: PartnerId,
    /// That partner's current name (read from the partner, not part of the terms).
    pub partner_name: String,
    /// The deal's title, one line.
    pub title: String,
    /// What the deal permits; non-empty, canonical order, no repeats.
    pub purposes: Vec<Purpose>,
    /// First day of the term.
    pub start_date: NaiveDate,
    /// Inclusive: the term covers this day.
    pub end_date: NaiveDate,
    /// `WORLD` or comma-separated ISO 3166-1 alpha-2 codes.
    pub territory: String,
    /// Whether the partner has exclusive rights to the data.
    pub exclusive: bool,
    /// How many days the partner may keep delivered data; `None` means the contract
    /// sets no limit.
    pub retention_days: Option<u32>,
    /// How many days the partner has to act on a withdrawal notice (its due date).
    pub withdrawal_days: u32,
    /// Whether the partner must credit the platform when using the data.
    pub attribution_required: bool,
    /// Whether the partner may license the data on to third parties.
    pub sublicensing_allowed: bool,
    /// Free text; may hold line breaks and tabs; empty if none.
    pub notes: String,
    /// Where the deal is in its lifecycle.
    pub status: DealStatus,
    /// The deal this one renews.
    pub renewed_from: Option<DealId>,
    /// The deal that renews this one.
    pub renewed_by: Option<DealId>,
    /// When the deal was created, RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// When the deal's terms or status last changed, RFC 3339 UTC with milliseconds.
    pub updated_at: String,
}

/// Days a partner has to act on a withdrawal notice when the deal does not say.
pub const DEFAULT_WITHDRAWAL_DAYS: u32 = 30;

/// What a user enters to create or edit a deal. Dates are `YYYY-MM-DD` text so that a
/// bad date is reported against its field like any other mistake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DealInput {
    /// The partner the deal is with; it must exist.
    pub partner_id: PartnerId,
    /// Required, one line, at most 300 characters; trimmed.
    pub title: String,
    /// At least one; order and repeats do not matter.
    pub purposes: Vec<Purpose>,
    /// First day of the term, `YYYY-MM-DD`.
    pub start_date: String,
    /// Last day of the term, inclusive, `YYYY-MM-DD`; not before `start_date`.
    pub end_date: String,
    /// `WORLD` or comma-separated country codes such as `US,CA`.
    pub territory: String,
    /// Whether the partner has exclusive rights to the data; default `false`.
    #[serde(default)]
    pub exclusive: bool,
    /// How many days (at least 1) the partner may keep delivered data; `None`: the
    /// contract sets no limit.
    #[serde(default)]
    pub retention_days: Option<i64>,
    /// Days the partner has to act on a withdrawal notice, 1 to 3650; `None`: the
    /// default, [`DEFAULT_WITHDRAWAL_DAYS`].
    #[serde(default)]
    pub withdrawal_days: Option<i64>,
    /// Whether the partner must credit the platform; default `false`.
    #[serde(default)]
    pub attribution_required: bool,
    /// Whether the partner may license the data on to third parties; default `false`.
    #[serde(default)]
    pub sublicensing_allowed: bool,
    /// Free text; line breaks and tabs allowed, no other control characters.
    #[serde(default)]
    pub notes: Option<String>,
}

impl From<&Deal> for DealInput {
    /// The deal's current terms, as a starting point for an edit.
    fn from(d: &Deal) -> Self {
        DealInput {
            partner_id: d.partner_id,
            title: d.title.clone(),
            purposes: d.purposes.clone(),
            start_date: d.start_date.to_string(),
            end_date: d.end_date.to_string(),
            territory: d.territory.clone(),
            exclusive: d.exclusive,
            retention_days: d.retention_days.map(i64::from),
            withdrawal_days: Some(i64::from(d.withdrawal_days)),
            attribution_required: d.attribution_required,
            sublicensing_allowed: d.sublicensing_allowed,
            notes: Some(d.notes.clone()),
        }
    }
}

/// A validated [`DealInput`], ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealFields {
    /// The partner the deal is with.
    pub partner_id: PartnerId,
    /// Trimmed, one line, at most 300 characters.
    pub title: String,
    /// Non-empty, canonical order, no repeats.
    pub purposes: Vec<Purpose>,
    /// First day of the term.
    pub start_date: NaiveDate,
    /// Last day of the term, inclusive; not before `start_date`.
    pub end_date: NaiveDate,
    /// `WORLD`, or country codes sorted, de-duplicated and comma-separated.
    pub territory: String,
    /// Whether the partner has exclusive rights to the data.
    pub exclusive: bool,
    /// Days the partner may keep delivered data, at least 1; `None`: no limit.
    pub retention_days: Option<u32>,
    /// Days the partner has to act on a withdrawal notice, 1 to 3650.
    pub withdrawal_days: u32,
    /// Whether the partner must credit the platform.
    pub attribution_required: bool,
    /// Whether the partner may license the data on to third parties.
    pub sublicensing_allowed: bool,
    /// Trimmed free text; empty if none.
    pub notes: String,
}

impl DealInput {
    /// Checks every field that can be checked without the store and reports all
    /// problems at once. Whether the partner exists is checked in the transaction.
    pub fn validate(&self) -> Result<DealFields> {
        let mut problems = Problems::default();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            problems.add("title", "title is required");
        } else if title.chars().count() > 300 {
            problems.add("title", "title is longer than 300 characters");
        } else {
            problems.take(text::single_line("title", &title));
        }
        let purposes = problems.take(purpose::normalize(self.purposes.clone()));
        let start = problems.take(parse_term_date("start_date", &self.start_date));
        let end = problems.take(parse_term_date("end_date", &self.end_date));
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                problems.add(
                    "end_date",
                    format!("end date {end} is before start date {start}"),
                );
            }
        }
        let territory = problems.take(country::parse_territory(&self.territory));
        let retention_days = match self.retention_days {
            None => None,
            Some(days) if (1..=i64::from(u32::MAX)).contains(&days) => Some(days as u32),
            Some(days) => {
                problems.add(
                    "retention_days",
                    format!("retention must be a positive number of days, not {days}"),
                );
                None
            }
        };
        let withdrawal_days = match self.withdrawal_days {
            None => DEFAULT_WITHDRAWAL_DAYS,
            Some(days) if (1..=3650).contains(&days) => days as u32,
            Some(days) => {
                problems.add(
                    "withdrawal_days",
                    format!("withdrawal notices need 1 to 3650 days to act on, not {days}"),
                );
                DEFAULT_WITHDRAWAL_DAYS
            }
        };
        let notes = self.notes.as_deref().unwrap_or("").trim().to_string();
        problems.take(text::multi_line("notes", &notes));
        problems.into_result()?;
        Ok(DealFields {
            partner_id: self.partner_id,
            title,
            purposes: purposes.expect("checked"),
            start_date: start.expect("checked"),
            end_date: end.expect("checked"),
            territory: territory.expect("checked"),
            exclusive: self.exclusive,
            retention_days,
            withdrawal_days,
            attribution_required: self.attribution_required,
            sublicensing_allowed: self.sublicensing_allowed,
            notes,
        })
    }
}

/// Which deals [`crate::deal::list`] returns; an absent criterion matches every deal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DealFilter {
    /// Only deals in this state.
    #[serde(default)]
    pub status: Option<DealStatus>,
    /// Only deals with this partner.
    #[serde(default)]
    pub partner_id: Option<PartnerId>,
}

/// The term of a renewal; blank dates mean "the next term of the same length".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RenewInput {
    /// First day of the renewal's term, `YYYY-MM-DD`; blank: the day after the old term ends.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last day of the renewal's term, inclusive, `YYYY-MM-DD`; blank: as long as the old term.
    #[serde(default)]
    pub end_date: Option<String>,
}

/// The term after `start..=end`, of the same length; `None` when it would end after
/// the last year a term may reach.
pub(crate) fn next_term(start: NaiveDate, end: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let next_start = end.succ_opt()?;
    let months =
        (next_start.year() - start.year()) * 12 + next_start.month() as i32 - start.month() as i32;
    let whole_months = u32::try_from(months)
        .ok()
        .filter(|&m| m > 0 && start.checked_add_months(Months::new(m)) == Some(next_start));
    let next_end = match whole_months {
        Some(m) => next_start
            .checked_add_months(Months::new(m))
            .and_then(|d| d.pred_opt()),
        None => next_start.checked_add_signed(end - start),
    }?;
    (next_end.year() <= LAST_YEAR).then_some((next_start, next_end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_lifecycle_only_moves_forward() {
        use DealStatus::*;
        assert!(Draft.can_move_to(Negotiating));
        assert!(Negotiating.can_move_to(Signed));
        assert!(Signed.can_move_to(Active));
        assert!(Active.can_move_to(Expired));
        for open in [Draft, Negotiating, Signed, Active] {
            assert!(open.can_move_to(Terminated), "{open} can be terminated");
        }
        assert!(!Draft.can_move_to(Signed));
        assert!(!Negotiating.can_move_to(Draft));
        assert!(!Active.can_move_to(Signed));
        assert!(Expired.next().is_empty() && Terminated.next().is_empty());
    }

    #[test]
    fn a_renewal_follows_on_with_the_same_length() {
        assert_eq!(
            next_term(date("2026-01-01"), date("2028-12-31")),
            Some((date("2029-01-01"), date("2031-12-31")))
        );
        // A leap-day anniversary stays a whole-year term.
        assert_eq!(
            next_term(date("2027-03-01"), date("2028-02-29")),
            Some((date("2028-03-01"), date("2029-02-28")))
        );
        // Not whole months: the same number of days.
        assert_eq!(
            next_term(date("2026-01-10"), date("2026-01-19")),
            Some((date("2026-01-20"), date("2026-01-29")))
        );
        // Past the last year a term may reach, or past chrono's range: no panic.
        assert_eq!(next_term(date("2150-01-01"), date("2199-12-31")), None);
        assert_eq!(next_term(NaiveDate::MIN, NaiveDate::MAX), None);
    }

    #[test]
    fn validation_names_each_bad_field() {
        let input = DealInput {
            partner_id: PartnerId(1),
            title: " ".into(),
            purposes: vec![],
            start_date: "2027-01-01".into(),
            end_date: "2026-12-31".into(),
            territory: "US,ZZ".into(),
            retention_days: Some(0),
            ..Default::default()
        };
        let Err(Error::Invalid(errors)) = input.validate() else {
            panic!("expected invalid")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "purposes",
                "end_date",
                "territory",
                "retention_days"
            ]
        );
        assert!(errors[2].message.contains("before start date"));
    }
}
