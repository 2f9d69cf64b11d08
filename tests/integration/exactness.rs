//! Property tests over generated registries, ledgers, policies and posts: the snapshot
//! includes a record exactly when a plain, independent reading of PRODUCT.md §2 says
//! so, the opt-out gate ("no default consent before users could say no") included.

use std::collections::HashSet;

use crate::common::world::{post, World};
use chrono::{Datelike, NaiveDate};
use consentry::purpose::Purpose;
use proptest::prelude::*;

const T: &str = "2026-06-01T00:00:00Z";
const T_US: i64 = 1_780_272_000_000_000;
const OPT_IN: [&str; 2] = ["DE", "FR"];
const COUNTRIES: [&str; 4] = ["US", "DE", "JP", "FR"];
const STATUSES: [&str; 3] = ["active", "active", "deleted"];

#[derive(Debug, Clone)]
struct User {
    country: usize,
    birth: Option<(i32, u32)>, // year, day of year (1..=365)
    status: usize,
}

#[derive(Debug, Clone)]
struct Event {
    user: usize,
    purpose: usize,
    deny: bool,
    /// seconds relative to T: -1, 0 or 1, so that ties and after-cutoff events are common
    at: i64,
}

fn users() -> impl Strategy<Value = Vec<User>> {
    prop::collection::vec(
        (
            0..4usize,
            prop::option::weighted(0.9, (1995..2012i32, 1..=365u32)),
            0..3usize,
        )
            .prop_map(|(country, birth, status)| User {
                country,
                birth,
                status,
            }),
        1..7,
    )
}

fn events(n_users: usize) -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec(
        (0..n_users + 1, 0..6usize, any::<bool>(), -1..2i64).prop_map(
            |(user, purpose, deny, at)| Event {
                user,
                purpose,
                deny,
                at,
            },
        ),
        0..60,
    )
}

/// A policy's opt-out gate: the day users could opt out, relative to T's day, and the
/// notice days.
type Gate = Option<(i64, u32)>;

/// PRODUCT.md §2, read plainly, for a record created `created` seconds after T.
fn oracle(
    user: Option<&User>,
    events: &[Event],
    uid: usize,
    purposes: &[Purpose],
    gate: Gate,
    created: i64,
) -> bool {
    let Some(u) = user else { return false };
    if STATUSES[u.status] != "active" {
        return false;
    }
    let Some((year, doy)) = u.birth else {
        return false;
    };
    let birth = NaiveDate::from_yo_opt(year, doy).unwrap();
    let t = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let mut age = t.year() - birth.year();
    if (t.month(), t.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    if age < 18 {
        return false;
    }
    let latest = |p: Purpose| -> Option<bool> {
        // (time, deny) maximal: later wins, deny wins ties
        events
            .iter()
            .filter(|e| e.user == uid && Purpose::ALL[e.purpose] == p && e.at <= 0)
            .map(|e| (e.at, e.deny))
            .max()
            .map(|(_, deny)| deny)
    };
    // "An explicit allow on the chain still includes"; without one, the regime default
    // of an opt-out country includes only once the notice period is over at T, and only
    // records created on or after the day users could opt out.
    let default_includes = match gate {
        None => true,
        Some((from_day, notice)) => {
            from_day + i64::from(notice) <= 0 && created >= from_day * 86_400
        }
    };
    purposes.iter().all(|&p| {
        let chain: Vec<Purpose> = std::iter::successors(Some(p), |q| q.parent()).collect();
        if chain.iter().any(|&q| latest(q) == Some(true)) {
            return false;
        }
        match chain.iter().find_map(|&q| latest(q)) {
            Some(deny) => !deny,
            None => !OPT_IN.contains(&COUNTRIES[u.country]) && default_includes,
        }
    })
}

fn purposes() -> impl Strategy<Value = Vec<Purpose>> {
    prop::sample::subsequence(Purpose::ALL.to_vec(), 1..=3)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn included_exactly_when_every_permitted_purpose_is_consented(
        (users, events) in users().prop_flat_map(|u| { let n = u.len(); (Just(u), events(n)) }),
        purposes in purposes(),
        gate in prop::option::of((-4..2i64, 0..4u32)),
        // Created seconds around T (ties with the cut-off), or days before it (around
        // the gate's day).
        posts in prop::collection::vec(
            (0..8usize, prop_oneof![-2..2i64, (-5..1i64).prop_map(|d| d * 86_400 - 1), (-5..1i64).prop_map(|d| d * 86_400)]),
            1..40,
        ),
    ) {
        let w = World::new(&purposes);
        let (from, notice) = match gate {
            Some((day, notice)) => (
                Some(chrono::DateTime::from_timestamp_micros(T_US + day * 86_400_000_000)
                    .unwrap()
                    .date_naive()
                    .to_string()),
                Some(i64::from(notice)),
            ),
            None => (None, None),
        };
        consentry::policy::set_policy(&w.store, &consentry::policy::PolicyInput {
            opt_in: Some(OPT_IN.join(",")),
            opt_out_available_from: from,
            notice_days: notice,
        }).unwrap();
        let names: Vec<String> = (0..users.len()).map(|i| format!("user{i}")).collect();
        let rows: Vec<(String, String, String, String)> = users.iter().enumerate().map(|(i, u)| (
            names[i].clone(),
            COUNTRIES[u.country].to_string(),
            u.birth.map(|(y, d)| NaiveDate::from_yo_opt(y, d).unwrap().to_string()).unwrap_or_default(),
            STATUSES[u.status].to_string(),
        )).collect();
        let rows_ref: Vec<(&str, &str, &str, &str)> = rows.iter().map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str())).collect();
        w.users(&rows_ref);
        let ev_rows: Vec<(String, String, String, String)> = events.iter().map(|e| (
            format!("user{}", e.user), // user{n} for n == users.len() is not registered
            Purpose::ALL[e.purpose].token().to_string(),
            if e.deny { "deny" } else { "allow" }.to_string(),
            chrono::DateTime::from_timestamp_micros(T_US + e.at * 1_000_000).unwrap().to_rfc3339(),
        )).collect();
        let ev_ref: Vec<(&str, &str, &str, &str)> = ev_rows.iter().map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str())).collect();
        if !ev_ref.is_empty() {
            w.events(&ev_ref);
        }
        // Posts: authors may be unregistered (index >= users.len()); created around T.
        let text: String = posts.iter().enumerate()
            .map(|(i, (a, dt))| post(&format!("p{i}"), &format!("user{a}"), T_US / 1_000_000 + dt))
            .collect();
        let path = w.write("posts.jsonl", text);
        let s = w.build(&w.request(&path, T)).unwrap();
        let got: HashSet<String> = w.included_ids(&s).into_iter().collect();
        for (i, (a, dt)) in posts.iter().enumerate() {
            let eligible = oracle(users.get(*a), &events, *a, &purposes, gate, *dt);
            let expected = eligible && *dt <= 0;
            prop_assert_eq!(got.contains(&format!("p{i}")), expected,
                "post p{} by user{} at T{:+}s: expected included={}", i, a, dt, expected);
        }
        let counted: u64 = s.excluded.values().sum();
        prop_assert_eq!(counted + s.records_included, s.records_in);
    }
}
