//! Consent semantics, exactly as PRODUCT.md §2 states them: which users may have their
//! records included for a set of purposes as of an instant `T`, and why not.
//!
//! This module is pure: it takes a user's registry row and the ledger events that are
//! effective at or before `T`, and decides. Reading them is `store`'s job (cursors that
//! the folds here walk); applying the decision to records is `snapshot`'s.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::FieldError;
use crate::model::purpose::Purpose;

/// A user's account status in the registry; only `active` users' records may be included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum AccountStatus {
    /// The account is in use.
    Active,
    /// The account was deleted: its records are excluded as `account_status`.
    Deleted,
    /// The account is suspended: its records are excluded as `account_status`.
    Suspended,
}

impl AccountStatus {
    /// The status's token as files and the store write it: `active`, `deleted`, `suspended`.
    pub fn token(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Deleted => "deleted",
            AccountStatus::Suspended => "suspended",
        }
    }
}

impl FromStr for AccountStatus {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s {
            "active" => Ok(AccountStatus::Active),
            "deleted" => Ok(AccountStatus::Deleted),
            "suspended" => Ok(AccountStatus::Suspended),
            _ => Err(FieldError::new(
                "status",
                format!("unknown status '{s}' (known: active, deleted, suspended)"),
            )),
        }
    }
}

/// A user's decision about one purpose in the consent ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    // Declared before Deny so that, at equal instants, max() picks deny.
    /// The user agrees to the purpose.
    Allow,
    /// The user refuses the purpose; a deny anywhere on a purpose's chain excludes, and
    /// wins over an allow at the same instant.
    Deny,
}

impl Decision {
    /// The decision's token as files and the store write it: `allow` or `deny`.
    pub fn token(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
        }
    }
}

impl FromStr for Decision {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s {
            "allow" => Ok(Decision::Allow),
            "deny" => Ok(Decision::Deny),
            _ => Err(FieldError::new(
                "decision",
                format!("unknown decision '{s}' (known: allow, deny)"),
            )),
        }
    }
}

/// Why a record is not in a snapshot. Each is counted separately; a record is counted
/// under the first reason that applies, in the order of this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// The line could not be parsed (reported with its line number).
    Rejected,
    /// An earlier line had the same record id.
    DuplicateId,
    /// Created after the cut-off `T`.
    AfterCutoff,
    /// Created outside the deal's content window.
    OutsideWindow,
    /// The author is not in the registry.
    UnknownUser,
    /// The author's account is deleted or suspended.
    AccountStatus,
    /// The author's birth date is unknown.
    AgeUnknown,
    /// The author was under 18 at `T`.
    Minor,
    /// The author did not consent to every permitted purpose.
    NoConsent,
}

impl Exclusion {
    /// Every reason, in the order they are checked (a record counts under the first).
    pub const ALL: [Exclusion; 9] = [
        Exclusion::Rejected,
        Exclusion::DuplicateId,
        Exclusion::AfterCutoff,
        Exclusion::OutsideWindow,
        Exclusion::UnknownUser,
        Exclusion::AccountStatus,
        Exclusion::AgeUnknown,
        Exclusion::Minor,
        Exclusion::NoConsent,
    ];

    /// The reason's token, e.g. `no_consent`: what snapshot counts and reports use.
    pub fn token(self) -> &'static str {
        match self {
            Exclusion::Rejected => "rejected",
            Exclusion::DuplicateId => "duplicate_id",
            Exclusion::AfterCutoff => "after_cutoff",
            Exclusion::OutsideWindow => "outside_window",
            Exclusion::UnknownUser => "unknown_user",
            Exclusion::AccountStatus => "account_status",
            Exclusion::AgeUnknown => "age_unknown",
            Exclusion::Minor => "minor",
            Exclusion::NoConsent => "no_consent",
        }
    }
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

/// One user's registry row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RegistryUser {
    /// The platform's id of the user, as the registry file gives it, trimmed.
    pub user_id: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// `None`: unknown, and the user's records are excluded as `age_unknown`; when
    /// imported, between 1900-01-01 and the day of the import.
    pub birth_date: Option<NaiveDate>,
    /// Whether the account is active, deleted or suspended.
    pub status: AccountStatus,
}

