//! A change to the consent policy, and how it applies to the current one: pure. Storing
//! a new version is `crate::policy`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{FieldError, Result};
use crate::model::consent::Policy;
use crate::model::{calendar, country};

/// A change to the consent policy. Each field left out keeps its current value; at
/// least one must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PolicyInput {
    /// Comma-separated ISO 3166-1 alpha-2 codes, or `none` for a platform with no
    /// opt-in countries. Blank is refused: it would silently drop every protection.
    #[serde(default)]
    pub opt_in: Option<String>,
    /// `YYYY-MM-DD`: the day the opt-out setting reached users; `none` removes the gate.
    #[serde(default)]
    pub opt_out_available_from: Option<String>,
    /// Days of notice after that day before the regime default applies (default 30).
    #[serde(default)]
    pub notice_days: Option<i64>,
}

/// The longest notice period accepted: ten years.
const MAX_NOTICE_DAYS: i64 = 3650;

impl PolicyInput {
    /// The policy that results from applying this change to `current`.
    pub(crate) fn apply(&self, current: &Policy) -> Result<Policy> {
        let mut problems = crate::error::Problems::default();
        if self.opt_in.is_none()
            && self.opt_out_available_from.is_none()
            && self.notice_days.is_none()
        {
            problems.add(
                "opt_in",
                "nothing to change: give the opt-in countries, the opt-out date or the notice days",
            );
        }
        let opt_in_countries = match &self.opt_in {
            None => Some(current.opt_in_countries.clone()),
            Some(text) => problems.take(parse_opt_in(text)),
        };
        let opt_out_available_from = match self.opt_out_available_from.as_deref().map(str::trim) {
            None => Some(current.opt_out_available_from),
            Some(t) if t.eq_ignore_ascii_case("none") => Some(None),
            Some(t) => problems
                .take(calendar::parse_term_date("opt_out_available_from", t))
                .map(Some),
        };
        let notice_days = match self.notice_days {
            None => Some(current.notice_days),
            Some(n) if (0..=MAX_NOTICE_DAYS).contains(&n) => Some(n as u32),
            Some(n) => {
                problems.add(
                    "notice_days",
                    format!("{n} is not a notice period: give 0 to {MAX_NOTICE_DAYS} days"),
                );
                None
            }
        };
        if self.notice_days.is_some() && opt_out_available_from == Some(None) {
            problems.add(
                "notice_days",
                "a notice period applies only from an opt-out date: give that date too",
            );
        }
        problems.into_result()?;
        Ok(Policy {
            version: current.version + 1,
            opt_in_countries: opt_in_countries.expect("checked"),
            opt_out_available_from: opt_out_available_from.expect("checked"),
            notice_days: notice_days.expect("checked"),
        })
    }
}

/// `none`, or a non-empty list of country codes, sorted and de-duplicated.
fn parse_opt_in(text: &str) -> std::result::Result<Vec<String>, FieldError> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let mut codes = text
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| country::parse("opt_in", c))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if codes.is_empty() {
        return Err(FieldError::new(
            "opt_in",
            "an empty list would make every country opt-out: give the opt-in country \
             codes, or 'none' for a platform with no opt-in countries",
        ));
    }
    codes.sort();
    codes.dedup();
    Ok(codes)
}
