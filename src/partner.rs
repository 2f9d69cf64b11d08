//! Partners: the companies a platform licenses data to (AI labs, search engines,
//! research institutions). A partner's name is unique, ignoring letter case.
//!
//! The types and their validation are `crate::model::partner`, re-exported here.

pub use crate::model::partner::*;

use crate::error::{Error, Result};
use crate::model::audit::Action;
use crate::store::{self, Store};

/// Records a new partner; refused unless its fields are valid and no partner has the
/// same name, ignoring letter case.
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

/// Replaces a partner's fields with `input`, under the same checks as [`create`].
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

/// The partner with id `id`, or [`Error::NotFound`].
pub fn get(store: &Store, id: PartnerId) -> Result<Partner> {
    store.read(|conn| store::partners::get(conn, id))
}

/// All partners, by name.
pub fn list(store: &Store) -> Result<Vec<Partner>> {
    store.read(store::partners::list)
}