/// The countries where consent must be given (opt-in); everywhere else, sharing is on
/// unless the user opted out. Stored with a version so that a snapshot records which
/// policy it was built under.
///
/// The opt-out gate (PRODUCT.md §2, "no default consent before users could say no"):
/// when `opt_out_available_from` is set, the opt-out regime's default applies only
/// from that day plus `notice_days`, and only to records created on or after that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Policy {
    /// The version number: 1 for the default the store starts with, one more per change.
    pub version: i64,
    /// The opt-in countries, ISO 3166-1 alpha-2 codes, sorted; empty for a platform with
    /// none. Users of every other country are in the opt-out regime.
    pub opt_in_countries: Vec<String>,
    /// The day the opt-out setting reached users (UTC), if sharing began before it.
    pub opt_out_available_from: Option<NaiveDate>,
    /// Days of notice after `opt_out_available_from` before the default applies.
    pub notice_days: u32,
}

/// The notice period when a policy names none (PRODUCT.md §2).
pub const DEFAULT_NOTICE_DAYS: u32 = 30;

impl Policy {
    /// The first day on which the regime default may include anyone, when gated;
    /// `None` also when the sum leaves the calendar (then it never applies).
    pub fn default_applies_from(&self) -> Option<NaiveDate> {
        self.opt_out_available_from
            .and_then(|d| crate::model::calendar::add_days(d, self.notice_days))
    }
}

/// The EU's 27 members, the rest of the EEA (IS, LI, NO), GB and CH.
pub const DEFAULT_OPT_IN: &[&str] = &[
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU",
    "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Where a user stands as of `T` for a deal's purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Consent for every purpose rests on an explicit allow on its chain.
    Included,
    /// Consent for some purpose rests on the opt-out regime's default: under a gated
    /// policy, only records created on or after the opt-out date are included.
    IncludedByDefault,
    /// Only the regime default could include the user, and the gate's notice period had
    /// not ended at `T`: excluded as `no_consent`, counted as held back by the gate.
    HeldBack,
    /// Every record by this user is excluded, for this reason.
    Excluded(Exclusion),
}

impl Verdict {
    /// The reason a record by this user, created at `created_us`, is excluded (with
    /// whether the opt-out gate is what holds it back), or `None` when it is included.
    pub fn for_record(
        self,
        created_us: i64,
        gate_from_us: Option<i64>,
    ) -> Option<(Exclusion, bool)> {
        match self {
            Verdict::Included => None,
            Verdict::IncludedByDefault => gate_from_us
                .is_some_and(|from| created_us < from)
                .then_some((Exclusion::NoConsent, true)),
            Verdict::HeldBack => Some((Exclusion::NoConsent, true)),
            Verdict::Excluded(reason) => Some((reason, false)),
        }
    }
}

/// What decided one purpose for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// An explicit allow on the purpose's chain.
    Allowed,
    /// No decision on the chain, opt-out country: the regime default.
    RegimeDefault,
}

/// The latest effective decision per purpose for one user as of `T`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latest([Option<(i64, Decision)>; 6]);

impl Latest {
    /// Folds in one event. The caller passes only events with `effective_at <= T`.
    /// The later event wins; at equal instants deny wins.
    pub fn record(&mut self, purpose: Purpose, at_micros: i64, decision: Decision) {
        let slot = &mut self.0[purpose as usize];
        if slot.is_none_or(|current| (at_micros, decision) > current) {
            *slot = Some((at_micros, decision));
        }
    }

    /// The latest effective decision for `purpose` itself (not its chain); `None` if the
    /// user never decided on it.
    pub fn decision(&self, purpose: Purpose) -> Option<Decision> {
        self.0[purpose as usize].map(|(_, d)| d)
    }
}

/// The rule set fixed for one evaluation: the purposes required, the instant, the
/// opt-in countries and the opt-out gate.
pub struct Rules {
    purposes: Vec<Purpose>,
    as_of_date: NaiveDate,
    opt_in: BTreeSet<[u8; 2]>,
    /// Whether the regime default may include anyone at `T` (false while a gate's
    /// notice period runs).
    default_open: bool,
    /// Under a gated policy, the first instant a record may be created at and still be
    /// included by the regime default.
    gate_from_us: Option<i64>,
}

impl Rules {
    /// The rules for a deal's `purposes` evaluated as of `as_of`, under `policy`.
    pub fn new(purposes: &[Purpose], as_of: DateTime<Utc>, policy: &Policy) -> Rules {
        let as_of_date = as_of.date_naive();
        let default_open = match policy.opt_out_available_from {
            None => true,
            // At or after 00:00 UTC of the first day the default applies.
            Some(_) => policy
                .default_applies_from()
                .is_some_and(|day| as_of_date >= day),
        };
        Rules {
            purposes: purposes.to_vec(),
            as_of_date,
            opt_in: policy
                .opt_in_countries
                .iter()
                .filter_map(|c| <[u8; 2]>::try_from(c.as_bytes()).ok())
                .collect(),
            default_open,
            gate_from_us: policy
                .opt_out_available_from
                .map(crate::model::calendar::start_of_day_micros),
        }
    }

