//! PRODUCT.md §2, rule by rule: each case is a named test that builds a real snapshot
//! and checks who is in it and why the others are not.

use crate::common::world::{post, World};
use consentry::policy::{set_policy, PolicyInput};
use consentry::purpose::Purpose;
use consentry::snapshot::Snapshot;

/// T = 2026-06-01T00:00:00Z.
const T: &str = "2026-06-01T00:00:00Z";
const T_EPOCH: i64 = 1_780_272_000;
const BEFORE: i64 = 1_700_000_000;

fn adult(
    user: &'static str,
    country: &'static str,
) -> (&'static str, &'static str, &'static str, &'static str) {
    (user, country, "1990-01-01", "active")
}

/// One post per user, built as of T; returns the snapshot.
fn snapshot(w: &World, users: &[&str]) -> Snapshot {
    let posts: String = users
        .iter()
        .enumerate()
        .map(|(i, u)| post(&format!("p{i}"), u, BEFORE))
        .collect();
    let source = w.write("posts.jsonl", posts);
    w.build(&w.request(&source, T)).unwrap()
}

fn included(w: &World, s: &Snapshot, users: &[&str]) -> Vec<String> {
    let ids = w.included_ids(s);
    users
        .iter()
        .enumerate()
        .filter(|(i, _)| ids.contains(&format!("p{i}")))
        .map(|(_, u)| u.to_string())
        .collect()
}

fn excluded(s: &Snapshot, reason: &str) -> u64 {
    s.excluded[reason]
}

fn opt_in(codes: &str) -> PolicyInput {
    PolicyInput {
        opt_in: Some(codes.into()),
        ..Default::default()
    }
}

/// Users could opt out from 2026-05-01, with 30 days of notice: the default applies
/// from 2026-05-31, to records created from 2026-05-01.
fn gated(w: &World) {
    set_policy(
        &w.store,
        &PolicyInput {
            opt_out_available_from: Some("2026-05-01".into()),
            notice_days: Some(30),
            ..Default::default()
        },
    )
    .unwrap();
}

/// Builds with posts `(id, author, created RFC 3339)` as of `as_of`; returns the ids in.
fn build_at(w: &World, posts: &[(&str, &str, &str)], as_of: &str) -> (Snapshot, Vec<String>) {
    let text: String = posts
        .iter()
        .map(|(id, author, at)| {
            format!("{{\"id\":\"{id}\",\"author\":\"{author}\",\"created_utc\":\"{at}\"}}\n")
        })
        .collect();
    let source = w.write("posts.jsonl", text);
    let s = w.build(&w.request(&source, as_of)).unwrap();
    let ids = w.included_ids(&s);
    (s, ids)
}

#[test]
fn the_opt_out_default_starts_on_the_first_day_after_the_notice_period() {
    let w = World::new(&[Purpose::Search]);
    w.users(&[adult("us", "US")]);
    gated(&w);
    let posts = [("p", "us", "2026-05-10T00:00:00Z")];
    // The last instant of the notice period: held back.
    let (s, ids) = build_at(&w, &posts, "2026-05-30T23:59:59Z");
    assert!(ids.is_empty());
    assert_eq!(excluded(&s, "no_consent"), 1);
    assert_eq!(s.held_back_by_gate, 1);
    // The first instant after it: the regime default includes.
    let (s, ids) = build_at(&w, &posts, "2026-05-31T00:00:00Z");
    assert_eq!(ids, ["p"]);
    assert_eq!(s.held_back_by_gate, 0);
}

#[test]
fn a_record_created_the_day_before_users_could_opt_out_is_held_back() {
    let w = World::new(&[Purpose::Search]);
    w.users(&[adult("us", "US")]);
    gated(&w);
    let posts = [
        ("day-before", "us", "2026-04-30T23:59:59Z"),
        ("first-day", "us", "2026-05-01T00:00:00Z"),
    ];
    let (s, ids) = build_at(&w, &posts, T);
    assert_eq!(ids, ["first-day"]);
    assert_eq!(excluded(&s, "no_consent"), 1);
    assert_eq!(s.held_back_by_gate, 1);
}

#[test]
fn an_explicit_allow_before_the_opt_out_date_still_includes() {
    let w = World::new(&[Purpose::Search]);
    w.users(&[adult("allowed", "US"), adult("silent", "US")]);
    w.events(&[(
        "allowed",
        "partner-sharing",
        "allow",
        "2026-04-01T00:00:00Z",
    )]);
    gated(&w);
    let posts = [
        ("a-old", "allowed", "2026-04-15T00:00:00Z"),
        ("s-old", "silent", "2026-04-15T00:00:00Z"),
    ];
    // Inside the notice period, and for records created before the date.
    let (s, ids) = build_at(&w, &posts, "2026-05-15T00:00:00Z");
    assert_eq!(ids, ["a-old"]);
    assert_eq!(s.held_back_by_gate, 1);
    // Opt-in countries are not affected by the gate at all: no default to hold back.
    assert_eq!(excluded(&s, "no_consent"), 1);
}

