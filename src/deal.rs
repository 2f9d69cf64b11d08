//! Licensing deals and their lifecycle.
//!
//! ```text
//! draft -> negotiating -> signed -> active -> expired
//!   \           \            \         \
//!    `-----------`------------`---------`--> terminated
//! ```
//!
//! Moves only go forward; `terminated` ends any open deal (a negotiation that falls
//! through, a signed deal cancelled before it starts, an active deal ended early).
//! Terms can be edited while a deal is `draft` or `negotiating` and are frozen from
//! `signed` on: what was signed is what the snapshots and invoices rely on. A renewal
//! creates a new `draft` deal linked to the one it renews, with the same terms and the
//! following term.
//!
//! The types, the lifecycle table and validation are `crate::model::deal`, re-exported
//! here; this module stores them.

pub use crate::model::deal::*;

use crate::calendar::{parse_term_date, LAST_YEAR};
use crate::error::{Error, Problems, Result};
use crate::model::audit::Action;
use crate::model::partner::PartnerId;
use crate::store::{self, Store};
use crate::text::non_blank;

fn require_partner(tx: &store::Tx<'_>, id: PartnerId) -> Result<()> {
    if store::partners::exists(tx.conn(), id)? {
        Ok(())
    } else {
        Err(Error::invalid(
            "partner_id",
            format!("no partner with id {id}: check the id, or add the partner first"),
        ))
    }
}

/// Records a new deal with a partner, as a `draft`; refused unless every term is valid
/// and the partner exists.
pub fn create(store: &Store, input: DealInput) -> Result<Deal> {
    let fields = input.validate()?;
    store.write(|tx| {
        require_partner(tx, fields.partner_id)?;
        let id = store::deals::insert(tx, &fields, DealStatus::Draft, None)?;
        let deal = store::deals::get(tx.conn(), id)?;
        tx.audit(Action::DealCreated, "deal", id.0, None, Some(&deal))?;
        Ok(deal)
    })
}

/// Replaces the terms of a `draft` or `negotiating` deal with `input`; refused in any
/// other state (a signed deal is renewed instead).
pub fn update(store: &Store, id: DealId, input: DealInput) -> Result<Deal> {
    let fields = input.validate()?;
    store.write(|tx| update_in(tx, id, |_| Ok(fields)))
}

/// Changes some of a deal's terms: `change` edits the terms as they are inside the
/// write transaction, so two people editing different terms at once never undo each
/// other's change (what `consentry deal edit` uses).
pub fn edit(
    store: &Store,
    id: DealId,
    change: impl FnOnce(&mut DealInput) -> Result<()>,
) -> Result<Deal> {
    store.write(|tx| {
        update_in(tx, id, |current| {
            let mut input = DealInput::from(current);
            change(&mut input)?;
            input.validate()
        })
    })
}

fn update_in(
    tx: &store::Tx<'_>,
    id: DealId,
    fields: impl FnOnce(&Deal) -> Result<DealFields>,
) -> Result<Deal> {
    let before = store::deals::get(tx.conn(), id)?;
    if !before.status.terms_open() {
        return Err(Error::Conflict {
            field: None,
            message: format!(
                "deal {id} is {}: its terms are frozen once signed; renew it to agree new terms",
                before.status
            ),
        });
    }
    let fields = fields(&before)?;
    require_partner(tx, fields.partner_id)?;
    store::deals::update_terms(tx, id, &fields)?;
    let after = store::deals::get(tx.conn(), id)?;
    tx.audit(
        Action::DealUpdated,
        "deal",
        id.0,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// Moves a deal along its lifecycle to `to`; refused, naming the allowed moves, unless
/// the lifecycle table allows it from the deal's current state.
pub fn transition(store: &Store, id: DealId, to: DealStatus) -> Result<Deal> {
    store.write(|tx| {
        let before = store::deals::get(tx.conn(), id)?;
        if !before.status.can_move_to(to) {
            let allowed = before.status.next();
            return Err(Error::IllegalTransition {
                id: id.0,
                from: before.status.to_string(),
                to: to.to_string(),
                allowed: if allowed.is_empty() {
                    "nothing (it is final)".to_string()
                } else {
                    allowed
                        .iter()
                        .map(|s| s.token())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            });
        }
        store::deals::set_status(tx, id, to)?;
        let after = store::deals::get(tx.conn(), id)?;
        tx.audit(
            Action::DealTransitioned,
            "deal",
            id.0,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// Creates the renewal of a signed, active or expired deal: a new `draft` with the same
/// terms, linked to it. Without dates, the renewal starts the day after the old term
/// ends and lasts as long (in whole months when the old term was whole months).
pub fn renew(store: &Store, id: DealId, input: RenewInput) -> Result<Deal> {
    store.write(|tx| {
        let old = store::deals::get(tx.conn(), id)?;
        if !old.status.renewable() {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "deal {id} is {}: only a signed, active or expired deal can be renewed; \
                     edit its terms instead",
                    old.status
                ),
            });
        }
        if let Some(next) = old.renewed_by {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "deal {id} is already renewed by deal {next}: renew deal {next} instead"
                ),
            });
        }
        let default = next_term(old.start_date, old.end_date);
        let mut problems = Problems::default();
        let no_default = |problems: &mut Problems, field: &str| {
            problems.add(
                field,
                format!(
                    "the next term of the same length would end after {LAST_YEAR}-12-31: \
                     give the renewal's start and end dates"
                ),
            );
            None
        };
        let start = match non_blank(&input.start_date) {
            Some(text) => problems.take(parse_term_date("start_date", text)),
            None => default
                .map(|t| t.0)
                .or_else(|| no_default(&mut problems, "start_date")),
        };
        let end = match non_blank(&input.end_date) {
            Some(text) => problems.take(parse_term_date("end_date", text)),
            None => default
                .map(|t| t.1)
                .or_else(|| no_default(&mut problems, "end_date")),
        };
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                problems.add(
                    "end_date",
                    format!("end date {end} is before start date {start}"),
                );
            }
        }
        problems.into_result()?;
        let fields = DealFields {
            partner_id: old.partner_id,
            title: old.title.clone(),
            purposes: old.purposes.clone(),
            start_date: start.expect("checked"),
            end_date: end.expect("checked"),
            territory: old.territory.clone(),
            exclusive: old.exclusive,
            retention_days: old.retention_days,
            withdrawal_days: old.withdrawal_days,
            attribution_required: old.attribution_required,
            sublicensing_allowed: old.sublicensing_allowed,
            notes: old.notes.clone(),
        };
        let new_id = store::deals::insert(tx, &fields, DealStatus::Draft, Some(id))?;
        let renewal = store::deals::get(tx.conn(), new_id)?;
        tx.audit(Action::DealRenewed, "deal", new_id.0, None, Some(&renewal))?;
        // The fee schedule is part of the terms: the renewal starts from it.
        crate::finance::copy_fees(tx, &old, new_id)?;
        Ok(renewal)
    })
}

/// The deal with id `id`, or [`Error::NotFound`].
pub fn get(store: &Store, id: DealId) -> Result<Deal> {
    store.read(|conn| store::deals::get(conn, id))
}

/// Deals matching `filter`, newest first.
pub fn list(store: &Store, filter: &DealFilter) -> Result<Vec<Deal>> {
    store.read(|conn| store::deals::list(conn, filter))
}