    /// The instant before which records included only by the regime default are held
    /// back, under a gated policy.
    pub fn gate_from_us(&self) -> Option<i64> {
        self.gate_from_us
    }

    /// Whether `user` (None: not in the registry) may be included for every required
    /// purpose, given their latest decisions as of `T`, and on what basis.
    pub fn verdict(&self, user: Option<&RegistryUser>, latest: &Latest) -> Verdict {
        let Some(user) = user else {
            return Verdict::Excluded(Exclusion::UnknownUser);
        };
        if user.status != AccountStatus::Active {
            return Verdict::Excluded(Exclusion::AccountStatus);
        }
        let Some(birth) = user.birth_date else {
            return Verdict::Excluded(Exclusion::AgeUnknown);
        };
        if age_in_full_years(birth, self.as_of_date) < 18 {
            return Verdict::Excluded(Exclusion::Minor);
        }
        let opt_in = <[u8; 2]>::try_from(user.country.as_bytes())
            .map(|c| self.opt_in.contains(&c))
            // A country code that cannot be read is treated as opt-in: fail closed.
            .unwrap_or(true);
        let mut by_default = false;
        for &p in &self.purposes {
            match consents(latest, p, opt_in) {
                None => return Verdict::Excluded(Exclusion::NoConsent),
                Some(Basis::RegimeDefault) => by_default = true,
                Some(Basis::Allowed) => {}
            }
        }
        match (by_default, self.default_open) {
            (false, _) => Verdict::Included,
            (true, true) => Verdict::IncludedByDefault,
            (true, false) => Verdict::HeldBack,
        }
    }

    /// Whether a record by `user` created at `created_us` may be included; the reason
    /// when not. The whole of PRODUCT.md §2 for one record.
    pub fn eligible(
        &self,
        user: Option<&RegistryUser>,
        latest: &Latest,
        created_us: i64,
    ) -> Result<(), Exclusion> {
        match self
            .verdict(user, latest)
            .for_record(created_us, self.gate_from_us)
        {
            None => Ok(()),
            Some((reason, _)) => Err(reason),
        }
    }
}

/// PRODUCT.md §2 steps 1-3 for one purpose: `None` when excluded, else what included.
pub fn consents(latest: &Latest, purpose: Purpose, opt_in_country: bool) -> Option<Basis> {
    if purpose
        .chain()
        .any(|p| latest.decision(p) == Some(Decision::Deny))
    {
        return None;
    }
    // No deny on the chain: the nearest explicit decision, if any, is an allow.
    if purpose
        .chain()
        .any(|p| latest.decision(p) == Some(Decision::Allow))
    {
        return Some(Basis::Allowed);
    }
    (!opt_in_country).then_some(Basis::RegimeDefault)
}

/// A stream of rows, one at a time (a database cursor): [`Cursor::advance`] moves to the
/// next row, [`Cursor::current`] is the row it is on (`None` before the first advance
/// and after the last row). A row may be read into one reused buffer.
pub trait Cursor {
    /// What the cursor yields: a registry user or a ledger event.
    type Row;
    /// Moves to the next row; past the last row, [`Cursor::current`] is `None`.
    fn advance(&mut self) -> crate::error::Result<()>;
    /// The row the cursor is on; `None` before the first advance and after the last row.
    fn current(&self) -> Option<&Self::Row>;
}

/// One ledger event as the folds read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// The event's identity (see `imports::Event::identity`).
    pub identity: Vec<u8>,
    /// The user the event is about.
    pub user_id: String,
    /// The purpose decided on.
    pub purpose: Purpose,
    /// Whether the user allowed or denied it.
    pub decision: Decision,
    /// `effective_at`, microseconds since the epoch.
    pub at: i64,
}

impl Default for EventRow {
    fn default() -> Self {
        EventRow {
            identity: Vec::new(),
            user_id: String::new(),
            purpose: Purpose::PartnerSharing,
            decision: Decision::Deny,
            at: 0,
        }
    }
}