#[test]
fn without_an_opt_out_date_nothing_changes() {
    let w = World::new(&[Purpose::Search]);
    w.users(&[adult("us", "US")]);
    let (s, ids) = build_at(&w, &[("p", "us", "2020-01-01T00:00:00Z")], T);
    assert_eq!(ids, ["p"]);
    assert_eq!(s.held_back_by_gate, 0);
}

#[test]
fn at_equal_instants_deny_wins() {
    let w = World::new(&[Purpose::GenaiTraining]);
    // Several tied users, so that whatever order the store reads events in, some read
    // the allow first and some the deny.
    let tied: Vec<String> = (0..8).map(|i| format!("tie{i}")).collect();
    let mut registry: Vec<_> = tied
        .iter()
        .map(|u| (u.as_str(), "US", "1990-01-01", "active"))
        .collect();
    registry.push(adult("later-allow", "US"));
    w.users(&registry);
    let mut events: Vec<_> = tied
        .iter()
        .flat_map(|u| {
            [
                (
                    u.as_str(),
                    "genai-training",
                    "allow",
                    "2026-01-01T00:00:00Z",
                ),
                (u.as_str(), "genai-training", "deny", "2026-01-01T00:00:00Z"),
            ]
        })
        .collect();
    events.push((
        "later-allow",
        "genai-training",
        "deny",
        "2026-01-01T00:00:00Z",
    ));
    events.push((
        "later-allow",
        "genai-training",
        "allow",
        "2026-01-01T00:00:00.000001Z",
    ));
    w.events(&events);
    let mut users: Vec<&str> = tied.iter().map(String::as_str).collect();
    users.push("later-allow");
    let s = snapshot(&w, &users);
    assert_eq!(included(&w, &s, &users), ["later-allow"]);
    assert_eq!(excluded(&s, "no_consent"), 8);
}

#[test]
fn a_deny_anywhere_on_the_chain_excludes() {
    let w = World::new(&[Purpose::GenaiTraining]);
    w.users(&[
        adult("root-deny", "US"),
        adult("parent-deny", "US"),
        adult("sibling-deny", "US"),
    ]);
    w.events(&[
        (
            "root-deny",
            "genai-training",
            "allow",
            "2026-02-01T00:00:00Z",
        ),
        (
            "root-deny",
            "partner-sharing",
            "deny",
            "2025-01-01T00:00:00Z",
        ),
        (
            "parent-deny",
            "genai-training",
            "allow",
            "2026-02-01T00:00:00Z",
        ),
        ("parent-deny", "ai-training", "deny", "2025-01-01T00:00:00Z"),
        // search is not on genai-training's chain
        ("sibling-deny", "search", "deny", "2025-01-01T00:00:00Z"),
    ]);
    let users = ["root-deny", "parent-deny", "sibling-deny"];
    let s = snapshot(&w, &users);
    assert_eq!(included(&w, &s, &users), ["sibling-deny"]);
    assert_eq!(excluded(&s, "no_consent"), 2);
}

#[test]
fn the_nearest_explicit_decision_decides_over_the_regime() {
    let w = World::new(&[Purpose::GenaiTraining]);
    w.users(&[
        adult("de-parent-allow", "DE"),
        adult("de-root-allow", "DE"),
        adult("de-other-allow", "DE"),
    ]);
    w.events(&[
        (
            "de-parent-allow",
            "ai-training",
            "allow",
            "2025-01-01T00:00:00Z",
        ),
        (
            "de-root-allow",
            "partner-sharing",
            "allow",
            "2025-01-01T00:00:00Z",
        ),
        // an allow off the chain does not count
        ("de-other-allow", "search", "allow", "2025-01-01T00:00:00Z"),
    ]);
    let users = ["de-parent-allow", "de-root-allow", "de-other-allow"];
    let s = snapshot(&w, &users);
    assert_eq!(
        included(&w, &s, &users),
        ["de-parent-allow", "de-root-allow"]
    );
}

#[test]
fn without_any_decision_the_country_regime_decides() {
    let w = World::new(&[Purpose::AiInference]);
    let users = ["us", "jp", "de", "gb", "ch", "no"];
    w.users(&[
        adult("us", "US"),
        adult("jp", "JP"),
        adult("de", "DE"),
        adult("gb", "GB"),
        adult("ch", "CH"),
        adult("no", "NO"),
    ]);
    let s = snapshot(&w, &users);
    assert_eq!(included(&w, &s, &users), ["us", "jp"]);
    assert_eq!(excluded(&s, "no_consent"), 4);
}

#[test]
fn the_opt_in_countries_are_editable_and_versioned() {
    let w = World::new(&[Purpose::AiInference]);
    w.users(&[adult("us", "US"), adult("de", "DE")]);
    let policy = consentry::policy::set_policy(&w.store, &opt_in("us")).unwrap();
    assert_eq!(policy.version, 2);
    let s = snapshot(&w, &["us", "de"]);
    assert_eq!(included(&w, &s, &["us", "de"]), ["de"]);
    assert_eq!(s.policy_version, 2);
}

