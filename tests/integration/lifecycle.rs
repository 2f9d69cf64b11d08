//! The deal lifecycle through the core API: for any sequence of requested moves, the
//! stored status follows the transition table, refused moves change nothing, and the
//! audit log holds exactly one intact entry per change.

use consentry::audit::{self, AuditFilter};
use consentry::deal::{self, DealInput, DealStatus};
use consentry::partner::{self, PartnerInput};
use consentry::purpose::Purpose;
use consentry::{Error, Store};
use proptest::prelude::*;

/// The lifecycle as the README states it, written out: the oracle, independent of the
/// core's own table (`DealStatus::next`).
const ALLOWED: &[(&str, &str)] = &[
    ("draft", "negotiating"),
    ("draft", "terminated"),
    ("negotiating", "signed"),
    ("negotiating", "terminated"),
    ("signed", "active"),
    ("signed", "terminated"),
    ("active", "expired"),
    ("active", "terminated"),
];

fn allowed(from: DealStatus, to: DealStatus) -> bool {
    ALLOWED.contains(&(from.token(), to.token()))
}

fn store_with_deal() -> (Store, consentry::deal::DealId) {
    let store = Store::open_in_memory().unwrap().with_actor("prop");
    let p = partner::create(
        &store,
        PartnerInput {
            name: "Lab".into(),
            kind: "ai-lab".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let d = deal::create(
        &store,
        DealInput {
            partner_id: p.id,
            title: "Deal".into(),
            purposes: vec![Purpose::Search],
            start_date: "2026-01-01".into(),
            end_date: "2026-12-31".into(),
            territory: "WORLD".into(),
            ..Default::default()
        },
    )
    .unwrap();
    (store, d.id)
}

proptest! {
    #[test]
    fn any_sequence_of_moves_follows_the_table(moves in prop::collection::vec(0..6usize, 0..12)) {
        let (store, id) = store_with_deal();
        let mut expected = DealStatus::Draft;
        let mut changes = 0;
        for m in moves {
            let to = DealStatus::ALL[m];
            match deal::transition(&store, id, to) {
                Ok(d) => {
                    prop_assert!(allowed(expected, to), "{expected} -> {to} was accepted");
                    prop_assert_eq!(d.status, to);
                    expected = to;
                    changes += 1;
                }
                Err(Error::IllegalTransition { .. }) => prop_assert!(!allowed(expected, to), "{expected} -> {to} was refused"),
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
            prop_assert_eq!(deal::get(&store, id).unwrap().status, expected);
        }
        let log = audit::list(&store, &AuditFilter { entity: Some("deal".into()), entity_id: Some(id.0), deal_id: None }).unwrap();
        prop_assert_eq!(log.len(), 1 + changes, "created + one entry per change");
        let report = audit::verify(&store).unwrap();
        prop_assert!(report.ok, "{:?}", report.problems);
    }
}