/// PRODUCT.md §2 step 1 for every registry user: merges the registry (in user-id order)
/// with the events effective at `T` (in user-id, then identity order; the caller
/// filters by `T`), calls `visit` with each user and the fold of their events, and
/// hashes the identity of every event read, registered author or not, into `digest`.
/// Only one user's events are held at a time.
pub fn fold_as_of(
    users: &mut impl Cursor<Row = RegistryUser>,
    events: &mut impl Cursor<Row = EventRow>,
    digest: &mut sha2::Sha256,
    mut visit: impl FnMut(&RegistryUser, &Latest),
) -> crate::error::Result<()> {
    use sha2::Digest;
    events.advance()?;
    loop {
        users.advance()?;
        let Some(user) = users.current() else { break };
        let mut latest = Latest::default();
        while let Some(e) = events.current() {
            if e.user_id.as_str() > user.user_id.as_str() {
                break;
            }
            digest.update(&e.identity);
            if e.user_id == user.user_id {
                latest.record(e.purpose, e.at, e.decision);
            }
            events.advance()?;
        }
        visit(user, &latest);
    }
    while let Some(e) = events.current() {
        digest.update(&e.identity);
        events.advance()?;
    }
    Ok(())
}

/// One instant of [`fold_at_instants`]: the events effective at or before `as_of_us`,
/// and the registry as it stood at `registry_at` (an instant as the store writes them,
/// whose text order is time order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldInstant {
    /// Microseconds since the epoch.
    pub as_of_us: i64,
    /// RFC 3339 UTC with milliseconds.
    pub registry_at: String,
}

/// A registry change as the folds read it: the user as an import found them before it
/// changed them (its before-image), and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    /// The user before the change; `user_id` is whom it changed.
    pub before: RegistryUser,
    /// When the change was imported, RFC 3339 UTC with milliseconds.
    pub changed_at: String,
}

/// [`fold_as_of`] at several instants in one pass: for each registry user (the registry
/// as it stands, in user-id order) and each instant `k` of `instants` (ascending),
/// `visit(k, user, latest)` gets the user as they stood at the instant and the fold of
/// their events effective by then. `changes` gives every registry change in (user id,
/// change id) order; the user as they stood at an instant is the before-image of their
/// first change imported after it, or the registry's row if there is none (what
/// `store::consent::with_consent_cursors_at` reads). `events` must hold every event
/// effective by the last instant. Only one user's events and changes are held at a time.
pub fn fold_at_instants(
    users: &mut impl Cursor<Row = RegistryUser>,
    changes: &mut impl Cursor<Row = ChangeRow>,
    events: &mut impl Cursor<Row = EventRow>,
    instants: &[FoldInstant],
    mut visit: impl FnMut(usize, &RegistryUser, &Latest),
) -> crate::error::Result<()> {
    debug_assert!(instants.is_sorted_by_key(|i| i.as_of_us));
    let mut theirs: Vec<(i64, Purpose, Decision)> = Vec::new();
    let mut their_changes: Vec<ChangeRow> = Vec::new();
    events.advance()?;
    changes.advance()?;
    loop {
        users.advance()?;
        let Some(user) = users.current() else { break };
        let id = user.user_id.as_str();
        theirs.clear();
        while let Some(e) = events.current() {
            if e.user_id.as_str() > id {
                break;
            }
            if e.user_id == id {
                theirs.push((e.at, e.purpose, e.decision));
            }
            events.advance()?;
        }
        their_changes.clear();
        while let Some(c) = changes.current() {
            if c.before.user_id.as_str() > id {
                break;
            }
            if c.before.user_id == id {
                their_changes.push(c.clone());
            }
            changes.advance()?;
        }
        // `Latest::record` keeps the latest decision whatever the order it is given
        // events in, so each instant adds the events that became effective since the
        // one before.
        theirs.sort_unstable_by_key(|e| e.0);
        let mut latest = Latest::default();
        let mut next = 0;
        for (k, instant) in instants.iter().enumerate() {
            while let Some(&(at, purpose, decision)) = theirs.get(next) {
                if at > instant.as_of_us {
                    break;
                }
                latest.record(purpose, at, decision);
                next += 1;
            }
            let stood = their_changes
                .iter()
                .find(|c| c.changed_at.as_str() > instant.registry_at.as_str())
                .map_or(user, |c| &c.before);
            visit(k, stood, &latest);
        }
    }
    Ok(())
}

/// The fold of each user's events (in user-id order), registered or not: `visit` is
/// called once per user id with the latest decision per purpose.
pub fn latest_per_user(
    events: &mut impl Cursor<Row = EventRow>,
    mut visit: impl FnMut(&str, &Latest),
) -> crate::error::Result<()> {
    events.advance()?;
    let mut user = String::new();
    let mut latest = Latest::default();
    while let Some(e) = events.current() {
        if e.user_id != user {
            if !user.is_empty() {
                visit(&user, &latest);
            }
            user.clone_from(&e.user_id);
            latest = Latest::default();
        }
        latest.record(e.purpose, e.at, e.decision);
        events.advance()?;
    }
    if !user.is_empty() {
        visit(&user, &latest);
    }
    Ok(())
}