#[test]
fn age_is_taken_in_full_years_at_the_cutoff() {
    let w = World::new(&[Purpose::Search]);
    let users = [
        "eighteen-on-t",
        "eighteen-tomorrow",
        "leap-born",
        "unknown-age",
    ];
    w.users(&[
        ("eighteen-on-t", "US", "2008-06-01", "active"),
        ("eighteen-tomorrow", "US", "2008-06-02", "active"),
        // born 2008-02-29: 18 on 2026-03-01, before T
        ("leap-born", "US", "2008-02-29", "active"),
        ("unknown-age", "US", "", "active"),
    ]);
    let s = snapshot(&w, &users);
    assert_eq!(included(&w, &s, &users), ["eighteen-on-t", "leap-born"]);
    assert_eq!(excluded(&s, "minor"), 1);
    assert_eq!(excluded(&s, "age_unknown"), 1);
}

#[test]
fn a_leap_day_birthday_comes_on_the_first_of_march() {
    let w = World::new(&[Purpose::Search]);
    w.users(&[("leap", "US", "2008-02-29", "active")]);
    let source = w.write("posts.jsonl", post("p0", "leap", BEFORE));
    let on_feb_28 = w
        .build(&w.request(&source, "2026-02-28T23:59:59Z"))
        .unwrap();
    assert_eq!(on_feb_28.excluded["minor"], 1);
    let on_mar_1 = w
        .build(&w.request(&source, "2026-03-01T00:00:00Z"))
        .unwrap();
    assert_eq!(on_mar_1.records_included, 1);
}

#[test]
fn events_after_the_cutoff_do_not_count() {
    let w = World::new(&[Purpose::GenaiTraining]);
    w.users(&[
        adult("late-deny", "US"),
        adult("late-allow", "DE"),
        adult("at-t-deny", "US"),
    ]);
    w.events(&[
        (
            "late-deny",
            "genai-training",
            "deny",
            "2026-06-01T00:00:00.000001Z",
        ),
        (
            "late-allow",
            "genai-training",
            "allow",
            "2026-07-01T00:00:00Z",
        ),
        // effective exactly at T counts
        ("at-t-deny", "genai-training", "deny", T),
    ]);
    let users = ["late-deny", "late-allow", "at-t-deny"];
    let s = snapshot(&w, &users);
    assert_eq!(included(&w, &s, &users), ["late-deny"]);
}

#[test]
fn status_registry_and_every_purpose_are_required() {
    let w = World::new(&[Purpose::GenaiTraining, Purpose::Search]);
    let users = ["ok", "deleted", "suspended", "not-registered", "no-search"];
    w.users(&[
        adult("ok", "US"),
        ("deleted", "US", "1990-01-01", "deleted"),
        ("suspended", "US", "1990-01-01", "suspended"),
        adult("no-search", "US"),
    ]);
    w.events(&[("no-search", "search", "deny", "2025-01-01T00:00:00Z")]);
    let s = snapshot(&w, &users);
    assert_eq!(included(&w, &s, &users), ["ok"]);
    assert_eq!(excluded(&s, "account_status"), 2);
    assert_eq!(excluded(&s, "unknown_user"), 1);
    assert_eq!(excluded(&s, "no_consent"), 1);
}

#[test]
fn records_after_the_cutoff_or_outside_the_window_are_excluded() {
    let w = World::new(&[Purpose::Search]);
    w.users(&[adult("u", "US")]);
    let source = w.write(
        "posts.jsonl",
        [
            post("at-t", "u", T_EPOCH),
            post("after-t", "u", T_EPOCH + 1),
            post("old", "u", 1_600_000_000),       // 2020-09-13
            post("in-window", "u", 1_700_000_000), // 2023-11-14
            post("window-last-second", "u", 1_704_067_199), // 2023-12-31T23:59:59Z
            post("window-first-second", "u", 1_672_531_200), // 2023-01-01T00:00:00Z
        ]
        .concat(),
    );
    let s = w.build(&w.request(&source, T)).unwrap();
    assert_eq!(
        w.included_ids(&s),
        [
            "at-t",
            "old",
            "in-window",
            "window-last-second",
            "window-first-second"
        ]
    );
    assert_eq!(s.excluded["after_cutoff"], 1);

    let mut req = w.request(&source, T);
    req.window_from = Some("2023-01-01".into());
    req.window_to = Some("2023-12-31".into());
    let s = w.build(&req).unwrap();
    assert_eq!(
        w.included_ids(&s),
        ["in-window", "window-last-second", "window-first-second"]
    );
    assert_eq!(s.excluded["outside_window"], 2);
    assert_eq!(s.excluded["after_cutoff"], 1);
}
