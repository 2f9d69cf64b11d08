//! The consent policy: which countries are opt-in, and the opt-out gate. Every change
//! is a new version (a snapshot records the version it used), written with its audit
//! entry. The change request and its rules are `crate::model::policy`.

pub use crate::model::policy::*;

use crate::error::Result;
use crate::model::audit::Action;
use crate::model::consent::Policy;
use crate::store::{self, Store};

/// The current consent policy.
pub fn policy(store: &Store) -> Result<Policy> {
    store.read(store::consent::current_policy)
}

/// Stores a new policy version: the current one with `input`'s changes.
pub fn set_policy(store: &Store, input: &PolicyInput) -> Result<Policy> {
    store.write(|tx| {
        let before = store::consent::current_policy(tx.conn())?;
        let after = store::consent::insert_policy(tx, &input.apply(&before)?)?;
        tx.audit(
            Action::PolicyChanged,
            "policy",
            after.version,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}