/// Age at `on` in completed years. Someone born on 29 February has a birthday on
/// 1 March in common years (they are not a year older on 28 February).
pub fn age_in_full_years(birth: NaiveDate, on: NaiveDate) -> i32 {
    let years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years - 1
    } else {
        years
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn age_counts_full_years_and_leap_days() {
        assert_eq!(
            age_in_full_years(date("2008-06-15"), date("2026-06-14")),
            17
        );
        assert_eq!(
            age_in_full_years(date("2008-06-15"), date("2026-06-15")),
            18
        );
        assert_eq!(
            age_in_full_years(date("2008-02-29"), date("2026-02-28")),
            17
        );
        assert_eq!(
            age_in_full_years(date("2008-02-29"), date("2026-03-01")),
            18
        );
    }

    #[test]
    fn at_equal_instants_deny_wins_whatever_the_order() {
        let mut a = Latest::default();
        a.record(Purpose::Search, 10, Decision::Allow);
        a.record(Purpose::Search, 10, Decision::Deny);
        let mut b = Latest::default();
        b.record(Purpose::Search, 10, Decision::Deny);
        b.record(Purpose::Search, 10, Decision::Allow);
        assert_eq!(a.decision(Purpose::Search), Some(Decision::Deny));
        assert_eq!(b.decision(Purpose::Search), Some(Decision::Deny));
        b.record(Purpose::Search, 11, Decision::Allow);
        assert_eq!(
            b.decision(Purpose::Search),
            Some(Decision::Allow),
            "later wins"
        );
        b.record(Purpose::Search, 5, Decision::Deny);
        assert_eq!(
            b.decision(Purpose::Search),
            Some(Decision::Allow),
            "older loses"
        );
    }

    /// Rows from a vector, for the folds' tests.
    struct Rows<T>(std::vec::IntoIter<T>, Option<T>);

    impl<T> Cursor for Rows<T> {
        type Row = T;
        fn advance(&mut self) -> crate::error::Result<()> {
            self.1 = self.0.next();
            Ok(())
        }
        fn current(&self) -> Option<&T> {
            self.1.as_ref()
        }
    }

    fn rows<T>(v: Vec<T>) -> Rows<T> {
        Rows(v.into_iter(), None)
    }

    fn event(user: &str, purpose: Purpose, decision: Decision, at: i64) -> EventRow {
        EventRow {
            identity: vec![at as u8],
            user_id: user.into(),
            purpose,
            decision,
            at,
        }
    }

    #[test]
    fn the_fold_merges_users_with_their_events_and_hashes_every_event() {
        let user = |id: &str| RegistryUser {
            user_id: id.into(),
            country: "US".into(),
            birth_date: None,
            status: AccountStatus::Active,
        };
        let mut users = rows(vec![user("b"), user("d")]);
        let mut events = rows(vec![
            event("a", Purpose::Search, Decision::Allow, 1),
            event("b", Purpose::Search, Decision::Allow, 2),
            event("b", Purpose::Search, Decision::Deny, 2),
            event("c", Purpose::Search, Decision::Deny, 3),
            event("e", Purpose::Search, Decision::Deny, 4),
        ]);
        let mut seen = Vec::new();
        let mut digest = sha2::Sha256::default();
        fold_as_of(&mut users, &mut events, &mut digest, |u, l| {
            seen.push((u.user_id.clone(), l.decision(Purpose::Search)));
        })
        .unwrap();
        assert_eq!(
            seen,
            [("b".into(), Some(Decision::Deny)), ("d".into(), None)],
            "b's tie goes to deny; d has no events; a, c and e are not registered"
        );
        use sha2::Digest;
        let mut all = sha2::Sha256::default();
        for k in [1u8, 2, 2, 3, 4] {
            all.update([k]);
        }
        assert_eq!(digest.finalize(), all.finalize(), "every event is hashed");
    }

    #[test]
    fn latest_per_user_visits_every_author_once() {
        let mut events = rows(vec![
            event("a", Purpose::Search, Decision::Deny, 5),
            event("a", Purpose::Search, Decision::Allow, 6),
            event("z", Purpose::DataMining, Decision::Deny, 1),
        ]);
        let mut seen = Vec::new();
        latest_per_user(&mut events, |u, l| {
            seen.push((
                u.to_string(),
                l.decision(Purpose::Search),
                l.decision(Purpose::DataMining),
            ));
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                ("a".into(), Some(Decision::Allow), None),
                ("z".into(), None, Some(Decision::Deny))
            ]
        );
    }
}
